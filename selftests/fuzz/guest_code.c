// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz, phase guest_code: random guests.
 *
 * Each case is a fresh VM whose guest runs a random instruction mix
 * (x86_gen.c) from a random mode and state: real, protected or long
 * mode, exception handlers that halt or return (or none, so that the
 * first exception triple-faults), random registers and flags, and at
 * times segments, control registers and CPUID mutated at random (a state
 * KVM_SET_SREGS refuses is simply not used).  The guest runs for a
 * bounded number of exits; port I/O and MMIO reads get random data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz.h"

#define HANDLER_GPA	0x8000UL	/* exception handler stubs */
#define RM_DATA		0x9000UL	/* real mode: random data, to 0xe000 */

/* Long mode: identity-map 4 GiB (hv_guest.c maps the first GiB). */
static void map_4gib(struct hv_guest *g)
{
	uint64_t *pdpt = (uint64_t *)(g->mem + PML4_GPA + 0x1000);
	uint64_t *pd;
	int i, j;

	for (i = 1; i < 4; i++) {
		pd = (uint64_t *)(g->mem + PML4_GPA + 0x2000 + i * 0x1000);
		pdpt[i] = (PML4_GPA + 0x2000 + i * 0x1000) | 3;
		for (j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30) | ((uint64_t)j << 21) | 0x83;
	}
}

static int has_error_code(int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) ||
	       vector == 17 || vector == 21 || vector == 29 || vector == 30;
}

/*
 * Handler stubs: HLT (the run ends), IRET (traps return; a fault comes
 * back, until the timer ends the run), IRET after popping an error code.
 * The IDT (or real-mode IVT) points every vector at one of them, or,
 * left empty, makes every exception a triple fault.
 */
static void setup_handlers(struct fuzz_rng *r, struct hv_guest *g)
{
	static const unsigned char hlt[] = { 0xf4, 0xeb, 0xfd };
	static const unsigned char iret64[] = { 0x48, 0xcf };
	static const unsigned char pop32[] = { 0x83, 0xc4, 0x04, 0xcf };
	static const unsigned char pop64[] = { 0x48, 0x83, 0xc4, 0x08,
					       0x48, 0xcf };
	int how = rng_below(r, 4), v, stub;
	uint32_t *ivt = (uint32_t *)g->mem;

	hv_guest_poke(g, HANDLER_GPA, hlt, sizeof(hlt));
	if (g->mode == HV_MODE_LONG) {
		hv_guest_poke(g, HANDLER_GPA + 0x10, iret64, sizeof(iret64));
		hv_guest_poke(g, HANDLER_GPA + 0x20, pop64, sizeof(pop64));
	} else {
		g->mem[HANDLER_GPA + 0x10] = 0xcf;
		hv_guest_poke(g, HANDLER_GPA + 0x20, pop32, sizeof(pop32));
	}
	if (how == 0)
		return;		/* no handlers */
	for (v = 0; v < 256; v++) {
		stub = how == 1 ? 0 : how == 2 ? 1 : rng_below(r, 2);
		if (g->mode == HV_MODE_REAL) {
			ivt[v] = HANDLER_GPA + 0x10 * stub;
			continue;
		}
		if (stub && has_error_code(v))
			stub = 2;
		hv_guest_set_idt(g, v, HANDLER_GPA + 0x10 * stub);
	}
}

static uint64_t reg_value(struct fuzz_rng *r)
{
	switch (rng_below(r, 5)) {
	case 0:
		return MMIO_GPA + rng_below(r, 0x1000);
	case 1:
		return DATA_GPA + rng_below(r, 0x1000);
	case 2:
		return rng_below(r, 0x100);
	case 3:
		return rng_value(r);
	default:
		return 0;
	}
}

static void randomize_regs(struct fuzz_rng *r, struct hv_guest *g)
{
	struct hv_regs regs;
	uint64_t *gpr = (uint64_t *)&regs;
	int i;

	if (ioctl(g->vcpu, HV_GET_REGS, &regs))
		return;
	fuzz_count(ioctls, 2);
	for (i = 0; i < 16; i++)
		if (i != 6)	/* RSP */
			gpr[i] = reg_value(r);
	if (rng_chance(r, 5))
		regs.rsp = rng_value(r);
	if (rng_chance(r, 30))
		regs.rflags = 2 | (rng32(r) & 0x3f7fd5);
	ioctl(g->vcpu, HV_SET_REGS, &regs);
}

/* Real mode: unreal segments, or the data segment's base on MMIO. */
static void real_mode_segments(struct fuzz_rng *r, struct hv_sregs *s)
{
	struct hv_segment *seg[] = { &s->ds, &s->es, &s->fs, &s->gs };
	int i;

	if (rng_chance(r, 30)) {
		for (i = 0; i < 4; i++) {
			seg[i]->limit = 0xffffffff;
			seg[i]->g = 1;
		}
	}
	if (rng_chance(r, 40))
		s->ds.base = MMIO_GPA;
	if (rng_chance(r, 20))
		s->fs.base = MMIO_GPA + 0x10000;
}

/* Flip bits and set fields of the segment and control registers. */
static void mutate_sregs(struct fuzz_rng *r, struct hv_sregs *s)
{
	unsigned char *b = (unsigned char *)s;
	int n = 1 + rng_below(r, 4);
	uint64_t v;
	size_t off;

	while (n--) {
		switch (rng_below(r, 4)) {
		case 0:
		case 1:
			b[rng_below(r, sizeof(*s))] ^= 1 << rng_below(r, 8);
			break;
		case 2:
			v = rng_value(r);
			off = rng_below(r, sizeof(*s) / 8) * 8;
			memcpy(b + off, &v, 1 << rng_below(r, 4));
			break;
		default:	/* a pending interrupt */
			v = rng_below(r, 256);
			s->interrupt_bitmap[v / 64] |= 1ULL << (v % 64);
			break;
		}
	}
}

