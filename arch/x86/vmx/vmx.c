// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the Intel VMX backend.
 *
 * Entering VMX operation follows the Intel SDM volume 3, section 24.7
 * ("Enabling and Entering VMX Operation"): IA32_FEATURE_CONTROL must allow
 * VMXON outside SMX and be locked, CR4.VMXE must be set, CR0 and CR4 must
 * respect the IA32_VMX_CR{0,4}_FIXED{0,1} MSRs (24.8), and VMXON takes the
 * physical address of a 4-KiB aligned region whose first word holds the VMCS
 * revision identifier from IA32_VMX_BASIC.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "../hv_asm.h"
#include "../hv_x86.h"
#include "vmx.h"
#include "vmx_caps.h"

static const struct hv_arch_ops vmx_ops;

/* [I] read from IA32_VMX_BASIC at probe time. */
u32 vmx_revision_id;

/* [I] the controls of every VMCS, from the capability MSRs. */
struct vmx_config vmx_config;

/* [I] the CR0/CR4 bits VMX operation fixes to 0 or 1 (SDM A.7, A.8). */
u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;

/* [cpu] the VMXON region of each possible CPU. */
static DEFINE_PER_CPU(struct page *, vmxon_region);

bool vmx_cpu_has_vmx(void)
{
	return cpuid_ecx(1) & HV_CPUID1_ECX_VMX;
}

/* Allowed-1 settings of a VMX control: the high half of its capability MSR. */
static u32 vmx_allowed1(u32 msr)
{
	u64 val;

	if (rdmsrl_safe(msr, &val))
		return 0;
	return val >> 32;
}

/*
 * IA32_FEATURE_CONTROL (SDM 24.7): VMXON raises #GP unless the MSR is locked
 * with "enable VMX outside SMX" set.  Linux locks it at boot when firmware
 * left it open, so a clear bit here means the firmware turned VT-x off.
 */
static bool vmx_feature_control_ok(void)
{
	u64 fc;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc))
		return false;
	return (fc & FEAT_CTL_LOCKED) &&
	       (fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
}

static int vmx_check_basic(void)
{
	u64 basic;

	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic)) {
		pr_err("VMX: cannot read IA32_VMX_BASIC\n");
		return -EOPNOTSUPP;
	}
	if (HV_VMX_BASIC_REGION_SIZE(basic) > PAGE_SIZE) {
		pr_err("VMX: VMCS region of %llu bytes is larger than a page\n",
		       HV_VMX_BASIC_REGION_SIZE(basic));
		return -EOPNOTSUPP;
	}
	if (basic & HV_VMX_BASIC_32BIT_ADDRESSES) {
		pr_err("VMX: CPU limits VMX structures to 32-bit addresses\n");
		return -EOPNOTSUPP;
	}
	if (HV_VMX_BASIC_MEMTYPE(basic) != HV_VMX_MEMTYPE_WB) {
		pr_err("VMX: VMCS memory type %llu is not write-back\n",
		       HV_VMX_BASIC_MEMTYPE(basic));
		return -EOPNOTSUPP;
	}
	vmx_revision_id = basic & HV_VMX_BASIC_REVISION_MASK;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_cr4_fixed1);
	return 0;
}

/*
 * A control's value: the bits hv requires, the optional ones the CPU
 * allows, and the bits the CPU forces to 1 (SDM A.3: allowed-0 settings in
 * the low half of the capability MSR, allowed-1 in the high half).  With
 * the "true" MSRs (IA32_VMX_BASIC bit 55) fewer bits are forced.
 */
static int vmx_adjust(const char *name, u32 msr, u32 true_msr, bool use_true,
		      u32 required, u32 forbidden, u32 *out)
{
	u64 cap;
	u32 must1, may1;

	if (rdmsrl_safe(use_true ? true_msr : msr, &cap)) {
		pr_err("VMX: cannot read the %s capability MSR\n", name);
		return -EOPNOTSUPP;
	}
	must1 = (u32)cap;
	may1 = cap >> 32;
	if (required & ~may1) {
		pr_err("VMX: CPU lacks %s controls %#x\n", name,
		       required & ~may1);
		return -EOPNOTSUPP;
	}
	if (must1 & forbidden) {
		pr_err("VMX: CPU forces %s controls %#x that hv cannot use\n",
		       name, must1 & forbidden);
		return -EOPNOTSUPP;
	}
	*out = required | must1;
	return 0;
}

