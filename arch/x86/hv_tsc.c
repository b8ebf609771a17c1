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
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/spinlock.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

void hv_x86_vm_init(struct hv_vm *vm)
{
	spin_lock_init(&vm->x86.tsc_lock);
}

/* The vCPU is loaded: the hardware takes the new offset at once. */
static void hv_tsc_set_offset(struct hv_vcpu *vcpu, s64 offset)
{
	vcpu->x86.tsc_offset = offset;
	hv_arch->write_tsc_offset(vcpu, offset);
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
	if (join)
		offset = xv->tsc_offset;
	else
		xv->tsc_offset = offset;
	xv->tsc_written = true;
	xv->last_tsc_write = data;
	xv->last_tsc_ns = ns;
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
