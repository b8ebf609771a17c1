// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: guests in each mode, every kind of exit and its fields, guest
 * memory, CPUID and MSRs handled in the kernel, immediate_exit.  Each test
 * is a few instructions of guest code (hv_guest.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* ---- HLT and the three modes ---- */

GUEST(real_hlt, ".code16", "hlt");

TEST(real_mode_hlt)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_hlt, real_hlt_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	/* RIP is past the HLT. */
	EXPECT_EQ(CODE_GPA + 1, hv_guest_rip(&g));
	hv_guest_destroy(&g);
}

GUEST(prot_regs, ".code32",
	"mov $0x12345678, %eax; add $0x11111111, %eax; mov %eax, %ebx; hlt");

TEST(protected_mode_registers)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_regs, prot_regs_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x23456789, regs.rbx);
	hv_guest_destroy(&g);
}

GUEST(long_regs, ".code64",
	"mov $0x123456789abcdef0, %rax; mov %rax, %r15; shl $4, %r15; hlt");

TEST(long_mode_registers)
{
	struct hv_guest g;
	struct hv_regs regs;
	struct hv_sregs sregs;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_regs, long_regs_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x23456789abcdef00ULL, regs.r15);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &sregs));
	EXPECT_EQ(0x500, sregs.efer & 0x500);	/* LME and LMA */
	hv_guest_destroy(&g);
}

/* A guest that enters protected mode by itself (MOV to CR0) and back. */
GUEST(real_to_prot, ".code16",
	"mov %cr0, %eax; or $1, %eax; mov %eax, %cr0;"
	"mov %cr0, %ebx; and $0xfffffffe, %eax; mov %eax, %cr0;"
	"mov %cr0, %ecx; hlt");

TEST(cr0_writes)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_to_prot, real_to_prot_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(1, regs.rbx & 1);
	EXPECT_EQ(0, regs.rcx & 1);
	hv_guest_destroy(&g);
}

/* ---- Port I/O ---- */

GUEST(real_out, ".code16", "mov $0x42, %al; out %al, $0x10; hlt");

TEST(io_out_byte)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_out, real_out_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(HV_EXIT_IO_OUT, g.run->io.direction);
	EXPECT_EQ(1, g.run->io.size);
	EXPECT_EQ(0x10, g.run->io.port);
	EXPECT_EQ(1, g.run->io.count);
	EXPECT_EQ(HV_PIO_PAGE_OFFSET * HV_PAGE, g.run->io.data_offset);
	EXPECT_EQ(0x42, hv_guest_io_data(&g)[0]);
	/* As on KVM, RIP moves past the OUT on the next KVM_RUN. */
	EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	EXPECT_EQ(CODE_GPA + 5, hv_guest_rip(&g));
	hv_guest_destroy(&g);
}

GUEST(prot_out_sizes, ".code32",
	"mov $0x12345678, %eax; out %eax, $0x10;"
	"mov $0xbeef, %ax; mov $0x3f8, %dx; out %ax, %dx; hlt");

TEST(io_out_word_dword)
{
	struct hv_guest g;
	uint32_t v32 = 0;
	uint16_t v16 = 0;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_out_sizes, prot_out_sizes_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(4, g.run->io.size);
	EXPECT_EQ(0x10, g.run->io.port);
	memcpy(&v32, hv_guest_io_data(&g), 4);
	EXPECT_EQ(0x12345678, v32);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(2, g.run->io.size);
	EXPECT_EQ(0x3f8, g.run->io.port);
	memcpy(&v16, hv_guest_io_data(&g), 2);
	EXPECT_EQ(0xbeef, v16);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	hv_guest_destroy(&g);
}

GUEST(real_in, ".code16", "in $0x20, %al; mov %eax, %ebx; hlt");

TEST(io_in_byte_completes_on_next_run)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_in, real_in_end);
	get_regs(_metadata, &g, &regs);
	regs.rax = 0x12345600;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(HV_EXIT_IO_IN, g.run->io.direction);
	EXPECT_EQ(0x20, g.run->io.port);
	EXPECT_EQ(CODE_GPA, hv_guest_rip(&g));
	hv_guest_io_data(&g)[0] = 0xab;
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	/* An 8-bit IN replaces AL only. */
	EXPECT_EQ(0x123456ab, regs.rbx);
	hv_guest_destroy(&g);
}

/*
 * KVM moves RIP past "OUT 0x7e" before the exit, for userspace written
 * against its old behaviour (the default quirk KVM_X86_QUIRK_OUT_7E_INC_RIP);
 * the next KVM_RUN then moves it no further.
 */
GUEST(real_out_7e, ".code16", "mov $0x42, %al; out %al, $0x7e; hlt");

TEST(io_out_port_0x7e_moves_rip_first)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_out_7e, real_out_7e_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x7e, g.run->io.port);
	EXPECT_EQ(CODE_GPA + 4, hv_guest_rip(&g));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	EXPECT_EQ(CODE_GPA + 5, hv_guest_rip(&g));
	hv_guest_destroy(&g);
}

/*
 * Userspace that moves RIP after an OUT or IN exit decides where the guest
 * goes on: the next KVM_RUN does not step over the instruction, and an IN
 * does not write RAX.
 *   +0 mov $0x42,%al  +2 out %al,$0x10  +4 hlt
 *   +5 mov $0x7e57,%bx  +8 in $0x10,%al  +10 hlt
 */
GUEST(real_io_moved, ".code16",
	"mov $0x42, %al; out %al, $0x10; hlt;"
	"mov $0x7e57, %bx; in $0x10, %al; hlt");

TEST(io_rip_moved_by_userspace)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_io_moved, real_io_moved_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(HV_EXIT_IO_OUT, g.run->io.direction);
	get_regs(_metadata, &g, &regs);
	regs.rip = CODE_GPA + 5;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(HV_EXIT_IO_IN, g.run->io.direction);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(CODE_GPA + 8, regs.rip);
	EXPECT_EQ(0x7e57, regs.rbx);
	hv_guest_io_data(&g)[0] = 0x99;
	regs.rip = CODE_GPA + 4;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(CODE_GPA + 5, regs.rip);
	EXPECT_EQ(0x42, regs.rax & 0xff);
	hv_guest_destroy(&g);
}

