// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz, phase ioctls: random ioctl sequences on every kind of fd.
 *
 * Each case (an episode) opens the device, creates a VM with a small
 * random guest (hv_guest.h), perhaps another VM and more vCPUs, and then
 * makes a few hundred random calls:
 *
 *  - every ioctl number KVM defines (kvm_ioctls.h), usually on the kind
 *    of fd KVM documents it for, else on any, and random numbers (random
 *    type, number, size and direction);
 *  - with hostile arguments: random integers, NULL, unmapped, read-only,
 *    kernel and non-canonical addresses, misaligned pointers and
 *    structures that run into a guard page; buffers of random bytes with
 *    edge values (counts of 0xffffffff...) and pointers sprinkled in;
 *  - memory-slot creates, deletes, moves and resizes with random slot
 *    ids, flags (unknown bits too), sizes, guest and user addresses
 *    (unaligned, overlapping, unmapped, mapped then unmapped);
 *  - KVM_RUN (guarded by the timer), mmap of each fd with random offsets
 *    and lengths, touching the pages (SIGBUS is caught), read and write,
 *    close() of any fd (later calls on it then hit EBADF or whatever
 *    took its number), and calls from a forked child (EIO).
 *
 * The episode then unmaps and closes everything it made, which bounds
 * the fds and VMs alive at any time.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

enum {
	FUZZ_FD_SYS, FUZZ_FD_VM, FUZZ_FD_VCPU, FUZZ_FD_DEV, FUZZ_FD_OTHER,
	FUZZ_FD_KINDS
};

struct fuzz_ioctl {
	int fd_kind;
	const char *name;
	unsigned long nr;
};

#include "kvm_ioctls.h"

static const struct fuzz_ioctl kvm_ioctls[] = { FUZZ_KVM_IOCTLS };

#define MAX_FDS		8	/* of each kind */
#define MAX_MAPS	32
#define MAX_VMS		3	/* created by the episode's calls */
#define MAX_VCPUS	6
#define MAX_SLOTS	8
#define FIRST_FD	3	/* the child closed every inherited fd above */

struct slot {
	struct hv_userspace_memory_region region;
	int vm;
};

struct episode {
	struct fuzz_rng *r;
	struct fuzz_mem *m;
	int fds[FUZZ_FD_KINDS][MAX_FDS];
	int nfds[FUZZ_FD_KINDS];
	struct hv_run *run[MAX_FDS];	/* beside fds[FUZZ_FD_VCPU] */
	struct {
		void *p;
		size_t len;
	} maps[MAX_MAPS];
	int nmaps;
	struct slot slots[MAX_SLOTS];	/* the last ones accepted */
	int nslots;
	int vms, vcpus;
	unsigned char *guest_mem;
};

static void add_map(struct episode *e, void *p, size_t len)
{
	if (e->nmaps < MAX_MAPS) {
		e->maps[e->nmaps].p = p;
		e->maps[e->nmaps].len = len;
		e->nmaps++;
	} else {
		munmap(p, len);
	}
}

/* Remember FD as one of KIND; a vCPU gets its run page mapped. */
static void add_fd(struct episode *e, int kind, int fd)
{
	struct hv_run *run = NULL;
	int i = e->nfds[kind];

	if (fd < FIRST_FD || i >= MAX_FDS)
		return;		/* the end of the episode closes it */
	if (kind == FUZZ_FD_VCPU) {
		run = fuzz_map_vcpu(fd);
		if (run)
			add_map(e, run, FUZZ_RESERVE);
		e->run[i] = run;
	}
	e->fds[kind][i] = fd;
	e->nfds[kind]++;
}

static int known_fd(struct episode *e, int fd)
{
	int k, i;

	for (k = 0; k < FUZZ_FD_KINDS; k++)
		for (i = 0; i < e->nfds[k]; i++)
			if (e->fds[k][i] == fd)
				return 1;
	return 0;
}

