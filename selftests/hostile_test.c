// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests: guests that do what a well-behaved one never does (touch
 * every MSR, every guest-physical address, triple-fault again and again,
 * run every VMX and SVM instruction, arm the debug registers, flood the
 * host with exits, lose their memory while they run).  Each test asserts
 * what KVM gives the guest, and that the host comes out intact: the test
 * process still makes system calls, keeps its TLS, runs further guests,
 * and the kernel prints no warning (the test machines scan the console).
 */
#include <asm/prctl.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_test.h"

static void run(struct __test_metadata *_metadata, struct hv_guest *g)
{
	ASSERT_EQ(0, hv_guest_run(g)) TH_LOG("KVM_RUN: %s", strerror(errno));
}

#define EXPECT_EXIT(g, reason)	ASSERT_EQ(reason, (g)->run->exit_reason)

static void get_regs(struct __test_metadata *_metadata, struct hv_guest *g,
		     struct hv_regs *regs)
{
	ASSERT_EQ(0, ioctl(g->vcpu, HV_GET_REGS, regs));
}

static void set_regs(struct __test_metadata *_metadata, struct hv_guest *g,
		     const struct hv_regs *regs)
{
	ASSERT_EQ(0, ioctl(g->vcpu, HV_SET_REGS, regs));
}

/* A "# " line on stdout, flushed: the harness ends each test with _exit. */
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

static bool host_is_intel(void)
{
	return hv_host_has_cpu_flag("vmx");
}

static bool shutdown_tests_skipped(void)
{
	return hv_machine_says("HV_SKIP_SHUTDOWN_TESTS");
}

/*
 * Where the emulator does not run a nested guest's breakpoints and single
 * steps faithfully (QEMU 7.2 crashes, with KVM as with hv; Bochs' AMD
 * model loses DR6 for KVM), the test machine says HV_SKIP_BREAKPOINT_TESTS=1.
 */
static bool breakpoint_tests_skipped(void)
{
	return hv_machine_says("HV_SKIP_BREAKPOINT_TESTS");
}

/* A small guest that must still run: OUT 0x42 to port 0x10, then HLT. */
GUEST(prot_sane, ".code32", "mov $0x42, %al; out %al, $0x10; hlt");

static void another_guest_runs(struct __test_metadata *_metadata)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_sane, prot_sane_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x10, g.run->io.port);
	EXPECT_EQ(0x42, hv_guest_io_data(&g)[0]);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	hv_guest_destroy(&g);
}

/* ---- The host's own state, which no guest may change ---- */

static __thread volatile unsigned long tls_canary = 0x7e57ab1e;

struct host_state {
	pid_t pid;
	unsigned long fs, gs;
	struct timeval tv;
};

static void host_state_save(struct __test_metadata *_metadata,
			    struct host_state *h)
{
	h->pid = syscall(SYS_getpid);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &h->fs));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &h->gs));
	ASSERT_EQ(0, gettimeofday(&h->tv, NULL));
}

/*
 * After a guest played with its MSRs: the SYSCALL MSRs still lead into
 * the host kernel (a raw syscall works and answers right), FS and GS
 * bases are the host's (arch_prctl, and TLS read through %fs), the clock
 * goes on, and another guest runs.
 */
static void host_state_check(struct __test_metadata *_metadata,
			     const struct host_state *h)
{
	unsigned long fs = 0, gs = 0;
	struct timeval tv;

	EXPECT_EQ(h->pid, syscall(SYS_getpid));
	EXPECT_EQ(getpid(), h->pid);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	EXPECT_EQ(h->fs, fs);
	EXPECT_EQ(h->gs, gs);
	EXPECT_EQ(0x7e57ab1eUL, tls_canary);
	ASSERT_EQ(0, gettimeofday(&tv, NULL));
	EXPECT_LE(h->tv.tv_sec, tv.tv_sec);
	another_guest_runs(_metadata);
}

/* ---- 1. MSR sweep ---- */

/*
 * The guest walks a table of MSR ranges at MSR_TABLE (32-byte entries:
 * first index, count, guest address of the RDMSR #GP bitmap, of the WRMSR
 * #GP bitmap, and the number of indices visited, which the guest writes);
 * a count of 0 ends it.  For each index it does RDMSR; if that did not
 * fault it writes the value back with WRMSR.  The #GP handler sets a flag
 * (R10 / EBP) and steps over the 2-byte instruction.
 *
 * Then it takes the MSRs of MSR_SET (8-byte entries: index, result; their
 * number at MSR_SET - 8) and writes 0, then all-ones, then the original
 * value back: result bit 0, 1, 2 says which write faulted, bit 3 that the
 * RDMSR did (and nothing was written).  MSR_DONE gets 0x600d at the end.
 */
#define MSR_TABLE	0x90000UL
#define MSR_SET		0x98000UL
#define MSR_DONE	0x97ff0UL
#define MSR_BITMAPS	0xa0000UL

GUEST(long_msr_sweep, ".code64",
	"9: mov $" XSTR(MSR_TABLE) ", %ebx;"
	"1: mov 4(%rbx), %r12d; test %r12d, %r12d; jz 5f;"
	"mov 8(%rbx), %r13; mov 16(%rbx), %r14; xor %r15d, %r15d;"
	"2: mov (%rbx), %ecx; add %r15d, %ecx; xor %r10d, %r10d;"
	"rdmsr; test %r10d, %r10d; jnz 3f;"
	"wrmsr; test %r10d, %r10d; jz 4f; bts %r15, (%r14); jmp 4f;"
	"3: bts %r15, (%r13);"
	"4: inc %r15d; cmp %r12d, %r15d; jb 2b;"
	"mov %r15, 24(%rbx); add $32, %rbx; jmp 1b;"
	"5: mov $" XSTR(MSR_SET) ", %ebx; mov -8(%rbx), %r12d; xor %r15d, %r15d;"
	"6: cmp %r12d, %r15d; jae 8f;"
	"mov (%rbx,%r15,8), %ecx; xor %r11d, %r11d; xor %r10d, %r10d;"
	"rdmsr; test %r10d, %r10d; jz 61f; or $8, %r11d; jmp 7f;"
	"61: mov %eax, %r8d; mov %edx, %r9d;"
	"xor %eax, %eax; xor %edx, %edx; wrmsr;"
	"test %r10d, %r10d; jz 62f; or $1, %r11d; xor %r10d, %r10d;"
	"62: mov $-1, %eax; mov $-1, %edx; wrmsr;"
	"test %r10d, %r10d; jz 63f; or $2, %r11d; xor %r10d, %r10d;"
	"63: mov %r8d, %eax; mov %r9d, %edx; wrmsr;"
	"test %r10d, %r10d; jz 7f; or $4, %r11d;"
	"7: mov %r11d, 4(%rbx,%r15,8); inc %r15d; jmp 6b;"
	"8: movl $0x600d, " XSTR(MSR_DONE) "; hlt;"
	".fill 0x400 - (. - 9b), 1, 0xf4;"
	"add $8, %rsp; addq $2, (%rsp); mov $1, %r10d; iretq");