GUEST(real_outsb, ".code16",
	"mov $0x9000, %si; mov $4, %cx; mov $0x30, %dx; cld;"
	"rep outsb; hlt");

TEST(io_rep_outsb)
{
	struct hv_guest g;
	struct hv_regs regs;
	char seen[5] = { 0 };
	int i;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_outsb, real_outsb_end);
	hv_guest_poke(&g, 0x9000, "abcd", 4);
	/* One item per exit, as on KVM. */
	for (i = 0; i < 4; i++) {
		run(_metadata, &g);
		EXPECT_EXIT(&g, HV_EXIT_IO);
		EXPECT_EQ(HV_EXIT_IO_OUT, g.run->io.direction);
		EXPECT_EQ(0x30, g.run->io.port);
		EXPECT_EQ(1, g.run->io.count);
		seen[i] = hv_guest_io_data(&g)[0];
	}
	EXPECT_STREQ("abcd", seen);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0, regs.rcx & 0xffff);
	EXPECT_EQ(0x9004, regs.rsi & 0xffff);
	hv_guest_destroy(&g);
}

GUEST(real_insb, ".code16",
	"mov $0x9100, %di; mov $4, %cx; mov $0x40, %dx; cld;"
	"rep insb; hlt");

TEST(io_rep_insb)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_insb, real_insb_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(HV_EXIT_IO_IN, g.run->io.direction);
	EXPECT_EQ(0x40, g.run->io.port);
	EXPECT_EQ(1, g.run->io.size);
	/* All four items in one exit, as on KVM. */
	EXPECT_EQ(4, g.run->io.count);
	memcpy(hv_guest_io_data(&g), "wxyz", 4);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	EXPECT_EQ(0, memcmp(g.mem + 0x9100, "wxyz", 4));
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0, regs.rcx & 0xffff);
	EXPECT_EQ(0x9104, regs.rdi & 0xffff);
	hv_guest_destroy(&g);
}

/* ---- MMIO ---- */

GUEST(prot_mmio_write, ".code32",
	"movl $0xdeadbeef, 0x10000000; mov $0x11, %ah; mov %ah, 0x10000010;"
	"hlt");

TEST(mmio_write)
{
	struct hv_guest g;
	uint32_t v = 0;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_mmio_write, prot_mmio_write_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA, g.run->mmio.phys_addr);
	EXPECT_EQ(4, g.run->mmio.len);
	EXPECT_EQ(1, g.run->mmio.is_write);
	memcpy(&v, g.run->mmio.data, 4);
	EXPECT_EQ(0xdeadbeef, v);
	/* KVM completes an MMIO write before it exits: RIP is past it. */
	EXPECT_EQ(CODE_GPA + 10, hv_guest_rip(&g));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 0x10, g.run->mmio.phys_addr);
	EXPECT_EQ(1, g.run->mmio.len);
	EXPECT_EQ(0x11, g.run->mmio.data[0]);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	hv_guest_destroy(&g);
}

GUEST(prot_mmio_read, ".code32",
	"mov 0x10000000, %ebx; movzbl 0x10000004, %ecx;"
	"movswl 0x10000008, %edx; mov $0x10000010, %edi; mov (%edi), %si;"
	"hlt");

TEST(mmio_read)
{
	struct hv_guest g;
	struct hv_regs regs;
	uint32_t v32 = 0x11223344;
	uint16_t v16 = 0x8000, w = 0x5a5a;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_mmio_read, prot_mmio_read_end);
	get_regs(_metadata, &g, &regs);
	regs.rsi = 0xffff0000;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA, g.run->mmio.phys_addr);
	EXPECT_EQ(4, g.run->mmio.len);
	EXPECT_EQ(0, g.run->mmio.is_write);
	EXPECT_EQ(CODE_GPA, hv_guest_rip(&g));
	memcpy(g.run->mmio.data, &v32, 4);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 4, g.run->mmio.phys_addr);
	EXPECT_EQ(1, g.run->mmio.len);
	g.run->mmio.data[0] = 0x80;
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 8, g.run->mmio.phys_addr);
	EXPECT_EQ(2, g.run->mmio.len);
	memcpy(g.run->mmio.data, &v16, 2);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 0x10, g.run->mmio.phys_addr);
	EXPECT_EQ(2, g.run->mmio.len);
	memcpy(g.run->mmio.data, &w, 2);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x11223344, regs.rbx);
	EXPECT_EQ(0x80, regs.rcx);		/* zero-extended */
	EXPECT_EQ(0xffff8000, regs.rdx);	/* sign-extended */
	EXPECT_EQ(0xffff5a5a, regs.rsi);	/* 16-bit load keeps the rest */
	hv_guest_destroy(&g);
}

GUEST(long_mmio, ".code64",
	"mov $0x10000008, %rdi; mov $0x0102030405060708, %rbx;"
	"mov %rbx, (%rdi); mov 8(%rdi), %r9; hlt");

TEST(mmio_long_mode_64bit)
{
	struct hv_guest g;
	struct hv_regs regs;
	uint64_t v = 0, in = 0x1122334455667788ULL;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_mmio, long_mmio_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 8, g.run->mmio.phys_addr);
	EXPECT_EQ(8, g.run->mmio.len);
	EXPECT_EQ(1, g.run->mmio.is_write);
	memcpy(&v, g.run->mmio.data, 8);
	EXPECT_EQ(0x0102030405060708ULL, v);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + 16, g.run->mmio.phys_addr);
	EXPECT_EQ(8, g.run->mmio.len);
	EXPECT_EQ(0, g.run->mmio.is_write);
	memcpy(g.run->mmio.data, &in, 8);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(in, regs.r9);
	hv_guest_destroy(&g);
}

/* ---- Guest memory ---- */

GUEST(prot_memory, ".code32",
	"movl $0xcafef00d, 0x90000; mov 0x90010, %ebx; hlt");