static void randomize_sregs(struct fuzz_rng *r, struct hv_guest *g)
{
	struct hv_sregs s;
	int changed = 0;

	if (ioctl(g->vcpu, HV_GET_SREGS, &s))
		return;
	fuzz_count(ioctls, 1);
	if (g->mode == HV_MODE_REAL && rng_chance(r, 60)) {
		real_mode_segments(r, &s);
		changed = 1;
	}
	if (rng_chance(r, 25)) {
		mutate_sregs(r, &s);
		changed = 1;
	}
	if (fuzz_on_qemu) {
		fuzz_fix_sregs(&s);
		changed = 1;
	}
	if (changed) {
		fuzz_count(ioctls, 1);
		/* EINVAL is fine; but on QEMU the TR must change anyway. */
		if (ioctl(g->vcpu, HV_SET_SREGS, &s) && fuzz_on_qemu &&
		    !ioctl(g->vcpu, HV_GET_SREGS, &s)) {
			fuzz_fix_sregs(&s);
			ioctl(g->vcpu, HV_SET_SREGS, &s);
		}
	}
}

/* The supported CPUID with a few bits, leaves or the count changed. */
static void mutate_cpuid(struct fuzz_rng *r, struct hv_guest *g)
{
	struct hv_cpuid2 *c;
	struct hv_cpuid_entry2 *e;
	int n;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return;
	c->nent = 256;
	fuzz_count(ioctls, 2);
	if (ioctl(g->dev, HV_GET_SUPPORTED_CPUID, c) || !c->nent)
		goto out;
	for (n = 1 + rng_below(r, 4); n; n--) {
		e = &c->entries[rng_below(r, c->nent)];
		switch (rng_below(r, 4)) {
		case 0:
			(&e->eax)[rng_below(r, 4)] ^= 1U << rng_below(r, 32);
			break;
		case 1:
			(&e->eax)[rng_below(r, 4)] = rng_value(r);
			break;
		case 2:
			e->function = rng_chance(r, 50) ? rng_value(r) :
				      e->function ^ 1;
			break;
		default:
			c->nent = rng_below(r, c->nent + 1);
			break;
		}
	}
	ioctl(g->vcpu, HV_SET_CPUID2, c);
out:
	free(c);
}

void fuzz_guest_randomize(struct fuzz_rng *r, struct hv_guest *g)
{
	if (g->mode == HV_MODE_LONG)
		map_4gib(g);
	setup_handlers(r, g);
	if (g->mode == HV_MODE_REAL)
		rng_fill(r, g->mem + RM_DATA, 0xe000 - RM_DATA);
	/* Random data, for VMCBs, far pointers, XRSTOR...; zeros above. */
	rng_fill(r, g->mem + DATA_GPA, 4 * HV_PAGE);
	if (rng_chance(r, 10))
		mutate_cpuid(r, g);
	randomize_sregs(r, g);
	randomize_regs(r, g);
}

static const char *const mode_names[] = { "real", "protected", "long" };

/* One random guest, run for a bounded number of exits. */
static void one_guest(struct fuzz_rng *r, unsigned long n, int *failures)
{
	unsigned char code[8192];
	struct fuzz_code c = {
		.buf = code, .cap = sizeof(code), .rng = r,
		.mode = rng_below(r, 3),
	};
	struct hv_guest g;
	int i, max_exits, eintr = 0;

	fuzz_code_random(&c, 1 + rng_below(r, 24));
	if (rng_chance(r, 20))
		fuzz_code_jump_to(&c, 0);
	else
		fuzz_code_byte(&c, 0xf4);
	fuzz_doing("guest %lu: %s mode, %zu bytes of code", n,
		   mode_names[c.mode], c.len);
	fuzz_count(ioctls, 8);
	if (hv_guest_create(&g, c.mode, code, c.len)) {
		hv_guest_destroy(&g);
		if (++*failures >= 20)
			fuzz_fail("cannot create a guest 20 times in a row: %s",
				  strerror(errno));
		return;
	}
	*failures = 0;
	fuzz_guest_randomize(r, &g);
	max_exits = 16 + rng_below(r, 112);
	for (i = 0; i < max_exits; i++) {
		if (fuzz_run(g.vcpu)) {
			if (errno == EINTR && ++eintr < 4)
				continue;
			break;
		}
		if (fuzz_exit_is_final(g.run))
			break;
		fuzz_complete_exit(r, g.run, 3 * HV_PAGE);
	}
	hv_guest_destroy(&g);
}

int fuzz_guest_code(const struct fuzz_opts *o)
{
	struct fuzz_rng phase, r;
	double start = fuzz_now();
	unsigned long n;
	int failures = 0;

	rng_seed(&phase, o->seed);
	fuzz_guard_start(15000);
	for (n = 0; !fuzz_phase_done(o, start, n) && !fuzz_stats->why[0]; n++) {
		rng_fork(&r, &phase);
		one_guest(&r, n, &failures);
		fuzz_count(cases, 1);
	}
	fuzz_guard_stop();
	return fuzz_stats->why[0] ? -1 : 0;
}