GUEST(prot_msr_sweep, ".code32",
	"9: mov $" XSTR(MSR_TABLE) ", %ebx;"
	"1: cmpl $0, 4(%ebx); je 5f; xor %esi, %esi;"
	"2: mov (%ebx), %ecx; add %esi, %ecx; xor %ebp, %ebp;"
	"rdmsr; test %ebp, %ebp; jnz 3f;"
	"wrmsr; test %ebp, %ebp; jz 4f; mov 16(%ebx), %edi; bts %esi, (%edi); jmp 4f;"
	"3: mov 8(%ebx), %edi; bts %esi, (%edi);"
	"4: inc %esi; cmp 4(%ebx), %esi; jb 2b;"
	"mov %esi, 24(%ebx); add $32, %ebx; jmp 1b;"
	"5: movl $0x600d, " XSTR(MSR_DONE) "; hlt;"
	".fill 0x400 - (. - 9b), 1, 0xf4;"
	"add $4, %esp; addl $2, (%esp); mov $1, %ebp; iret");

struct msr_range {
	uint32_t first, count;
	uint64_t rd_gp, wr_gp, visited;
};

/*
 * Written 0, all-ones, then restored, in long mode.  Left out: EFER (0
 * would clear LME/LMA under the running guest, all-ones sets reserved
 * bits; its write-back in the sweep is kept).  FS/GS base and
 * KERNEL_GS_BASE are in: the guest uses no FS, GS or SWAPGS.
 */
static const uint32_t msr_set[] = {
	0x10,		/* TSC */
	0x1b,		/* APIC_BASE */
	0x174, 0x175, 0x176,	/* SYSENTER_CS/ESP/EIP */
	0x1d9,		/* DEBUGCTL */
	0x277,		/* PAT */
	0x2ff,		/* MTRRdefType */
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,	/* STAR..SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS, GS, KERNEL_GS base */
	0xc0000103,	/* TSC_AUX */
};

static bool bit_set(const unsigned char *map, unsigned int i)
{
	return map[i / 8] & (1 << (i % 8));
}

/* "# WHAT: 0x10 0x1b 0x3a-0x3b ..." for the indices whose bit is clear. */
static unsigned int print_accepted(const char *what, uint32_t first,
				   uint32_t count, const unsigned char *map)
{
	char line[4096];
	size_t len;
	unsigned int i, j, n = 0;

	len = snprintf(line, sizeof(line), "%s 0x%x-0x%x:", what, first,
		       first + count - 1);
	for (i = 0; i < count; i = j) {
		if (bit_set(map, i)) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < count && !bit_set(map, j); j++)
			;
		n += j - i;
		if (len > sizeof(line) - 40) {
			note("%s", line);
			len = snprintf(line, sizeof(line), "%s (more):", what);
		}
		if (j - i == 1)
			len += snprintf(line + len, sizeof(line) - len, " 0x%x",
					first + i);
		else
			len += snprintf(line + len, sizeof(line) - len,
					" 0x%x-0x%x", first + i, first + j - 1);
	}
	note("%s (%u)", line, n);
	return n;
}

static void msr_sweep(struct __test_metadata *_metadata,
		      enum hv_guest_mode mode, const unsigned char *code,
		      const unsigned char *code_end,
		      const struct msr_range *ranges, unsigned int nranges)
{
	struct msr_range *table;
	struct host_state host;
	struct hv_guest g;
	uint64_t *set;
	uint64_t bitmap = MSR_BITMAPS;
	unsigned int i, rd_ok = 0, wr_ok = 0;

	host_state_save(_metadata, &host);
	hv_guest_setup(_metadata, &g, mode, code, code_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x400);
	table = (struct msr_range *)(g.mem + MSR_TABLE);
	for (i = 0; i < nranges; i++) {
		table[i] = ranges[i];
		table[i].rd_gp = bitmap;
		table[i].wr_gp = bitmap + (ranges[i].count + 7) / 8;
		bitmap = table[i].wr_gp + (ranges[i].count + 7) / 8;
		table[i].visited = 0;
	}
	memset(&table[nranges], 0, sizeof(table[0]));
	ASSERT_GT(GUEST_MEM_SIZE, bitmap);
	set = (uint64_t *)(g.mem + MSR_SET);
	if (mode == HV_MODE_LONG) {
		set[-1] = ARRAY_SIZE(msr_set);
		for (i = 0; i < ARRAY_SIZE(msr_set); i++)
			set[i] = msr_set[i];
	}

	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	EXPECT_EQ(0x600d, *(uint32_t *)(g.mem + MSR_DONE));
	for (i = 0; i < nranges; i++) {
		const unsigned char *rd = g.mem + table[i].rd_gp;
		const unsigned char *wr = g.mem + table[i].wr_gp;
		unsigned char wmap[0x2000 / 8];
		unsigned int k;

		EXPECT_EQ(ranges[i].count, table[i].visited)
			TH_LOG("range 0x%x", ranges[i].first);
		rd_ok += print_accepted("rdmsr ok", ranges[i].first,
					ranges[i].count, rd);
		/* Written back: read without #GP and written without #GP. */
		for (k = 0; k < ranges[i].count && k < 0x2000; k++) {
			if (k % 8 == 0)
				wmap[k / 8] = 0;
			if (bit_set(rd, k) || bit_set(wr, k))
				wmap[k / 8] |= 1 << (k % 8);
		}
		wr_ok += print_accepted("wrmsr back ok", ranges[i].first,
					ranges[i].count, wmap);
	}
	note("%s: %u MSRs read, %u written back", hv_device, rd_ok, wr_ok);
	for (i = 0; mode == HV_MODE_LONG && i < ARRAY_SIZE(msr_set); i++) {
		uint32_t r = set[i] >> 32;

		note("msr 0x%x: %s, 0 %s, ~0 %s, restore %s", msr_set[i],
		     r & 8 ? "read #GP" : "read ok", r & 8 ? "-" : r & 1 ? "#GP" : "ok",
		     r & 8 ? "-" : r & 2 ? "#GP" : "ok",
		     r & 8 ? "-" : r & 4 ? "#GP" : "ok");
		/* The value it had is always accepted back. */
		EXPECT_EQ(0, r & 4) TH_LOG("msr 0x%x", msr_set[i]);
	}
	/* Every MSR a long-mode guest needs is there, on hv as on KVM. */
	if (mode == HV_MODE_LONG) {
		const unsigned char *rd = g.mem + table[1].rd_gp;

		EXPECT_FALSE(bit_set(rd, 0x80));	/* EFER */
		EXPECT_FALSE(bit_set(rd, 0x82));	/* LSTAR */
	}
	hv_guest_destroy(&g);
	host_state_check(_metadata, &host);
}

/*
 * Every MSR index of the architectural, AMD-extended and AMD-K8 ranges,
 * the hypervisor range and 0xffffffff, read and written back by a
 * long-mode guest, which must reach its HLT with every index visited;
 * then the host is intact.  Which MSRs are accepted is the device's
 * business (KVM implements many more than hv): it is printed, not asserted.
 */
TEST(msr_sweep_long_mode)
{
	static const struct msr_range ranges[] = {
		{ .first = 0x0, .count = 0x2000 },
		{ .first = 0xc0000000, .count = 0x2000 },
		{ .first = 0xc0010000, .count = 0x2000 },
		{ .first = 0x40000000, .count = 0x100 },
		{ .first = 0xffffffff, .count = 1 },
	};

	msr_sweep(_metadata, HV_MODE_LONG, long_msr_sweep, long_msr_sweep_end,
		  ranges, ARRAY_SIZE(ranges));
}