/* A random fd of KIND (or of any kind when KIND < 0); -1 if none. */
static int pick_fd(struct episode *e, int kind, int *index)
{
	struct fuzz_rng *r = e->r;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		int k = kind >= 0 ? kind : (int)rng_below(r, FUZZ_FD_KINDS);

		if (e->nfds[k]) {
			int i = rng_below(r, e->nfds[k]);

			if (index)
				*index = k == FUZZ_FD_VCPU ? i : -1;
			return e->fds[k][i];
		}
		if (kind >= 0)
			break;
	}
	if (index)
		*index = -1;
	return e->nfds[FUZZ_FD_SYS] ? e->fds[FUZZ_FD_SYS][0] : -1;
}

/* Whether the N bytes at address P are all in the arena. */
static int in_arena(struct episode *e, uint64_t p, size_t n)
{
	uint64_t start = (uintptr_t)e->m->arena, end = (uintptr_t)e->m->guard;

	return p >= start && p < end && end - p >= n;
}

static void *any_run_page(struct episode *e)
{
	int i = rng_below(e->r, MAX_FDS);

	return i < e->nfds[FUZZ_FD_VCPU] ? e->run[i] : NULL;
}

/* Run a vCPU a few times, completing its exits. */
static void run_vcpu(struct episode *e, int fd, struct hv_run *run)
{
	int n = 1 + rng_below(e->r, 8);

	while (n--) {
		fuzz_doing("ioctls: KVM_RUN on fd %d", fd);
		if (run && fuzz_on_qemu)
			run->kvm_dirty_regs = 0;	/* see fuzz.h */
		if (fuzz_run(fd))
			return;
		if (!run)
			continue;
		if (fuzz_exit_is_final(run))
			return;
		fuzz_complete_exit(e->r, run, 3 * HV_PAGE);
	}
}

/* ---- Memory slots ---- */

/* A memory size: small, aligned or not, or huge (refused before use). */
static uint64_t slot_size(struct fuzz_rng *r, uint32_t flags)
{
	uint64_t v;

	switch (rng_below(r, 8)) {
	case 0:
		return 0;			/* delete */
	case 1:
		return GUEST_MEM_SIZE;
	case 2:
		return HV_PAGE * (1 + rng_below(r, 16)) + rng_below(r, 2) *
		       rng_below(r, HV_PAGE);	/* maybe unaligned */
	case 3:
		v = rng_interesting(r);
		break;
	default:
		return HV_PAGE * (1 + rng_below(r, 16));
	}
	/*
	 * Every size is fine for the device, but KVM allocates metadata for
	 * the size of a slot when it creates it (the dirty bitmap, large-page
	 * and rmap arrays, 2 to 16 bytes per page): a valid slot of terabytes
	 * would take more memory than the test machine has and print an
	 * allocation failure.  Sizes that are refused (unaligned, more than
	 * KVM's 2^31 - 1 pages) are kept; valid ones are held to 4 GiB.
	 */
	if (!(v & (HV_PAGE - 1)) && (v >> 12) < (1ULL << 31))
		v &= (4ULL << 30) - 1;
	return v;
}

static uint64_t slot_gpa(struct fuzz_rng *r)
{
	static const uint64_t gpas[] = {
		0, HV_PAGE, GUEST_MEM_SIZE, MMIO_GPA, 0xa0000, 0xfee00000,
		0xfec00000, 0xfffbd000, 0xfffff000, 1ULL << 32, 1ULL << 36,
		(1ULL << 39) - HV_PAGE, (1ULL << 40) - HV_PAGE,
		(1ULL << 46) - HV_PAGE, 1ULL << 52, ~0ULL & ~0xfffULL,
	};

	switch (rng_below(r, 6)) {
	case 0:
		return rng_pick(r, gpas);
	case 1:
		return rng_interesting(r);
	case 2:
		return (rng32(r) & ~0xfffULL) + rng_below(r, 2);
	case 3:
		return rng_next(r) & 0xfffffffff000ULL;
	default:
		return HV_PAGE * rng_below(r, 2048);
	}
}

static uint32_t slot_id(struct episode *e)
{
	static const uint32_t ids[] = { 255, 256, 509, 510, 511, 512, 32763,
					32764, 32767, 32768, 0x10000,
					0x10001, 0x1ffff, 0x20000, ~0U };
	struct fuzz_rng *r = e->r;

	switch (rng_below(r, 8)) {
	case 0:
		return rng_pick(r, ids);
	case 1:
		return rng32(r);
	case 2:
	case 3:
		return rng_below(r, 256);
	default:
		return rng_below(r, 4);
	}
}

