// SPDX-License-Identifier: GPL-2.0
/*
 * hv: running a VMX guest and handling its exits.
 *
 * vmx_run() enters the guest once, with interrupts disabled from just
 * before VM entry until the host state that a VM exit does not restore is
 * back, then hands the exit to one handler per basic exit reason
 * (vmx_exit_handlers[]).  Handlers turn the VMCS exit information into the
 * shared x86 handlers' terms (arch/x86/hv_x86.h).
 *
 * External interrupts exit ("external-interrupt exiting", without
 * acknowledging them on exit): they stay pending and the host takes them
 * through its IDT as soon as interrupts are enabled again.  NMIs exit too
 * ("NMI exiting"); the CPU leaves NMIs blocked after such an exit (SDM
 * vol 3, "VM Exits Caused by NMIs"), and hv hands the NMI to the host's
 * handler with INT 2, whose IRET unblocks NMIs again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "../hv_asm.h"
#include "../hv_x86.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_caps.h"

/* Fields of the exit qualification (SDM vol 3, 28.2.1, tables 28-3..28-7) */
#define CR_QUAL_CR(q)		((q) & 15)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 15)
#define CR_QUAL_LMSW_DATA(q)	(((q) >> 16) & 0xffff)
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3
#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN(q)		(((q) >> 3) & 1)
#define IO_QUAL_STRING(q)	(((q) >> 4) & 1)
#define IO_QUAL_REP(q)		(((q) >> 5) & 1)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)
#define EPT_QUAL_WRITE		BIT(1)
/* VM-exit instruction information for INS/OUTS (SDM vol 3, table 28-8) */
#define IO_INFO_ADDR_SIZE(i)	(((i) >> 7) & 7)
#define IO_INFO_SEG(i)		(((i) >> 15) & 7)

/* Exit information read once per exit. */
struct vmx_exit {
	u32 reason;
	unsigned long qual;
	u32 insn_len;
};

/*
 * Host state that is the same on every CPU and for every thread (SDM vol 3,
 * 27.2.2-27.2.4): segment selectors (RPL 0; DS, ES, FS, GS may be 0 and
 * are reloaded by vmx_put_host_state() when they were not), CR0, the
 * SYSENTER target, PAT and EFER.
 */
void vmx_set_constant_host_state(void)
{
	u64 val;

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write32(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write64(HOST_IA32_PAT, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write64(HOST_IA32_EFER, val);
}

/* Before the first entry since the vCPU was loaded on this CPU. */
static void vmx_save_host_state(struct vmx_vcpu *vmx)
{
	struct vmx_host_state *h = &vmx->host;

	savesegment(fs, h->fs_sel);
	savesegment(gs, h->gs_sel);
	savesegment(ds, h->ds_sel);
	savesegment(es, h->es_sel);
	asm volatile("sldt %0" : "=r" (h->ldt_sel));
	native_store_gdt(&h->gdt);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	vmx->host_saved = true;
}

/*
 * Preemption disabled, before the thread leaves the CPU or the ioctl
 * returns: what VM exits changed and the host relies on (SDM vol 3, 28.5).
 */
void vmx_put_host_state(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state *h = &vmx->host;
	unsigned long kernel_gs_base;

	if (!vmx->host_saved)
		return;
	vmx->host_saved = false;

	if (h->ldt_sel)
		asm volatile("lldt %0" : : "r" (h->ldt_sel));
	if (h->ds_sel)
		loadsegment(ds, h->ds_sel);
	if (h->es_sel)
		loadsegment(es, h->es_sel);
	if (h->fs_sel)
		loadsegment(fs, h->fs_sel);
	if (h->gs_sel) {
		/* Loading GS clobbers the user's GS base (KERNEL_GS_BASE). */
		rdmsrl(MSR_KERNEL_GS_BASE, kernel_gs_base);
		load_gs_index(h->gs_sel);
		wrmsrl(MSR_KERNEL_GS_BASE, kernel_gs_base);
	}
	/* The GDT limit became 0xffff, the TSS limit 0x67. */
	native_load_gdt(&h->gdt);
	invalidate_tss_limit();
}

/* ------------------------------------------------------------------ */
/* Exit handlers, one per basic exit reason */

typedef int (*vmx_exit_handler)(struct hv_vcpu *vcpu,
				const struct vmx_exit *exit);

static int vmx_exit_nothing(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return 1;
}

/* NMIs were handled right after the exit; exceptions are not intercepted. */
static int vmx_exit_exception_nmi(struct hv_vcpu *vcpu,
				  const struct vmx_exit *exit)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((info & HV_INTR_INFO_TYPE) == HV_INTR_TYPE_NMI)
		return 1;
	if ((info & (HV_INTR_INFO_TYPE | HV_INTR_INFO_VECTOR)) ==
	    (HV_INTR_TYPE_HW_EXCEPTION | HV_UD_VECTOR))
		return hv_x86_handle_ud(vcpu);
	return hv_x86_handle_unexpected(vcpu, exit->reason);
}

static int vmx_exit_triple_fault(struct hv_vcpu *vcpu,
				 const struct vmx_exit *exit)
{
	return hv_x86_handle_shutdown(vcpu);
}

static int vmx_exit_cpuid(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_cpuid(vcpu, exit->insn_len);
}

static int vmx_exit_hlt(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_hlt(vcpu, exit->insn_len);
}

/* INVD: the guest's caches are the host's; treat it as WBINVD-less no-op. */
static int vmx_exit_skip(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + exit->insn_len);
	return 1;
}

