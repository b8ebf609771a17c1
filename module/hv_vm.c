// SPDX-License-Identifier: GPL-2.0
/*
 * hv: virtual machines, their file descriptors and memory slots.
 *
 * A VM lives as long as its fd or any of its vCPU fds: each holds a
 * reference.  Its vCPUs live as long as the VM (as on KVM, closing a vCPU
 * fd does not destroy the vCPU).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv_internal.h"
#include "../arch/x86/hv_x86.h"

void hv_vm_get(struct hv_vm *vm)
{
	refcount_inc(&vm->refs);
}

static void hv_vm_destroy(struct hv_vm *vm)
{
	unsigned int i;

	/* What raises lines by itself stops while the vCPUs are there. */
	hv_x86_vm_stop(vm);
	for (i = 0; i < HV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			hv_vcpu_destroy(vm->vcpus[i]);
	hv_x86_vm_destroy(vm);
	/* Waits for the notifier's callbacks; runs release if the mm lives. */
	if (vm->mmu_notifier.ops)
		mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
	hv_mmu_destroy(vm);
	mmdrop(vm->mm);
	kvfree(vm);
}

void hv_vm_put(struct hv_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		hv_vm_destroy(vm);
}

/*
 * The highest guest physical address a slot may reach: the host's
 * physical address width (as KVM), and never more than the 48 bits that
 * 4-level EPT and NPT tables translate.
 */
static u64 hv_max_gpa(void)
{
	return 1ULL << min_t(u32, boot_cpu_data.x86_phys_bits, 48);
}

/*
 * The slot that backs guest frame @gfn, or NULL.  Called with vm->lock or
 * vm->mmu_lock held; the answer is good until it is dropped.
 */
const struct hv_memslot *hv_memslot_find(struct hv_vm *vm, u64 gfn)
{
	u64 gpa = gfn << PAGE_SHIFT;
	u32 i;

	lockdep_assert(lockdep_is_held(&vm->lock) ||
		       lockdep_is_held(&vm->mmu_lock));
	for (i = 0; i < vm->slots_end; i++) {
		const struct hv_memslot *s = &vm->slots[i];

		if (s->npages && gpa >= s->gpa &&
		    gpa - s->gpa < (s->npages << PAGE_SHIFT))
			return s;
	}
	return NULL;
}

static bool hv_slots_overlap(struct hv_vm *vm, u32 id, u64 gpa, u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT);
	u32 i;

	for (i = 0; i < vm->slots_end; i++) {
		struct hv_memslot *s = &vm->slots[i];

		if (i == id || !s->npages)
			continue;
		if (gpa < s->gpa + (s->npages << PAGE_SHIFT) && s->gpa < end)
			return true;
	}
	return false;
}

/*
 * One past the highest slot id in use: lookups stop there, so that an
 * MMIO access (which no slot backs) costs a scan of the slots a VM has,
 * not of all HV_MAX_MEMSLOTS.
 */
static void hv_update_slots_end(struct hv_vm *vm)
{
	u32 end = HV_MAX_MEMSLOTS;

	while (end && !vm->slots[end - 1].npages)
		end--;
	vm->slots_end = end;
}

/*
 * HV_SET_USER_MEMORY_REGION: create, move, change or delete a slot, with
 * KVM's rules (virt/kvm/kvm_main.c, __kvm_set_memory_region):
 * every malformed request is EINVAL, an overlap with another slot EEXIST,
 * and an existing slot may change only its guest address and its
 * non-READONLY flags.
 */
static int hv_set_memory_region(struct hv_vm *vm,
				const struct hv_userspace_memory_region *mem)
{
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct hv_memslot *slot;

	lockdep_assert_held(&vm->lock);
	lockdep_assert_held(&vm->mmu_lock);

	if (mem->flags & ~(HV_MEM_LOG_DIRTY_PAGES | HV_MEM_READONLY))
		return -EINVAL;
	/* hv has no dirty page log (Documentation/api.rst). */
	if (mem->flags & HV_MEM_LOG_DIRTY_PAGES)
		return -EINVAL;
	if (mem->memory_size & ~PAGE_MASK || mem->guest_phys_addr & ~PAGE_MASK)
		return -EINVAL;
	if (mem->userspace_addr & ~PAGE_MASK ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (mem->slot >= HV_MAX_MEMSLOTS)
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if (npages > HV_MAX_MEMSLOT_PAGES)
		return -EINVAL;

	slot = &vm->slots[mem->slot];
	if (!npages) {
		if (!slot->npages)
			return -EINVAL;
		hv_mmu_unmap(vm, slot->gpa, slot->npages);
		memset(slot, 0, sizeof(*slot));
		hv_update_slots_end(vm);
		return 0;
	}

	if (slot->npages) {
		if (mem->userspace_addr != slot->hva || npages != slot->npages ||
		    (mem->flags ^ slot->flags) & HV_MEM_READONLY)
			return -EINVAL;
		if (mem->guest_phys_addr == slot->gpa) {
			slot->flags = mem->flags;
			return 0;
		}
	}
	if (mem->guest_phys_addr + mem->memory_size > hv_max_gpa())
		return -EINVAL;
	if (hv_slots_overlap(vm, mem->slot, mem->guest_phys_addr, npages))
		return -EEXIST;
	/* A move: the guest must not reach the memory at the old address. */
	if (slot->npages)
		hv_mmu_unmap(vm, slot->gpa, slot->npages);

	slot->gpa = mem->guest_phys_addr;
	slot->npages = npages;
	slot->hva = mem->userspace_addr;
	slot->flags = mem->flags;
	hv_update_slots_end(vm);
	return 0;
}

/* ---- The MMU notifier ---- */

/*
 * The process unmaps or changes user memory in [start, end) (munmap,
 * mremap, madvise(DONTNEED), mprotect, a copy-on-write break, page
 * migration, reclaim...): as on KVM, the guest loses the pages the slots
 * map there, and its next access to them faults them in again from what
 * the process has there now, or makes HV_RUN fail with EFAULT when there
 * is nothing.  Called with vm->mmu_lock held.
 */
static void hv_unmap_hva_range(struct hv_vm *vm, unsigned long start,
			       unsigned long end)
{
	u64 first, last;
	u32 i;

	for (i = 0; i < vm->slots_end; i++) {
		const struct hv_memslot *s = &vm->slots[i];
		u64 s_end = s->hva + (s->npages << PAGE_SHIFT);

		if (!s->npages || end <= s->hva || start >= s_end)
			continue;
		first = max_t(u64, start, s->hva) & PAGE_MASK;
		last = PAGE_ALIGN(min_t(u64, end, s_end));
		hv_mmu_unmap(vm, s->gpa + (first - s->hva),
			     (last - first) >> PAGE_SHIFT);
	}
}

static struct hv_vm *mn_to_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct hv_vm, mmu_notifier);
}