static uint32_t slot_flags(struct fuzz_rng *r)
{
	switch (rng_below(r, 10)) {
	case 0:
		return HV_MEM_READONLY;
	case 1:
		return HV_MEM_LOG_DIRTY_PAGES;
	case 2:
		return HV_MEM_LOG_DIRTY_PAGES | HV_MEM_READONLY;
	case 3:
		return 1U << rng_below(r, 32);
	case 4:
		return rng32(r);
	default:
		return 0;
	}
}

/* A user address: the guest's memory, the arena, or a bad one. */
static uint64_t slot_uaddr(struct episode *e, uint64_t size)
{
	struct fuzz_rng *r = e->r;
	void *p;

	switch (rng_below(r, 8)) {
	case 0:
		if (e->guest_mem)
			return (uintptr_t)e->guest_mem +
			       HV_PAGE * rng_below(r, 512);
		break;
	case 1:
		if (e->nslots)	/* the memory of another slot */
			return e->slots[rng_below(r, e->nslots)].region.userspace_addr;
		break;
	case 2:
		/* Mapped, then unmapped. */
		p = fuzz_unmapped(size ? size : HV_PAGE);
		if (p)
			return (uintptr_t)p;
		break;
	case 3:
		p = any_run_page(e);
		if (p)
			return (uintptr_t)p;
		break;
	}
	return fuzz_user_addr(r, e->m);
}

/*
 * SIZE, or less if the slot at user address UADDR would reach beyond the
 * guest's memory or into the executable: the guest would write there.
 */
static uint64_t bound_size(struct episode *e, uint64_t uaddr, uint64_t size)
{
	uint64_t mem = (uintptr_t)e->guest_mem;

	if (size & (HV_PAGE - 1) || uaddr & (HV_PAGE - 1))
		return size;	/* refused anyway */
	if (mem && uaddr >= mem && uaddr < mem + GUEST_MEM_SIZE &&
	    size > mem + GUEST_MEM_SIZE - uaddr)
		return mem + GUEST_MEM_SIZE - uaddr;
	if (uaddr < FUZZ_LOW_END && size > FUZZ_LOW_END - uaddr)
		return FUZZ_LOW_END - uaddr;
	return size;
}

/* One KVM_SET_USER_MEMORY_REGION: a create, delete, move or resize. */
static void slot_op(struct episode *e, int vm)
{
	struct fuzz_rng *r = e->r;
	struct hv_userspace_memory_region reg;
	struct slot *old = NULL;

	if (e->nslots && rng_chance(r, 40))
		old = &e->slots[rng_below(r, e->nslots)];
	if (old) {
		reg = old->region;
		vm = rng_chance(r, 80) ? old->vm : vm;
		switch (rng_below(r, 5)) {
		case 0:
			reg.memory_size = 0;			/* delete */
			break;
		case 1:
			reg.guest_phys_addr = slot_gpa(r);	/* move */
			break;
		case 2:
			reg.memory_size = slot_size(r, reg.flags); /* resize */
			break;
		case 3:
			reg.flags = slot_flags(r);
			break;
		default:
			reg.userspace_addr = slot_uaddr(e, reg.memory_size);
			break;
		}
	} else {
		reg.slot = slot_id(e);
		reg.flags = slot_flags(r);
		reg.guest_phys_addr = slot_gpa(r);
		reg.memory_size = slot_size(r, reg.flags);
		reg.userspace_addr = slot_uaddr(e, reg.memory_size);
	}
	if (rng_chance(r, 5))
		reg.userspace_addr += 1 + rng_below(r, HV_PAGE - 1);
	reg.memory_size = bound_size(e, reg.userspace_addr, reg.memory_size);
	fuzz_doing("ioctls: slot %u flags %#x gpa %#llx size %#llx user %#llx",
		   reg.slot, reg.flags, (unsigned long long)reg.guest_phys_addr,
		   (unsigned long long)reg.memory_size,
		   (unsigned long long)reg.userspace_addr);
	fuzz_count(slot_ops, 1);
	fuzz_count(ioctls, 1);
	if (ioctl(vm, HV_SET_USER_MEMORY_REGION, &reg) || !reg.memory_size)
		return;
	if (old && old->vm == vm && old->region.slot == reg.slot) {
		old->region = reg;
	} else if (e->nslots < MAX_SLOTS) {
		e->slots[e->nslots].region = reg;
		e->slots[e->nslots].vm = vm;
		e->nslots++;
	}
}