/* The same from 32-bit protected mode, over fewer indices. */
TEST(msr_sweep_protected_mode)
{
	static const struct msr_range ranges[] = {
		{ .first = 0x0, .count = 0x400 },
		{ .first = 0xc0000000, .count = 0x200 },
		{ .first = 0xc0010000, .count = 0x200 },
	};

	msr_sweep(_metadata, HV_MODE_PROT32, prot_msr_sweep, prot_msr_sweep_end,
		  ranges, ARRAY_SIZE(ranges));
}

/* ---- 2. Guest-physical sweep ---- */

/*
 * A long-mode guest with a second page-table tree: PML4[1] (linear
 * 512 GiB, PHYS_WINDOW) maps 2-MiB pages whose physical addresses the
 * host chooses.  The guest writes then reads each page at offset
 * PHYS_OFFSET (R12 pages, from RDI); the #PF handler at +0x100 reports its
 * error code on port 0xee and steps over the 2-byte MOV.
 */
#define PHYS_WINDOW	(1ULL << 39)
#define PHYS_OFFSET	0xa58
#define PDPT2_GPA	0x23000UL
#define PD2_GPA		0x24000UL

GUEST(long_phys_sweep, ".code64",
	"9: xor %esi, %esi;"
	"1: cmp %r12d, %esi; jae 2f;"
	"mov %esi, %eax; or $0x5a000000, %eax;"
	".byte 0x89, 0x07;"		/* mov %eax, (%rdi) */
	".byte 0x8b, 0x1f;"		/* mov (%rdi), %ebx */
	"add $0x200000, %rdi; inc %esi; jmp 1b;"
	"2: hlt;"
	".fill 0x100 - (. - 9b), 1, 0xf4;"
	"mov (%rsp), %eax; out %eax, $0xee;"
	"add $8, %rsp; addq $2, (%rsp); iretq");

/*
 * Every guest-physical address up to MAXPHYADDR - 1 outside the memory
 * slot, in strides (each power of two from 2 MiB, each 1.5 times one, the
 * last 2 MiB) is MMIO: the write and the read each exit with that address,
 * 4 bytes and the direction, and the read gets the host's data.  A page
 * frame at or above MAXPHYADDR sets reserved PTE bits: the guest gets a
 * #PF with P, RSVD and W/R right in its error code.  Both devices run on
 * the same (emulated) CPU, which does that walk (P in the error code is
 * the CPU's business, see below); if a CPU did not check
 * those bits, the access could only end as an MMIO exit, which is also
 * accepted (and printed) - never as a KVM_RUN error or a host access.
 */
TEST(guest_physical_sweep)
{
	uint64_t targets[512], *pml4, *pdpt2, *pd2;
	unsigned int i, n = 0, nres = 0, maxphy, eax = 0, faults = 0;
	uint32_t last_in = 0;
	struct hv_guest g;
	struct hv_regs regs;
	struct hv_sregs sregs;
	struct host_state host;

	host_state_save(_metadata, &host);
	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_phys_sweep, long_phys_sweep_end);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0x80000008, 0, &eax, NULL, NULL, NULL));
	maxphy = eax & 0xff;
	note("guest MAXPHYADDR %u", maxphy);
	ASSERT_LE(32, maxphy);
	ASSERT_GE(52, maxphy);
	for (i = 21; i < maxphy; i++) {
		targets[n++] = 1ULL << i;
		if (i > 21)
			targets[n++] = (1ULL << i) | (1ULL << (i - 1));
	}
	targets[n++] = (1ULL << maxphy) - (1ULL << 21);
	/* Reserved: at and above MAXPHYADDR, up to PTE bit 51. */
	targets[n + nres++] = 1ULL << maxphy;
	if (maxphy < 51) {
		targets[n + nres++] = (1ULL << 51) | (1ULL << 21);
		targets[n + nres++] = (1ULL << maxphy) | (1ULL << 30);
	}

	pml4 = (uint64_t *)(g.mem + PML4_GPA);
	pdpt2 = (uint64_t *)(g.mem + PDPT2_GPA);
	pd2 = (uint64_t *)(g.mem + PD2_GPA);
	pml4[1] = PDPT2_GPA | 3;
	pdpt2[0] = PD2_GPA | 3;
	for (i = 0; i < n + nres; i++)
		pd2[i] = targets[i] | 0x83;
	hv_guest_set_idt(&g, 14, CODE_GPA + 0x100);
	get_regs(_metadata, &g, &regs);
	regs.r12 = n + nres;
	regs.rdi = PHYS_WINDOW + PHYS_OFFSET;
	set_regs(_metadata, &g, &regs);

	for (i = 0; i < n + nres; i++) {
		uint64_t gpa = targets[i] + PHYS_OFFSET;
		int dir;

		for (dir = 1; dir >= 0; dir--) {
			run(_metadata, &g);
			/* The data of the last MMIO read reached RBX. */
			get_regs(_metadata, &g, &regs);
			EXPECT_EQ(last_in, (uint32_t)regs.rbx);
			if (i >= n && g.run->exit_reason == HV_EXIT_IO) {
				uint32_t ec = 0;

				EXPECT_EQ(0xee, g.run->io.port);
				memcpy(&ec, hv_guest_io_data(&g), 4);
				/*
				 * RSVD, and W/R as the access, supervisor.
				 * P is not asserted: QEMU's CPU leaves it
				 * clear for a reserved-bit fault, where the
				 * SDM sets it.
				 */
				EXPECT_EQ(0x8 | (dir << 1), ec & 0xe)
					TH_LOG("frame 0x%llx", (unsigned long long)targets[i]);
				ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &sregs));
				EXPECT_EQ(PHYS_WINDOW + PHYS_OFFSET + i * (2ULL << 20),
					  sregs.cr2);
				faults++;
				continue;
			}
			ASSERT_EQ(HV_EXIT_MMIO, g.run->exit_reason)
				TH_LOG("frame 0x%llx: exit %u", (unsigned long long)targets[i],
				       g.run->exit_reason);
			if (i >= n)
				note("frame 0x%llx (reserved bits): MMIO exit at 0x%llx",
				     (unsigned long long)targets[i],
				     (unsigned long long)g.run->mmio.phys_addr);
			else
				EXPECT_EQ(gpa, g.run->mmio.phys_addr);
			EXPECT_EQ(4, g.run->mmio.len);
			EXPECT_EQ(dir, g.run->mmio.is_write);
			if (dir) {
				uint32_t v = 0;

				memcpy(&v, g.run->mmio.data, 4);
				EXPECT_EQ(0x5a000000 | i, v);
			} else {
				last_in = 0x12340000 | i;
				memcpy(g.run->mmio.data, &last_in, 4);
			}
		}
	}
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(last_in, (uint32_t)regs.rbx);
	note("%u MMIO pages, %u reserved-bit pages, %u #PF(RSVD)", n, nres, faults);
	hv_guest_destroy(&g);
	host_state_check(_metadata, &host);
}

/* ---- 3. Triple faults ---- */

