// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the MSR filter, HV_X86_SET_MSR_FILTER.
 *
 * Userspace names ranges of MSRs with a bitmap each and says, per range,
 * whether the guest's reads, writes or both may reach hv's MSRs; a denied
 * access fails as an unknown MSR would (a #GP), or, with
 * HV_ENABLE_CAP(HV_CAP_X86_USER_SPACE_MSR) asking for
 * HV_MSR_EXIT_REASON_FILTER, exits to userspace (hv_msr.c).  The filter
 * binds only the guest: HV_GET/SET_MSRS pass, and so do the x2APIC MSRs
 * (0x800-0x8ff), which KVM never filters either.  The checks and errors
 * are KVM's (kvm_vm_ioctl_set_msr_filter()).
 *
 * The VM holds the filter behind an RCU pointer: the vCPU threads read it
 * at each RDMSR and WRMSR (every one exits: no MSR bitmap lets any
 * through, so a new filter needs nothing of the backends), and
 * HV_X86_SET_MSR_FILTER replaces it whole under the VM's lock, freeing the
 * old one after a grace period.  A vCPU in the middle of an access ends it
 * with whichever filter it found.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"
#include "hv_lapic.h"

struct hv_msr_range {
	u32 flags;
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;
};

struct hv_x86_msr_filter {
	bool default_allow;
	unsigned int count;
	struct hv_msr_range ranges[HV_MSR_FILTER_MAX_RANGES];
};

static void hv_msr_filter_free_one(struct hv_x86_msr_filter *f)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

/*
 * May the guest read (HV_MSR_FILTER_READ) or write (_WRITE) MSR index?
 * The first range holding index for that kind of access decides.
 */
bool hv_msr_allowed(struct hv_vcpu *vcpu, u32 index, u32 type)
{
	const struct hv_x86_msr_filter *f;
	const struct hv_msr_range *r;
	bool allowed = true;
	unsigned int i;

	if (index >= HV_X2APIC_MSR_FIRST && index <= HV_X2APIC_MSR_LAST)
		return true;
	rcu_read_lock();
	f = rcu_dereference(vcpu->vm->x86.msr_filter);
	if (f) {
		allowed = f->default_allow;
		for (i = 0; i < f->count; i++) {
			r = &f->ranges[i];
			if (!(r->flags & type) || index < r->base ||
			    index - r->base >= r->nmsrs)
				continue;
			allowed = test_bit(index - r->base, r->bitmap);
			break;
		}
	}
	rcu_read_unlock();
	return allowed;
}

/*
 * One range of userspace's filter.  The bitmap is copied in whole longs,
 * as KVM copies it: a range of one MSR reads 8 bytes.
 */
static int hv_msr_filter_add(struct hv_x86_msr_filter *f,
			     const struct hv_msr_filter_range *ur)
{
	struct hv_msr_range *r = &f->ranges[f->count];
	size_t size;

	if (!ur->nmsrs)
		return 0;
	if (!ur->flags ||
	    (ur->flags & ~(HV_MSR_FILTER_READ | HV_MSR_FILTER_WRITE)))
		return -EINVAL;
	size = BITS_TO_LONGS(ur->nmsrs) * sizeof(long);
	if (size > HV_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;
	r->bitmap = memdup_user((const void __user *)ur->bitmap, size);
	if (IS_ERR(r->bitmap)) {
		int err = PTR_ERR(r->bitmap);

		r->bitmap = NULL;
		return err;
	}
	r->flags = ur->flags;
	r->base = ur->base;
	r->nmsrs = ur->nmsrs;
	f->count++;
	return 0;
}

/*
 * HV_X86_SET_MSR_FILTER: EINVAL for unknown flags, a range with no or
 * unknown access flags or a bitmap over HV_MSR_FILTER_MAX_BITMAP_SIZE,
 * and for a default of deny with no range (KVM 6.1's rule; every range
 * empty with the default of allow is no filter).
 */
long hv_msr_filter_set(struct hv_vm *vm, void __user *argp)
{
	struct hv_x86_msr_filter *f, *old;
	struct hv_msr_filter *uf;
	bool empty = true;
	unsigned int i;
	int r = 0;

	uf = memdup_user(argp, sizeof(*uf));
	if (IS_ERR(uf))
		return PTR_ERR(uf);
	if (uf->flags & ~HV_MSR_FILTER_DEFAULT_DENY) {
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < HV_MSR_FILTER_MAX_RANGES; i++)
		empty &= !uf->ranges[i].nmsrs;
	if (empty && (uf->flags & HV_MSR_FILTER_DEFAULT_DENY)) {
		r = -EINVAL;
		goto out;
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	f->default_allow = !(uf->flags & HV_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < HV_MSR_FILTER_MAX_RANGES && !r; i++)
		r = hv_msr_filter_add(f, &uf->ranges[i]);
	if (r) {
		hv_msr_filter_free_one(f);
		goto out;
	}

	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->x86.msr_filter,
					lockdep_is_held(&vm->lock));
	rcu_assign_pointer(vm->x86.msr_filter, f);
	mutex_unlock(&vm->lock);
	synchronize_rcu();
	hv_msr_filter_free_one(old);
out:
	kfree(uf);
	return r;
}

/* At the VM's end: no vCPU is left to read the filter. */
void hv_msr_filter_free(struct hv_vm *vm)
{
	hv_msr_filter_free_one(rcu_dereference_protected(vm->x86.msr_filter,
							 true));
	RCU_INIT_POINTER(vm->x86.msr_filter, NULL);
}