TEST(guest_memory_shared_with_host)
{
	struct hv_guest g;
	struct hv_regs regs;
	uint32_t v = 0x600dd00d;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_memory, prot_memory_end);
	hv_guest_poke(&g, DATA_GPA + 0x10, &v, 4);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x600dd00d, regs.rbx);
	memcpy(&v, g.mem + DATA_GPA, 4);
	EXPECT_EQ(0xcafef00d, v);
	hv_guest_destroy(&g);
}

/* Reads a second slot at 4 MiB, reports it with OUT, reads it again. */
GUEST(prot_slot2, ".code32",
	"1: mov 0x400000, %eax; out %eax, $0x10; jmp 1b");

#define SLOT2_GPA	0x400000UL

/*
 * A protected-mode guest running CODE with a second slot (id 1, FLAGS) of
 * one page at SLOT2_GPA, backed by a fresh page whose first word is
 * FIRST.  Returns the page; *R is the slot, for changing it later.
 */
static uint32_t *setup_slot2(struct __test_metadata *_metadata,
			     struct hv_guest *g, const unsigned char *code,
			     const unsigned char *end, uint32_t flags,
			     uint32_t first,
			     struct hv_userspace_memory_region *r)
{
	uint32_t *page = hv_alloc_pages(1);

	ASSERT_NE(NULL, page);
	*page = first;
	hv_guest_setup(_metadata, g, HV_MODE_PROT32, code, end);
	*r = (struct hv_userspace_memory_region) {
		.slot = 1, .flags = flags, .guest_phys_addr = SLOT2_GPA,
		.memory_size = HV_PAGE, .userspace_addr = (unsigned long)page,
	};
	ASSERT_EQ(0, ioctl(g->vm, HV_SET_USER_MEMORY_REGION, r));
	return page;
}

/* Run until the guest's OUT of a doubleword, and return what it wrote. */
static uint32_t run_to_out32(struct __test_metadata *_metadata,
			     struct hv_guest *g)
{
	uint32_t v = 0;

	run(_metadata, g);
	EXPECT_EXIT(g, HV_EXIT_IO);
	memcpy(&v, hv_guest_io_data(g), 4);
	return v;
}

TEST(deleted_slot_becomes_mmio)
{
	struct hv_userspace_memory_region r;
	struct hv_guest g;

	setup_slot2(_metadata, &g, prot_slot2, prot_slot2_end, 0, 0x5107, &r);
	EXPECT_EQ(0x5107, run_to_out32(_metadata, &g));
	/* Delete the slot: the guest's next read is MMIO. */
	r.memory_size = 0;
	ASSERT_EQ(0, ioctl(g.vm, HV_SET_USER_MEMORY_REGION, &r));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(SLOT2_GPA, g.run->mmio.phys_addr);
	EXPECT_EQ(0, g.run->mmio.is_write);
	hv_guest_destroy(&g);
}

GUEST(prot_rom_write, ".code32",
	"mov 0x400000, %ebx; movl $0x77, 0x400004; hlt");

TEST(readonly_slot_write_is_mmio)
{
	struct hv_userspace_memory_region r;
	struct hv_guest g;
	struct hv_regs regs;
	uint32_t *page, v = 0;

	page = setup_slot2(_metadata, &g, prot_rom_write, prot_rom_write_end,
			   HV_MEM_READONLY, 0x7e57, &r);
	ASSERT_NE(0, ioctl(g.dev, HV_CHECK_EXTENSION, HV_CAP_READONLY_MEM));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_MMIO);
	EXPECT_EQ(SLOT2_GPA + 4, g.run->mmio.phys_addr);
	EXPECT_EQ(1, g.run->mmio.is_write);
	memcpy(&v, g.run->mmio.data, 4);
	EXPECT_EQ(0x77, v);
	EXPECT_EQ(0, page[1]);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x7e57, regs.rbx);
	hv_guest_destroy(&g);
}

/*
 * The guest's memory follows what the process maps (KVM's MMU notifier):
 * a page mapped afresh at the slot's address is what the guest reads
 * next, a page dropped with MADV_DONTNEED reads as zeros, and once the
 * memory is unmapped, HV_RUN fails with EFAULT.
 */
TEST(slot_follows_process_mappings)
{
	struct hv_userspace_memory_region r;
	struct hv_guest g;
	uint32_t *page;

	page = setup_slot2(_metadata, &g, prot_slot2, prot_slot2_end, 0,
			   0x1111, &r);
	EXPECT_EQ(0x1111, run_to_out32(_metadata, &g));

	ASSERT_EQ(page, mmap(page, HV_PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	*page = 0x2222;
	EXPECT_EQ(0x2222, run_to_out32(_metadata, &g));

	ASSERT_EQ(0, madvise(page, HV_PAGE, MADV_DONTNEED));
	EXPECT_EQ(0, run_to_out32(_metadata, &g));

	ASSERT_EQ(0, munmap(page, HV_PAGE));
	EXPECT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EFAULT, errno);
	hv_guest_destroy(&g);
}

GUEST(prot_slot2_write, ".code32",
	"1: movl $0x33, 0x400000; out %al, $0x10; jmp 1b");

/* A page the process makes read-only: the guest's next write is EFAULT. */
TEST(slot_write_after_mprotect_readonly)
{
	struct hv_userspace_memory_region r;
	struct hv_guest g;
	uint32_t *page;

	page = setup_slot2(_metadata, &g, prot_slot2_write,
			   prot_slot2_write_end, 0, 0, &r);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0x33, *page);
	*page = 0;
	ASSERT_EQ(0, mprotect(page, HV_PAGE, PROT_READ));
	EXPECT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, *page);
	hv_guest_destroy(&g);
	munmap(page, HV_PAGE);
}

/* ---- Shutdown ---- */

GUEST(prot_triple_fault, ".code32", "ud2");

/*
 * A guest whose ud2 finds no IDT: #UD, then #DF, then a triple fault.
 * Bochs on AMD resets the whole emulated PC at a guest's triple fault
 * instead of giving the hypervisor its SHUTDOWN intercept, for KVM as for
 * hv; the test machine says so with HV_SKIP_SHUTDOWN_TESTS=1.
 */
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

