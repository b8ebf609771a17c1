// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz: random numbers, hostile memory, guarded KVM_RUN (fuzz.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

struct fuzz_stats *fuzz_stats;

void fuzz_doing(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fuzz_stats->doing, sizeof(fuzz_stats->doing), fmt, ap);
	va_end(ap);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	if (fuzz_stats->why[0])
		return;		/* the first reason counts */
	va_start(ap, fmt);
	vsnprintf(fuzz_stats->why, sizeof(fuzz_stats->why), fmt, ap);
	va_end(ap);
}

double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int fuzz_phase_done(const struct fuzz_opts *o, double start,
		    unsigned long cases)
{
	if (o->iterations && cases >= o->iterations)
		return 1;
	return fuzz_now() - start >= o->seconds;
}

/* ---- Random numbers ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct fuzz_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct fuzz_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void rng_fork(struct fuzz_rng *child, struct fuzz_rng *r)
{
	rng_seed(child, rng_next(r));
}

uint64_t rng_interesting(struct fuzz_rng *r)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x1f, 0x20, 0x3f, 0x40,
		0x7f, 0x80, 0xff, 0x100, 0x101, 0x1ff, 0x200, 0x3ff, 0x400,
		0xfff, 0x1000, 0x1001, 0x7fff, 0x8000, 0xffff, 0x10000,
		0xfffff, 0x100000, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff, 0x100000000ULL, 0xfffffffffULL,
		0x7fffffffffffULL, 0x800000000000ULL, 0xffff800000000000ULL,
		0xffff888000000000ULL, 0xffffffff81000000ULL,
		0xfffffffffffff000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~1ULL, ~0ULL,
	};
	uint64_t v;

	switch (rng_below(r, 4)) {
	case 0:
	case 1:
		return rng_pick(r, edges);
	case 2:		/* a power of two, maybe off by one */
		v = 1ULL << rng_below(r, 64);
		return v + (int)rng_below(r, 3) - 1;
	default:	/* a negative number */
		return -(uint64_t)rng_below(r, 0x1000);
	}
}

uint64_t rng_value(struct fuzz_rng *r)
{
	switch (rng_below(r, 6)) {
	case 0:
		return rng_next(r) & 0xff;
	case 1:
		return rng_next(r) & 0xffff;
	case 2:
		return rng32(r);
	case 3:
		return rng_next(r);
	default:
		return rng_interesting(r);
	}
}

void rng_fill(struct fuzz_rng *r, void *p, size_t n)
{
	unsigned char *b = p;
	size_t i, k;

	switch (rng_below(r, 4)) {
	case 0:
		memset(b, 0, n);
		break;
	case 1:
		memset(b, 0xff, n);
		break;
	default:
		for (i = 0; i < n; i++)
			b[i] = rng_next(r);
		break;
	}
	/* Edge values where counts, sizes and flags live. */
	for (k = rng_below(r, 8); k && n >= 8; k--) {
		uint64_t v = rng_interesting(r);

		i = rng_below(r, 4) ? rng_below(r, n / 8) * 8 : 0;
		memcpy(b + i, &v, rng_chance(r, 50) ? 4 : 8);
	}
}

/* ---- Hostile memory ---- */