static int vmx_exit_gp(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_inject_gp(vcpu);
}

/* VMX instructions, MONITOR/MWAIT: hv offers neither (#UD, as KVM). */
static int vmx_exit_ud(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_inject_ud(vcpu);
}

static int vmx_exit_vmcall(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_vmcall(vcpu, exit->insn_len);
}

static int vmx_exit_cr_access(struct hv_vcpu *vcpu,
			      const struct vmx_exit *exit)
{
	unsigned long q = exit->qual;
	int cr = CR_QUAL_CR(q), gpr = CR_QUAL_GPR(q);
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 val;

	switch (CR_QUAL_TYPE(q)) {
	case CR_TYPE_MOV_TO:
		return hv_x86_handle_mov_to_cr_gpr(vcpu, cr, gpr,
						   exit->insn_len);
	case CR_TYPE_MOV_FROM:
		return hv_x86_handle_mov_from_cr(vcpu, cr, gpr, exit->insn_len);
	case CR_TYPE_CLTS:
		return hv_x86_handle_mov_to_cr(vcpu, 0, vmx->cr0 & ~X86_CR0_TS,
					       exit->insn_len);
	default:
		/* LMSW: bits 3:0 of CR0, and it cannot clear PE (SDM vol 2). */
		val = CR_QUAL_LMSW_DATA(q) & 0xf;
		val |= vmx->cr0 & X86_CR0_PE;
		return hv_x86_handle_mov_to_cr(vcpu, 0, (vmx->cr0 & ~0xfULL) |
					       val, exit->insn_len);
	}
}

static int vmx_exit_dr_access(struct hv_vcpu *vcpu,
			      const struct vmx_exit *exit)
{
	return hv_x86_handle_dr_access(vcpu);
}

static int vmx_exit_io(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	unsigned long q = exit->qual;
	struct hv_io_exit io = {
		.port = IO_QUAL_PORT(q),
		.size = IO_QUAL_SIZE(q),
		.in = IO_QUAL_IN(q),
		.string = IO_QUAL_STRING(q),
		.rep = IO_QUAL_REP(q),
		.insn_len = exit->insn_len,
		.addr_bytes = 2,
		.seg = HV_DS,
	};

	if (io.string) {
		u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);

		io.addr_bytes = 2 << IO_INFO_ADDR_SIZE(info);
		io.seg = IO_INFO_SEG(info);
	}
	return hv_x86_handle_io(vcpu, &io);
}

static int vmx_exit_rdmsr(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_rdmsr(vcpu, exit->insn_len);
}

static int vmx_exit_wrmsr(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_wrmsr(vcpu, exit->insn_len);
}

static int vmx_exit_ept_violation(struct hv_vcpu *vcpu,
				  const struct vmx_exit *exit)
{
	return hv_x86_handle_gpa_fault(vcpu,
				       vmcs_read64(GUEST_PHYSICAL_ADDRESS),
				       exit->qual & EPT_QUAL_WRITE);
}

