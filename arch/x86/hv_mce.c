// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's machine-check architecture (SDM vol 3, chapter 16).
 *
 * As on KVM, the banks are state userspace sets up and fills: the guest
 * never sees a host machine check.  HV_X86_SETUP_MCE chooses the number of
 * banks and the capabilities (from those HV_X86_GET_MCE_CAP_SUPPORTED
 * offers: MCG_CTL_P and MCG_SER_P, as KVM on AMD; hv has no CMCI or LMCE),
 * HV_X86_SET_MCE records an error in a bank and, for an uncorrected one,
 * raises #MC in the guest, or shuts it down where the architecture says
 * a machine check then cannot be taken (a machine check already in
 * progress, or CR4.MCE clear: SDM 16.10.1).  The MSRs: MCG_CAP, MCG_CTL,
 * MCG_STATUS, and CTL/STATUS/ADDR/MISC of each bank (0x400 + 4 * bank),
 * with KVM's rules; MCi_CTL2 without CMCI only holds 0.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <asm/mce.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

#define HV_MCE_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
#define MC_VECTOR_MCE		18

static unsigned int hv_mce_banks(struct hv_vcpu *vcpu)
{
	return vcpu->x86.mce.mcg_cap & MCG_BANKCNT_MASK;
}

/* Power-up: KVM's default of all the banks, nothing set up. */
void hv_mce_reset(struct hv_vcpu *vcpu)
{
	memset(&vcpu->x86.mce, 0, sizeof(vcpu->x86.mce));
	vcpu->x86.mce.mcg_cap = HV_MAX_MCE_BANKS;
}

/* 0, -EINVAL, or 1 for an index that is not a machine-check MSR. */
int hv_mce_get(struct hv_vcpu *vcpu, u32 index, u64 *val, bool host)
{
	struct hv_mce *m = &vcpu->x86.mce;
	u32 n = hv_mce_banks(vcpu);

	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
		*val = 0;
		return 0;
	case MSR_IA32_MCG_CAP:
		*val = m->mcg_cap;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && !host)
			return -EINVAL;
		*val = m->mcg_ctl;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*val = m->mcg_status;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL2 &&
	    index < MSR_IA32_MCx_CTL2(HV_MAX_MCE_BANKS)) {
		/* No CMCI: only userspace reads them (as 0). */
		if (index >= MSR_IA32_MCx_CTL2(n) || !host)
			return -EINVAL;
		*val = 0;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL &&
	    index < MSR_IA32_MCx_CTL(HV_MAX_MCE_BANKS)) {
		if (index >= MSR_IA32_MCx_CTL(n))
			return -EINVAL;
		*val = m->banks[array_index_nospec(index - MSR_IA32_MC0_CTL,
						   4 * n)];
		return 0;
	}
	return 1;
}

int hv_mce_set(struct hv_vcpu *vcpu, u32 index, u64 val, bool host)
{
	struct hv_mce *m = &vcpu->x86.mce;
	u32 n = hv_mce_banks(vcpu), i;

	switch (index) {
	case MSR_IA32_MCG_STATUS:
		m->mcg_status = val;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && (val || !host))
			return -EINVAL;
		if (val != 0 && val != ~0ULL)
			return -EINVAL;
		m->mcg_ctl = val;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL2 &&
	    index < MSR_IA32_MCx_CTL2(HV_MAX_MCE_BANKS)) {
		if (index >= MSR_IA32_MCx_CTL2(n) || val || !host)
			return -EINVAL;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL &&
	    index < MSR_IA32_MCx_CTL(HV_MAX_MCE_BANKS)) {
		if (index >= MSR_IA32_MCx_CTL(n))
			return -EINVAL;
		i = array_index_nospec(index - MSR_IA32_MC0_CTL, 4 * n);
		/*
		 * MCi_CTL: 0 or all ones, but bits 10 and 0 may be clear
		 * (Linux's K8 GART workaround, UnixWare), as KVM allows.
		 */
		if (i % 4 == 0 && val && (val | BIT_ULL(10) | 1) != ~0ULL)
			return -EINVAL;
		/*
		 * MCi_STATUS: the guest may only clear it, unless its
		 * CPUID is AMD's and it set HWCR.McStatusWrEn (KVM's
		 * can_set_mci_status()).
		 */
		if (i % 4 == 1 && val && !host &&
		    !((vcpu->x86.hwcr & BIT_ULL(18)) &&
		      hv_cpuid_is_amd_compatible(vcpu)))
			return -EINVAL;
		m->banks[i] = val;
		return 0;
	}
	return 1;
}

