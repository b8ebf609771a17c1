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
#include <asm/pgtable_types.h>
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

struct svm_config svm_config;

/*
 * Per CPU: the host save area VMRUN uses (VM_HSAVE_PA), a page where
 * VMSAVE keeps the host's FS, GS, TR, LDTR and SYSCALL/SYSENTER MSRs while
 * the guest's are loaded, and the ASIDs handed out on this CPU.
 */
struct svm_cpu {
	struct page *hsave;
	struct page *host_save;
	u64 asid_generation;	/* [cpu] bumped when ASIDs are recycled */
	u32 next_asid;		/* [cpu] the next ASID to hand out */
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

static struct page *svm_iopm, *svm_msrpm;

/* The I/O and MSR permission maps: 12 KiB and 8 KiB (APM 15.10, 15.11). */
#define SVM_IOPM_ORDER		2
#define SVM_MSRPM_ORDER		1

u64 svm_host_save_pa(void)
{
	return page_to_phys(this_cpu_ptr(&svm_cpu)->host_save);
}

/*
 * ASIDs tag the guests' TLB entries (APM 15.16).  Each CPU hands them out
 * in turn; a vCPU arriving on a CPU, or whose ASID belongs to an older
 * generation, takes the next one.  When they run out the CPU starts a new
 * generation and flushes its whole TLB at that VMRUN, so no ASID is ever
 * reused with entries of its previous owner still cached.  Interrupts
 * disabled.
 */
void svm_new_asid(struct svm_vcpu *svm)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);

	if (sd->next_asid > svm_config.max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = SVM_TLB_FLUSH_ALL;
	}
	svm->vmcb->control.asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	svm->asid_cpu = smp_processor_id();
}

/* Forget every ASID given on this CPU: the next VMRUN flushes the TLB. */
void svm_retire_asids(void *unused)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);

	sd->asid_generation++;
	sd->next_asid = svm_config.max_asid + 1;
}

bool svm_asid_current(struct svm_vcpu *svm)
{
	return svm->asid_cpu == smp_processor_id() &&
	       svm->asid_generation == this_cpu_ptr(&svm_cpu)->asid_generation;
}

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
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
	}
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static int svm_hardware_setup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpu, cpu);
		int node = cpu_to_node(cpu);

		sd->hsave = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_save = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO,
						 0);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
	}
	/* Every bit set: every port and every MSR access is intercepted. */
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	svm_config.iopm_pa = page_to_phys(svm_iopm);
	svm_config.msrpm_pa = page_to_phys(svm_msrpm);
	return 0;
nomem:
	svm_hardware_unsetup();
	return -ENOMEM;
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
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(per_cpu(svm_cpu, cpu).hsave));
	/* Another hypervisor may have left ASID-tagged entries: flush first. */
	svm_retire_asids(NULL);
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
	svm_config.max_asid = cpuid_ebx(0x8000000a) - 1;
	svm_config.nrips = svm_features & CPUID_8000000A_EDX_NRIPS;
	svm_config.decode_assists = svm_features & CPUID_8000000A_EDX_DECODE;
	if (svm_config.max_asid < 1) {
		pr_err("SVM: CPU reports no ASIDs for guests\n");
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
	.vcpu_init_event = svm_vcpu_init_event,
	.get_segment = svm_get_segment,
	.set_segment = svm_set_segment,
	.get_dtable = svm_get_dtable,
	.set_dtable = svm_set_dtable,
	.get_rsp_rip_rflags = svm_get_rsp_rip_rflags,
	.set_rsp_rip_rflags = svm_set_rsp_rip_rflags,
	.get_sys = svm_get_sys,
	.set_sys = svm_set_sys,
	.set_cr0 = svm_set_cr0,
	.set_cr4 = svm_set_cr4,
	.set_efer = svm_set_efer,
	.get_rip = svm_get_rip,
	.set_rip = svm_set_rip,
	.get_rflags = svm_get_rflags,
	.set_rflags = svm_set_rflags,
	.get_dr7 = svm_get_dr7,
	.set_dr7 = svm_set_dr7,
	.intercept_dr = svm_intercept_dr,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.write_tsc_offset = svm_write_tsc_offset,
	/* Nested paging reads PAE PDPTEs from guest memory itself. */
	.load_pdptrs = NULL,
	.inject_exception = svm_inject_exception,
	.inject_nmi = svm_inject_nmi,
	.inject_irq = svm_inject_irq,
	.enable_nmi_window = svm_enable_nmi_window,
	.enable_irq_window = svm_enable_irq_window,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.get_nmi_mask = svm_get_nmi_mask,
	.set_nmi_mask = svm_set_nmi_mask,
	.get_interrupt_shadow = svm_get_interrupt_shadow,
	.set_interrupt_shadow = svm_set_interrupt_shadow,
	.run = svm_run,
	.flush_guest_tlbs = svm_flush_guest_tlbs,
	/* NPT entries are ordinary x86 page-table entries, user-accessible. */
	.pte_present = _PAGE_PRESENT,
	.pte_table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.pte_leaf = _PAGE_PRESENT | _PAGE_USER,
	.pte_write = _PAGE_RW,
	.pt_host_levels = true,
	.hypercall_modrm = 0xd9,
	/* A patch level, as KVM's svm_vcpu_reset() gives. */
	.ucode_rev_reset = 0x01000065,
	/* MCG_CAP bits 63:9 are reserved on AMD (KVM's svm_setup_mce()). */
	.mcg_cap_mask = 0x1ff,
};
