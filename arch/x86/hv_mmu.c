// SPDX-License-Identifier: GPL-2.0
/*
 * hv: guest physical memory.
 *
 * The second-level page tables (Intel EPT, AMD NPT) map guest physical
 * addresses to host pages.  Both are tables of 512 8-byte entries; only the
 * bits of an entry differ, and the backend names them in its ops
 * (pte_present, pte_table, pte_leaf, pte_write).  EPT has 4 levels (the
 * EPTP says so); NPT has as many as the host's own paging, 5 when the host
 * runs with 5-level paging (AMD APM vol 2, 15.25.3), which the backend
 * says with pt_host_levels.  hv maps 4-KiB pages only.
 *
 * A table starts empty.  The guest's first access to a page faults to hv
 * (EPT violation, nested page fault), and hv_mmu_map() looks the address up
 * in the memory slots, pins the user pages behind the aligned 64-KiB block
 * around it (as far as the slot goes) and installs their leaves.
 * An address no slot backs is MMIO and is never mapped.  The pin holds the
 * page in place for as long as the leaf exists; hv_mmu_unmap() (slot
 * deleted or moved, or the process unmapped or changed the memory: the
 * MMU notifier in module/hv_vm.c) and hv_mmu_destroy() (VM gone) remove
 * leaves, make every CPU forget its cached translations, and only then
 * unpin.
 *
 * Locking: vm->mmu_lock serializes every change of the tables.  The MMU
 * notifier takes it from inside mmap_lock, page reclaim and migration (a
 * page locked), so under it nothing allocates (table pages come from the
 * vCPU's cache, filled before), nothing touches user memory (the page is
 * pinned before, without the lock) and no page lock is taken (a page is
 * marked dirty with SetPageDirty(), as KVM does).  A page pinned without
 * the lock is mapped only if no change of user memory began or ended
 * meanwhile (the notifier's counters in struct hv_vm, as KVM's
 * mmu_invalidate_seq); else the guest faults again.  The hardware walks the
 * tables concurrently, so an entry is written with one 8-byte store, and a
 * leaf is installed only after its page is pinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"

#define PTE_ADDR_MASK	GENMASK_ULL(51, 12)
#define PT_ENTRIES	512

static unsigned int pt_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

static bool spte_present(u64 pte)
{
	return pte & hv_arch->pte_present;
}

static u64 *spte_table(u64 pte)
{
	return __va(pte & PTE_ADDR_MASK);
}

int hv_mmu_init(struct hv_vm *vm)
{
	vm->mmu.levels = hv_arch->pt_host_levels && pgtable_l5_enabled() ?
			 5 : 4;
	vm->mmu.root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->mmu.root)
		return -ENOMEM;
	vm->mmu.root_pa = __pa(vm->mmu.root);
	vm->mmu.nr_tables = 1;
	return 0;
}

/* Fill the vCPU's cache with the table pages one fault may need. */
static int hv_mmu_topup(struct hv_x86_vcpu *x, unsigned int need)
{
	while (x->mmu_cache_n < need) {
		void *p = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!p)
			return -ENOMEM;
		x->mmu_cache[x->mmu_cache_n++] = p;
	}
	return 0;
}

void hv_mmu_cache_free(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *x = &vcpu->x86;

	while (x->mmu_cache_n)
		free_page((unsigned long)x->mmu_cache[--x->mmu_cache_n]);
}

/*
 * The leaf entry for @gpa, with missing tables on the way taken from
 * @cache (NULL: none are added).  NULL when a table is missing and cannot
 * be added.
 */
static u64 *hv_mmu_leaf(struct hv_vm *vm, u64 gpa, struct hv_x86_vcpu *cache)
{
	u64 *table = vm->mmu.root;
	int level;

	lockdep_assert_held(&vm->mmu_lock);
	for (level = vm->mmu.levels; level > 1; level--) {
		u64 *pte = &table[pt_index(gpa, level)];

		if (!spte_present(*pte)) {
			u64 *next;

			if (!cache || !cache->mmu_cache_n)
				return NULL;
			next = cache->mmu_cache[--cache->mmu_cache_n];
			vm->mmu.nr_tables++;
			WRITE_ONCE(*pte, __pa(next) | hv_arch->pte_table);
		}
		table = spte_table(*pte);
	}
	return &table[pt_index(gpa, 1)];
}