/* HV_X86_SETUP_MCE, as KVM's kvm_vcpu_ioctl_x86_setup_mce(). */
static long hv_mce_setup(struct hv_vcpu *vcpu, u64 mcg_cap)
{
	struct hv_mce *m = &vcpu->x86.mce;
	u32 n = mcg_cap & MCG_BANKCNT_MASK, i;

	if (!n || n > HV_MAX_MCE_BANKS)
		return -EINVAL;
	/* The bank count and MCG_EXT_CNT (23:16) are the caller's own. */
	if (mcg_cap & ~(HV_MCE_CAP_SUPPORTED | 0xff | 0xff0000))
		return -EINVAL;
	m->mcg_cap = mcg_cap & hv_arch->mcg_cap_mask;
	if (mcg_cap & MCG_CTL_P)
		m->mcg_ctl = ~0ULL;
	for (i = 0; i < n; i++)
		m->banks[4 * i] = ~0ULL;
	return 0;
}

/* HV_X86_SET_MCE: an error for the guest (KVM's kvm_vcpu_x86_set_mce()). */
static long hv_mce_inject(struct hv_vcpu *vcpu, struct hv_x86_mce *e)
{
	struct hv_mce *m = &vcpu->x86.mce;
	u32 n = hv_mce_banks(vcpu);
	bool uc = e->status & MCI_STATUS_UC;
	struct hv_sregs s;
	u64 *bank;

	if (e->bank >= n || !(e->status & MCI_STATUS_VAL))
		return -EINVAL;
	bank = &m->banks[4 * array_index_nospec(e->bank, n)];

	/*
	 * UCNA (uncorrected, no action required): logged; without CMCI
	 * nothing signals it.
	 */
	if (uc && !e->mcg_status &&
	    !(e->status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR))) {
		bank[1] = e->status;
		bank[2] = e->addr;
		bank[3] = e->misc;
		m->mcg_status = e->mcg_status;
		return 0;
	}
	/* Uncorrected errors off, globally or for the bank: dropped. */
	if (uc && (m->mcg_cap & MCG_CTL_P) && m->mcg_ctl != ~0ULL)
		return 0;
	if (uc && bank[0] != ~0ULL)
		return 0;
	if (uc) {
		hv_arch->get_sys(vcpu, &s);
		if ((m->mcg_status & MCG_STATUS_MCIP) ||
		    !(s.cr4 & X86_CR4_MCE)) {
			vcpu->x86.ev.triple_fault = true;
			return 0;
		}
		if (bank[1] & MCI_STATUS_VAL)
			e->status |= MCI_STATUS_OVER;
		bank[2] = e->addr;
		bank[3] = e->misc;
		m->mcg_status = e->mcg_status;
		bank[1] = e->status;
		hv_x86_queue_exception(vcpu, MC_VECTOR_MCE, false, 0);
	} else if (!(bank[1] & MCI_STATUS_VAL) ||
		   !(bank[1] & MCI_STATUS_UC)) {
		/* A corrected error replaces a corrected one, marked OVER. */
		if (bank[1] & MCI_STATUS_VAL)
			e->status |= MCI_STATUS_OVER;
		bank[2] = e->addr;
		bank[3] = e->misc;
		bank[1] = e->status;
	} else {
		/* An uncorrected error stays; the new one is lost. */
		bank[1] |= MCI_STATUS_OVER;
	}
	return 0;
}

/* The machine-check ioctls of a vCPU fd; -ENOIOCTLCMD for others. */
long hv_x86_mce_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp)
{
	struct hv_x86_mce e;
	u64 cap;

	switch (ioctl) {
	case HV_X86_SETUP_MCE:
		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return hv_mce_setup(vcpu, cap);
	case HV_X86_SET_MCE:
		if (copy_from_user(&e, argp, sizeof(e)))
			return -EFAULT;
		return hv_mce_inject(vcpu, &e);
	}
	return -ENOIOCTLCMD;
}

/* HV_X86_GET_MCE_CAP_SUPPORTED on the system fd. */
long hv_x86_mce_get_cap_supported(void __user *argp)
{
	u64 cap = HV_MCE_CAP_SUPPORTED;

	return copy_to_user(argp, &cap, sizeof(cap)) ? -EFAULT : 0;
}
