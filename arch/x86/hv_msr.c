// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's MSRs.
 *
 * Every RDMSR and WRMSR of the guest exits (the backends intercept all of
 * them) and lands here.  hv implements the MSRs a 64-bit guest needs; any
 * other index, and any invalid value, is a #GP in the guest, as on KVM
 * without ignore_msrs.  No guest access ever reaches a host MSR.
 *
 * Before that, the VM's MSR filter (hv_msr_filter.c) may deny the access.
 * A failed access (an unknown MSR, an invalid one, a denied one) exits to
 * userspace instead of the #GP if HV_ENABLE_CAP(HV_CAP_X86_USER_SPACE_MSR)
 * asked for its kind (KVM's kvm_msr_user_space()): HV_EXIT_X86_RDMSR or
 * _WRMSR, and the next HV_RUN takes userspace's answer, the value read or
 * a #GP.
 *
 * The SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and KERNEL_GS_BASE
 * (which SWAPGS exchanges) are used by the CPU while the guest runs, so
 * their guest values are loaded into the CPU before the first entry of a
 * run and the host's put back when the vCPU is put (preemption, end of the
 * ioctl): hv_x86_load_guest_msrs() and hv_x86_put_guest_msrs().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "../../module/hv_internal.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/*
 * IA32_MISC_ENABLE at reset: BTS and PEBS unavailable (as KVM), bits the
 * guest cannot change; it can set EMON but the bit stays as it was.
 */
#define MISC_ENABLE_EMON	BIT_ULL(7)
#define MISC_ENABLE_RO		(BIT_ULL(11) | BIT_ULL(12))
#define MISC_ENABLE_RESET	MISC_ENABLE_RO

/*
 * IA32_ARCH_CAPABILITIES bits passed on from the host: those that
 * describe the CPU (which the guest runs on just as the host does) and
 * need nothing of hv.  Not IBRS_ALL or TSX_CTRL_MSR, which promise MSRs
 * hv does not give the guest (SPEC_CTRL, TSX_CTRL), nor FB_CLEAR_CTRL and
 * GDS_CTRL, other MSRs' controls.
 */
#define HV_ARCH_CAP_PASSED						\
	(ARCH_CAP_RDCL_NO | ARCH_CAP_RSBA | ARCH_CAP_SKIP_VMENTRY_L1DFLUSH | \
	 ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO | ARCH_CAP_PSCHANGE_MC_NO |	\
	 ARCH_CAP_TAA_NO | ARCH_CAP_SBDR_SSDP_NO | ARCH_CAP_FBSDP_NO |	\
	 ARCH_CAP_PSDP_NO | ARCH_CAP_FB_CLEAR | ARCH_CAP_RRSBA |		\
	 ARCH_CAP_BHI_NO | ARCH_CAP_PBRSB_NO | ARCH_CAP_GDS_NO |		\
	 ARCH_CAP_RFDS_NO | ARCH_CAP_RFDS_CLEAR | ARCH_CAP_ITS_NO)

/*
 * What the guest's IA32_ARCH_CAPABILITIES says, KVM's way
 * (kvm_get_arch_capabilities()): the host's bits above, PSCHANGE_MC_NO
 * (the second-level tables never change page size under the guest in a
 * way that needs the ITLB multihit workaround), and a "not affected" bit
 * for each hardware bug the host's kernel found absent.  TAA_NO only
 * where the guest can see TSX at all.
 */