int fuzz_mem_init(struct fuzz_mem *m)
{
	void *p = mmap(NULL, FUZZ_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	m->arena = p;
	m->guard = m->arena + FUZZ_ARENA;
	m->ro = m->guard + HV_PAGE;
	if (mprotect(m->arena, FUZZ_ARENA, PROT_READ | PROT_WRITE) ||
	    mprotect(m->ro, HV_PAGE, PROT_READ))
		return -1;
	m->hole = fuzz_unmapped(HV_PAGE);
	return m->hole ? 0 : -1;
}

void *fuzz_unmapped(size_t size)
{
	void *want = (void *)FUZZ_LOW_HOLE, *p;

	if (size > FUZZ_LOW_HOLE_SIZE)
		return NULL;
	p = mmap(want, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p, size);
	return p == want ? p : NULL;
}

struct hv_run *fuzz_map_vcpu(int fd)
{
	void *p = mmap(NULL, FUZZ_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	void *run;

	if (p == MAP_FAILED)
		return NULL;
	run = mmap(p, 3 * HV_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, fd, 0);
	if (run == MAP_FAILED) {
		munmap(p, FUZZ_RESERVE);
		return NULL;
	}
	return run;
}

void *fuzz_pointer(struct fuzz_rng *r, struct fuzz_mem *m, size_t size,
		   void *extra)
{
	static const uint64_t bad[] = {
		0, 1, 0x1000, 0xffff888000000000ULL, 0xffffffff81000000ULL,
		0xffffffffff600000ULL, 0x800000000000ULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 7,
	};
	size_t room = size < FUZZ_ARENA ? size : FUZZ_ARENA;
	unsigned char *p;

	switch (rng_below(r, 16)) {
	case 0:
		return (void *)(uintptr_t)rng_pick(r, bad);
	case 1:
		return m->hole + rng_below(r, HV_PAGE);
	case 2:
		return m->ro;
	case 3:		/* the last bytes before the guard page */
		p = m->guard - (room ? rng_below(r, room) + 1 : 1);
		break;
	case 4:
		p = m->guard - room;	/* ends exactly at the guard */
		break;
	case 5:
		p = m->arena + 1 + rng_below(r, 7);	/* misaligned */
		break;
	case 6:
		if (extra)
			return extra;
		/* fall through */
	default:
		p = m->arena;
		break;
	}
	rng_fill(r, p, m->guard - p < (long)room ? (size_t)(m->guard - p) : room);
	return p;
}

uint64_t fuzz_user_addr(struct fuzz_rng *r, struct fuzz_mem *m)
{
	switch (rng_below(r, 12)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)m->hole;
	case 2:
		return (uintptr_t)m->ro;
	case 3:
		return (uintptr_t)m->guard;
	case 4:
		return (uintptr_t)m->arena + rng_below(r, FUZZ_ARENA);
	case 5:
		return rng_interesting(r);
	case 6:
		return rng_next(r) & ~0xfffULL;
	default:
		return (uintptr_t)m->arena + HV_PAGE * rng_below(r, 16);
	}
}

/* ---- Running guests ---- */

int fuzz_on_qemu;

void fuzz_fix_sregs(void *sregs)
{
	struct hv_sregs *s = sregs;

	if (!fuzz_on_qemu)
		return;
	s->tr.present = 1;
	s->tr.s = 0;
	s->tr.type = (s->tr.type & 8) | 1;	/* available 16- or 32-bit TSS */
	/* LME only with paging on (so with PAE, or SET_SREGS refuses it). */
	if (!(s->cr0 & FUZZ_CR0_PG) || !(s->cr4 & FUZZ_CR4_PAE))
		s->efer &= ~FUZZ_EFER_LME;
}

static void on_signal(int sig)
{
}

void fuzz_guard_start(long period_us)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval it = {
		.it_value.tv_usec = period_us,
		.it_interval.tv_usec = period_us,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (period_us)
		setitimer(ITIMER_REAL, &it, NULL);
}

void fuzz_guard_stop(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

int fuzz_if_at_entry;

uint64_t fuzz_rflags(uint64_t flags)
{
	return fuzz_if_at_entry ? flags | FUZZ_RFLAGS_IF : flags;
}

/* With --if-at-entry, the guest's IF set before it is entered (fuzz.h). */
static void set_if(int vcpu)
{
	struct hv_regs regs;

	if (!fuzz_if_at_entry || ioctl(vcpu, HV_GET_REGS, &regs) ||
	    (regs.rflags & FUZZ_RFLAGS_IF))
		return;
	regs.rflags |= FUZZ_RFLAGS_IF;
	ioctl(vcpu, HV_SET_REGS, &regs);
}

int fuzz_run(int vcpu)
{
	double t;
	unsigned long ms, old;
	int r, e;

	set_if(vcpu);
	t = fuzz_now();
	fuzz_count(runs, 1);
	r = ioctl(vcpu, HV_RUN, 0);
	e = errno;
	if (!r)
		fuzz_count(exits, 1);
	ms = (fuzz_now() - t) * 1000;
	old = __atomic_load_n(&fuzz_stats->longest_run_ms, __ATOMIC_RELAXED);
	while (ms > old &&
	       !__atomic_compare_exchange_n(&fuzz_stats->longest_run_ms, &old,
					    ms, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	if (ms > FUZZ_RUN_LIMIT_MS)
		fuzz_fail("KVM_RUN took %lu ms despite the timer (%s)", ms,
			  fuzz_stats->doing);
	errno = e;
	return r;
}

void fuzz_complete_exit(struct fuzz_rng *r, struct hv_run *run,
			size_t map_size)
{
	uint64_t off, len;

	switch (run->exit_reason) {
	case HV_EXIT_IO:
		if (run->io.direction != HV_EXIT_IO_IN)
			break;
		off = run->io.data_offset;
		len = (uint64_t)run->io.size * run->io.count;
		if (off < map_size && len <= map_size - off)
			rng_fill(r, (unsigned char *)run + off, len);
		break;
	case HV_EXIT_MMIO:
		if (!run->mmio.is_write)
			rng_fill(r, run->mmio.data, sizeof(run->mmio.data));
		break;
	}
}

int fuzz_exit_is_final(const struct hv_run *run)
{
	switch (run->exit_reason) {
	case HV_EXIT_HLT:
	case HV_EXIT_SHUTDOWN:
	case HV_EXIT_FAIL_ENTRY:
	case HV_EXIT_INTERNAL_ERROR:
		return 1;
	}
	return 0;
}
