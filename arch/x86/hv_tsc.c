// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's time stamp counter.
 *
 * The guest's TSC is the host's plus an offset the hardware adds on every
 * RDTSC (VMX "use TSC offsetting", SDM vol 3, 26.6.5; the VMCB's
 * TSC_OFFSET, APM vol 2, 15.30.5).  hv does not scale it: the guest's TSC
 * ticks at the host's rate, tsc_khz.
 *
 * The vCPUs of a VM share one TSC, as on KVM (kvm_synchronize_tsc()).  A
 * host-side write (HV_SET_MSRS, and vCPU creation, which writes 0) of 0,
 * or of a value within one second of what the VM's previous host-side
 * write would read by now, joins the VM's current offset instead of
 * making its own.  So the TSCs of a VM's vCPUs start together at 0, and a
 * migration that restores them one vCPU at a time, each read a little
 * after the other, keeps them equal.  Any other host-side write starts a
 * new offset, which vCPUs written later join.  A guest's WRMSR moves only
 * its own vCPU's TSC and adds the change to IA32_TSC_ADJUST; a guest's
 * write of IA32_TSC_ADJUST moves the TSC by the difference (SDM vol 3,
 * 17.17.3).
 *
 * Unlike KVM, hv assumes the host's TSC is the same on every CPU (it
 * ignores the "unstable" case, in which KVM adds the elapsed time to the
 * written value instead of reusing the offset: the same result on a host
 * whose TSCs agree).
 *
 * The TSC rate (HV_GET/SET_TSC_KHZ) is the host's: hv has no TSC scaling
 * (HV_CAP_TSC_CONTROL is 0).  As KVM without scaling does, it accepts a
 * rate within 250 ppm of the host's as the same, refuses a lower one, and
 * for a higher one "catches up": before each entry the guest's TSC is
 * moved forward to where the asked rate would have taken it since the
 * VM's last TSC write, so it runs at the host's rate inside the guest and
 * jumps at exits, never backwards.
 *
 * The VM's clock (HV_GET/SET_CLOCK, what kvmclock shows the guest) is in
 * hv_kvmclock.c.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* How far from the host's rate a TSC rate still counts as the same. */
#define HV_TSC_TOLERANCE_PPM	250

void hv_tsc_vm_init(struct hv_vm *vm)
{
	spin_lock_init(&vm->x86.tsc_lock);
	vm->x86.default_tsc_khz = tsc_khz;
	hv_kvmclock_vm_init(vm);
}

/* The vCPU is loaded: the hardware takes the new offset at once. */
static void hv_tsc_set_offset(struct hv_vcpu *vcpu, s64 offset)
{
	vcpu->x86.tsc_offset = offset;
	hv_arch->write_tsc_offset(vcpu, offset);
	/* kvmclock's time information names the guest's TSC. */
	WRITE_ONCE(vcpu->x86.kvmclock_dirty, true);
}

u64 hv_tsc_read(struct hv_vcpu *vcpu)
{
	return rdtsc() + vcpu->x86.tsc_offset;
}

/* HV_SET_MSRS of IA32_TSC, and vCPU creation (with 0). */
void hv_tsc_host_write(struct hv_vcpu *vcpu, u64 data)
{
	struct hv_x86_vm *xv = &vcpu->vm->x86;
	u64 hz = tsc_khz * 1000ULL, ns, expected;
	s64 offset = data - rdtsc();
	unsigned long flags;
	bool join = false;

	spin_lock_irqsave(&xv->tsc_lock, flags);
	ns = ktime_get_boottime_ns();
	if (xv->tsc_written && data == 0) {
		join = true;
	} else if (xv->tsc_written) {
		expected = xv->last_tsc_write +
			   mul_u64_u32_div(ns - xv->last_tsc_ns, tsc_khz,
					   NSEC_PER_MSEC);
		join = data < expected + hz && data + hz > expected;
	}
	if (join) {
		offset = xv->tsc_offset;
	} else {
		xv->tsc_offset = offset;
		xv->first_tsc_write = data;
		xv->first_tsc_ns = ns;
	}
	xv->tsc_written = true;
	xv->last_tsc_write = data;
	xv->last_tsc_ns = ns;
	vcpu->x86.tsc_base_write = xv->first_tsc_write;
	vcpu->x86.tsc_base_ns = xv->first_tsc_ns;
	spin_unlock_irqrestore(&xv->tsc_lock, flags);
	hv_tsc_set_offset(vcpu, offset);
}

/* A guest's WRMSR to IA32_TSC. */
void hv_tsc_guest_write(struct hv_vcpu *vcpu, u64 data)
{
	s64 delta = data - hv_tsc_read(vcpu);

	hv_tsc_set_offset(vcpu, vcpu->x86.tsc_offset + delta);
	vcpu->x86.tsc_adjust += delta;
}

/*
 * IA32_TSC_ADJUST exists for the guest only if its CPUID says so (leaf 7
 * EBX bit 1); otherwise, as on KVM, writes are dropped without a fault and
 * reads still return the value.
 */
void hv_tsc_adjust_write(struct hv_vcpu *vcpu, u64 data, bool host)
{
	if (!hv_cpuid_has(vcpu, 7, HV_EBX, 1))
		return;
	if (!host)
		hv_tsc_set_offset(vcpu, vcpu->x86.tsc_offset +
					(s64)(data - vcpu->x86.tsc_adjust));
	vcpu->x86.tsc_adjust = data;
}