static void setup_triple_fault(struct __test_metadata *_metadata,
			       struct hv_guest *g)
{
	struct hv_sregs s;

	hv_guest_setup(_metadata, g, HV_MODE_PROT32, prot_triple_fault, prot_triple_fault_end);
	ASSERT_EQ(0, ioctl(g->vcpu, HV_GET_SREGS, &s));
	s.idt.limit = 0;
	ASSERT_EQ(0, ioctl(g->vcpu, HV_SET_SREGS, &s));
}

TEST(triple_fault_is_shutdown)
{
	struct hv_guest g;

	if (shutdown_tests_skipped())
		SKIP(return, "HV_SKIP_SHUTDOWN_TESTS=1: the emulator resets on a triple fault");
	setup_triple_fault(_metadata, &g);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_SHUTDOWN);
	hv_guest_destroy(&g);
}

/*
 * The state a shutdown leaves is the vendor's: VMX keeps the guest's
 * registers (RIP at the faulting instruction); on SVM the VMCB is
 * undefined after the intercept and KVM puts the vCPU through INIT: RIP
 * 0xfff0, CS 0xf000 at 0xffff0000, CR0 ET with CD/NW kept, EDX the CPUID
 * signature, GPRs cleared.
 */
TEST(state_after_shutdown)
{
	struct hv_guest g;
	struct hv_sregs s;
	struct hv_regs regs;
	unsigned int sig;

	if (shutdown_tests_skipped())
		SKIP(return, "HV_SKIP_SHUTDOWN_TESTS=1: the emulator resets on a triple fault");
	setup_triple_fault(_metadata, &g);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	regs.rbx = 0x1234;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_REGS, &regs));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_SHUTDOWN);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	if (hv_host_has_cpu_flag("vmx")) {
		EXPECT_EQ(CODE_GPA, regs.rip);
		EXPECT_EQ(0x1234, regs.rbx);
		EXPECT_EQ(0x08, s.cs.selector);
	} else {
		EXPECT_EQ(0xfff0, regs.rip);
		EXPECT_EQ(0x2, regs.rflags);
		EXPECT_EQ(0, regs.rbx);
		if (hv_vcpu_cpuid(g.vcpu, 1, 0, &sig, NULL, NULL, NULL))
			sig = 0x600;
		EXPECT_EQ(sig, regs.rdx);
		EXPECT_EQ(0xf000, s.cs.selector);
		EXPECT_EQ(0xffff0000, s.cs.base);
		EXPECT_EQ(0, s.efer & ~0x1000ULL);	/* SVME is KVM's own */
		EXPECT_EQ(0x10, s.cr0 & ~0x60000000ULL);
		EXPECT_EQ(0, s.cr4);
	}
	hv_guest_destroy(&g);
}

/* ---- CPUID and MSRs, handled in the kernel ---- */

GUEST(prot_cpuid, ".code32",
	"xor %eax, %eax; cpuid; mov %ebx, %esi; mov %ecx, %edi;"
	"mov $1, %eax; cpuid; hlt");

TEST(cpuid_from_set_cpuid2)
{
	struct hv_guest g;
	struct hv_regs regs;
	struct {
		struct hv_cpuid2 c;
		struct hv_cpuid_entry2 e[256];
	} cpuid = { .c.nent = 256 };
	unsigned int i;
	int found = 0;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cpuid, prot_cpuid_end);
	/* What hv_guest_create() gave the vCPU. */
	ASSERT_EQ(0, ioctl(g.dev, HV_GET_SUPPORTED_CPUID, &cpuid));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	for (i = 0; i < cpuid.c.nent; i++) {
		if (cpuid.e[i].function == 0) {
			found++;
			EXPECT_EQ(cpuid.e[i].ebx, regs.rsi);
			EXPECT_EQ(cpuid.e[i].ecx, regs.rdi);
		}
		/* Leaf 1 ECX as set; OSXSAVE follows CR4.OSXSAVE (clear). */
		if (cpuid.e[i].function == 1) {
			found++;
			EXPECT_EQ(cpuid.e[i].ecx & ~(1U << 27), regs.rcx);
		}
	}
	EXPECT_EQ(2, found);
	hv_guest_destroy(&g);
}

GUEST(long_msr, ".code64",
	"mov $0xc0000082, %ecx; mov $0x89abcdef, %eax; mov $0xffff8000, %edx;"
	"wrmsr; xor %eax, %eax; xor %edx, %edx; rdmsr; hlt");

TEST(msr_lstar_round_trip)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_msr, long_msr_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x89abcdef, regs.rax);
	EXPECT_EQ(0xffff8000, regs.rdx);
	hv_guest_destroy(&g);
}

/* An unknown MSR is #GP: the handler at CODE_GPA + 0x100 reports it. */
GUEST(prot_bad_msr, ".code32",
	"9: mov $0x1234abcd, %ecx; rdmsr; hlt;"
	".fill 0x100 - (. - 9b), 1, 0xf4;"
	"mov $13, %al; out %al, $0xee; hlt");

TEST(msr_unknown_is_gp)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_bad_msr, prot_bad_msr_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	EXPECT_EQ(0xee, g.run->io.port);
	EXPECT_EQ(13, hv_guest_io_data(&g)[0]);
	hv_guest_destroy(&g);
}

/* ---- Control and debug registers, XSETBV, VMX instructions ---- */

/*
 * Guests below that expect a fault install the handler at CODE_GPA + 0x100
 * (REPORT_FAULT): it says which vector it handles through port 0xee.
 */
#define REPORT_FAULT(vector)						\
	".fill 0x100 - (. - 9b), 1, 0xf4;"				\
	"mov $" #vector ", %al; out %al, $0xee; hlt"

static void expect_fault_report(struct __test_metadata *_metadata,
				struct hv_guest *g, int vector)
{
	EXPECT_EXIT(g, HV_EXIT_IO);
	EXPECT_EQ(0xee, g->run->io.port);
	EXPECT_EQ(vector, hv_guest_io_data(g)[0]);
}