/*
 * A fault maps the aligned block of HV_MMU_AROUND pages around its page,
 * as far as the slot goes: a guest's first interrupt (IDT, GDT, stack,
 * handler) or a kernel's first pass over its memory then takes one exit
 * where it took several.  (Under QEMU 7.2's SVM each of those exits also
 * meant one more injection of the interrupt, and each injection a chance
 * of QEMU delivering it twice: Documentation/testing.rst.)
 */
#define HV_MMU_AROUND	16

/*
 * Pin @n pages of user memory at @hva into @pages; how many, or an errno.
 * Without the lock: it may fault the pages in, and so call the notifier.
 */
static long hv_mmu_pin(u64 hva, long n, bool readonly, struct page **pages)
{
	return pin_user_pages_fast(hva, n, FOLL_LONGTERM |
				   (readonly ? 0 : FOLL_WRITE), pages);
}

/*
 * Map the page at @gpa for @vcpu's fault, with the block around it.
 * Returns 0 when it is mapped (perhaps by another vCPU meanwhile) or when
 * the guest should fault again (the user memory changed meanwhile), 1
 * when it is not RAM the guest may access that way (no slot, or a write
 * to a read-only slot: the caller emulates MMIO), -EFAULT when the slot's
 * user memory is gone, -ENOMEM.
 */
int hv_mmu_map(struct hv_vcpu *vcpu, u64 gpa, bool write)
{
	struct hv_vm *vm = vcpu->vm;
	const struct hv_memslot *slot;
	struct page *pages[HV_MMU_AROUND];
	u64 *leaf, hva, first, block, slot_end;
	unsigned long seq;
	bool readonly;
	long n, i, want, idx;
	int r;

	r = hv_mmu_topup(&vcpu->x86, vm->mmu.levels - 1);
	if (r)
		return r;

	gpa &= PAGE_MASK;
	mutex_lock(&vm->mmu_lock);
	slot = hv_memslot_find(vm, gpa >> PAGE_SHIFT);
	readonly = slot && (slot->flags & HV_MEM_READONLY);
	if (!slot || (write && readonly)) {
		mutex_unlock(&vm->mmu_lock);
		return 1;
	}
	leaf = hv_mmu_leaf(vm, gpa, NULL);
	if (leaf && spte_present(*leaf)) {
		mutex_unlock(&vm->mmu_lock);
		return 0;
	}
	/* The block, cut to the slot (an aligned block shares one table). */
	block = gpa & ~((u64)HV_MMU_AROUND * PAGE_SIZE - 1);
	slot_end = slot->gpa + (slot->npages << PAGE_SHIFT);
	first = max(block, slot->gpa);
	want = (min(block + HV_MMU_AROUND * PAGE_SIZE, slot_end) - first) >>
	       PAGE_SHIFT;
	hva = slot->hva + (first - slot->gpa);
	seq = atomic_long_read(&vm->mmu_invalidate_seq);
	mutex_unlock(&vm->mmu_lock);

	idx = (gpa - first) >> PAGE_SHIFT;
	n = hv_mmu_pin(hva, want, readonly, pages);
	if (n <= idx) {
		/* A hole before the page (part of the block unmapped): alone. */
		if (n > 0)
			unpin_user_pages(pages, n);
		hva += gpa - first;
		first = gpa;
		n = hv_mmu_pin(hva, 1, readonly, pages);
		if (n != 1)
			return n < 0 ? n : -EFAULT;
	}

	mutex_lock(&vm->mmu_lock);
	i = 0;
	if (atomic_read(&vm->mmu_invalidate_in_progress))
		goto unpin;
	/* In progress before seq: pairs with hv_mmu_invalidate_end(). */
	smp_rmb();
	if (atomic_long_read(&vm->mmu_invalidate_seq) != seq)
		goto unpin;
	for (; i < n; i++) {
		leaf = hv_mmu_leaf(vm, first + (i << PAGE_SHIFT), &vcpu->x86);
		if (!leaf) {
			r = -ENOMEM;
			goto unpin;
		}
		if (spte_present(*leaf)) {
			unpin_user_page(pages[i]);
			continue;
		}
		vm->mmu.nr_pinned++;
		WRITE_ONCE(*leaf, page_to_phys(pages[i]) | hv_arch->pte_leaf |
			   (readonly ? 0 : hv_arch->pte_write));
	}
	mutex_unlock(&vm->mmu_lock);
	return 0;

unpin:
	mutex_unlock(&vm->mmu_lock);
	unpin_user_pages(pages + i, n - i);
	return r;
}