/* ---- Arguments ---- */

static uint64_t int_arg(struct fuzz_rng *r)
{
	return rng_chance(r, 50) ? rng_below(r, 260) : rng_value(r);
}

/* Sprinkle pointers into the arena over a buffer of N bytes at P. */
static void sprinkle_pointers(struct episode *e, unsigned char *p, size_t n)
{
	struct fuzz_rng *r = e->r;
	int k;

	for (k = rng_below(e->r, 4); k && n >= 8; k--) {
		uint64_t v = (uintptr_t)e->m->arena +
			     rng_below(r, FUZZ_ARENA / 8) * 8;

		memcpy(p + rng_below(r, n / 8) * 8, &v, 8);
	}
}

/*
 * The argument of ioctl NR: an integer for _IO numbers (mostly), else a
 * pointer for the size the number encodes (fuzz_pointer()).
 */
static unsigned long ioctl_arg(struct episode *e, unsigned long nr)
{
	struct fuzz_rng *r = e->r;
	size_t size = _IOC_SIZE(nr);
	unsigned char *p;

	if (_IOC_DIR(nr) == _IOC_NONE && rng_chance(r, 75))
		return int_arg(r);
	if (!size)
		size = rng_below(r, 2 * HV_PAGE);
	p = fuzz_pointer(r, e->m, size, any_run_page(e));
	if (p >= e->m->arena && p < e->m->guard) {
		size_t room = e->m->guard - p;

		if (rng_chance(r, 30))
			sprinkle_pointers(e, p, room < size ? room : size);
		if (room >= 8 && rng_chance(r, 30)) {
			/* A small count, id or type first. */
			uint32_t v[2] = { rng_below(r, 300), rng_below(r, 16) };

			memcpy(p, v, sizeof(v));
		}
	}
	return (uintptr_t)p;
}

/*
 * KVM_SET_SIGNAL_MASK sets the signals blocked while the vCPU runs; the
 * timer's must stay deliverable, or a spinning guest would never return.
 * The mask is taken from the arena only, with SIGALRM and SIGUSR1 cleared.
 */
static unsigned long signal_mask_arg(struct episode *e)
{
	unsigned char *p = e->m->arena;
	uint32_t len = rng_chance(e->r, 80) ? 8 : rng_value(e->r);

	if (rng_chance(e->r, 10))
		return 0;
	rng_fill(e->r, p, 16);
	memcpy(p, &len, 4);
	p[4 + (SIGALRM - 1) / 8] &= ~(1 << ((SIGALRM - 1) % 8));
	p[4 + (SIGUSR1 - 1) / 8] &= ~(1 << ((SIGUSR1 - 1) % 8));
	return (uintptr_t)p;
}

/* Keep an fd an ioctl returned, by what made it. */
static void keep_new_fd(struct episode *e, unsigned long nr, long ret,
			unsigned long arg)
{
	int fd;

	if (nr == KVM_CREATE_DEVICE && ret == 0 && in_arena(e, arg, 12)) {
		memcpy(&fd, (void *)(arg + 4), 4);
		if (fd >= FIRST_FD && !known_fd(e, fd) &&
		    fcntl(fd, F_GETFD) >= 0)
			add_fd(e, FUZZ_FD_DEV, fd);
		return;
	}
	if (ret < FIRST_FD || ret > 0xffff || known_fd(e, ret) ||
	    fcntl(ret, F_GETFD) < 0)
		return;
	if (nr == HV_CREATE_VM)
		add_fd(e, FUZZ_FD_VM, ret);
	else if (nr == HV_CREATE_VCPU)
		add_fd(e, FUZZ_FD_VCPU, ret);
	else
		add_fd(e, FUZZ_FD_OTHER, ret);
}