/* ud2 with an empty IDT; a sane OUT and HLT at +0x10. */
GUEST(any_ud2, ".code32",
	"9: ud2;"
	".fill 0x10 - (. - 9b), 1, 0xf4;"
	"mov $0x42, %al; out %al, $0x10; hlt");

/*
 * 200 triple faults in a row on one vCPU, in real, protected and long
 * mode by turns, each a SHUTDOWN exit after which the test puts the vCPU
 * back with SET_REGS/SET_SREGS; then the same vCPU and a new VM run a
 * normal guest.
 */
TEST(triple_fault_loop)
{
	struct hv_guest g, tmp;
	struct hv_sregs sregs[3], s;
	struct hv_regs regs;
	int i, mode;

	if (shutdown_tests_skipped())
		SKIP(return, "HV_SKIP_SHUTDOWN_TESTS=1: the emulator resets on a triple fault");
	for (mode = 0; mode < 3; mode++) {
		hv_guest_setup(_metadata, &tmp, mode, any_ud2, any_ud2_end);
		ASSERT_EQ(0, ioctl(tmp.vcpu, HV_GET_SREGS, &sregs[mode]));
		hv_guest_destroy(&tmp);
	}
	/* The long-mode guest's memory has the page tables and the GDT. */
	hv_guest_setup(_metadata, &g, HV_MODE_LONG, any_ud2, any_ud2_end);
	for (i = 0; i < 200; i++) {
		mode = i % 3;
		s = sregs[mode];
		s.idt.limit = 0;
		ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s)) TH_LOG("round %d", i);
		memset(&regs, 0, sizeof(regs));
		regs.rip = CODE_GPA;
		regs.rsp = mode == HV_MODE_REAL ? 0x8000 : STACK_TOP;
		regs.rflags = 2;
		set_regs(_metadata, &g, &regs);
		run(_metadata, &g);
		ASSERT_EQ(HV_EXIT_SHUTDOWN, g.run->exit_reason)
			TH_LOG("round %d (mode %d)", i, mode);
		get_regs(_metadata, &g, &regs);
	}
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &sregs[HV_MODE_PROT32]));
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA + 0x10;
	regs.rsp = STACK_TOP;
	regs.rflags = 2;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x42, hv_guest_io_data(&g)[0]);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	hv_guest_destroy(&g);
	another_guest_runs(_metadata);
}

/* ---- 4. VMX and SVM instructions ---- */

/*
 * Each slot N: ESI = N, EDI = where to go on, EAX = 0x5eed (no hypercall
 * number), the instruction, then the slot's result word at VIRT_RES + 4N
 * gets EAX.  The #UD handler (+0xc00) writes 0xdead0006 there instead and
 * counts at VIRT_RES + 0x1fc; #GP (+0xc80) writes 0xdead000d and #PF
 * (+0xd00) 0xdead000e; all go on at EDI.  EBX is the memory operand.
 */
#define VIRT_RES	0xa000UL
#define RES_UD		0xdead0006U
#define RES_GP		0xdead000dU
#define RES_PF		0xdead000eU
#define RES_NONE	0x11111111U
#define HC_ENOSYS32	0xfffffc18U	/* -KVM_ENOSYS, 32 bits */

#define S32A(n, rax, insn)						\
	"mov $" #n ", %esi; mov $(0x1000 + 1f - 9b), %edi;"		\
	"mov $" rax ", %eax;" insn ";"					\
	"mov %eax, " XSTR(VIRT_RES) "(,%esi,4); 1:"
#define S64A(n, rax, insn)						\
	"mov $" #n ", %esi; lea 1f(%rip), %rdi;"			\
	"mov $" rax ", %eax;" insn ";"					\
	"mov %eax, " XSTR(VIRT_RES) "(,%rsi,4); 1:"
#define S32(n, insn)	S32A(n, "0x5eed", insn)
#define S64(n, insn)	S64A(n, "0x5eed", insn)

/* Slots 0-20 with a RAM operand; 21-28 MMIO, 29-36 unmapped. */
#define VIRT_SLOTS(S, R, A)						\
	S(0, "vmxon (" A ")") S(1, "vmxoff")				\
	S(2, "vmclear (" A ")") S(3, "vmptrld (" A ")")			\
	S(4, "vmptrst (" A ")") S(5, "vmread " R "ax, " R "cx")		\
	S(6, "vmwrite " R "cx, " R "ax") S(7, "vmlaunch")		\
	S(8, "vmresume") S(9, "invept (" A "), " R "ax")		\
	S(10, "invvpid (" A "), " R "ax") S(11, "vmcall")		\
	S(12, "vmfunc") S(13, "vmrun") S(14, "vmload")			\
	S(15, "vmsave") S(16, "vmmcall") S(17, "stgi")			\
	S(18, "clgi") S(19, "skinit") S(20, "invlpga")
#define VIRT_MEM_SLOTS(S, B, R, A)					\
	S(B, "vmxon (" A ")") S(B + 1, "vmclear (" A ")")		\
	S(B + 2, "vmptrld (" A ")") S(B + 3, "vmptrst (" A ")")		\
	S(B + 4, "vmread " R "ax, (" A ")")				\
	S(B + 5, "vmwrite (" A "), " R "ax")				\
	S(B + 6, "invept (" A "), " R "ax")				\
	S(B + 7, "invvpid (" A "), " R "ax")

#define VIRT_HANDLERS32							\
	".fill 0xc00 - (. - 9b), 1, 0xf4;"				\
	"movl $0xdead0006, " XSTR(VIRT_RES) "(,%esi,4);"		\
	"incl " XSTR(VIRT_RES) " + 0x1fc; mov %edi, (%esp); iret;"	\
	".fill 0xc80 - (. - 9b), 1, 0xf4;"				\
	"add $4, %esp; movl $0xdead000d, " XSTR(VIRT_RES) "(,%esi,4);"	\
	"mov %edi, (%esp); iret;"					\
	".fill 0xd00 - (. - 9b), 1, 0xf4;"				\
	"add $4, %esp; movl $0xdead000e, " XSTR(VIRT_RES) "(,%esi,4);"	\
	"mov %edi, (%esp); iret"

GUEST(real_virt, ".code16",
	"9: mov $0x9000, %ebx;"
	VIRT_SLOTS(S32, "%e", "%ebx")
	"hlt;"
	/* Real mode: no error codes; the return IP is at SS:SP. */
	".fill 0xc00 - (. - 9b), 1, 0xf4;"
	"movl $0xdead0006, " XSTR(VIRT_RES) "(,%esi,4);"
	"incl " XSTR(VIRT_RES) " + 0x1fc; mov %sp, %bp; mov %di, (%bp); iret;"
	".fill 0xc80 - (. - 9b), 1, 0xf4;"
	"movl $0xdead000d, " XSTR(VIRT_RES) "(,%esi,4);"
	"mov %sp, %bp; mov %di, (%bp); iret;"
	".fill 0xd00 - (. - 9b), 1, 0xf4;"
	"movl $0xdead000e, " XSTR(VIRT_RES) "(,%esi,4);"
	"mov %sp, %bp; mov %di, (%bp); iret");