static u64 hv_arch_capabilities(void)
{
	u64 data = 0;

	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES) &&
	    !rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &data))
		data &= HV_ARCH_CAP_PASSED;
	data |= ARCH_CAP_PSCHANGE_MC_NO;
	if (!boot_cpu_has_bug(X86_BUG_CPU_MELTDOWN))
		data |= ARCH_CAP_RDCL_NO;
	if (!boot_cpu_has_bug(X86_BUG_SPEC_STORE_BYPASS))
		data |= ARCH_CAP_SSB_NO;
	if (!boot_cpu_has_bug(X86_BUG_MDS))
		data |= ARCH_CAP_MDS_NO;
	if (!boot_cpu_has_bug(X86_BUG_RFDS))
		data |= ARCH_CAP_RFDS_NO;
	if (!boot_cpu_has_bug(X86_BUG_ITS))
		data |= ARCH_CAP_ITS_NO;
	if (!boot_cpu_has_bug(X86_BUG_GDS))
		data |= ARCH_CAP_GDS_NO;
	if (!boot_cpu_has(X86_FEATURE_RTM))
		data &= ~ARCH_CAP_TAA_NO;
	else if (!boot_cpu_has_bug(X86_BUG_TAA))
		data |= ARCH_CAP_TAA_NO;
	return data;
}


static const u32 hv_syscall_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

static u64 *hv_syscall_msr(struct hv_vcpu *vcpu, unsigned int i)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	u64 *vals[] = { &x->star, &x->lstar, &x->cstar, &x->sfmask,
			&x->kernel_gs_base };

	return vals[i];
}

/* Preemption disabled: the guest's values go into this CPU. */
void hv_x86_load_guest_msrs(struct hv_vcpu *vcpu)
{
	unsigned int i;

	if (vcpu->x86.guest_msrs_loaded)
		return;
	for (i = 0; i < ARRAY_SIZE(hv_syscall_msrs); i++) {
		rdmsrl(hv_syscall_msrs[i], vcpu->x86.host_msrs[i]);
		wrmsrl(hv_syscall_msrs[i], *hv_syscall_msr(vcpu, i));
	}
	vcpu->x86.guest_msrs_loaded = true;
}

/* Preemption disabled: keep what the guest changed, restore the host. */
void hv_x86_put_guest_msrs(struct hv_vcpu *vcpu)
{
	unsigned int i;

	if (!vcpu->x86.guest_msrs_loaded)
		return;
	/* SWAPGS in the guest changes KERNEL_GS_BASE without an exit. */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->x86.kernel_gs_base);
	for (i = 0; i < ARRAY_SIZE(hv_syscall_msrs); i++)
		wrmsrl(hv_syscall_msrs[i], vcpu->x86.host_msrs[i]);
	vcpu->x86.guest_msrs_loaded = false;
}

/* EFER as a guest WRMSR may set it (SDM vol 3, 2.2.1; KVM's rules). */
#define HV_EFER_SUPPORTED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static bool hv_efer_write_ok(struct hv_vcpu *vcpu, u64 efer)
{
	struct hv_sregs s;

	if (efer & ~HV_EFER_SUPPORTED)
		return false;
	if ((efer & (EFER_LME | EFER_LMA)) &&
	    !hv_cpuid_has(vcpu, 0x80000001, HV_EDX, 29))
		return false;
	if ((efer & EFER_NX) && !hv_cpuid_has(vcpu, 0x80000001, HV_EDX, 20))
		return false;
	if ((efer & EFER_SCE) && !hv_cpuid_has(vcpu, 0x80000001, HV_EDX, 11))
		return false;
	hv_arch->get_sys(vcpu, &s);
	/* LME cannot change while paging is on. */
	if ((s.cr0 & X86_CR0_PG) && ((efer ^ s.efer) & EFER_LME))
		return false;
	return true;
}

/*
 * Read or write an MSR for the guest (HOST false: RDMSR, WRMSR) or for
 * userspace (HOST true: HV_GET/SET_MSRS, which may set state the guest
 * cannot, as on KVM).  0; -EINVAL for an access the MSR refuses, -ENOENT
 * for an MSR hv does not have: a #GP in the guest (or an exit, above), a
 * failed entry for userspace.
 */