/*
 * On QEMU (fuzz.h): segment states and MSRs QEMU survives, debug
 * registers with no breakpoint enabled; from the arena only, or else from
 * nowhere.
 */
static unsigned long qemu_safe_arg(struct episode *e, unsigned long nr,
				   unsigned long arg)
{
	unsigned char *p = (unsigned char *)arg;

	if (nr != HV_SET_SREGS && nr != KVM_SET_SREGS2 &&
	    nr != KVM_SET_DEBUGREGS && nr != KVM_SET_GUEST_DEBUG &&
	    nr != KVM_SET_MSRS)
		return arg;
	if (!in_arena(e, arg, _IOC_SIZE(nr)))
		return arg < FUZZ_LOW_END ? arg : (uintptr_t)e->m->hole;
	if (nr == KVM_SET_MSRS) {
		/* struct kvm_msrs: nmsrs, pad, then {index, pad, data}. */
		uint32_t i, n = *(uint32_t *)p;

		for (i = 0; i < n && in_arena(e, arg + 8 + 16 * i, 16); i++)
			if (*(uint32_t *)(p + 8 + 16 * i) == FUZZ_MSR_EFER)
				p[8 + 16 * i + 9] &= ~(FUZZ_EFER_LME >> 8);
	} else if (nr == KVM_SET_DEBUGREGS) {
		p[40] = 0;		/* struct kvm_debugregs: dr7 */
	} else if (nr == KVM_SET_GUEST_DEBUG) {
		p[2] &= ~2;		/* control: KVM_GUESTDBG_USE_HW_BP */
		p[8 + 7 * 8] = 0;	/* arch.debugreg[7] */
	} else {
		fuzz_fix_sregs(p);
	}
	return arg;
}

/* Call NR on FD with a fitting argument; KVM_RUN and slots go elsewhere. */
static void call(struct episode *e, const char *name, unsigned long nr, int fd,
		 int vcpu_index)
{
	struct fuzz_rng *r = e->r;
	unsigned long arg;
	long ret;

	if (nr == HV_RUN && vcpu_index >= 0) {
		run_vcpu(e, fd, e->run[vcpu_index]);
		return;
	}
	if (nr == HV_SET_USER_MEMORY_REGION && rng_chance(r, 80)) {
		slot_op(e, fd);
		return;
	}
	if ((nr == HV_CREATE_VM && e->vms >= MAX_VMS) ||
	    (nr == HV_CREATE_VCPU && e->vcpus >= MAX_VCPUS))
		nr = HV_CHECK_EXTENSION;
	if (nr == HV_CREATE_VM)
		arg = rng_chance(r, 70) ? 0 : int_arg(r);
	else if (nr == HV_CREATE_VCPU)
		arg = rng_chance(r, 70) ? rng_below(r, 4) : int_arg(r);
	else if (nr == KVM_SET_SIGNAL_MASK)
		arg = signal_mask_arg(e);
	else
		arg = ioctl_arg(e, nr);
	if (fuzz_on_qemu)
		arg = qemu_safe_arg(e, nr, arg);
	fuzz_doing("ioctls: %s (%#lx) on fd %d, arg %#lx", name, nr, fd, arg);
	fuzz_count(ioctls, 1);
	ret = ioctl(fd, nr, arg);
	if (ret > 0 && nr == HV_CREATE_VM)
		e->vms++;
	if (ret > 0 && nr == HV_CREATE_VCPU)
		e->vcpus++;
	keep_new_fd(e, nr, ret, arg);
}

static void run_op(struct episode *e)
{
	int index, fd = pick_fd(e, FUZZ_FD_VCPU, &index);

	call(e, "KVM_RUN", HV_RUN, fd, index);
}

static void table_ioctl(struct episode *e)
{
	const struct fuzz_ioctl *io = &rng_pick(e->r, kvm_ioctls);
	int index, fd;

	if (rng_chance(e->r, 75))
		fd = pick_fd(e, io->fd_kind, &index);
	else
		fd = pick_fd(e, -1, &index);
	if (io->fd_kind == FUZZ_FD_DEV && rng_chance(e->r, 50))
		fd = pick_fd(e, rng_below(e->r, 4), &index);
	call(e, io->name, io->nr, fd, index);
}