GUEST(prot_virt, ".code32",
	"9: mov $" XSTR(DATA_GPA) ", %ebx;"
	VIRT_SLOTS(S32, "%e", "%ebx")
	"mov $" XSTR(MMIO_GPA) ", %ebx;"
	VIRT_MEM_SLOTS(S32, 21, "%e", "%ebx")
	"mov $0xfffff000, %ebx;"
	VIRT_MEM_SLOTS(S32, 29, "%e", "%ebx")
	S32A(37, XSTR(DATA_GPA), "vmrun") S32A(38, XSTR(MMIO_GPA), "vmrun")
	"hlt;"
	VIRT_HANDLERS32);

GUEST(long_virt, ".code64",
	"9: mov $" XSTR(DATA_GPA) ", %ebx;"
	VIRT_SLOTS(S64, "%r", "%rbx")
	"mov $" XSTR(MMIO_GPA) ", %ebx;"
	VIRT_MEM_SLOTS(S64, 21, "%r", "%rbx")
	"mov $0x40000000, %ebx;"	/* above the 1-GiB identity map */
	VIRT_MEM_SLOTS(S64, 29, "%r", "%rbx")
	S64A(37, XSTR(DATA_GPA), "vmrun") S64A(38, XSTR(MMIO_GPA), "vmrun")
	"hlt;"
	".fill 0xc00 - (. - 9b), 1, 0xf4;"
	"movl $0xdead0006, " XSTR(VIRT_RES) "(,%rsi,4);"
	"incl " XSTR(VIRT_RES) " + 0x1fc; mov %rdi, (%rsp); iretq;"
	".fill 0xc80 - (. - 9b), 1, 0xf4;"
	"add $8, %rsp; movl $0xdead000d, " XSTR(VIRT_RES) "(,%rsi,4);"
	"mov %rdi, (%rsp); iretq;"
	".fill 0xd00 - (. - 9b), 1, 0xf4;"
	"add $8, %rsp; movl $0xdead000e, " XSTR(VIRT_RES) "(,%rsi,4);"
	"mov %rdi, (%rsp); iretq");

#define VIRT_NSLOTS	39

static const char *const virt_names[VIRT_NSLOTS] = {
	"vmxon", "vmxoff", "vmclear", "vmptrld", "vmptrst", "vmread",
	"vmwrite", "vmlaunch", "vmresume", "invept", "invvpid", "vmcall",
	"vmfunc", "vmrun", "vmload", "vmsave", "vmmcall", "stgi", "clgi",
	"skinit", "invlpga",
	"vmxon [mmio]", "vmclear [mmio]", "vmptrld [mmio]", "vmptrst [mmio]",
	"vmread [mmio]", "vmwrite [mmio]", "invept [mmio]", "invvpid [mmio]",
	"vmxon [unmapped]", "vmclear [unmapped]", "vmptrld [unmapped]",
	"vmptrst [unmapped]", "vmread [unmapped]", "vmwrite [unmapped]",
	"invept [unmapped]", "invvpid [unmapped]",
	"vmrun [rax=ram]", "vmrun [rax=mmio]",
};

#define SLOT_VMCALL	11
#define SLOT_VMRUN	13
#define SLOT_VMLOAD	14
#define SLOT_VMSAVE	15
#define SLOT_VMMCALL	16
#define SLOT_STGI	17
#define SLOT_CLGI	18

/* A kvm_amd parameter (Y or 1) when testing KVM; false on other devices. */
static bool kvm_amd_param(const char *name)
{
	char path[128], c = 0;
	FILE *f;

	if (!strstr(hv_device, "kvm"))
		return false;
	snprintf(path, sizeof(path), "/sys/module/kvm_amd/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' || c == '1';
}

/*
 * KVM's answer (linux 6.1) for each instruction, CPL 0, CR4.VMXE and
 * EFER.SVME clear:
 * - VMX instructions: #UD (Intel: KVM's exit handlers, or the CPU in real
 *   mode; AMD: the CPU, and KVM's emulator declines them), whatever the
 *   operand points at: the #UD comes before any memory access.
 * - SVM instructions but VMMCALL: #UD (AMD: nested_svm_check_permissions,
 *   SKINIT always; Intel: the CPU, and the emulator declines them).
 *   Two exceptions on AMD.  VMRUN, VMLOAD and VMSAVE with a misaligned
 *   rAX (0x5eed) may be #GP from the CPU's own operand check, before any
 *   intercept (QEMU's CPU checks it first): #GP or #UD.  The aligned
 *   VMRUN slots (37, 38) reach the intercept: #UD.  And KVM with vGIF
 *   (kvm_amd.vgif) does not intercept STGI and CLGI, and the CPU runs
 *   them, since the VMCB's EFER always has SVME (a KVM 6.1 deviation from
 *   the APM, which wants #UD while the guest's EFER.SVME is clear): on
 *   KVM with vgif they complete in protected and long mode; in real mode
 *   the CPU's own check makes them #UD; elsewhere #UD.
 * - The hypercall of the host's vendor (VMCALL on Intel, VMMCALL on AMD),
 *   in every mode: RAX = -KVM_ENOSYS, 32 bits of it outside 64-bit mode.
 * - The other vendor's hypercall is #UD on the CPU; KVM's #UD intercept
 *   emulates it (EmulateOnUD): it patches the instruction in guest memory
 *   into the native one (KVM_X86_QUIRK_FIX_HYPERCALL_INSN, on by default)
 *   and runs that, so the guest sees a hypercall and its code changed.
 *   Except VMMCALL outside protected mode (the emulator's "Prot" flag):
 *   #UD.  VMCALL has no such flag.
 */
static void virt_instructions(struct __test_metadata *_metadata,
			      enum hv_guest_mode mode, const unsigned char *code,
			      const unsigned char *end)
{
	bool intel = host_is_intel();
	bool vgif = !intel && kvm_amd_param("vgif");
	unsigned int nslots = mode == HV_MODE_REAL ? 21 : VIRT_NSLOTS;
	uint32_t *res;
	struct hv_guest g;
	struct hv_regs regs;
	unsigned int i, ud = 0;
	int vmcalls, vmmcalls;

	hv_guest_setup(_metadata, &g, mode, code, end);
	res = (uint32_t *)(g.mem + VIRT_RES);
	for (i = 0; i < 128; i++)
		res[i] = RES_NONE;
	res[127] = 0;
	if (mode == HV_MODE_REAL) {
		uint16_t *ivt = (uint16_t *)g.mem;

		ivt[6 * 2] = CODE_GPA + 0xc00;
		ivt[13 * 2] = CODE_GPA + 0xc80;
		ivt[14 * 2] = CODE_GPA + 0xd00;
		ivt[6 * 2 + 1] = ivt[13 * 2 + 1] = ivt[14 * 2 + 1] = 0;
		get_regs(_metadata, &g, &regs);
		regs.rsp = 0x8000;
		set_regs(_metadata, &g, &regs);
	} else {
		hv_guest_set_idt(&g, 6, CODE_GPA + 0xc00);
		hv_guest_set_idt(&g, 13, CODE_GPA + 0xc80);
		hv_guest_set_idt(&g, 14, CODE_GPA + 0xd00);
	}
	vmcalls = hv_count_0f01(code, end - code, 0xc1);
	vmmcalls = hv_count_0f01(code, end - code, 0xd9);
	ASSERT_EQ(1, vmcalls);
	ASSERT_EQ(1, vmmcalls);

	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	for (i = 0; i < nslots; i++) {
		uint32_t want = RES_UD;

		if (i == SLOT_VMCALL)
			want = HC_ENOSYS32;
		if (i == SLOT_VMMCALL && (!intel || mode != HV_MODE_REAL))
			want = HC_ENOSYS32;
		if (vgif && mode != HV_MODE_REAL &&
		    (i == SLOT_STGI || i == SLOT_CLGI))
			want = 0x5eed;
		if (!intel && res[i] == RES_GP &&
		    (i == SLOT_VMRUN || i == SLOT_VMLOAD || i == SLOT_VMSAVE))
			want = RES_GP;
		if (res[i] == RES_UD)
			ud++;
		EXPECT_EQ(want, res[i]) TH_LOG("%s: 0x%x", virt_names[i], res[i]);
	}
	EXPECT_EQ(ud, res[127]);
	for (; i < VIRT_NSLOTS; i++)
		EXPECT_EQ(RES_NONE, res[i]);
	/* The other vendor's hypercall, where KVM emulated it, is patched. */
	vmcalls = hv_count_0f01(g.mem + CODE_GPA, end - code, 0xc1);
	vmmcalls = hv_count_0f01(g.mem + CODE_GPA, end - code, 0xd9);
	if (!intel) {
		EXPECT_EQ(0, vmcalls);
		EXPECT_EQ(2, vmmcalls);
	} else if (mode != HV_MODE_REAL) {
		EXPECT_EQ(2, vmcalls);
		EXPECT_EQ(0, vmmcalls);
	} else {
		EXPECT_EQ(1, vmcalls);
		EXPECT_EQ(1, vmmcalls);
	}
	hv_guest_destroy(&g);
	another_guest_runs(_metadata);
}

TEST(virtualization_instructions_real_mode)
{
	virt_instructions(_metadata, HV_MODE_REAL, real_virt, real_virt_end);
}

TEST(virtualization_instructions_protected_mode)
{
	virt_instructions(_metadata, HV_MODE_PROT32, prot_virt, prot_virt_end);
}

TEST(virtualization_instructions_long_mode)
{
	virt_instructions(_metadata, HV_MODE_LONG, long_virt, long_virt_end);
}

GUEST(any_vmcall, ".code32", "vmcall; hlt");
GUEST(any_vmmcall, ".code32", "vmmcall; hlt");
GUEST(long_vmcall, ".code64", "vmcall; hlt");
GUEST(long_vmmcall, ".code64", "vmmcall; hlt");

/*
 * The native hypercall returns -KVM_ENOSYS for an unknown number; outside
 * 64-bit mode KVM takes the low 32 bits of RAX as the number and writes a
 * 32-bit result (RAX 0x00000000fffffc18), in 64-bit mode all 64.
 */
TEST(hypercall_result_width)
{
	bool intel = host_is_intel();
	struct hv_guest g;
	struct hv_regs regs;

	if (intel)
		hv_guest_setup(_metadata, &g, HV_MODE_PROT32, any_vmcall, any_vmcall_end);
	else
		hv_guest_setup(_metadata, &g, HV_MODE_PROT32, any_vmmcall, any_vmmcall_end);
	get_regs(_metadata, &g, &regs);
	regs.rax = 0xdeadbeef00005eedULL;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0xfffffc18ULL, regs.rax);
	EXPECT_EQ(CODE_GPA + 4, regs.rip);
	hv_guest_destroy(&g);

	if (intel)
		hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_vmcall, long_vmcall_end);
	else
		hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_vmmcall, long_vmmcall_end);
	get_regs(_metadata, &g, &regs);
	regs.rax = 0xdeadbeef00005eedULL;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(-1000ULL, regs.rax);
	hv_guest_destroy(&g);
}