static int hv_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val, bool host)
{
	struct hv_sregs s;
	unsigned int i;
	int r;

	if (hv_arch->get_msr(vcpu, index, val) == 0)
		return 0;
	if (index >= HV_X2APIC_MSR_FIRST && index <= HV_X2APIC_MSR_LAST)
		return hv_lapic_x2apic_read(vcpu, index, val);
	r = hv_mtrr_get(vcpu, index, val);
	if (r <= 0)
		return r;
	r = hv_kvmclock_get_msr(vcpu, index, val);
	if (r <= 0)
		return r;
	r = hv_mce_get(vcpu, index, val, host);
	if (r <= 0)
		return r;
	for (i = 0; i < ARRAY_SIZE(hv_syscall_msrs); i++) {
		if (hv_syscall_msrs[i] == index) {
			/* Loaded in the CPU: KERNEL_GS_BASE may have moved. */
			if (index == MSR_KERNEL_GS_BASE &&
			    vcpu->x86.guest_msrs_loaded) {
				preempt_disable();
				if (vcpu->x86.guest_msrs_loaded)
					rdmsrl(MSR_KERNEL_GS_BASE,
					       vcpu->x86.kernel_gs_base);
				preempt_enable();
			}
			*val = *hv_syscall_msr(vcpu, i);
			return 0;
		}
	}
	switch (index) {
	case MSR_EFER:
		hv_arch->get_sys(vcpu, &s);
		*val = s.efer;
		return 0;
	case MSR_IA32_APICBASE:
		*val = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = vcpu->x86.misc_enable;
		return 0;
	case MSR_IA32_TSC:
		*val = hv_tsc_read(vcpu);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = vcpu->x86.tsc_adjust;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		/* 0 without an in-kernel APIC in TSC-deadline mode, as KVM. */
		*val = hv_lapic_get_tscdeadline(vcpu);
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = vcpu->x86.ucode_rev;
		return 0;
	case MSR_PLATFORM_INFO:
		if (!host && READ_ONCE(vcpu->vm->x86.no_platform_info))
			return -EINVAL;
		*val = vcpu->x86.platform_info;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		*val = vcpu->x86.misc_features;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		/*
		 * hv has no PMU: 0, KVM's value when it offers none.  The
		 * guest reads it only if its CPUID has PDCM (1:ECX[15]).
		 */
		if (!host && !hv_cpuid_has(vcpu, 1, HV_ECX, 15))
			return -EINVAL;
		*val = 0;
		return 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		/* CPUID.7.EDX[29] says whether the guest has it. */
		if (!host && !hv_cpuid_has(vcpu, 7, HV_EDX, 29))
			return -EINVAL;
		*val = vcpu->x86.arch_capabilities;
		return 0;
	case MSR_IA32_POWER_CTL:
		*val = vcpu->x86.power_ctl;
		return 0;
	/*
	 * What KVM reads as 0 (kvm_get_msr_common()): model-specific MSRs
	 * guests read unguarded (Linux reads SYSCFG on AMD), the RAPL
	 * energy counters, and the legacy PMU's without a PMU.
	 */
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_EBL_CR_POWERON:
	case MSR_IA32_LASTBRANCHFROMIP:
	case MSR_IA32_LASTBRANCHTOIP:
	case MSR_IA32_LASTINTFROMIP:
	case MSR_IA32_LASTINTTOIP:
	case MSR_AMD64_SYSCFG:
	case MSR_K8_TSEG_ADDR:
	case MSR_K8_TSEG_MASK:
	case MSR_VM_HSAVE_PA:
	case MSR_K8_INT_PENDING_MSG:
	case MSR_AMD64_NB_CFG:
	case MSR_FAM10H_MMIO_CONF_BASE:
	case MSR_AMD64_BU_CFG2:
	case MSR_IA32_PERF_CTL:
	case MSR_AMD64_DC_CFG:
	case MSR_AMD64_TW_CFG:
	case MSR_F15H_EX_CFG:
	case MSR_RAPL_POWER_UNIT:
	case MSR_PP0_ENERGY_STATUS:
	case MSR_PP1_ENERGY_STATUS:
	case MSR_PKG_ENERGY_STATUS:
	case MSR_DRAM_ENERGY_STATUS:
	case MSR_K7_EVNTSEL0 ... MSR_K7_EVNTSEL3:
	case MSR_K7_PERFCTR0 ... MSR_K7_PERFCTR3:
	case MSR_P6_PERFCTR0 ... MSR_P6_PERFCTR1:
	case MSR_P6_EVNTSEL0 ... MSR_P6_EVNTSEL1:
		*val = 0;
		return 0;
	/* KVM's constants: an FSB and bus ratio guests may divide by. */
	case MSR_FSB_FREQ:
		*val = 3;
		return 0;
	case MSR_EBC_FREQUENCY_ID:
		*val = 1ULL << 24;
		return 0;
	case MSR_IA32_PERF_STATUS:
		*val = 1000ULL | (4ULL << 40);
		return 0;
	case MSR_K7_CLK_CTL:
		*val = 0x20000000;
		return 0;
	case MSR_K7_HWCR:
		*val = vcpu->x86.hwcr;
		return 0;
	}
	return -ENOENT;
}

