// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the AMD SVM backend.
 *
 * Enabling SVM follows the AMD APM volume 2, section 15.4 ("Enabling SVM"):
 * CPUID Fn8000_0001_ECX[SVM] says the CPU has it, VM_CR.SVMDIS says whether
 * firmware has locked it off, EFER.SVME turns it on, and VMRUN needs the
 * physical address of a 4-KiB host save area in VM_HSAVE_PA (15.30.4).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "../hv_x86.h"
#include "svm.h"

/* CPUID Fn8000_0001_ECX */
#define CPUID_80000001_ECX_SVM		BIT(2)
/* CPUID Fn8000_000A_EDX (APM vol 3, appendix E.4.9) */
#define CPUID_8000000A_EDX_NP		BIT(0)
#define CPUID_8000000A_EDX_NRIPS	BIT(3)
#define CPUID_8000000A_EDX_DECODE	BIT(7)
/* VM_CR (APM vol 2, 15.30.1) */
#define VM_CR_SVMDIS			BIT_ULL(4)

static const struct hv_arch_ops svm_ops;

/* [cpu] the host save area of each possible CPU. */
static DEFINE_PER_CPU(struct page *, svm_hsave_area);

bool svm_cpu_has_svm(void)
{
	if (cpuid_eax(0x80000000) < 0x80000001)
		return false;
	return cpuid_ecx(0x80000001) & CPUID_80000001_ECX_SVM;
}

static bool svm_disabled_by_firmware(void)
{
	u64 vm_cr;

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr))
		return true;
	return vm_cr & VM_CR_SVMDIS;
}

static void svm_hardware_unsetup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(svm_hsave_area, cpu))
			__free_page(per_cpu(svm_hsave_area, cpu));
		per_cpu(svm_hsave_area, cpu) = NULL;
	}
}

static int svm_hardware_setup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			svm_hardware_unsetup();
			return -ENOMEM;
		}
		per_cpu(svm_hsave_area, cpu) = page;
	}
	return 0;
}

static int svm_cpu_enable(void)
{
	int cpu = raw_smp_processor_id();
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("SVM is already in use on CPU %d (EFER.SVME is set): another hypervisor owns it (kvm_amd enables SVM when it loads on Linux 6.12 and later; also VirtualBox, VMware); unload it first\n",
		       cpu);
		return -EBUSY;
	}
	if (svm_disabled_by_firmware()) {
		pr_err("SVM is disabled by the firmware on CPU %d\n", cpu);
		return -EOPNOTSUPP;
	}

	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(per_cpu(svm_hsave_area, cpu)));
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

const struct hv_arch_ops *svm_probe(void)
{
	u32 svm_features;

	if (svm_disabled_by_firmware()) {
		pr_err("SVM is disabled by the firmware (VM_CR.SVMDIS): enable AMD-V/SVM in the firmware setup\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (cpuid_eax(0x80000000) < 0x8000000a) {
		pr_err("SVM: CPU does not report SVM features (CPUID 8000_000A)\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	svm_features = cpuid_edx(0x8000000a);
	if (!(svm_features & CPUID_8000000A_EDX_NP)) {
		pr_err("SVM: CPU lacks nested paging (NPT)\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	pr_info("SVM: nested paging%s%s\n",
		svm_features & CPUID_8000000A_EDX_NRIPS ? ", next-RIP" : "",
		svm_features & CPUID_8000000A_EDX_DECODE ? ", decode assists" : "");
	return &svm_ops;
}

static const struct hv_arch_ops svm_ops = {
	.name = "svm",
	.hardware_setup = svm_hardware_setup,
	.hardware_unsetup = svm_hardware_unsetup,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.get_segment = svm_get_segment,
	.set_segment = svm_set_segment,
	.get_dtable = svm_get_dtable,
	.set_dtable = svm_set_dtable,
	.get_rsp_rip_rflags = svm_get_rsp_rip_rflags,
	.set_rsp_rip_rflags = svm_set_rsp_rip_rflags,
	.get_sys = svm_get_sys,
	.set_sys = svm_set_sys,
};