/* ---- 5. Debug-register breakpoints ---- */

/*
 * The guest finds where it was loaded (EBX) and its data (ESI).  DR0:
 * execute, on the NOP at label 20 (run 3 times); DR1: data write, 4
 * bytes at ESI; DR2: data read/write, 4 bytes at ESI + 0x10; DR3: I/O port
 * 0x80 (CR4.DE).  DR7 comes from EBP; the guest reads it back into EDX
 * and writes 0x400 before its HLT.  The #DB handler (+0x200) stores DR6 at
 * DB_LOG + 4 * count (count at DB_COUNT), clears DR6, and sets RF in the
 * frame so that an instruction breakpoint lets the instruction run.
 */
#define DB_COUNT	0x90100UL
#define DB_LOG		0x90200UL
#define DR7_ALL		0x2fd00755U	/* L0-L3, LE, GE; RW/LEN as above */

GUEST(prot_breakpoints, ".code32",
	"9: call 8f; 8: pop %ebx; sub $(8b - 9b), %ebx;"
	"lea (20f - 9b)(%ebx), %eax; mov %eax, %dr0;"
	"mov %esi, %dr1; lea 0x10(%esi), %eax; mov %eax, %dr2;"
	"mov $0x80, %eax; mov %eax, %dr3;"
	"mov %cr4, %eax; or $8, %eax; mov %eax, %cr4;"
	"mov %ebp, %dr7;"
	"mov $3, %ecx; 20: nop; loop 20b;"
	"movl $1, (%esi); movl $2, (%esi);"
	"mov (%esi), %eax;"			/* a read: DR1 is write-only */
	"movl $3, 4(%esi);"			/* outside DR1 */
	"mov 0x10(%esi), %eax; movl $4, 0x10(%esi);"
	"out %al, $0x80;"
	"mov %dr7, %edx; mov $0x400, %eax; mov %eax, %dr7; hlt;"
	".fill 0x200 - (. - 9b), 1, 0xf4;"
	"push %eax; push %edx; mov %dr6, %eax; mov " XSTR(DB_COUNT) ", %edx;"
	"mov %eax, " XSTR(DB_LOG) "(,%edx,4); incl " XSTR(DB_COUNT) ";"
	"xor %eax, %eax; mov %eax, %dr6;"
	"orl $0x10000, 16(%esp); pop %edx; pop %eax; iret");

/* Run the guest loaded at CODE_GPA + SHIFT with its data at DATA; #DBs. */
static uint32_t breakpoint_guest(struct __test_metadata *_metadata,
				 uint32_t dr7, uint64_t shift, uint64_t data)
{
	struct hv_guest g;
	struct hv_regs regs;
	uint32_t n, *log;
	unsigned int i;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_breakpoints,
		       prot_breakpoints_end);
	hv_guest_poke(&g, CODE_GPA + shift, prot_breakpoints,
		      prot_breakpoints_end - prot_breakpoints);
	hv_guest_set_idt(&g, 1, CODE_GPA + shift + 0x200);
	get_regs(_metadata, &g, &regs);
	regs.rip = CODE_GPA + shift;
	regs.rbp = dr7;
	regs.rsi = data;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	/* The OUT to port 0x80, then the HLT. */
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x80, g.run->io.port);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(dr7 & ~0x2000U, regs.rdx);
	n = *(uint32_t *)(g.mem + DB_COUNT);
	log = (uint32_t *)(g.mem + DB_LOG);
	for (i = 0; i < n && i < 16; i++)
		note("DR7 0x%x: #DB %u: DR6 0x%x", dr7, i, log[i]);
	if (dr7 == DR7_ALL) {
		static const uint32_t want[] = {
			0xffff0ff1, 0xffff0ff1, 0xffff0ff1,
			0xffff0ff2, 0xffff0ff2,
			0xffff0ff4, 0xffff0ff4,
		};

		EXPECT_EQ(ARRAY_SIZE(want), n);
		for (i = 0; i < ARRAY_SIZE(want) && i < n; i++)
			EXPECT_EQ(want[i], log[i]) TH_LOG("#DB %u", i);
	}
	hv_guest_destroy(&g);
	return n;
}