/* CR4.OSFXSR can be set and reads back; reserved bit 15 is #GP. */
GUEST(prot_cr4, ".code32",
	"9: mov %cr4, %eax; or $0x200, %eax; mov %eax, %cr4; mov %cr4, %ebx;"
	"or $0x8000, %eax; mov %eax, %cr4; hlt;"
	REPORT_FAULT(13));

TEST(cr4_write_and_reserved_bit)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cr4, prot_cr4_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	run(_metadata, &g);
	expect_fault_report(_metadata, &g, 13);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x200, regs.rbx & 0x8200);
	hv_guest_destroy(&g);
}

/*
 * Outside 64-bit mode MOV to CR takes the register's low 32 bits: upper
 * bits left over from elsewhere (here KVM_SET_REGS) are ignored, not #GP.
 */
GUEST(prot_cr4_low_half, ".code32",
	"9: mov %ebx, %cr4; mov %cr4, %ecx; hlt;"
	REPORT_FAULT(13));

TEST(cr_write_uses_low_32_bits)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cr4_low_half, prot_cr4_low_half_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	get_regs(_metadata, &g, &regs);
	regs.rbx = 0xdead000000000200ULL;	/* CR4.OSFXSR */
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x200, regs.rcx);
	hv_guest_destroy(&g);
}

/*
 * CR4.VMXE: allowed only when the vCPU's CPUID has VMX (KVM with nested
 * virtualization reports it; hv does not), else #GP.
 */
GUEST(prot_cr4_vmxe, ".code32",
	"9: mov %cr4, %eax; or $0x2000, %eax; mov %eax, %cr4;"
	"mov %cr4, %ebx; hlt;"
	REPORT_FAULT(13));

TEST(cr4_vmxe_follows_guest_cpuid)
{
	struct hv_guest g;
	struct hv_regs regs;
	struct hv_sregs sregs;
	unsigned int ecx;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_cr4_vmxe, prot_cr4_vmxe_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	run(_metadata, &g);
	if (ecx & (1U << 5)) {
		EXPECT_EXIT(&g, HV_EXIT_HLT);
		get_regs(_metadata, &g, &regs);
		EXPECT_EQ(0x2000, regs.rbx & 0x2000);
		ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &sregs));
		EXPECT_EQ(0x2000, sregs.cr4 & 0x2000);
	} else {
		expect_fault_report(_metadata, &g, 13);
	}
	hv_guest_destroy(&g);
}

/*
 * CR8 (the task priority) in 64-bit mode: the guest's value is in
 * run->cr8 after the exit, and the value userspace puts in run->cr8 is the
 * guest's on the next KVM_RUN.
 */
GUEST(long_cr8, ".code64",
	"mov $5, %eax; mov %rax, %cr8; mov %cr8, %rbx; hlt;"
	"mov %cr8, %rcx; hlt");

TEST(cr8_guest_and_run_structure)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_cr8, long_cr8_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	EXPECT_EQ(5, g.run->cr8);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(5, regs.rbx);
	g.run->cr8 = 9;
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(9, regs.rcx);
	hv_guest_destroy(&g);
}

/*
 * Debug registers: DR0-DR3 hold what the guest writes, DR7 keeps bit 10
 * set, DR6 reads its reset value; in 64-bit mode a DR7 value above 32 bits
 * is #GP.  (No breakpoint is enabled: DR7's L/G bits stay clear.)
 */
GUEST(long_dr, ".code64",
	"9: mov $0x1234, %eax; mov %rax, %dr0; mov $0x5678, %eax; mov %rax, %dr3;"
	"mov $0x300, %eax; mov %rax, %dr7;"
	"mov %dr0, %rbx; mov %dr3, %rcx; mov %dr7, %rdx; mov %dr6, %rsi;"
	"mov $1, %eax; shl $32, %rax; mov %rax, %dr7; hlt;"
	REPORT_FAULT(13));

TEST(debug_registers)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_dr, long_dr_end);
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	run(_metadata, &g);
	expect_fault_report(_metadata, &g, 13);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x1234, regs.rbx);
	EXPECT_EQ(0x5678, regs.rcx);
	EXPECT_EQ(0x700, regs.rdx);
	EXPECT_EQ(0xffff0ff0, regs.rsi);
	hv_guest_destroy(&g);
}

/*
 * Breakpoints the guest arms fire in the guest, and DR6 says which
 * (SDM vol 3, 18.2-18.3).  The #DB handler at CODE_GPA + 0x100 reads DR6
 * into EBX and reports vector 1.
 */
#define REPORT_DB							\
	".fill 0x100 - (. - 9b), 1, 0xf4;"				\
	"mov %dr6, %ebx; mov $1, %al; out %al, $0xee; hlt"

/* An execute breakpoint on the NOP (DR0, L0): a fault before it runs. */
GUEST(prot_dr_exec, ".code32",
	"9: mov $(0x1000 + 1f - 9b), %eax; mov %eax, %dr0;"
	"mov $0x401, %eax; mov %eax, %dr7;"
	"1: nop; hlt;"
	REPORT_DB);

/* A 4-byte data write breakpoint (DR1, L1, RW1=01, LEN1=11): a trap. */
GUEST(prot_dr_write, ".code32",
	"9: mov $0x90000, %eax; mov %eax, %dr1;"
	"mov $0xd00404, %eax; mov %eax, %dr7;"
	"mov 0x90000, %ecx; mov $0x55, %ecx; mov %ecx, 0x90000; hlt;"
	REPORT_DB);

#define DR6_B0	0x1
#define DR6_B1	0x2
#define DR6_BS	0x4000

/* The guest's #DB reports DR6 with exactly the status bits BITS. */
static void expect_breakpoint(struct __test_metadata *_metadata,
			      const unsigned char *code,
			      const unsigned char *end, uint64_t bits)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, code, end);
	hv_guest_set_idt(&g, 1, CODE_GPA + 0x100);
	run(_metadata, &g);
	expect_fault_report(_metadata, &g, 1);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(bits, regs.rbx & 0xe00f) TH_LOG("DR6 = %#llx", regs.rbx);
	hv_guest_destroy(&g);
}

