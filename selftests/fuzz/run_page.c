// SPDX-License-Identifier: GPL-2.0
/*
 * hv_fuzz, phase run_page: userspace scribbles on the run page.
 *
 * A guest loops over port I/O (each size, string forms with REP) and
 * MMIO reads and writes of each width.  Between KVM_RUN calls the fuzzer
 * changes what the kernel shares with it: the fields of the exit it is
 * about to complete (io.data_offset, io.count, io.size, io.direction,
 * mmio.len, mmio.data...), immediate_exit, exit_reason,
 * request_interrupt_window, cr8, the sync-register words, random bytes
 * anywhere in the first page and in the I/O data page.  KVM_RUN must
 * return 0 or an errno, and never hang (the timer guard interrupts it).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz.h"

GUEST(rp_real, ".code16",
	"1: in $0x10, %al; out %al, $0x11; mov $0x3f8, %dx;"
	"in %dx, %ax; out %ax, %dx; inl %dx, %eax; outl %eax, %dx;"
	"mov $0x9000, %di; mov $5, %cx; rep insb;"
	"mov $0x9000, %si; mov $3, %cx; rep outsw;"
	"mov $0x9100, %di; mov $2, %cx; rep insl;"
	"hlt; jmp 1b");

GUEST(rp_prot, ".code32",
	"1: in $0x10, %al; out %al, $0x11; mov $0x3f8, %dx;"
	"in %dx, %ax; out %ax, %dx; in %dx, %eax; out %eax, %dx;"
	"mov $0x90000, %edi; mov $7, %ecx; rep insw;"
	"mov $0x90000, %esi; mov $9, %ecx; rep outsb;"
	"mov 0x10000000, %eax; mov %eax, 0x10000008;"
	"movb 0x10000001, %bl; movw %bx, 0x10000002;"
	"movzbl 0x10000010, %ecx; addl $1, 0x10000020;"
	"mov $0x10000100, %esi; mov $0x90100, %edi; mov $4, %ecx; rep movsl;"
	"hlt; jmp 1b");

GUEST(rp_long, ".code64",
	"1: in $0x10, %al; out %al, $0x11; mov $0x3f8, %dx;"
	"in %dx, %eax; out %eax, %dx;"
	"mov $0x90000, %edi; mov $3, %ecx; rep insl;"
	"mov $0x10000000, %ebx; mov (%rbx), %rax; mov %rax, 8(%rbx);"
	"movl (%rbx), %ecx; movw %cx, 16(%rbx); movb $7, 24(%rbx);"
	"xchg %rax, 32(%rbx); lock cmpxchg %rcx, 40(%rbx);"
	"mov $0x90200, %edi; mov %rbx, %rsi; mov $2, %ecx; rep movsq;"
	"hlt; jmp 1b");

/* Values that break a field: zero, one, the page ends, huge. */
static uint64_t bad_value(struct fuzz_rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 255, 256, 4095, 4096, 4097,
		8191, 8192, 12287, 12288, 12289, 65535, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ULL, ~0ULL, ~0ULL - 4095,
	};

	return rng_chance(r, 70) ? rng_pick(r, v) : rng_value(r);
}

/* One change to what the kernel shares with userspace. */
static void scribble(struct fuzz_rng *r, struct hv_run *run)
{
	unsigned char *page = (unsigned char *)run;
	uint64_t v = bad_value(r);

	switch (rng_below(r, 16)) {
	case 0:
		run->io.data_offset = v;
		break;
	case 1:
		run->io.count = v;
		break;
	case 2:
		run->io.size = v;
		break;
	case 3:
		run->io.direction = v;
		break;
	case 4:
		run->io.port = v;
		break;
	case 5:
		run->mmio.len = v;
		break;
	case 6:
		rng_fill(r, run->mmio.data, sizeof(run->mmio.data));
		break;
	case 7:
		run->mmio.phys_addr = rng_chance(r, 50) ? v : MMIO_GPA;
		run->mmio.is_write = rng_next(r);
		break;
	case 8:
		run->immediate_exit = rng_chance(r, 50) ? 1 : rng_next(r);
		break;
	case 9:
		run->exit_reason = rng_chance(r, 50) ? rng_below(r, 40) : v;
		break;
	case 10:
		run->request_interrupt_window = rng_next(r);
		break;
	case 11:
		run->cr8 = rng_chance(r, 50) ? rng_below(r, 17) : v;
		run->apic_base = rng_chance(r, 50) ? 0xfee00900 : v;
		break;
	case 12:
		run->kvm_valid_regs = rng_chance(r, 50) ? rng_below(r, 8) : v;
		run->kvm_dirty_regs = rng_chance(r, 50) ? rng_below(r, 8) : v;
		break;
	case 13:	/* the I/O data page */
		rng_fill(r, page + HV_PAGE + rng_below(r, HV_PAGE - 16), 16);
		break;
	default: {	/* anywhere in the first page */
		size_t off = rng_below(r, HV_PAGE - 8);

		memcpy(page + off, &v, 1 << rng_below(r, 4));
		break;
	}
	}
}

/* One guest: KVM_RUN, complete (or not), scribble, KVM_RUN again. */
static void one_guest(struct fuzz_rng *r, unsigned long n, int *failures)
{
	static const struct { const unsigned char *start, *end; } code[] = {
		{ rp_real, rp_real_end },
		{ rp_prot, rp_prot_end },
		{ rp_long, rp_long_end },
	};
	enum hv_guest_mode mode = rng_below(r, 3);
	int i, k, runs = 20 + rng_below(r, 200), eintr = 0;
	struct hv_guest g;

	fuzz_doing("run_page guest %lu (mode %d)", n, mode);
	fuzz_count(ioctls, 8);
	if (hv_guest_create(&g, mode, code[mode].start,
			    code[mode].end - code[mode].start)) {
		hv_guest_destroy(&g);
		if (++*failures >= 20)
			fuzz_fail("cannot create a guest 20 times in a row: %s",
				  strerror(errno));
		return;
	}
	*failures = 0;
	if (fuzz_on_qemu) {
		struct hv_sregs s;

		if (!ioctl(g.vcpu, HV_GET_SREGS, &s)) {
			fuzz_fix_sregs(&s);
			ioctl(g.vcpu, HV_SET_SREGS, &s);
		}
	}
	for (i = 0; i < runs; i++) {
		/* On QEMU, no register state from the run page: see fuzz.h. */
		if (fuzz_on_qemu)
			g.run->kvm_dirty_regs = 0;
		if (fuzz_run(g.vcpu) && errno == EINTR && ++eintr > 50)
			break;
		if (rng_chance(r, 60))
			fuzz_complete_exit(r, g.run, 3 * HV_PAGE);
		for (k = rng_below(r, 4); k; k--)
			scribble(r, g.run);
		/* Now and then a clean run page, so the guest goes on. */
		if (rng_chance(r, 10)) {
			g.run->immediate_exit = 0;
			g.run->kvm_valid_regs = 0;
			g.run->kvm_dirty_regs = 0;
			g.run->cr8 = 0;
		}
	}
	hv_guest_destroy(&g);
}

int fuzz_run_page(const struct fuzz_opts *o)
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