/*
 * The guest's own DR0-DR3 and DR7 are what the CPU matches while it runs:
 * 3 execute hits (DR6.B0), 2 write hits (B1; the read and the write beside
 * it do not count), a read and a write hit on DR2 (B2).  The I/O
 * breakpoint does not fire: the OUT exits to userspace before it
 * completes, and KVM does not emulate I/O breakpoints.  DR6 reads
 * 0xffff0ff0 plus the one B bit each time.  The same guest with DR7 =
 * 0x400, before and after, gets no #DB: nothing else arms the debug
 * registers, and nothing of the armed guest stays in the CPU.  (The one
 * after runs elsewhere in memory: QEMU's CPU keeps an execute breakpoint
 * it once armed at that RIP even after the DR7 that armed it is gone.)
 */
TEST(dr7_breakpoints)
{
	if (breakpoint_tests_skipped())
		SKIP(return, "HV_SKIP_BREAKPOINT_TESTS=1: the emulator's nested #DB is not faithful");
	EXPECT_EQ(0, breakpoint_guest(_metadata, 0x400, 0, DATA_GPA));
	breakpoint_guest(_metadata, DR7_ALL, 0, DATA_GPA);
	EXPECT_EQ(0, breakpoint_guest(_metadata, 0x400, 0x800, DATA_GPA + 0x1000));
	another_guest_runs(_metadata);
}

/* ---- 6. Exit floods ---- */

#define FLOOD	20000

GUEST(prot_flood, ".code32",
	"mov $" XSTR(FLOOD) ", %ecx; 1: out %al, $0x20; loop 1b;"
	"mov $" XSTR(FLOOD) ", %ecx; 2: mov %ecx, " XSTR(MMIO_GPA) "; loop 2b;"
	"xor %esi, %esi; mov $" XSTR(FLOOD) ", %ebp;"
	"3: xor %eax, %eax; cpuid; inc %esi; dec %ebp; jnz 3b; hlt");

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 20,000 OUTs, 20,000 MMIO writes (each to userspace, with its data) and
 * 20,000 CPUIDs (in the kernel), every one as expected.  Its time is only
 * noted: KVM on the debug kernel takes four times as long as hv, and
 * speed is for make bench.  The harness allows 10 minutes.
 */
FIXTURE(flood) {};
FIXTURE_SETUP(flood) {}
FIXTURE_TEARDOWN(flood) {}

TEST_F_TIMEOUT(flood, exit_flood, 600)
{
	unsigned int io = 0, mmio = 0, other = 0, bad = 0;
	struct hv_guest g;
	struct hv_regs regs;
	double t0;
	uint32_t v;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_flood, prot_flood_end);
	t0 = now();
	for (;;) {
		run(_metadata, &g);
		if (g.run->exit_reason == HV_EXIT_HLT)
			break;
		if (g.run->exit_reason == HV_EXIT_IO) {
			if (g.run->io.port != 0x20 || mmio)
				bad++;
			io++;
		} else if (g.run->exit_reason == HV_EXIT_MMIO) {
			memcpy(&v, g.run->mmio.data, 4);
			if (g.run->mmio.phys_addr != MMIO_GPA ||
			    !g.run->mmio.is_write || v != FLOOD - mmio)
				bad++;
			mmio++;
		} else {
			other++;
			break;
		}
	}
	note("%u I/O and %u MMIO exits in %.1f s", io, mmio, now() - t0);
	EXPECT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	EXPECT_EQ(FLOOD, io);
	EXPECT_EQ(FLOOD, mmio);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, other);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(FLOOD, regs.rsi);
	hv_guest_destroy(&g);
}

/* ---- 7. Memory pulled from under a running vCPU ---- */

#define SLOT1_GPA	0x400000UL

/* Count in slot 1's first word, forever; every 64 rounds OUT the count. */
GUEST(prot_slot_toucher, ".code32",
	"xor %esi, %esi;"
	"1: mov " XSTR(SLOT1_GPA) ", %eax; inc %eax; mov %eax, " XSTR(SLOT1_GPA) ";"
	"inc %esi; test $63, %esi; jnz 1b;"
	"out %eax, $0x20; jmp 1b");

struct toucher {
	struct hv_guest *g;
	volatile int stop, done;
	volatile unsigned int outs;
	unsigned int mmio_reads, mmio_writes, mmio_bad, other, error;
	uint64_t bad_addr;
};

/* The vCPU thread: runs until stopped, an error, or 100 MMIO exits each way. */
static void *toucher_run(void *arg)
{
	struct toucher *t = arg;
	struct hv_run *run = t->g->run;

	while (!t->stop) {
		if (hv_guest_run(t->g)) {
			t->error = errno;
			break;
		}
		if (run->exit_reason == HV_EXIT_IO && run->io.port == 0x20) {
			__atomic_add_fetch(&t->outs, 1, __ATOMIC_SEQ_CST);
		} else if (run->exit_reason == HV_EXIT_MMIO) {
			if (run->mmio.phys_addr != SLOT1_GPA || run->mmio.len != 4) {
				t->mmio_bad++;
				t->bad_addr = run->mmio.phys_addr;
			}
			if (run->mmio.is_write) {
				t->mmio_writes++;
			} else {
				t->mmio_reads++;
				memset(run->mmio.data, 0, 8);
			}
			if (t->mmio_reads >= 100 && t->mmio_writes >= 100)
				break;
		} else {
			t->other = run->exit_reason;
			break;
		}
	}
	t->done = 1;
	return NULL;
}

/* Wait up to SECONDS for COND; true if it came. */
#define WAIT_FOR(cond, seconds) ({					\
	double __end = now() + (seconds);				\
	while (!(cond) && now() < __end)				\
		usleep(1000);						\
	(cond);								\
})

static void start_toucher(struct __test_metadata *_metadata,
			  struct hv_guest *g, struct toucher *t,
			  pthread_t *thread, uint32_t **page)
{
	struct hv_userspace_memory_region r = {
		.slot = 1, .guest_phys_addr = SLOT1_GPA, .memory_size = HV_PAGE,
	};

	*page = hv_alloc_pages(1);
	ASSERT_NE(NULL, *page);
	hv_guest_setup(_metadata, g, HV_MODE_PROT32, prot_slot_toucher,
		       prot_slot_toucher_end);
	r.userspace_addr = (unsigned long)*page;
	ASSERT_EQ(0, ioctl(g->vm, HV_SET_USER_MEMORY_REGION, &r));
	memset(t, 0, sizeof(*t));
	t->g = g;
	ASSERT_EQ(0, pthread_create(thread, NULL, toucher_run, t));
	ASSERT_TRUE(WAIT_FOR(t->outs >= 3 || t->done, 60))
		TH_LOG("the guest made no progress");
	ASSERT_EQ(0, t->done) TH_LOG("error %d, exit %u", t->error, t->other);
	/* The guest counts in the page, seen by the host. */
	EXPECT_LE(3 * 64, **page);
}