static int hv_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val, bool host)
{
	unsigned int i;
	int r;

	r = hv_arch->set_msr(vcpu, index, val);
	if (r <= 0)
		return r;
	if (index >= HV_X2APIC_MSR_FIRST && index <= HV_X2APIC_MSR_LAST)
		return hv_lapic_x2apic_write(vcpu, index, val);
	r = hv_mtrr_set(vcpu, index, val);
	if (r <= 0)
		return r;
	r = hv_kvmclock_set_msr(vcpu, index, val);
	if (r <= 0)
		return r;
	r = hv_mce_set(vcpu, index, val, host);
	if (r <= 0)
		return r;
	for (i = 0; i < ARRAY_SIZE(hv_syscall_msrs); i++) {
		if (hv_syscall_msrs[i] != index)
			continue;
		if (index != MSR_STAR && index != MSR_SYSCALL_MASK &&
		    !hv_is_canonical(val))
			return -EINVAL;
		if (index == MSR_SYSCALL_MASK && (val >> 32))
			return -EINVAL;
		*hv_syscall_msr(vcpu, i) = val;
		/* Loaded in the CPU: the new value must be live. */
		preempt_disable();
		if (vcpu->x86.guest_msrs_loaded)
			wrmsrl(index, val);
		preempt_enable();
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		/* Userspace may set any bit hv supports (KVM's set_efer()). */
		if (host ? !!(val & ~HV_EFER_SUPPORTED) :
			   !hv_efer_write_ok(vcpu, val))
			return -EINVAL;
		hv_arch->set_efer(vcpu, val);
		return 0;
	case MSR_IA32_APICBASE:
		if (!hv_x86_apic_base_valid(vcpu, val))
			return -EINVAL;
		return hv_lapic_set_base(vcpu, val, host);
	case MSR_IA32_MISC_ENABLE:
		if (!host) {
			if ((val ^ vcpu->x86.misc_enable) & MISC_ENABLE_RO)
				return -EINVAL;
			val = (val & ~MISC_ENABLE_EMON) |
			      (vcpu->x86.misc_enable & MISC_ENABLE_EMON);
		}
		vcpu->x86.misc_enable = val;
		return 0;
	case MSR_IA32_TSC:
		if (host)
			hv_tsc_host_write(vcpu, val);
		else
			hv_tsc_guest_write(vcpu, val);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		hv_tsc_adjust_write(vcpu, val, host);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		hv_lapic_set_tscdeadline(vcpu, val);
		return 0;
	case MSR_PLATFORM_INFO:
		/*
		 * Userspace only (KVM's values are its own: the turbo
		 * ratios and so on mean nothing to hv), and CPUID faulting
		 * stays offered while it is on.
		 */
		if (!host || (!(val & MSR_PLATFORM_INFO_CPUID_FAULT) &&
			      (vcpu->x86.misc_features &
			       MSR_MISC_FEATURES_ENABLES_CPUID_FAULT)))
			return -EINVAL;
		vcpu->x86.platform_info = val;
		return 0;
	case MSR_MISC_FEATURES_ENABLES:
		if ((val & ~MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) ||
		    ((val & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) &&
		     !(vcpu->x86.platform_info &
		       MSR_PLATFORM_INFO_CPUID_FAULT)))
			return -EINVAL;
		vcpu->x86.misc_features = val;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		/* Userspace only, and no capability the feature MSR lacks. */
		return host && !val ? 0 : -EINVAL;
	case MSR_IA32_UCODE_REV:
		/* A guest's write (a microcode load) changes nothing. */
		if (host)
			vcpu->x86.ucode_rev = val;
		return 0;
	case MSR_IA32_ARCH_CAPABILITIES:
		/*
		 * Read-only for the guest.  Userspace may clear bits but not
		 * claim what the host does not give (a guest told RDCL_NO
		 * on a CPU with Meltdown would drop its defence; KVM 6.1
		 * takes any value), and, as KVM 6.12, not change it once
		 * the vCPU has run: the guest has seen it by then.
		 */
		if (!host || (val & ~hv_arch_capabilities()))
			return -EINVAL;
		if (vcpu->x86.ran && val != vcpu->x86.arch_capabilities)
			return -EINVAL;
		vcpu->x86.arch_capabilities = val;
		return 0;
	case MSR_IA32_POWER_CTL:
		/* Any value, which changes nothing (KVM's emulation). */
		vcpu->x86.power_ctl = val;
		return 0;
	/* Writes KVM takes and drops (kvm_set_msr_common()). */
	case MSR_AMD64_NB_CFG:
	case MSR_IA32_UCODE_WRITE:
	case MSR_VM_HSAVE_PA:
	case MSR_AMD64_PATCH_LOADER:
	case MSR_AMD64_BU_CFG2:
	case MSR_AMD64_DC_CFG:
	case MSR_AMD64_TW_CFG:
	case MSR_F15H_EX_CFG:
	case MSR_K7_EVNTSEL0 ... MSR_K7_EVNTSEL3:
	case MSR_K7_PERFCTR0 ... MSR_K7_PERFCTR3:
	case MSR_P6_PERFCTR0 ... MSR_P6_PERFCTR1:
	case MSR_P6_EVNTSEL0 ... MSR_P6_EVNTSEL1:
		return 0;
	case MSR_FAM10H_MMIO_CONF_BASE:
		return val ? -EINVAL : 0;
	case MSR_K7_HWCR:
		/*
		 * As KVM 6.12: the flush-filter, IGNNE and TLB-cache
		 * disables are dropped; McStatusWrEn (bit 18, which lets an
		 * AMD guest write MCi_STATUS: hv_mce.c) and TscFreqSel
		 * (bit 24, which Linux wants set on some models) are kept;
		 * anything else is refused.  (KVM 6.1 refuses TscFreqSel and
		 * ignores a write of 0.)
		 */
		val &= ~(BIT_ULL(3) | BIT_ULL(6) | BIT_ULL(8));
		if (val & ~(BIT_ULL(18) | BIT_ULL(24)))
			return -EINVAL;
		vcpu->x86.hwcr = val;
		return 0;
	}
	return -ENOENT;
}

