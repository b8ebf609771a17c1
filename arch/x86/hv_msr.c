// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's MSRs.
 *
 * Every RDMSR and WRMSR of the guest exits (the backends intercept all of
 * them) and lands here.  hv implements the MSRs a 64-bit guest needs; any
 * other index, and any invalid value, is a #GP in the guest, as on KVM
 * without ignore_msrs.  No guest access ever reaches a host MSR.
 *
 * The SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and KERNEL_GS_BASE
 * (which SWAPGS exchanges) are used by the CPU while the guest runs, so
 * their guest values are loaded into the CPU before the first entry of a
 * run and the host's put back when the vCPU is put (preemption, end of the
 * ioctl): hv_x86_load_guest_msrs() and hv_x86_put_guest_msrs().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* IA32_MISC_ENABLE at reset: no PEBS, no BTS (as KVM). */
#define MISC_ENABLE_RESET	(BIT_ULL(11) | BIT_ULL(12))
/* IA32_MTRRCAP as KVM reports it: 8 variable ranges, fixed, WC. */
#define MTRRCAP_VALUE		0x508

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
static bool hv_efer_write_ok(struct hv_vcpu *vcpu, u64 efer)
{
	u64 allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	struct hv_sregs s;

	if (efer & ~allowed)
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

static int hv_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	struct hv_sregs s;
	unsigned int i;

	if (hv_arch->get_msr(vcpu, index, val) == 0)
		return 0;
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
	case MSR_MTRRcap:
		*val = MTRRCAP_VALUE;
		return 0;
	}
	return -EINVAL;
}

static int hv_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	unsigned int i;
	int r;

	r = hv_arch->set_msr(vcpu, index, val);
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
		if (!hv_efer_write_ok(vcpu, val))
			return -EINVAL;
		hv_arch->set_efer(vcpu, val);
		return 0;
	case MSR_IA32_APICBASE:
		/* The mode may not change (no x2APIC); the rest as SET_SREGS. */
		if (!hv_x86_apic_base_valid(vcpu, val))
			return -EINVAL;
		vcpu->apic_base = val;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->x86.misc_enable = val;
		return 0;
	}
	return -EINVAL;
}

void hv_x86_msr_reset(struct hv_vcpu *vcpu)
{
	vcpu->x86.misc_enable = MISC_ENABLE_RESET;
}

int hv_x86_handle_rdmsr(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u64 val;

	if (hv_get_msr(vcpu, vcpu->regs[HV_RCX], &val))
		return hv_x86_inject_gp(vcpu);
	vcpu->regs[HV_RAX] = (u32)val;
	vcpu->regs[HV_RDX] = val >> 32;
	hv_skip_insn(vcpu, insn_len);
	return 1;
}

int hv_x86_handle_wrmsr(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u64 val = (vcpu->regs[HV_RDX] << 32) | (u32)vcpu->regs[HV_RAX];

	if (hv_set_msr(vcpu, vcpu->regs[HV_RCX], val))
		return hv_x86_inject_gp(vcpu);
	hv_skip_insn(vcpu, insn_len);
	return 1;
}