/* A random ioctl number, on a KVM fd (others have ioctls of their own). */
static void random_ioctl(struct episode *e)
{
	struct fuzz_rng *r = e->r;
	unsigned long nr;
	int index, fd = pick_fd(e, rng_below(r, FUZZ_FD_OTHER), &index);

	if (rng_chance(r, 10))
		nr = rng32(r);
	else
		nr = _IOC(rng_below(r, 4), rng_chance(r, 70) ? HVIO : rng32(r) & 0xff,
			  rng32(r) & 0xff,
			  rng_chance(r, 50) ? rng_below(r, 512) : rng_below(r, 1 << 14));
	if (nr == HV_RUN || nr == KVM_SET_SIGNAL_MASK)
		return;
	call(e, "random", nr, fd, index);
}

/* ---- mmap, touch, read, write, close, fork ---- */

static sigjmp_buf touch_jmp;

static void on_touch_fault(int sig)
{
	siglongjmp(touch_jmp, sig);
}

/* Read (and write, if WRITABLE) one byte at P; SIGBUS/SIGSEGV caught. */
static void touch(void *p, int writable)
{
	struct sigaction sa = { .sa_handler = on_touch_fault }, old_bus, old_segv;
	volatile unsigned char *b = p;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(touch_jmp, 1)) {
		(void)*b;
		if (writable)
			*b = *b;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
}

static void mmap_op(struct episode *e)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC };
	struct fuzz_rng *r = e->r;
	int fd = pick_fd(e, rng_chance(r, 70) ? FUZZ_FD_VCPU : -1, NULL);
	size_t len = rng_chance(r, 80) ? HV_PAGE * (1 + rng_below(r, 6)) :
		     rng_below(r, 16 << 20);
	off_t off = rng_chance(r, 80) ? HV_PAGE * rng_below(r, 6) :
		    (off_t)rng_value(r);
	int prot = rng_pick(r, prots);
	unsigned char *p;
	size_t i;

	fuzz_doing("ioctls: mmap fd %d len %#zx off %#llx prot %d", fd, len,
		   (unsigned long long)off, prot);
	p = mmap(NULL, len, prot, rng_chance(r, 80) ? MAP_SHARED : MAP_PRIVATE,
		 fd, off);
	if (p == MAP_FAILED)
		return;
	if (prot & PROT_READ && rng_chance(r, 60))
		for (i = 0; i < len && i < 8 * HV_PAGE; i += HV_PAGE)
			touch(p + i, prot & PROT_WRITE);
	if (rng_chance(r, 50))
		munmap(p, len);
	else
		add_map(e, p, len);
}

static void read_write_op(struct episode *e)
{
	struct fuzz_rng *r = e->r;
	int fd = pick_fd(e, rng_below(r, FUZZ_FD_OTHER), NULL);
	size_t n = rng_below(r, 2 * HV_PAGE);
	void *p = fuzz_pointer(r, e->m, n, NULL);

	fuzz_doing("ioctls: read/write fd %d", fd);
	if (rng_chance(r, 50))
		(void)!read(fd, p, n);
	else
		(void)!write(fd, p, n);
}

static void close_op(struct episode *e)
{
	int fd = pick_fd(e, -1, NULL);

	if (fd >= FIRST_FD)
		close(fd);	/* the number stays in the lists */
}

/*
 * A child makes calls on the fds it inherited: the VM and its vCPUs
 * belong to the parent (EIO); the system fd works.
 */
static void fork_op(struct episode *e)
{
	double deadline = fuzz_now() + 20;
	int i, status = 0;
	pid_t pid;

	fuzz_doing("ioctls: calls from a child process");
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		fuzz_guard_start(15000);	/* timers are not inherited */
		for (i = 0; i < 20; i++)
			table_ioctl(e);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (fuzz_now() > deadline) {
			fuzz_fail("a child making ioctls did not end in 20 s");
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		usleep(1000);
	}
	if (WIFSIGNALED(status))
		fuzz_fail("a child making ioctls died of signal %d",
			  WTERMSIG(status));
}

/* ---- Episodes ---- */