static int vmx_exit_xsetbv(struct hv_vcpu *vcpu, const struct vmx_exit *exit)
{
	return hv_x86_handle_xsetbv(vcpu, exit->insn_len);
}

static const vmx_exit_handler vmx_exit_handlers[HV_VMX_NR_EXIT_REASONS] = {
	[HV_VMX_EXIT_EXCEPTION_NMI]	= vmx_exit_exception_nmi,
	[HV_VMX_EXIT_EXTERNAL_INTERRUPT] = vmx_exit_nothing,
	[HV_VMX_EXIT_TRIPLE_FAULT]	= vmx_exit_triple_fault,
	/* The windows opened (vmx_events_after_exit() closed them). */
	[HV_VMX_EXIT_INTR_WINDOW]	= vmx_exit_nothing,
	[HV_VMX_EXIT_NMI_WINDOW]	= vmx_exit_nothing,
	[HV_VMX_EXIT_CPUID]		= vmx_exit_cpuid,
	[HV_VMX_EXIT_HLT]		= vmx_exit_hlt,
	[HV_VMX_EXIT_INVD]		= vmx_exit_skip,
	[HV_VMX_EXIT_RDPMC]		= vmx_exit_gp,
	[HV_VMX_EXIT_VMCALL]		= vmx_exit_vmcall,
	[HV_VMX_EXIT_VMCLEAR]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMLAUNCH]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMPTRLD]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMPTRST]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMREAD]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMRESUME]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMWRITE]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMXOFF]		= vmx_exit_ud,
	[HV_VMX_EXIT_VMXON]		= vmx_exit_ud,
	[HV_VMX_EXIT_CR_ACCESS]		= vmx_exit_cr_access,
	[HV_VMX_EXIT_DR_ACCESS]		= vmx_exit_dr_access,
	[HV_VMX_EXIT_IO]		= vmx_exit_io,
	[HV_VMX_EXIT_RDMSR]		= vmx_exit_rdmsr,
	[HV_VMX_EXIT_WRMSR]		= vmx_exit_wrmsr,
	[HV_VMX_EXIT_MWAIT]		= vmx_exit_ud,
	[HV_VMX_EXIT_MONITOR]		= vmx_exit_ud,
	[HV_VMX_EXIT_EPT_VIOLATION]	= vmx_exit_ept_violation,
	[HV_VMX_EXIT_INVEPT]		= vmx_exit_ud,
	[HV_VMX_EXIT_INVVPID]		= vmx_exit_ud,
	[HV_VMX_EXIT_XSETBV]		= vmx_exit_xsetbv,
	[HV_VMX_EXIT_VMFUNC]		= vmx_exit_ud,
};

/* ------------------------------------------------------------------ */
/* The run */

/* DR6's status bits: B0-B3, BD, BS, BT (SDM vol 3, 18.2.3). */
#define HV_DR6_STATUS	0xe00fUL

/*
 * Interrupts off, after the exit.  VM entry and exit do not switch DR6
 * (SDM vol 3, 27.3.1, 28.5.1).  With the guest's debug registers loaded,
 * DR6 was the guest's.  Without, a #DB the guest took all the same (a
 * single step, a task switch) set status bits in the host's DR6: they
 * are the guest's, and the host's DR6 must read clear again, or its own
 * next #DB would be taken for a single step in the kernel.
 */
static void vmx_save_guest_dr6(struct hv_vcpu *vcpu, bool loaded)
{
	unsigned long dr6;

	get_debugreg(dr6, 6);
	if (loaded)
		vcpu->x86.dr[6] = dr6;
	else if (dr6 != DR6_RESERVED)
		vcpu->x86.dr[6] |= dr6 & HV_DR6_STATUS;
	else
		return;
	set_debugreg(DR6_RESERVED, 6);
}

