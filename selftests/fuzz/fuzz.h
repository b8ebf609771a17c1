/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_fuzz: what the phases share (selftests/hv_fuzz.c runs them).
 *
 * Each phase runs in a child process of its own and gets the options, its
 * time budget and a seed.  Everything random comes from struct fuzz_rng,
 * seeded from that seed, so a run repeats from its seed.  Counts go to
 * struct fuzz_stats, a MAP_SHARED page the parent reads after the child
 * has ended.
 */
#ifndef HV_FUZZ_H
#define HV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "../hv_guest.h"
#include "../hv_util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FUZZ_MAX_THREADS 16

/* ---- Options and results ---- */

struct fuzz_opts {
	uint64_t seed;
	double seconds;		/* this phase's budget */
	unsigned long iterations;	/* cases per phase; 0: until the budget */
	int threads;
};

/* Counted by the children, read by the parent. */
struct fuzz_stats {
	unsigned long ioctls;	/* ioctls on the device's fds */
	unsigned long runs;	/* KVM_RUN calls */
	unsigned long exits;	/* KVM_RUN calls that returned 0 */
	unsigned long slot_ops;	/* KVM_SET_USER_MEMORY_REGION calls */
	unsigned long kills;	/* SIGKILLs sent to processes running guests */
	unsigned long cases;	/* episodes, guests or rounds of this phase */
	unsigned long longest_run_ms;	/* the slowest KVM_RUN */
	char doing[160];	/* what the phase does now, for a hang report */
	char why[256];		/* why a child failed */
};

extern struct fuzz_stats *fuzz_stats;

#define fuzz_count(field, n) \
	__atomic_fetch_add(&fuzz_stats->field, (n), __ATOMIC_RELAXED)