static int vmx_setup_config(void)
{
	bool t;
	u64 basic, ept_cap;
	int r;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	t = basic & HV_VMX_BASIC_TRUE_CTLS;
	r = vmx_adjust("pin-based", HV_MSR_VMX_PINBASED_CTLS,
		       HV_MSR_VMX_TRUE_PINBASED_CTLS, t,
		       HV_PIN_EXT_INTR_EXITING | HV_PIN_NMI_EXITING |
		       HV_PIN_VIRTUAL_NMIS, 0, &vmx_config.pin);
	if (!r)
		r = vmx_adjust("processor-based", HV_MSR_VMX_PROCBASED_CTLS,
			       HV_MSR_VMX_TRUE_PROCBASED_CTLS, t,
			       HV_CPU_BASED_USE_TSC_OFFSETTING |
			       HV_CPU_BASED_HLT_EXITING |
			       HV_CPU_BASED_MWAIT_EXITING |
			       HV_CPU_BASED_RDPMC_EXITING |
			       HV_CPU_BASED_CR8_LOAD_EXITING |
			       HV_CPU_BASED_CR8_STORE_EXITING |
			       HV_CPU_BASED_MOV_DR_EXITING |
			       HV_CPU_BASED_UNCOND_IO_EXITING |
			       HV_CPU_BASED_MONITOR_EXITING |
			       HV_CPU_BASED_ACTIVATE_SECONDARY,
			       HV_CPU_BASED_CR3_LOAD_EXITING |
			       HV_CPU_BASED_CR3_STORE_EXITING,
			       &vmx_config.proc);
	if (!r)
		r = vmx_adjust("secondary", HV_MSR_VMX_PROCBASED_CTLS2,
			       HV_MSR_VMX_PROCBASED_CTLS2, false,
			       HV_SECONDARY_ENABLE_EPT |
			       HV_SECONDARY_UNRESTRICTED_GUEST, 0,
			       &vmx_config.proc2);
	if (!r)
		r = vmx_adjust("VM-exit", HV_MSR_VMX_EXIT_CTLS,
			       HV_MSR_VMX_TRUE_EXIT_CTLS, t,
			       HV_EXIT_SAVE_DEBUG_CONTROLS |
			       HV_EXIT_HOST_ADDR_SPACE_SIZE |
			       HV_EXIT_SAVE_IA32_PAT | HV_EXIT_LOAD_IA32_PAT |
			       HV_EXIT_SAVE_IA32_EFER | HV_EXIT_LOAD_IA32_EFER,
			       0, &vmx_config.exit);
	if (!r)
		r = vmx_adjust("VM-entry", HV_MSR_VMX_ENTRY_CTLS,
			       HV_MSR_VMX_TRUE_ENTRY_CTLS, t,
			       HV_ENTRY_LOAD_DEBUG_CONTROLS |
			       HV_ENTRY_LOAD_IA32_PAT | HV_ENTRY_LOAD_IA32_EFER,
			       HV_ENTRY_IA32E_MODE, &vmx_config.entry);
	if (r)
		return r;
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept_cap);
	vmx_config.invept_all = ept_cap & HV_EPT_CAP_INVEPT_ALL;
	/*
	 * VPIDs, when the CPU has them and INVVPID can flush one VPID (or,
	 * failing that, all of them): guest TLB entries then survive VM
	 * exits (SDM vol 3, 29.1).
	 */
	vmx_config.invvpid_type = 0;
	if ((vmx_allowed1(HV_MSR_VMX_PROCBASED_CTLS2) &
	     HV_SECONDARY_ENABLE_VPID) && (ept_cap & HV_VPID_CAP_INVVPID)) {
		if (ept_cap & HV_VPID_CAP_INVVPID_SINGLE)
			vmx_config.invvpid_type = HV_INVVPID_SINGLE_CONTEXT;
		else if (ept_cap & HV_VPID_CAP_INVVPID_ALL)
			vmx_config.invvpid_type = HV_INVVPID_ALL_CONTEXT;
	}
	return 0;
}