/*
 * Before an entry, for a rate above the host's: where that rate would
 * have taken the TSC since the VM's TSC write this vCPU joined (KVM's
 * compute_guest_tsc() in its catch-up mode).
 */
void hv_tsc_catch_up(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	u64 target, now;

	target = x->tsc_base_write +
		 mul_u64_u32_div(ktime_get_boottime_ns() - x->tsc_base_ns,
				 x->virtual_tsc_khz, NSEC_PER_MSEC);
	now = hv_tsc_read(vcpu);
	if ((s64)(target - now) > 0)
		hv_tsc_set_offset(vcpu, x->tsc_offset + (target - now));
}

static u32 hv_tsc_khz_adjust(u32 khz, s32 ppm)
{
	return div_u64((u64)khz * (1000000 + ppm), 1000000);
}

/*
 * HV_SET_TSC_KHZ on a vCPU (KVM's kvm_set_tsc_khz() without TSC scaling).
 * KVM keeps the rate it refuses, and so does hv: HV_GET_TSC_KHZ reads it.
 */
static long hv_tsc_set_khz(struct hv_vcpu *vcpu, u32 khz)
{
	if (!khz)
		khz = tsc_khz;
	if (!khz)
		return -EINVAL;
	vcpu->x86.virtual_tsc_khz = khz;
	if (khz >= hv_tsc_khz_adjust(tsc_khz, -HV_TSC_TOLERANCE_PPM) &&
	    khz <= hv_tsc_khz_adjust(tsc_khz, HV_TSC_TOLERANCE_PPM)) {
		vcpu->x86.tsc_catchup = false;
		return 0;
	}
	if (khz > tsc_khz) {
		vcpu->x86.tsc_catchup = true;
		return 0;
	}
	return -EINVAL;
}

/* vCPU creation: the VM's default rate, whatever hv makes of it. */
void hv_tsc_vcpu_init(struct hv_vcpu *vcpu)
{
	hv_tsc_set_khz(vcpu, READ_ONCE(vcpu->vm->x86.default_tsc_khz));
}

/*
 * HV_SET_DEVICE_ATTR(HV_VCPU_TSC_OFFSET): the vCPU's TSC offset, as given
 * (KVM's kvm_arch_tsc_set_attr()); the VM's later host-side writes and
 * new vCPUs join it, as they would a TSC written to that value now.
 */
static void hv_tsc_set_offset_attr(struct hv_vcpu *vcpu, s64 offset)
{
	struct hv_x86_vm *xv = &vcpu->vm->x86;
	unsigned long flags;
	u64 tsc;

	spin_lock_irqsave(&xv->tsc_lock, flags);
	tsc = rdtsc() + offset;
	xv->tsc_offset = offset;
	xv->tsc_written = true;
	xv->first_tsc_write = xv->last_tsc_write = tsc;
	xv->first_tsc_ns = xv->last_tsc_ns = ktime_get_boottime_ns();
	vcpu->x86.tsc_base_write = xv->first_tsc_write;
	vcpu->x86.tsc_base_ns = xv->first_tsc_ns;
	spin_unlock_irqrestore(&xv->tsc_lock, flags);
	hv_tsc_set_offset(vcpu, offset);
}

/* HV_HAS/GET/SET_DEVICE_ATTR on a vCPU: only the TSC offset, as KVM. */
static long hv_tsc_device_attr(struct hv_vcpu *vcpu, unsigned int ioctl,
			       struct hv_device_attr __user *argp)
{
	struct hv_device_attr attr;
	u64 __user *uaddr;
	s64 offset;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group != HV_VCPU_TSC_CTRL || attr.attr != HV_VCPU_TSC_OFFSET)
		return -ENXIO;
	if (ioctl == HV_HAS_DEVICE_ATTR)
		return 0;
	uaddr = u64_to_user_ptr(attr.addr);
	if (ioctl == HV_GET_DEVICE_ATTR)
		return put_user(vcpu->x86.tsc_offset, uaddr) ? -EFAULT : 0;
	if (get_user(offset, uaddr))
		return -EFAULT;
	hv_tsc_set_offset_attr(vcpu, offset);
	return 0;
}

long hv_x86_tsc_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case HV_HAS_DEVICE_ATTR:
	case HV_GET_DEVICE_ATTR:
	case HV_SET_DEVICE_ATTR:
		return hv_tsc_device_attr(vcpu, ioctl, (void __user *)arg);
	case HV_SET_TSC_KHZ:
		return hv_tsc_set_khz(vcpu, (u32)arg);
	case HV_GET_TSC_KHZ:
		return vcpu->x86.virtual_tsc_khz;
	}
	return -ENOIOCTLCMD;
}

long hv_x86_tsc_vm_ioctl(struct hv_vm *vm, unsigned int ioctl,
			 unsigned long arg)
{
	switch (ioctl) {
	case HV_SET_TSC_KHZ:
		/* The rate of vCPUs created from now on. */
		WRITE_ONCE(vm->x86.default_tsc_khz, (u32)arg ?: tsc_khz);
		return 0;
	case HV_GET_TSC_KHZ:
		return READ_ONCE(vm->x86.default_tsc_khz);
	case HV_GET_CLOCK:
		return hv_kvmclock_get_clock(vm, (void __user *)arg);
	case HV_SET_CLOCK:
		return hv_kvmclock_set_clock(vm, (void __user *)arg);
	}
	return -ENOIOCTLCMD;
}