TEST(breakpoint_execute)
{
	if (breakpoint_tests_skipped())
		SKIP(return, "HV_SKIP_BREAKPOINT_TESTS=1: the emulator's nested #DB is not faithful");
	expect_breakpoint(_metadata, prot_dr_exec, prot_dr_exec_end, DR6_B0);
}

TEST(breakpoint_data_write)
{
	if (breakpoint_tests_skipped())
		SKIP(return, "HV_SKIP_BREAKPOINT_TESTS=1: the emulator's nested #DB is not faithful");
	expect_breakpoint(_metadata, prot_dr_write, prot_dr_write_end, DR6_B1);
}

/*
 * A single step (EFLAGS.TF) in a guest that never touched a debug
 * register: the #DB's DR6 has BS and no B bit (SDM vol 3, 18.3.1.4).  On
 * VMX the CPU writes that into the DR6 it has, which VM exits do not
 * switch: it must reach the guest, and leave the host's.  The POPF sets
 * TF; the trap comes after the NOP that follows it.
 */
GUEST(prot_single_step, ".code32",
	"9: pushf; orl $0x100, (%esp); popf; nop; hlt;"
	REPORT_DB);

TEST(single_step_dr6)
{
	if (breakpoint_tests_skipped())
		SKIP(return, "HV_SKIP_BREAKPOINT_TESTS=1: the emulator's nested #DB is not faithful");
	expect_breakpoint(_metadata, prot_single_step, prot_single_step_end,
			  DR6_BS);
}

/* ---- Hypercalls ---- */

GUEST(long_vmcall, ".code64", "vmcall; hlt");
GUEST(long_vmmcall, ".code64", "vmmcall; hlt");
GUEST(prot_vmcall, ".code32", "vmcall; hlt");
GUEST(prot_vmmcall, ".code32", "vmmcall; hlt");
GUEST(prot_vmcall_out, ".code32", "vmcall; out %al, $0x10");
GUEST(prot_vmmcall_out, ".code32", "vmmcall; out %al, $0x10");

/* The host vendor's hypercall instruction, or the other one. */
static void setup_hypercall(struct __test_metadata *_metadata,
			    struct hv_guest *g, enum hv_guest_mode mode,
			    bool native)
{
	bool vmcall = hv_host_has_cpu_flag("vmx") == native;

	if (mode == HV_MODE_LONG && vmcall)
		hv_guest_setup(_metadata, g, mode, long_vmcall, long_vmcall_end);
	else if (mode == HV_MODE_LONG)
		hv_guest_setup(_metadata, g, mode, long_vmmcall, long_vmmcall_end);
	else if (vmcall)
		hv_guest_setup(_metadata, g, mode, prot_vmcall, prot_vmcall_end);
	else
		hv_guest_setup(_metadata, g, mode, prot_vmmcall, prot_vmmcall_end);
}

/*
 * KVM's answers for a VM without Xen or Hyper-V hypercalls, a local APIC
 * or kvmclock (kvm_emulate_hypercall()): VAPIC_POLL_IRQ (1), KICK_CPU (5)
 * and SCHED_YIELD (11) return 0; SEND_IPI (10) -KVM_EINVAL (-22) with a
 * destination or shorthand in its ICR (RSI), else -EOPNOTSUPP (-95);
 * CLOCK_PAIRING (9) -KVM_EOPNOTSUPP for a clock type (RCX) other than 0
 * (type 0 depends on the host's clocksource: not tested); the rest, and
 * numbers whose low 32 bits are not those in 64-bit mode, -KVM_ENOSYS
 * (-1000).
 */
TEST(hypercall_numbers)
{
	static const struct { uint64_t nr, rcx, rsi, ret; } calls[] = {
		{ 0, 0, 0, -1000 }, { 1, 0, 0, 0 }, { 2, 0, 0, -1000 },
		{ 3, 0, 0, -1000 }, { 5, 0, 0, 0 }, { 9, 1, 0, -95 },
		{ 10, 0, 0, -95 }, { 10, 0, 0x800, -22 },
		{ 10, 0, 0x40000, -22 }, { 11, 0, 0, 0 }, { 12, 0, 0, -1000 },
		{ 1ULL << 32 | 1, 0, 0, -1000 }, { 0xffffffff, 0, 0, -1000 },
	};
	struct hv_guest g;
	struct hv_regs regs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		setup_hypercall(_metadata, &g, HV_MODE_LONG, true);
		get_regs(_metadata, &g, &regs);
		regs.rax = calls[i].nr;
		regs.rcx = calls[i].rcx;
		regs.rsi = calls[i].rsi;
		set_regs(_metadata, &g, &regs);
		run(_metadata, &g);
		EXPECT_EXIT(&g, HV_EXIT_HLT);
		get_regs(_metadata, &g, &regs);
		EXPECT_EQ(calls[i].ret, regs.rax)
			TH_LOG("hypercall %#llx (RCX %#llx, RSI %#llx)",
			       (unsigned long long)calls[i].nr,
			       (unsigned long long)calls[i].rcx,
			       (unsigned long long)calls[i].rsi);
		hv_guest_destroy(&g);
	}
	/* Outside 64-bit mode the number is RAX's low half. */
	setup_hypercall(_metadata, &g, HV_MODE_PROT32, true);
	get_regs(_metadata, &g, &regs);
	regs.rax = 1ULL << 32 | 1;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0, regs.rax);
	hv_guest_destroy(&g);
}