int vmx_run(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long cr3, cr4;
	struct vmx_exit exit = { 0 };
	vmx_exit_handler handler;
	bool dr_loaded;
	int fail;

	preempt_disable();
	if (!vmx->host_saved)
		vmx_save_host_state(vmx);
	hv_x86_load_guest_msrs(vcpu);

	/* CR3 and CR4 of the host can change under the thread (PCID, TLB). */
	cr3 = __read_cr3();
	if (cr3 != vmx->host.cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vmx->host.cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (cr4 != vmx->host.cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vmx->host.cr4 = cr4;
	}

	local_irq_disable();
	/* A signal or a reschedule that came meanwhile: not into the guest. */
	if (!hv_x86_enter_guest(vcpu)) {
		local_irq_enable();
		preempt_enable();
		return 1;
	}
	hv_x86_load_guest_fpu();
	if (vmx->flush_vpid) {
		vmx_invvpid(vmx->vpid);
		vmx->flush_vpid = false;
	}
	/* VM entry and exit do not switch DR6 (SDM vol 3, 27.3.1). */
	dr_loaded = hv_x86_load_guest_dr(vcpu);
	if (dr_loaded)
		set_debugreg(vcpu->x86.dr[6], 6);
	hv_x86_load_guest_xcr0(vcpu);
	fail = vmx_enter_guest(vcpu->regs, &vmx->cr2, vmx->launched);
	hv_x86_load_host_xcr0(vcpu);
	if (vmx->host.debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, vmx->host.debugctl);
	vmx_save_guest_dr6(vcpu, dr_loaded);
	/* A VM exit leaves DR7 at 0x400 (SDM vol 3, 28.5.1). */
	hv_x86_put_guest_dr(vcpu);

	if (!fail) {
		vmx->launched = true;
		exit.reason = vmcs_read32(VM_EXIT_REASON);
		/* The host's NMI, taken while the guest ran. */
		if ((u16)exit.reason == HV_VMX_EXIT_EXCEPTION_NMI &&
		    (vmcs_read32(VM_EXIT_INTR_INFO) & (HV_INTR_INFO_VALID |
		     HV_INTR_INFO_TYPE)) == (HV_INTR_INFO_VALID |
					    HV_INTR_TYPE_NMI))
			asm volatile("int $2");
	}
	hv_x86_exit_guest(vcpu);
	local_irq_enable();
	preempt_enable();

	if (fail)
		return hv_x86_handle_fail_entry(vcpu,
					vmcs_read32(VM_INSTRUCTION_ERROR));
	if (exit.reason & HV_VMX_EXIT_FAILED_ENTRY)
		return hv_x86_handle_fail_entry(vcpu, exit.reason);

	exit.qual = vmcs_readl(EXIT_QUALIFICATION);
	exit.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	vmx_events_after_exit(vcpu, exit.reason, exit.qual);

	handler = NULL;
	if ((u16)exit.reason < HV_VMX_NR_EXIT_REASONS)
		handler = vmx_exit_handlers[(u16)exit.reason];
	if (!handler)
		return hv_x86_handle_unexpected(vcpu, exit.reason);
	return handler(vcpu, &exit);
}

/* ------------------------------------------------------------------ */
/* EPT invalidation */

struct vmx_invept_desc {
	u64 eptp;
	u64 reserved;
};

static void vmx_invept(void *data)
{
	struct vmx_invept_desc desc = { .eptp = *(u64 *)data };
	unsigned long type = vmx_config.invept_all ? 2 : 1;

	asm goto("1: invept %[desc], %[type]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : failed, fault);
	return;
failed:
fault:
	this_cpu_inc(vmx_insn_errors);
	pr_err_ratelimited("INVEPT failed on CPU %d\n", smp_processor_id());
}

struct vmx_invvpid_desc {
	u64 vpid;
	u64 gla;
};

/* Forget the linear translations tagged with VPID on this CPU. */
void vmx_invvpid(u16 vpid)
{
	struct vmx_invvpid_desc desc = { .vpid = vpid };
	unsigned long type = vmx_config.invvpid_type;

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [desc] "m" (desc), [type] "r" (type)
		 : "cc", "memory" : failed, fault);
	return;
failed:
fault:
	this_cpu_inc(vmx_insn_errors);
	pr_err_ratelimited("INVVPID failed on CPU %d\n", smp_processor_id());
}

/*
 * Every CPU may cache translations of this EPT (they are tagged with the
 * EPTP, not with a CPU): invalidate them everywhere.  An IPI to a CPU that
 * runs one of the VM's vCPUs makes it exit first (external interrupt).
 */
void vmx_flush_guest_tlbs(struct hv_vm *vm)
{
	u64 eptp = vm->mmu.root_pa | HV_EPTP_WB_4LEVEL;

	on_each_cpu(vmx_invept, &eptp, 1);
}