/*
 * hv runs every guest with EPT and "unrestricted guest" (real mode and
 * unpaged protected mode without emulation), so both are required.
 */
static int vmx_check_controls(void)
{
	u32 primary_msr = MSR_IA32_VMX_PROCBASED_CTLS;
	u32 secondary;
	u64 basic, ept_cap;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	if (basic & HV_VMX_BASIC_TRUE_CTLS)
		primary_msr = MSR_IA32_VMX_TRUE_PROCBASED_CTLS;

	if (!(vmx_allowed1(primary_msr) & HV_CPU_BASED_ACTIVATE_SECONDARY)) {
		pr_err("VMX: CPU lacks secondary processor-based controls\n");
		return -EOPNOTSUPP;
	}
	/* Set per entry when an event waits (vmx_events.c). */
	if ((vmx_allowed1(primary_msr) & (HV_CPU_BASED_INTR_WINDOW_EXITING |
					  HV_CPU_BASED_NMI_WINDOW_EXITING)) !=
	    (HV_CPU_BASED_INTR_WINDOW_EXITING |
	     HV_CPU_BASED_NMI_WINDOW_EXITING)) {
		pr_err("VMX: CPU lacks interrupt- or NMI-window exiting\n");
		return -EOPNOTSUPP;
	}
	secondary = vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (!(secondary & HV_SECONDARY_ENABLE_EPT)) {
		pr_err("VMX: CPU lacks EPT (extended page tables)\n");
		return -EOPNOTSUPP;
	}
	if (!(secondary & HV_SECONDARY_UNRESTRICTED_GUEST)) {
		pr_err("VMX: CPU lacks the unrestricted-guest control\n");
		return -EOPNOTSUPP;
	}

	if (rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_cap))
		ept_cap = 0;
	if (!(ept_cap & HV_EPT_CAP_WALK_4)) {
		pr_err("VMX: EPT lacks 4-level page walks\n");
		return -EOPNOTSUPP;
	}
	if (!(ept_cap & HV_EPT_CAP_WB)) {
		pr_err("VMX: EPT lacks the write-back memory type\n");
		return -EOPNOTSUPP;
	}
	if (!(ept_cap & HV_EPT_CAP_INVEPT) ||
	    !(ept_cap & (HV_EPT_CAP_INVEPT_SINGLE | HV_EPT_CAP_INVEPT_ALL))) {
		pr_err("VMX: CPU lacks INVEPT\n");
		return -EOPNOTSUPP;
	}
	pr_info("VMX: EPT, unrestricted guest%s\n",
		(secondary & HV_SECONDARY_ENABLE_VPID) &&
		(ept_cap & HV_VPID_CAP_INVVPID) &&
		(ept_cap & (HV_VPID_CAP_INVVPID_SINGLE |
			    HV_VPID_CAP_INVVPID_ALL)) ? ", VPID" : "");
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(vmxon_region, cpu))
			__free_page(per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

static int vmx_hardware_setup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_hardware_unsetup();
			return -ENOMEM;
		}
		*(u32 *)page_address(page) = vmx_revision_id;
		per_cpu(vmxon_region, cpu) = page;
	}
	return 0;
}

/*
 * VMXON: VMfailInvalid (CF=1) or VMfailValid (ZF=1) mean the CPU refused;
 * a fault (#GP, #UD) is caught by the exception table.  Either way the CPU
 * stays outside VMX operation.
 */
static int vmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 HV_ASM_ON_FAULT
		 "jbe %l[failed]\n\t"
		 : : [pa] "m" (pa) : "cc", "memory" : failed, fault);
	return 0;
failed:
	return -EBUSY;
fault:
	return -EFAULT;
}

