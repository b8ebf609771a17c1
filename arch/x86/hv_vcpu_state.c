// SPDX-License-Identifier: GPL-2.0
/*
 * hv: vCPU state ioctls beyond the registers: the x87/SSE state, the XSAVE
 * area, the debug registers, the extended control registers and the
 * multiprocessor state, with KVM's layouts, checks and errors.  All [vcpu]: called from the vCPU's ioctl
 * with its mutex held and its state loaded.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "../../module/hv_internal.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/*
 * HV_GET_FPU: the legacy area of the guest's FPU state, which holds the
 * guest's registers whenever no HV_RUN is in progress.  MXCSR reads as 0:
 * KVM's KVM_GET_FPU never fills it in, and hv answers the same.
 */
static void hv_x86_get_fpu(struct hv_vcpu *vcpu, struct hv_fpu *fpu)
{
	const struct fxregs_state *fx =
		&vcpu->x86.guest_fpu.fpstate->regs.fxsave;

	memset(fpu, 0, sizeof(*fpu));
	memcpy(fpu->fpr, fx->st_space, sizeof(fpu->fpr));
	fpu->fcw = fx->cwd;
	fpu->fsw = fx->swd;
	fpu->ftwx = fx->twd;
	fpu->last_opcode = fx->fop;
	fpu->last_ip = fx->rip;
	fpu->last_dp = fx->rdp;
	memcpy(fpu->xmm, fx->xmm_space, sizeof(fpu->xmm));
}

/* HV_SET_FPU: the same fields back, MXCSR left alone (as KVM). */
static void hv_x86_set_fpu(struct hv_vcpu *vcpu, const struct hv_fpu *fpu)
{
	struct fxregs_state *fx = &vcpu->x86.guest_fpu.fpstate->regs.fxsave;

	memcpy(fx->st_space, fpu->fpr, sizeof(fpu->fpr));
	fx->cwd = fpu->fcw;
	fx->swd = fpu->fsw;
	fx->twd = fpu->ftwx;
	fx->fop = fpu->last_opcode;
	fx->rip = fpu->last_ip;
	fx->rdp = fpu->last_dp;
	memcpy(fx->xmm_space, fpu->xmm, sizeof(fpu->xmm));
}

/*
 * HV_GET_XSAVE and HV_GET_XSAVE2: the guest's FPU state in the standard
 * XSAVE format (SDM vol 1, 13.4), of the components its CPUID allows
 * plus x87 and SSE, which are always there (KVM: so that restoring on a
 * host without the others works).  The kernel's own copy routine does
 * it, as for KVM; hv offers no PKU, so PKRU is 0.
 */