/* Above CPL 0 every hypercall is -KVM_EPERM (-1), 32 bits of it here. */
TEST(hypercall_at_cpl3)
{
	struct hv_segment *segs[6];
	struct hv_guest g;
	struct hv_sregs s;
	struct hv_regs regs;
	unsigned int i;

	if (hv_host_has_cpu_flag("vmx"))
		hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_vmcall_out,
			       prot_vmcall_out_end);
	else
		hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_vmmcall_out,
			       prot_vmmcall_out_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	segs[0] = &s.cs;
	segs[1] = &s.ss;
	segs[2] = &s.ds;
	segs[3] = &s.es;
	segs[4] = &s.fs;
	segs[5] = &s.gs;
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->selector |= 3;
		segs[i]->dpl = 3;
	}
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	get_regs(_metadata, &g, &regs);
	regs.rax = 1;		/* VAPIC_POLL_IRQ: 0 at CPL 0 */
	regs.rflags |= 3 << 12;	/* IOPL 3: the OUT that ends it */
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0xffffffffULL, regs.rax);
	hv_guest_destroy(&g);
}

/*
 * The other vendor's hypercall is #UD on the CPU; KVM's #UD intercept
 * writes the native instruction over it in guest memory
 * (KVM_X86_QUIRK_FIX_HYPERCALL_INSN) and the guest runs that: a hypercall,
 * and the guest's code changed.  (hostile_test tries every mode.)
 */
TEST(other_vendors_hypercall_is_patched)
{
	bool intel = hv_host_has_cpu_flag("vmx");
	unsigned char native = intel ? 0xc1 : 0xd9;
	enum hv_guest_mode modes[] = { HV_MODE_PROT32, HV_MODE_LONG };
	struct hv_guest g;
	struct hv_regs regs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		setup_hypercall(_metadata, &g, modes[i], false);
		EXPECT_EQ(0, hv_count_0f01(g.mem + CODE_GPA, 4, native));
		run(_metadata, &g);
		EXPECT_EXIT(&g, HV_EXIT_HLT);
		get_regs(_metadata, &g, &regs);
		EXPECT_EQ(modes[i] == HV_MODE_LONG ? -1000ULL : 0xfffffc18ULL,
			  regs.rax);
		EXPECT_EQ(CODE_GPA + 4, regs.rip);
		EXPECT_EQ(1, hv_count_0f01(g.mem + CODE_GPA, 4, native));
		hv_guest_destroy(&g);
	}
}

/*
 * QEMU 7.2's SVM does not give the hypervisor a guest's XSETBV: it runs
 * the instruction itself, on the emulated CPU's XCR0.  kvm_amd then loads
 * the XCR0 it holds at the guest's next VM entry, and what the guest set
 * is gone; hv finds the guest's value in XCR0 after the exit and keeps it
 * (hv_x86_load_host_xcr0()).  There the test machine says
 * HV_SKIP_XSETBV_TESTS=1 and these tests skip on KVM.
 */
static bool xsetbv_tests_skipped(void)
{
	return hv_machine_says("HV_SKIP_XSETBV_TESTS") &&
	       strstr(hv_device, "kvm");
}

/*
 * XSETBV: with CR4.OSXSAVE set, XCR0 = x87|SSE is accepted and, after an
 * exit and a VM entry (the CPUID), XGETBV reads it back: the hypervisor
 * keeps the guest's XCR0.  CPUID.1:ECX.OSXSAVE is now set; XCR0 without
 * x87 is #GP.
 */
GUEST(prot_xsetbv, ".code32",
	"9: mov %cr4, %eax; or $0x40200, %eax; mov %eax, %cr4;"
	"xor %ecx, %ecx; xor %edx, %edx; mov $3, %eax; xsetbv;"
	"mov $1, %eax; cpuid; mov %ecx, %ebp;"
	"xor %ecx, %ecx; xgetbv; mov %eax, %edi;"
	"xor %ecx, %ecx; xor %edx, %edx; mov $2, %eax; xsetbv; hlt;"
	REPORT_FAULT(13));

TEST(xsetbv)
{
	struct hv_guest g;
	struct hv_regs regs;
	unsigned int ecx;

	if (xsetbv_tests_skipped())
		SKIP(return, "HV_SKIP_XSETBV_TESTS=1: the emulator runs the guest's XSETBV itself");
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_xsetbv, prot_xsetbv_end);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	if (!(ecx & (1U << 26)))
		SKIP(hv_guest_destroy(&g); return, "no XSAVE in the CPUID");
	hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
	run(_metadata, &g);
	expect_fault_report(_metadata, &g, 13);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(3, regs.rdi);
	EXPECT_EQ(1U << 27, regs.rbp & (1U << 27));
	hv_guest_destroy(&g);
}

/*
 * CPUID 0xD.0 EBX is the size of the XSAVE area for the XCR0 the guest
 * set (SDM vol 2A, CPUID leaf 0DH): after XSETBV to x87|SSE (EBP) and to
 * ESI (x87|SSE|AVX where offered) (EDI).
 */
GUEST(prot_xsetbv_size, ".code32",
	"mov %cr4, %eax; or $0x40200, %eax; mov %eax, %cr4;"
	"xor %ecx, %ecx; xor %edx, %edx; mov $3, %eax; xsetbv;"
	"mov $0xd, %eax; xor %ecx, %ecx; cpuid; mov %ebx, %ebp;"
	"xor %ecx, %ecx; xor %edx, %edx; mov %esi, %eax; xsetbv;"
	"mov $0xd, %eax; xor %ecx, %ecx; cpuid; mov %ebx, %edi; hlt");

TEST(xsetbv_sizes_cpuid_0xd)
{
	unsigned int ecx, supported = 0, off = 0, size = 0;
	struct hv_guest g;
	struct hv_regs regs;

	if (xsetbv_tests_skipped())
		SKIP(return, "HV_SKIP_XSETBV_TESTS=1: the emulator runs the guest's XSETBV itself");
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_xsetbv_size,
		       prot_xsetbv_size_end);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	if (!(ecx & (1U << 26)))
		SKIP(hv_guest_destroy(&g); return, "no XSAVE in the CPUID");
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0xd, 0, &supported, NULL, NULL,
				   NULL));
	if (supported & 4)
		ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0xd, 2, &size, &off, NULL,
					   NULL));
	get_regs(_metadata, &g, &regs);
	regs.rsi = (supported & 4) ? 7 : 3;
	set_regs(_metadata, &g, &regs);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(512 + 64, regs.rbp);
	EXPECT_EQ((supported & 4) ? off + size : 512 + 64, regs.rdi);
	hv_guest_destroy(&g);
}