static int vmx_cpu_enable(void)
{
	int cpu = raw_smp_processor_id();
	u64 pa = page_to_phys(per_cpu(vmxon_region, cpu));
	int r;

	/* CR4.VMXE already set: someone else is (or was) in VMX operation. */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("VMX is already in use on CPU %d (CR4.VMXE is set): another hypervisor owns it (kvm_intel enables VMX when it loads on Linux 6.12 and later; also VirtualBox, VMware); unload it first\n",
		       cpu);
		return -EBUSY;
	}
	if (!vmx_feature_control_ok()) {
		pr_err("VMX is disabled by the firmware on CPU %d\n", cpu);
		return -EOPNOTSUPP;
	}

	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(pa);
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("VMXON failed on CPU %d (%s): another hypervisor may own VMX\n",
		       cpu, r == -EFAULT ? "fault" : "VMfail");
		return -EBUSY;
	}
	return 0;
}

static void vmx_cpu_disable(void)
{
	asm goto("1: vmxoff\n\t"
		 HV_ASM_ON_FAULT
		 : : : "cc", "memory" : fault);
	cr4_clear_bits(X86_CR4_VMXE);
	return;
fault:
	pr_err("VMXOFF faulted on CPU %d\n", raw_smp_processor_id());
	cr4_clear_bits(X86_CR4_VMXE);
}

const struct hv_arch_ops *vmx_probe(void)
{
	int r;

	if (!vmx_feature_control_ok()) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL): enable Intel VT-x in the firmware setup\n");
		return ERR_PTR(-EOPNOTSUPP);
	}
	r = vmx_check_basic();
	if (!r)
		r = vmx_check_controls();
	if (!r)
		r = vmx_setup_config();
	if (r)
		return ERR_PTR(r);
	return &vmx_ops;
}

static const struct hv_arch_ops vmx_ops = {
	.name = "vmx",
	.hardware_setup = vmx_hardware_setup,
	.hardware_unsetup = vmx_hardware_unsetup,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_init_event = vmx_vcpu_init_event,
	.get_segment = vmx_get_segment,
	.set_segment = vmx_set_segment,
	.get_dtable = vmx_get_dtable,
	.set_dtable = vmx_set_dtable,
	.get_rsp_rip_rflags = vmx_get_rsp_rip_rflags,
	.set_rsp_rip_rflags = vmx_set_rsp_rip_rflags,
	.get_sys = vmx_get_sys,
	.set_sys = vmx_set_sys,
	.set_cr0 = vmx_set_cr0,
	.set_cr4 = vmx_set_cr4,
	.set_efer = vmx_set_efer,
	.get_rip = vmx_get_rip,
	.set_rip = vmx_set_rip,
	.get_rflags = vmx_get_rflags,
	.set_rflags = vmx_set_rflags,
	.get_dr7 = vmx_get_dr7,
	.set_dr7 = vmx_set_dr7,
	.intercept_dr = vmx_intercept_dr,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.write_tsc_offset = vmx_write_tsc_offset,
	.load_pdptrs = vmx_load_pdptrs,
	.inject_exception = vmx_inject_exception,
	.inject_nmi = vmx_inject_nmi,
	.inject_irq = vmx_inject_irq,
	.enable_nmi_window = vmx_enable_nmi_window,
	.enable_irq_window = vmx_enable_irq_window,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.get_nmi_mask = vmx_get_nmi_mask,
	.set_nmi_mask = vmx_set_nmi_mask,
	.get_interrupt_shadow = vmx_get_interrupt_shadow,
	.set_interrupt_shadow = vmx_set_interrupt_shadow,
	.run = vmx_run,
	.flush_guest_tlbs = vmx_flush_guest_tlbs,
	.pte_present = HV_EPT_READ | HV_EPT_WRITE | HV_EPT_EXEC,
	.pte_table = HV_EPT_READ | HV_EPT_WRITE | HV_EPT_EXEC,
	.pte_leaf = HV_EPT_READ | HV_EPT_EXEC | HV_EPT_MT_WB,
	.pte_write = HV_EPT_WRITE,
	.hypercall_modrm = 0xc1,
	.ucode_rev_reset = 0x100000000ULL,
	.mcg_cap_mask = ~0ULL,
};