static long hv_x86_get_xsave(struct hv_vcpu *vcpu, void __user *argp,
			     unsigned int size)
{
	void *buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	long r = 0;

	if (!buf)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->x86.guest_fpu, buf, size,
				       hv_cpuid_xcr0_allowed(vcpu) |
				       XFEATURE_MASK_FPSSE, 0);
	if (copy_to_user(argp, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/*
 * HV_SET_XSAVE: the kernel checks the area (reserved header bits, MXCSR,
 * components hv does not offer) and fails with EINVAL as on KVM.
 */
static long hv_x86_set_xsave(struct hv_vcpu *vcpu, void __user *argp)
{
	struct fpu_guest *gfpu = &vcpu->x86.guest_fpu;
	void *buf = memdup_user(argp, gfpu->uabi_size);
	u32 pkru = 0;
	long r;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	r = fpu_copy_uabi_to_guest_fpstate(gfpu, buf, hv_xcr0_offered() |
					   XFEATURE_MASK_FPSSE, &pkru);
	kfree(buf);
	return r;
}

/* HV_GET_DEBUGREGS: DR0-DR3 and DR6 as hv holds them, DR7 from hardware. */
static void hv_x86_get_debugregs(struct hv_vcpu *vcpu, struct hv_debugregs *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->db, vcpu->x86.dr, sizeof(d->db));
	d->dr6 = vcpu->x86.dr[6];
	d->dr7 = hv_arch->get_dr7(vcpu);
}

/*
 * HV_SET_DEBUGREGS: KVM refuses flags and bits 63:32 of DR6 or DR7
 * (EINVAL) and takes the rest as it is.  The next entry loads them.
 */
static int hv_x86_set_debugregs(struct hv_vcpu *vcpu,
				const struct hv_debugregs *d)
{
	if (d->flags || (d->dr6 >> 32) || (d->dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->x86.dr, d->db, sizeof(d->db));
	vcpu->x86.dr[6] = d->dr6;
	hv_arch->set_dr7(vcpu, d->dr7);
	return 0;
}

/* HV_GET_XCRS: XCR0, the only one; nothing on a CPU without XSAVE. */
static void hv_x86_get_xcrs(struct hv_vcpu *vcpu, struct hv_xcrs *x)
{
	memset(x, 0, sizeof(*x));
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return;
	x->nr_xcrs = 1;
	x->xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	x->xcrs[0].value = vcpu->x86.xcr0;
}

/*
 * HV_SET_XCRS, as KVM: EINVAL without XSAVE, for flags or more than
 * HV_MAX_XCRS entries, and for an XCR0 XSETBV would refuse; entries for
 * other XCRs are ignored, the first for XCR0 is taken.
 */
static int hv_x86_set_xcrs(struct hv_vcpu *vcpu, const struct hv_xcrs *x)
{
	unsigned int i;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return -EINVAL;
	if (x->nr_xcrs > HV_MAX_XCRS || x->flags)
		return -EINVAL;
	for (i = 0; i < x->nr_xcrs; i++) {
		if (x->xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		if (!hv_x86_xcr0_settable(vcpu, x->xcrs[i].value))
			return -EINVAL;
		vcpu->x86.xcr0 = x->xcrs[i].value;
		break;
	}
	return 0;
}

/*
 * HV_GET/SET_MP_STATE.  Without an in-kernel local APIC a vCPU is always
 * runnable (HLT exits to userspace), and KVM accepts no other state.
 * With one, as KVM: reading takes a pending INIT or SIPI first; any of
 * the x86 states may be set, SIPI_RECEIVED meaning "waiting for SIPI,
 * and one is there" (the vector is the last one sent).  hv has no SEV-ES,
 * so AP_RESET_HOLD is refused like the other architectures' states.
 */
static u32 hv_x86_get_mp_state(struct hv_vcpu *vcpu)
{
	if (!vcpu->x86.apic)
		return HV_MP_STATE_RUNNABLE;
	hv_lapic_accept_init_sipi(vcpu);
	return vcpu->x86.mp_state;
}

static int hv_x86_set_mp_state(struct hv_vcpu *vcpu,
			       const struct hv_mp_state *mp)
{
	switch (mp->mp_state) {
	case HV_MP_STATE_RUNNABLE:
		break;
	case HV_MP_STATE_UNINITIALIZED:
	case HV_MP_STATE_INIT_RECEIVED:
	case HV_MP_STATE_HALTED:
	case HV_MP_STATE_SIPI_RECEIVED:
		if (!vcpu->x86.apic)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mp->mp_state == HV_MP_STATE_SIPI_RECEIVED) {
		vcpu->x86.mp_state = HV_MP_STATE_INIT_RECEIVED;
		hv_lapic_set_sipi_pending(vcpu);
	} else {
		vcpu->x86.mp_state = mp->mp_state;
	}
	return 0;
}

/* Returns -ENOIOCTLCMD for an ioctl that is not one of these. */
long hv_x86_state_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			void __user *argp)
{
	union {
		struct hv_fpu fpu;
		struct hv_debugregs dbg;
		struct hv_xcrs xcrs;
		struct hv_mp_state mp;
	} u;

	switch (ioctl) {
	case HV_GET_FPU:
		hv_x86_get_fpu(vcpu, &u.fpu);
		return copy_to_user(argp, &u.fpu, sizeof(u.fpu)) ? -EFAULT : 0;
	case HV_SET_FPU:
		if (copy_from_user(&u.fpu, argp, sizeof(u.fpu)))
			return -EFAULT;
		hv_x86_set_fpu(vcpu, &u.fpu);
		return 0;
	case HV_GET_DEBUGREGS:
		hv_x86_get_debugregs(vcpu, &u.dbg);
		return copy_to_user(argp, &u.dbg, sizeof(u.dbg)) ? -EFAULT : 0;
	case HV_SET_DEBUGREGS:
		if (copy_from_user(&u.dbg, argp, sizeof(u.dbg)))
			return -EFAULT;
		return hv_x86_set_debugregs(vcpu, &u.dbg);
	case HV_GET_XCRS:
		hv_x86_get_xcrs(vcpu, &u.xcrs);
		return copy_to_user(argp, &u.xcrs, sizeof(u.xcrs)) ? -EFAULT : 0;
	case HV_SET_XCRS:
		if (copy_from_user(&u.xcrs, argp, sizeof(u.xcrs)))
			return -EFAULT;
		return hv_x86_set_xcrs(vcpu, &u.xcrs);
	case HV_GET_XSAVE:
		/* The legacy 4 KiB call, while the area fits (no AMX). */
		if (vcpu->x86.guest_fpu.uabi_size > sizeof(struct hv_xsave))
			return -EINVAL;
		return hv_x86_get_xsave(vcpu, argp, sizeof(struct hv_xsave));
	case HV_GET_XSAVE2:
		return hv_x86_get_xsave(vcpu, argp,
					vcpu->x86.guest_fpu.uabi_size);
	case HV_SET_XSAVE:
		return hv_x86_set_xsave(vcpu, argp);
	case HV_GET_MP_STATE:
		u.mp.mp_state = hv_x86_get_mp_state(vcpu);
		return copy_to_user(argp, &u.mp, sizeof(u.mp)) ? -EFAULT : 0;
	case HV_SET_MP_STATE:
		if (copy_from_user(&u.mp, argp, sizeof(u.mp)))
			return -EFAULT;
		return hv_x86_set_mp_state(vcpu, &u.mp);
	}
	return -ENOIOCTLCMD;
}