/* Note what the phase is doing (printf-style), for a hang report. */
void fuzz_doing(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Say why the phase fails; the child then exits with status 1. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds since some fixed point (CLOCK_MONOTONIC). */
double fuzz_now(void);

/* Whether a phase started at START has used up its budget or cases. */
int fuzz_phase_done(const struct fuzz_opts *o, double start,
		    unsigned long cases);

/* ---- Random numbers: xoshiro256**, seeded through splitmix64 ---- */

struct fuzz_rng {
	uint64_t s[4];
};

void rng_seed(struct fuzz_rng *r, uint64_t seed);
uint64_t rng_next(struct fuzz_rng *r);
/* A new generator whose seed comes from R: one per case or thread. */
void rng_fork(struct fuzz_rng *child, struct fuzz_rng *r);

static inline uint32_t rng32(struct fuzz_rng *r)
{
	return rng_next(r) >> 32;
}

/* 0 .. n-1 (0 when n is 0). */
static inline uint64_t rng_below(struct fuzz_rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* True with probability PERCENT / 100. */
static inline int rng_chance(struct fuzz_rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

#define rng_pick(r, array) ((array)[rng_below((r), ARRAY_SIZE(array))])

/* A value from the edges: 0, 1, ~0, powers of two and their neighbours... */
uint64_t rng_interesting(struct fuzz_rng *r);
/* Interesting or random, of any width. */
uint64_t rng_value(struct fuzz_rng *r);
/* Fill N bytes at P with random bytes and interesting values. */
void rng_fill(struct fuzz_rng *r, void *p, size_t n);

/* ---- Hostile memory ---- */

/*
 * Memory to point ioctls at: an arena of FUZZ_ARENA bytes followed by an
 * inaccessible guard page, a read-only page, and the address of a page
 * that was mapped and then unmapped.
 *
 * The kernel writes through these pointers, and guests write to the
 * memory behind their slots (of up to 4 GiB), so what they reach must
 * never be the fuzzer's own memory.  The arena and the vCPU mappings are
 * each at the start of FUZZ_RESERVE bytes of inaccessible address space;
 * unmapped addresses are taken below the (static, non-PIE) executable,
 * where no later mmap() puts anything (the kernel places those at the
 * top), and slots there are kept below the executable.
 */
#define FUZZ_ARENA		(16 * HV_PAGE)
#define FUZZ_RESERVE		((4UL << 30) + 64 * HV_PAGE)
#define FUZZ_LOW_HOLE		0x100000UL
#define FUZZ_LOW_HOLE_SIZE	(2UL << 20)
#define FUZZ_LOW_END		0x400000UL	/* the executable */

struct fuzz_mem {
	unsigned char *arena;	/* FUZZ_ARENA bytes, then the guard page */
	unsigned char *guard;
	unsigned char *ro;
	unsigned char *hole;
};

/* Sets up M; 0, or -1 with errno. */
int fuzz_mem_init(struct fuzz_mem *m);

/*
 * A pointer for an argument of SIZE bytes: usually to SIZE bytes of
 * random data in the arena (whole, misaligned, or running into the guard
 * page), sometimes NULL, unmapped, read-only, a kernel or non-canonical
 * address.  EXTRA, if not NULL, is one more valid candidate (a run page).
 */
void *fuzz_pointer(struct fuzz_rng *r, struct fuzz_mem *m, size_t size,
		   void *extra);

/*
 * The address of SIZE bytes (at most FUZZ_LOW_HOLE_SIZE) that were mapped
 * and then unmapped, at FUZZ_LOW_HOLE; NULL if that failed.
 */
void *fuzz_unmapped(size_t size);

/*
 * The 3 pages of vCPU FD's mapping, at the start of FUZZ_RESERVE bytes
 * of inaccessible address space (munmap them all); NULL on failure.
 */
struct hv_run *fuzz_map_vcpu(int fd);

/* A user address for a memory slot, good or bad. */
uint64_t fuzz_user_addr(struct fuzz_rng *r, struct fuzz_mem *m);

/* ---- Running guests ---- */

/*
 * Set when the host is QEMU's TCG (its model name says so), whose nested
 * SVM brings the whole emulated machine down on three things a fuzzer does
 * (QEMU 7.2, under KVM as under hv, so neither device could be tested):
 *
 *  - cpu_abort("invalid tss type") when a nested guest takes an
 *    interrupt that changes privilege while its TR is not present or is
 *    marked busy, as VMX wants it and KVM and hv report it: so every
 *    segment state the fuzzer gives a vCPU gets an available TSS in TR
 *    (fuzz_fix_sregs());
 *  - a host left running with paging off after any exit of a nested
 *    guest whose EFER.LME is set while its CR0.PG and CR4.PAE are clear
 *    (a state hardware allows, between enabling long mode and paging):
 *    QEMU's #VMEXIT loads the host's CR0 before its CR4 and EFER, and
 *    refuses to turn paging on over the guest's PAE-less CR4, so the
 *    host's CPU runs away and the kernel reports an RCU stall.  So no
 *    segment state (fuzz_fix_sregs()), KVM_SET_MSRS or guest WRMSR to
 *    EFER sets LME outside long mode.  (A long-mode guest could still
 *    leave it through compatibility mode and clear PAE: rare enough.)
 *  - an assertion (qemu_mutex_lock_iothread) or a segfault once a nested
 *    guest runs with breakpoints enabled in DR7 (KVM lets the guest's DR7
 *    through to the CPU): so no DR7 the fuzzer writes, from the guest or
 *    with KVM_SET_DEBUGREGS / KVM_SET_GUEST_DEBUG, enables a breakpoint.
 *
 * For the same reason KVM_RUN takes no register state from the run page
 * there (kvm_dirty_regs is cleared first: KVM, and hv, would load random
 * segments and flags from it).
 *
 * Elsewhere all of it is fuzzed like everything else.
 */
extern int fuzz_on_qemu;

/*
 * On QEMU, make the struct hv_sregs (or kvm_sregs2: the same layout up
 * to EFER) at P one QEMU survives: an available TSS in TR, EFER.LME only
 * in long mode (a guest with LME and PAE could clear PAE itself).
 */
void fuzz_fix_sregs(void *sregs);

#define FUZZ_CR0_PG	(1ULL << 31)
#define FUZZ_CR4_PAE	(1ULL << 5)
#define FUZZ_EFER_LME	(1ULL << 8)
#define FUZZ_MSR_EFER	0xc0000080

/*
 * Set by --if-at-entry, for Bochs: every KVM_RUN enters the guest with
 * RFLAGS.IF set (fuzz_run() sets it with KVM_SET_REGS where a guest left
 * it clear).  Bochs 2.7 evaluates interrupt masking during VM entry
 * before it marks the CPU as running a guest, so a nested guest entered
 * with IF clear holds off the host's interrupts, the timer's included,
 * until the guest changes IF itself: a guest that then spins never comes
 * back, under KVM as under hv (selftests/thread_test.c shows both).
 * Real CPUs and QEMU exit on the interrupt whatever the guest's IF.
 * That covers only the entries that follow KVM_SET_REGS or an exit to
 * userspace: a guest that clears IF itself is re-entered with IF clear
 * after every exit the kernel handles.  So the generated code
 * (x86_gen.c) does not clear IF either: no CLI or SYSENTER, and the
 * flags that POPF and IRET load keep IF.  What it does not control can
 * still clear IF (random bytes that pop random flags, an exception into
 * a handler of random memory), so a guest can still hang Bochs
 * (Documentation/testing.rst).
 */
extern int fuzz_if_at_entry;

#define FUZZ_RFLAGS_IF	(1ULL << 9)

/* RFLAGS as the fuzzer may give a guest: FLAGS with IF where it must be. */
uint64_t fuzz_rflags(uint64_t flags);

/*
 * SIGALRM every PERIOD_US microseconds, with a handler that does nothing
 * and no SA_RESTART: any KVM_RUN (or other wait) returns with EINTR
 * within a period.  SIGUSR1 gets the same handler, for pthread_kill.
 */
void fuzz_guard_start(long period_us);
void fuzz_guard_stop(void);

/*
 * KVM_RUN on VCPU, counted; returns its result (0, or -1 with errno).
 * A KVM_RUN slower than FUZZ_RUN_LIMIT_MS despite the guard fails the phase.
 */
#define FUZZ_RUN_LIMIT_MS	10000
int fuzz_run(int vcpu);

/*
 * Complete the exit RUN reports (a mapping of MAP_SIZE bytes), as a VMM
 * would with random data: the data of an IN, the value of an MMIO read.
 * Only memory inside the mapping is written, whatever the run page says.
 */
void fuzz_complete_exit(struct fuzz_rng *r, struct hv_run *run,
			size_t map_size);

/* Whether an exit ends a guest: HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR. */
int fuzz_exit_is_final(const struct hv_run *run);

/* ---- The phases: each returns 0, or -1 after fuzz_fail() ---- */

int fuzz_ioctls(const struct fuzz_opts *o);
int fuzz_run_page(const struct fuzz_opts *o);
int fuzz_guest_code(const struct fuzz_opts *o);
int fuzz_concurrency(const struct fuzz_opts *o);

/* Guest code of the guest_code phase, for the other phases' guests too. */
struct fuzz_code {
	unsigned char *buf;
	size_t len, cap;
	enum hv_guest_mode mode;
	struct fuzz_rng *rng;
};

/* Append NCHUNKS random instruction sequences (MMIO, I/O, MSRs...). */
void fuzz_code_random(struct fuzz_code *c, int nchunks);
/* Append a JMP to offset TARGET of the code, or one byte. */
void fuzz_code_jump_to(struct fuzz_code *c, size_t target);
void fuzz_code_byte(struct fuzz_code *c, uint8_t b);

/*
 * Set up guest G (created with hv_guest_create) for random code: page
 * tables for the first 4 GiB in long mode, exception handlers (or none,
 * for triple faults), random data, registers and perhaps segments,
 * control registers and CPUID mutated at random.  Errors are ignored:
 * a state KVM_SET_SREGS refuses just is not used.
 */
void fuzz_guest_randomize(struct fuzz_rng *r, struct hv_guest *g);

#endif /* HV_FUZZ_H */