/*
 * Before the change.  Unblockable callers (the OOM reaper) get EAGAIN if
 * the lock is taken; nothing below sleeps once it is held.
 */
static int hv_mmu_invalidate_start(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct hv_vm *vm = mn_to_vm(mn);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&vm->mmu_lock);
	else if (!mutex_trylock(&vm->mmu_lock))
		return -EAGAIN;
	atomic_inc(&vm->mmu_invalidate_in_progress);
	hv_unmap_hva_range(vm, range->start, range->end);
	mutex_unlock(&vm->mmu_lock);
	return 0;
}

/*
 * After it: the process's page tables are final.  No lock (this may not
 * sleep for an unblockable caller): the count of finished changes goes up
 * before the count of changes under way goes down, and hv_mmu_map() reads
 * them the other way round.
 */
static void hv_mmu_invalidate_end(struct mmu_notifier *mn,
				  const struct mmu_notifier_range *range)
{
	struct hv_vm *vm = mn_to_vm(mn);

	atomic_long_inc(&vm->mmu_invalidate_seq);
	/* Seq before in progress: pairs with the smp_rmb() in hv_mmu_map(). */
	smp_mb__before_atomic();
	atomic_dec(&vm->mmu_invalidate_in_progress);
}

/* The address space is going away (process exit): unmap everything. */
static void hv_mmu_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hv_vm *vm = mn_to_vm(mn);

	mutex_lock(&vm->mmu_lock);
	hv_unmap_hva_range(vm, 0, ULONG_MAX);
	atomic_long_inc(&vm->mmu_invalidate_seq);
	mutex_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops hv_mmu_notifier_ops = {
	.invalidate_range_start = hv_mmu_invalidate_start,
	.invalidate_range_end = hv_mmu_invalidate_end,
	.release = hv_mmu_release,
};

/* HV_SET_TSS_ADDR: accepted and recorded; hv never needs the TSS. */
static int hv_set_tss_addr(struct hv_vm *vm, unsigned long addr)
{
	/* KVM: the three pages must lie below 4 GiB. */
	if (addr > (unsigned int)(-3 * PAGE_SIZE))
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->tss_addr = addr;
	mutex_unlock(&vm->lock);
	return 0;
}

static long hv_vm_ioctl(struct file *filp, unsigned int ioctl,
			unsigned long arg)
{
	struct hv_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* As on KVM, a VM belongs to the process that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case HV_CREATE_VCPU:
		/* KVM takes the id as a u32. */
		return hv_vcpu_create(vm, (u32)arg);
	case HV_SET_USER_MEMORY_REGION: {
		struct hv_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		mutex_lock(&vm->mmu_lock);
		r = hv_set_memory_region(vm, &mem);
		/* A fault that pinned a page of the old slots must retry. */
		atomic_long_inc(&vm->mmu_invalidate_seq);
		mutex_unlock(&vm->mmu_lock);
		mutex_unlock(&vm->lock);
		return r;
	}
	case HV_SET_TSS_ADDR:
		return hv_set_tss_addr(vm, arg);
	case HV_CHECK_EXTENSION:
		return hv_check_extension(arg);
	default:
		r = hv_x86_vm_ioctl(vm, ioctl, arg);
		/* What KVM on x86 answers on a VM fd. */
		return r == -ENOIOCTLCMD ? -ENOTTY : r;
	}
}

static int hv_vm_release(struct inode *inode, struct file *filp)
{
	hv_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hv_vm_fops = {
	.owner = THIS_MODULE,
	.release = hv_vm_release,
	.unlocked_ioctl = hv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* HV_CREATE_VM: returns the new VM's fd. */
int hv_create_vm(unsigned long type)
{
	struct hv_vm *vm;
	int fd, r;

	/* Only the default machine type exists on x86. */
	if (type)
		return -EINVAL;

	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	hv_x86_vm_init(vm);
	if (hv_mmu_init(vm)) {
		kvfree(vm);
		return -ENOMEM;
	}
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->mmu_notifier.ops = &hv_mmu_notifier_ops;
	r = mmu_notifier_register(&vm->mmu_notifier, current->mm);
	if (r) {
		vm->mmu_notifier.ops = NULL;
		hv_vm_put(vm);
		return r;
	}

	fd = anon_inode_getfd("hv-vm", &hv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_vm_put(vm);
	return fd;
}