/*
 * Slot 1 deleted (and its memory unmapped) while another thread runs a
 * vCPU that keeps reading and writing it: from then on every access is an
 * MMIO exit at that address, and the host does not notice anything else.
 */
TEST(slot_deleted_under_running_vcpu)
{
	struct hv_userspace_memory_region r = {
		.slot = 1, .guest_phys_addr = SLOT1_GPA, .memory_size = 0,
	};
	struct hv_guest g;
	struct toucher t;
	pthread_t thread;
	uint32_t *page;

	start_toucher(_metadata, &g, &t, &thread, &page);
	r.userspace_addr = (unsigned long)page;
	ASSERT_EQ(0, ioctl(g.vm, HV_SET_USER_MEMORY_REGION, &r));
	ASSERT_EQ(0, munmap(page, HV_PAGE));
	if (!WAIT_FOR(t.done, 60))
		t.stop = 1;
	pthread_join(thread, NULL);
	EXPECT_EQ(0, t.error) TH_LOG("KVM_RUN: %s", strerror(t.error));
	EXPECT_EQ(0, t.other);
	EXPECT_LE(100, t.mmio_reads);
	EXPECT_LE(100, t.mmio_writes);
	EXPECT_EQ(0, t.mmio_bad) TH_LOG("MMIO at 0x%llx", (unsigned long long)t.bad_addr);
	hv_guest_destroy(&g);
	another_guest_runs(_metadata);
}

/*
 * The memory behind slot 1 unmapped while the slot stays and the vCPU
 * runs: the guest's next access to it finds no host page, and KVM_RUN
 * fails with EFAULT (KVM 6.1: the MMU notifier drops the mapping; the
 * fault then finds no VMA: kvm_handle_bad_page() returns -EFAULT).  The
 * guest must never go on reaching the page the process gave up.
 */
TEST(memory_unmapped_under_running_vcpu)
{
	struct hv_guest g;
	struct toucher t;
	pthread_t thread;
	uint32_t *page;

	start_toucher(_metadata, &g, &t, &thread, &page);
	ASSERT_EQ(0, munmap(page, HV_PAGE));
	if (!WAIT_FOR(t.done, 10))
		t.stop = 1;
	pthread_join(thread, NULL);
	EXPECT_EQ(EFAULT, t.error) TH_LOG("KVM_RUN: %s; %u OUTs, %u MMIO",
					  strerror(t.error), t.outs,
					  t.mmio_reads + t.mmio_writes);
	EXPECT_EQ(0, t.other);
	hv_guest_destroy(&g);
	another_guest_runs(_metadata);
}

/*
 * The guest's SSE registers are its own, and another task's are that
 * task's, while the two share a host CPU.  The guest keeps a value in
 * XMM0, checks it and writes it back between CPUIDs (exits handled in the
 * kernel, so one KVM_RUN); a second thread pinned to the same CPU keeps
 * another value in its XMM0 across sched_yield().  The scheduler switches
 * between them inside the KVM_RUN; the hypervisor must load the guest's
 * registers again before the next entry (hv once did not, and the guest
 * then ran on the other thread's registers).  The test counts the
 * switches it saw, so it cannot pass without exercising them.
 */
#define FPU_GUEST_XMM0	0x5eed0001
#define FPU_HOST_XMM0	0x0ddba11c0ffee000ULL
#define FPU_STOP_GPA	DATA_GPA
#define FPU_COUNT_GPA	(DATA_GPA + 4)

GUEST(prot_xmm_keeper, ".code32",
	"mov $" XSTR(FPU_GUEST_XMM0) ", %esi; movd %esi, %xmm0;"
	"1: xor %eax, %eax; cpuid; movd %xmm0, %eax; cmp %esi, %eax;"
	"jne 2f; movd %esi, %xmm0; incl " XSTR(FPU_COUNT_GPA) ";"
	"cmpl $0, " XSTR(FPU_STOP_GPA) "; je 1b; out %eax, $0x10; hlt;"
	"2: out %eax, $0x11; hlt");

struct xmm_yielder {
	volatile uint32_t *guest_count;
	volatile uint32_t *stop;
	int cpu;
	unsigned int switches, iterations, corrupted;
	uint64_t bad;
};

/* XMM0 across a sched_yield(): false if it came back changed. */
static bool yield_keeps_xmm0(uint64_t v, uint64_t *seen)
{
	long nr = SYS_sched_yield;
	uint64_t out;

	asm volatile("movq %[v], %%xmm0\n\t"
		     "syscall\n\t"
		     "movq %%xmm0, %[out]"
		     : [out] "=r" (out), "+a" (nr)
		     : [v] "r" (v)
		     : "rcx", "r11", "xmm0", "memory");
	*seen = out;
	return out == v;
}

static void *xmm_yielder_run(void *arg)
{
	struct xmm_yielder *y = arg;
	cpu_set_t set;
	uint32_t before;
	uint64_t seen;

	CPU_ZERO(&set);
	CPU_SET(y->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		goto out;
	/* Until the guest has run between 50 of our yields (or 60 s). */
	for (y->iterations = 0; y->switches < 50 && y->iterations < 600000;
	     y->iterations++) {
		before = *y->guest_count;
		if (!yield_keeps_xmm0(FPU_HOST_XMM0 + y->iterations, &seen)) {
			y->corrupted++;
			y->bad = seen;
		}
		if (*y->guest_count != before)
			y->switches++;
		if (!(y->iterations % 1000))
			usleep(100);
	}
out:
	*y->stop = 1;
	return NULL;
}

TEST(guest_fpu_stays_its_own_across_task_switches)
{
	struct xmm_yielder y = { 0 };
	struct hv_sregs s;
	struct hv_guest g;
	pthread_t thread;
	cpu_set_t set;

	y.cpu = sched_getcpu();
	ASSERT_LE(0, y.cpu);
	CPU_ZERO(&set);
	CPU_SET(y.cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_xmm_keeper,
		       prot_xmm_keeper_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cr4 |= 1ULL << 9;		/* OSFXSR: SSE instructions */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	y.guest_count = (volatile uint32_t *)(g.mem + FPU_COUNT_GPA);
	y.stop = (volatile uint32_t *)(g.mem + FPU_STOP_GPA);
	ASSERT_EQ(0, pthread_create(&thread, NULL, xmm_yielder_run, &y));
	run(_metadata, &g);
	pthread_join(thread, NULL);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x10, g.run->io.port)
		TH_LOG("the guest found %#x in its XMM0",
		       *(uint32_t *)hv_guest_io_data(&g));
	EXPECT_EQ(0, y.corrupted)
		TH_LOG("the other thread found %#llx in its XMM0",
		       (unsigned long long)y.bad);
	/* The guest ran between the other thread's yields. */
	EXPECT_LE(50, y.switches)
		TH_LOG("%u switches in %u yields", y.switches, y.iterations);
	hv_guest_destroy(&g);
}

HV_TEST_MAIN