/*
 * XCR0 values the CPU refuses are #GP (SDM vol 1, 13.3), for each that
 * only uses components the vCPU's CPUID offers: AVX without SSE, one of
 * MPX's two, AVX-512 without all three of its parts or without AVX, one
 * of AMX's two.  (A hypervisor that accepted one would fault in its own
 * XSETBV at the next VM entry, in the host.)  The guest tries ESI.
 */
GUEST(prot_xsetbv_esi, ".code32",
	"9: mov %cr4, %eax; or $0x40200, %eax; mov %eax, %cr4;"
	"xor %ecx, %ecx; xor %edx, %edx; mov %esi, %eax; xsetbv; hlt;"
	REPORT_FAULT(13));

TEST(xsetbv_refuses_invalid_combinations)
{
	static const unsigned int bad[] = {
		0x5,		/* x87, AVX */
		0xb, 0x13,	/* x87, SSE and one of BNDREGS, BNDCSR */
		0x27, 0x67,	/* AVX with part of AVX-512 */
		0xe3,		/* AVX-512 without AVX */
		0x20003, 0x40003,	/* one of XTILECFG, XTILEDATA */
	};
	unsigned int ecx, supported = 0, tried = 0, i;
	struct hv_guest g;
	struct hv_regs regs;

	if (xsetbv_tests_skipped())
		SKIP(return, "HV_SKIP_XSETBV_TESTS=1: the emulator runs the guest's XSETBV itself");
	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_xsetbv_esi,
		       prot_xsetbv_esi_end);
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 1, 0, NULL, NULL, &ecx, NULL));
	if (ecx & (1U << 26))
		ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0xd, 0, &supported, NULL,
					   NULL, NULL));
	hv_guest_destroy(&g);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (bad[i] & ~supported)
			continue;
		hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_xsetbv_esi,
			       prot_xsetbv_esi_end);
		hv_guest_set_idt(&g, 13, CODE_GPA + 0x100);
		get_regs(_metadata, &g, &regs);
		regs.rsi = bad[i];
		ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_REGS, &regs));
		run(_metadata, &g);
		expect_fault_report(_metadata, &g, 13);
		hv_guest_destroy(&g);
		tried++;
	}
	if (!tried)
		SKIP(return, "CPUID offers no XCR0 component beyond x87 and SSE");
	TH_LOG("%u invalid XCR0 values refused (CPUID 0xd.0 EAX %#x)",
	       tried, supported);
}

/*
 * Virtualization instructions are #UD in the guest: VMXON and VMPTRLD
 * (CR4.VMXE is clear), VMRUN (EFER.SVME is clear).  The #UD handler counts
 * in ESI and resumes at EDI.
 */
GUEST(prot_virt_insns, ".code32",
	"9: xor %esi, %esi; mov $0x90000, %eax;"
	"mov $(0x1000 + 1f - 9b), %edi; vmxon (%eax);"
	"1: mov $(0x1000 + 2f - 9b), %edi; vmptrld (%eax);"
	"2: mov $(0x1000 + 3f - 9b), %edi; vmrun;"
	"3: hlt;"
	".fill 0x100 - (. - 9b), 1, 0xf4;"
	"inc %esi; mov %edi, (%esp); iret");

TEST(virtualization_instructions_ud)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, prot_virt_insns, prot_virt_insns_end);
	hv_guest_set_idt(&g, 6, CODE_GPA + 0x100);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(3, regs.rsi);
	hv_guest_destroy(&g);
}

/* ---- Entry failure ---- */

/*
 * A 64-bit code segment with both L and D set passes KVM_SET_SREGS but not
 * the processor's checks at VM entry (Intel SDM 27.3.1.2; AMD APM 15.5.1
 * "Canonicalization and Consistency Checks"): KVM_EXIT_FAIL_ENTRY with the
 * hardware's reason (VMX: exit reason 33 with bit 31 set; SVM: the low 32
 * bits of VMEXIT_INVALID, -1, as KVM reports it).
 */
TEST(fail_entry_cs_l_and_d)
{
	struct hv_guest g;
	struct hv_sregs s;
	uint64_t want;

	hv_guest_setup(_metadata, &g, HV_MODE_LONG, long_regs, long_regs_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cs.db = 1;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_FAIL_ENTRY);
	want = hv_host_has_cpu_flag("vmx") ? 0x80000021 : 0xffffffff;
	EXPECT_EQ(want, g.run->fail_entry.hardware_entry_failure_reason);
	EXPECT_GT(sysconf(_SC_NPROCESSORS_CONF), g.run->fail_entry.cpu);
	hv_guest_destroy(&g);
}

/* ---- immediate_exit and bad input ---- */

TEST(immediate_exit_runs_nothing)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_hlt, real_hlt_end);
	g.run->immediate_exit = 1;
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(CODE_GPA, hv_guest_rip(&g));
	g.run->immediate_exit = 0;
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_HLT);
	hv_guest_destroy(&g);
}

TEST(immediate_exit_completes_in)
{
	struct hv_guest g;
	struct hv_regs regs;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_in, real_in_end);
	run(_metadata, &g);
	EXPECT_EXIT(&g, HV_EXIT_IO);
	hv_guest_io_data(&g)[0] = 0x5c;
	g.run->immediate_exit = 1;
	ASSERT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	/* The IN is complete: AL has the data, RIP is past the IN. */
	get_regs(_metadata, &g, &regs);
	EXPECT_EQ(0x5c, regs.rax & 0xff);
	EXPECT_EQ(CODE_GPA + 2, regs.rip);
	hv_guest_destroy(&g);
}

TEST(run_bad_input)
{
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_REAL, real_hlt, real_hlt_end);
	/* KVM_RUN takes no argument. */
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_RUN, 1));
	EXPECT_EQ(EINVAL, errno);
	/* A CR8 above 15 in the run structure. */
	g.run->cr8 = 16;
	EXPECT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINVAL, errno);
	hv_guest_destroy(&g);
}

HV_TEST_MAIN