/* Power-up (vCPU creation); INIT leaves the MSRs alone. */
void hv_x86_msr_reset(struct hv_vcpu *vcpu)
{
	vcpu->x86.misc_enable = MISC_ENABLE_RESET;
	vcpu->x86.ucode_rev = hv_arch->ucode_rev_reset;
	vcpu->x86.arch_capabilities = hv_arch_capabilities();
	vcpu->x86.tsc_adjust = 0;
	vcpu->x86.platform_info = MSR_PLATFORM_INFO_CPUID_FAULT;
	vcpu->x86.misc_features = 0;
	vcpu->x86.power_ctl = 0;
	vcpu->x86.hwcr = 0;
	memset(&vcpu->x86.mtrr, 0, sizeof(vcpu->x86.mtrr));
	hv_mce_reset(vcpu);
	/* Joins the TSC of the VM's other vCPUs, or starts it at 0. */
	hv_tsc_vcpu_init(vcpu);
	hv_tsc_host_write(vcpu, 0);
}

/*
 * A failed guest access (R from hv_get/set_msr(), or -EPERM: the filter
 * denied it) that userspace asked to see: fill in the exit and leave the
 * instruction for the next HV_RUN.  False if it did not ask.
 */
static bool hv_msr_exit(struct hv_vcpu *vcpu, u32 exit_reason, u32 index,
			u64 data, int r, unsigned int insn_len)
{
	struct hv_run *run = vcpu->run;
	u32 reason;

	if (r == -ENOENT)
		reason = HV_MSR_EXIT_REASON_UNKNOWN;
	else if (r == -EPERM)
		reason = HV_MSR_EXIT_REASON_FILTER;
	else
		reason = HV_MSR_EXIT_REASON_INVAL;
	if (!(READ_ONCE(vcpu->vm->x86.user_space_msr) & reason))
		return false;
	run->exit_reason = exit_reason;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = data;
	vcpu->x86.insn_len = insn_len;
	vcpu->x86.pending = exit_reason == HV_EXIT_X86_RDMSR ?
			    HV_PENDING_RDMSR : HV_PENDING_WRMSR;
	return true;
}