static void hv_mmu_unpin(struct hv_vm *vm, u64 *leaf)
{
	struct page *page = pfn_to_page((*leaf & PTE_ADDR_MASK) >> PAGE_SHIFT);

	/* The page may be locked by our caller's caller (migration). */
	if (*leaf & hv_arch->pte_write)
		SetPageDirty(page);
	unpin_user_page(page);
	vm->mmu.nr_pinned--;
	WRITE_ONCE(*leaf, 0);
}

/*
 * The leaf for *@a, or NULL when its table does not exist; then *@a moves
 * to the last page that table would cover, so the caller's next step skips
 * it.
 */
static u64 *hv_mmu_leaf_or_skip(struct hv_vm *vm, u64 *a)
{
	u64 *leaf = hv_mmu_leaf(vm, *a, NULL);

	if (!leaf)
		*a = (*a | ((1ULL << (PAGE_SHIFT + 9)) - 1)) & PAGE_MASK;
	return leaf;
}

/*
 * Unmap [gpa, gpa + npages pages).  Leaves first lose their permission
 * bits (not present) but keep the page address; once no CPU can use the
 * old translation any more, the pages are unpinned.
 */
void hv_mmu_unmap(struct hv_vm *vm, u64 gpa, u64 npages)
{
	u64 end = gpa + (npages << PAGE_SHIFT), a;
	bool any = false;
	u64 *leaf;

	lockdep_assert_held(&vm->mmu_lock);
	for (a = gpa; a < end; a += PAGE_SIZE) {
		leaf = hv_mmu_leaf_or_skip(vm, &a);
		if (leaf && spte_present(*leaf)) {
			WRITE_ONCE(*leaf, *leaf & PTE_ADDR_MASK);
			any = true;
		}
	}
	if (!any)
		return;
	hv_arch->flush_guest_tlbs(vm);
	for (a = gpa; a < end; a += PAGE_SIZE) {
		leaf = hv_mmu_leaf_or_skip(vm, &a);
		if (leaf && *leaf)
			hv_mmu_unpin(vm, leaf);
	}
}

static void hv_mmu_free_table(struct hv_vm *vm, u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		if (!table[i])
			continue;
		if (level == 1)
			hv_mmu_unpin(vm, &table[i]);
		else
			hv_mmu_free_table(vm, spte_table(table[i]), level - 1);
	}
	free_page((unsigned long)table);
	vm->mmu.nr_tables--;
}

/*
 * The VM is gone: no vCPU runs.  A new VM may get the same root page (and
 * so the same EPTP), so stale translations are flushed before the pages
 * are unpinned.
 */
void hv_mmu_destroy(struct hv_vm *vm)
{
	if (!vm->mmu.root)
		return;
	hv_arch->flush_guest_tlbs(vm);
	mutex_lock(&vm->mmu_lock);
	hv_mmu_free_table(vm, vm->mmu.root, vm->mmu.levels);
	WARN_ON_ONCE(vm->mmu.nr_tables || vm->mmu.nr_pinned);
	vm->mmu.root = NULL;
	mutex_unlock(&vm->mmu_lock);
}

/*
 * Copy guest physical memory through the slots' user mappings (so it works
 * whether or not the page is mapped in the second-level tables yet).
 * Called from the vCPU's thread, which shares the VM's mm.
 */
static int hv_guest_copy(struct hv_vm *vm, u64 gpa, void *buf,
			 unsigned int len, bool write)
{
	int r = 0;

	mutex_lock(&vm->lock);
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		const struct hv_memslot *slot;
		void __user *hva;

		slot = hv_memslot_find(vm, gpa >> PAGE_SHIFT);
		if (!slot || (write && (slot->flags & HV_MEM_READONLY))) {
			r = -ENOENT;
			break;
		}
		hva = (void __user *)(unsigned long)(slot->hva + gpa - slot->gpa);
		if (write ? copy_to_user(hva, buf, n) :
			    copy_from_user(buf, hva, n)) {
			r = -EFAULT;
			break;
		}
		gpa += n;
		buf += n;
		len -= n;
	}
	mutex_unlock(&vm->lock);
	return r;
}

int hv_guest_read(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return hv_guest_copy(vm, gpa, buf, len, false);
}

int hv_guest_write(struct hv_vm *vm, u64 gpa, const void *buf,
		   unsigned int len)
{
	return hv_guest_copy(vm, gpa, (void *)buf, len, true);
}