static void open_episode(struct episode *e, struct hv_guest *g)
{
	struct fuzz_rng *r = e->r;
	unsigned char code[2048];
	struct fuzz_code c = {
		.buf = code, .cap = sizeof(code), .rng = r,
		.mode = rng_below(r, 3),
	};
	int sys, fds[2], i;

	sys = hv_open_device();
	if (sys < 0) {
		fuzz_fail("cannot open the device: %s", strerror(errno));
		return;
	}
	add_fd(e, FUZZ_FD_SYS, sys);
	fuzz_code_random(&c, 2 + rng_below(r, 10));
	fuzz_code_jump_to(&c, 0);
	fuzz_count(ioctls, 8);
	if (!hv_guest_create_on(g, dup(sys), c.mode, code, c.len)) {
		add_map(e, g->mem, GUEST_MEM_SIZE);
		e->guest_mem = g->mem;
		add_fd(e, FUZZ_FD_VM, g->vm);
		/* Its run page again, followed by inaccessible space. */
		munmap(g->run, 3 * HV_PAGE);
		add_fd(e, FUZZ_FD_VCPU, g->vcpu);
		g->run = e->run[0];
		e->slots[0].region = (struct hv_userspace_memory_region) {
			.memory_size = GUEST_MEM_SIZE,
			.userspace_addr = (uintptr_t)g->mem,
		};
		e->slots[0].vm = g->vm;
		e->nslots = 1;
		fuzz_guest_randomize(r, g);
	} else if (g->mem && g->mem != MAP_FAILED) {
		add_map(e, g->mem, GUEST_MEM_SIZE);
	}
	if (rng_chance(r, 50)) {
		int vm = ioctl(sys, HV_CREATE_VM, 0);

		fuzz_count(ioctls, 1);
		add_fd(e, FUZZ_FD_VM, vm);
		for (i = rng_below(r, 3); vm >= 0 && i; i--) {
			fuzz_count(ioctls, 1);
			add_fd(e, FUZZ_FD_VCPU, ioctl(vm, HV_CREATE_VCPU, i));
		}
	}
	add_fd(e, FUZZ_FD_OTHER, open("/dev/null", O_RDWR));
	add_fd(e, FUZZ_FD_OTHER, eventfd(0, EFD_NONBLOCK));
	if (!pipe2(fds, O_NONBLOCK)) {
		add_fd(e, FUZZ_FD_OTHER, fds[0]);
		add_fd(e, FUZZ_FD_OTHER, fds[1]);
	}
}

static void close_episode(struct episode *e)
{
	int i;

	for (i = 0; i < e->nmaps; i++)
		munmap(e->maps[i].p, e->maps[i].len);
	close_range(FIRST_FD, ~0U, 0);
}

static void episode(struct fuzz_rng *r, struct fuzz_mem *m)
{
	struct episode e = { .r = r, .m = m };
	struct hv_guest g;
	int n, op;

	open_episode(&e, &g);
	for (n = 50 + rng_below(r, 250); n && !fuzz_stats->why[0]; n--) {
		op = rng_below(r, 100);
		if (op < 55)
			table_ioctl(&e);
		else if (op < 65)
			random_ioctl(&e);
		else if (op < 80)
			slot_op(&e, pick_fd(&e, rng_chance(r, 90) ?
					    FUZZ_FD_VM : -1, NULL));
		else if (op < 88)
			run_op(&e);
		else if (op < 92)
			mmap_op(&e);
		else if (op < 95)
			read_write_op(&e);
		else if (op < 99)
			close_op(&e);
		else
			fork_op(&e);
	}
	close_episode(&e);
}

int fuzz_ioctls(const struct fuzz_opts *o)
{
	struct fuzz_rng phase, r;
	struct fuzz_mem m;
	double start = fuzz_now();
	unsigned long n;

	if (fuzz_mem_init(&m)) {
		fuzz_fail("cannot map memory: %s", strerror(errno));
		return -1;
	}
	rng_seed(&phase, o->seed);
	fuzz_guard_start(15000);
	for (n = 0; !fuzz_phase_done(o, start, n) && !fuzz_stats->why[0]; n++) {
		rng_fork(&r, &phase);
		episode(&r, &m);
		fuzz_count(cases, 1);
	}
	fuzz_guard_stop();
	return fuzz_stats->why[0] ? -1 : 0;
}
