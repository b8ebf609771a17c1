// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the VMCS instructions: VMREAD, VMWRITE, VMPTRLD, VMCLEAR.  Each
 * failure is logged and counted (vmcs.h); none is ever silently ignored.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/printk.h>

#include "../hv_asm.h"
#include "vmcs.h"
#include "vmx.h"

DEFINE_PER_CPU(unsigned int, vmx_insn_errors);

static void vmx_insn_failed(const char *insn, unsigned long arg, bool fault)
{
	this_cpu_inc(vmx_insn_errors);
	pr_err_ratelimited("%s %#lx %s on CPU %d\n", insn, arg,
			   fault ? "faulted" : "failed",
			   raw_smp_processor_id());
}

unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : [value] "=rm" (value) : [field] "r" (field)
		 : "cc" : failed, fault);
	return value;
failed:
	vmx_insn_failed("VMREAD", field, false);
	return 0;
fault:
	vmx_insn_failed("VMREAD", field, true);
	return 0;
}

void __vmcs_write(unsigned long field, unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [field] "r" (field), [value] "rm" (value)
		 : "cc" : failed, fault);
	return;
failed:
	vmx_insn_failed("VMWRITE", field, false);
	return;
fault:
	vmx_insn_failed("VMWRITE", field, true);
}

void vmcs_load(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [pa] "m" (pa) : "cc", "memory" : failed, fault);
	return;
failed:
	vmx_insn_failed("VMPTRLD", pa, false);
	return;
fault:
	vmx_insn_failed("VMPTRLD", pa, true);
}

void vmcs_clear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [pa] "m" (pa) : "cc", "memory" : failed, fault);
	return;
failed:
	vmx_insn_failed("VMCLEAR", pa, false);
	return;
fault:
	vmx_insn_failed("VMCLEAR", pa, true);
}