int hv_x86_handle_rdmsr(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u32 index = vcpu->regs[HV_RCX];
	u64 val;
	int r = -EPERM;

	if (hv_msr_allowed(vcpu, index, HV_MSR_FILTER_READ))
		r = hv_get_msr(vcpu, index, &val, false);
	if (r) {
		if (hv_msr_exit(vcpu, HV_EXIT_X86_RDMSR, index, 0, r,
				insn_len))
			return 0;
		return hv_x86_inject_gp(vcpu);
	}
	vcpu->regs[HV_RAX] = (u32)val;
	vcpu->regs[HV_RDX] = val >> 32;
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

int hv_x86_handle_wrmsr(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u64 val = (vcpu->regs[HV_RDX] << 32) | (u32)vcpu->regs[HV_RAX];
	u32 index = vcpu->regs[HV_RCX];
	int r = -EPERM;

	if (hv_msr_allowed(vcpu, index, HV_MSR_FILTER_WRITE))
		r = hv_set_msr(vcpu, index, val, false);
	if (r) {
		if (hv_msr_exit(vcpu, HV_EXIT_X86_WRMSR, index, val, r,
				insn_len))
			return 0;
		return hv_x86_inject_gp(vcpu);
	}
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

/* Userspace's answer to HV_EXIT_X86_RDMSR (READ) or _WRMSR. */
int hv_x86_complete_user_msr(struct hv_vcpu *vcpu, bool read)
{
	struct hv_run *run = vcpu->run;
	u64 val = READ_ONCE(run->msr.data);

	if (READ_ONCE(run->msr.error))
		return hv_x86_inject_gp(vcpu);
	if (read) {
		vcpu->regs[HV_RAX] = (u32)val;
		vcpu->regs[HV_RDX] = val >> 32;
	}
	hv_skip_insn(vcpu, vcpu->x86.insn_len);
	return 1;
}

/*
 * The MSRs HV_GET_MSR_INDEX_LIST names: those of KVM's list (its
 * msrs_to_save and emulated_msrs) that hv implements.  A migration saves
 * and restores them; the rest of a vCPU's state travels in other ioctls.
 */
static const u32 hv_msrs_to_save[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_CSTAR, MSR_KERNEL_GS_BASE, MSR_SYSCALL_MASK, MSR_LSTAR,
	MSR_IA32_TSC, MSR_IA32_CR_PAT,
	MSR_IA32_TSC_ADJUST, MSR_IA32_TSC_DEADLINE, MSR_IA32_MISC_ENABLE,
	MSR_IA32_UCODE_REV, MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
	MSR_IA32_ARCH_CAPABILITIES, MSR_IA32_PERF_CAPABILITIES,
	MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES, MSR_IA32_POWER_CTL,
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW, MSR_K7_HWCR,
};

/* The MSRs that describe what the host offers, read on the system fd. */
static const u32 hv_feature_msrs[] = {
	MSR_IA32_UCODE_REV, MSR_IA32_ARCH_CAPABILITIES,
	MSR_IA32_PERF_CAPABILITIES,
};

/* KVM's limit on the entries of one HV_GET/SET_MSRS. */
#define HV_MAX_IO_MSRS		256

/*
 * HV_GET_MSR_INDEX_LIST and HV_GET_MSR_FEATURE_INDEX_LIST: as KVM, the
 * true count goes back even when the caller's room is too small (E2BIG),
 * which is how clients size their buffer.
 */
static long hv_msr_list(struct hv_msr_list __user *ul, const u32 *list,
			u32 n)
{
	u32 room;

	if (get_user(room, &ul->nmsrs) || put_user(n, &ul->nmsrs))
		return -EFAULT;
	if (room < n)
		return -E2BIG;
	if (copy_to_user(ul->indices, list, n * sizeof(*list)))
		return -EFAULT;
	return 0;
}

/* A feature MSR, as the system fd's HV_GET_MSRS reads it. */
static int hv_get_feature_msr(u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_ARCH_CAPABILITIES:
		*val = hv_arch_capabilities();
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		/* No PMU, so no PMU capabilities (KVM without one: 0). */
		*val = 0;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* The host's microcode revision, as KVM reports it. */
		if (rdmsrl_safe(index, val))
			*val = 0;
		return 0;
	}
	return -EINVAL;
}

/*
 * HV_GET_MSRS and HV_SET_MSRS, of VCPU or (NULL) of the system fd: the
 * entries in order, up to the first that fails; the number done is the
 * result.  A failed read leaves 0 in its entry, as on KVM.
 */
static long hv_msr_io(struct hv_vcpu *vcpu, struct hv_msrs __user *um,
		      bool write)
{
	struct hv_msr_entry *e;
	struct hv_msrs m;
	long r = 0;
	u32 i;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= HV_MAX_IO_MSRS)
		return -E2BIG;
	e = memdup_user(um->entries, m.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < m.nmsrs; i++) {
		if (write)
			r = hv_set_msr(vcpu, e[i].index, e[i].data, true);
		else if (vcpu)
			r = hv_get_msr(vcpu, e[i].index, &e[i].data, true);
		else
			r = hv_get_feature_msr(e[i].index, &e[i].data);
		if (r) {
			if (!write)
				e[i].data = 0;
			break;
		}
	}
	r = i;
	if (!write && copy_to_user(um->entries, e, m.nmsrs * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}

/* The MSR ioctls of a vCPU fd; -ENOIOCTLCMD for others. */
long hv_x86_msr_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp)
{
	switch (ioctl) {
	case HV_GET_MSRS:
		return hv_msr_io(vcpu, argp, false);
	case HV_SET_MSRS:
		return hv_msr_io(vcpu, argp, true);
	}
	return -ENOIOCTLCMD;
}

/* The MSR ioctls of the system fd; -ENOIOCTLCMD for others. */
long hv_x86_msr_dev_ioctl(unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case HV_GET_MSR_INDEX_LIST:
		return hv_msr_list(argp, hv_msrs_to_save,
				   ARRAY_SIZE(hv_msrs_to_save));
	case HV_GET_MSR_FEATURE_INDEX_LIST:
		return hv_msr_list(argp, hv_feature_msrs,
				   ARRAY_SIZE(hv_feature_msrs));
	case HV_GET_MSRS:
		return hv_msr_io(NULL, argp, false);
	}
	return -ENOIOCTLCMD;
}
