// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU file descriptors: the mapping, the reset state, GET/SET_REGS and
 * GET/SET_SREGS with KVM's consistency checks, and bad input.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/linux/hv.h"
#include "hv_guest.h"
#include "hv_test.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NW		(1ULL << 29)
#define CR0_CD		(1ULL << 30)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_VMXE	(1ULL << 13)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

FIXTURE(vcpu) {
	int sys, vm, vcpu;
	struct hv_run *run;
};

FIXTURE_SETUP(vcpu)
{
	self->sys = hv_open_device();
	ASSERT_LE(0, self->sys) TH_LOG("cannot open %s", hv_device);
	self->vm = ioctl(self->sys, HV_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->vcpu = ioctl(self->vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
	self->run = mmap(NULL, 3 * HV_PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);
}

FIXTURE_TEARDOWN(vcpu)
{
	munmap(self->run, 3 * HV_PAGE);
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
}

/* The run page and the port I/O page are distinct, writable pages. */
TEST_F(vcpu, mmap_pages)
{
	char *pio = (char *)self->run + HV_PIO_PAGE_OFFSET * HV_PAGE;

	self->run->immediate_exit = 1;
	memset(pio, 0xa5, HV_PAGE);
	EXPECT_EQ(1, self->run->immediate_exit);
	EXPECT_EQ(0, self->run->request_interrupt_window);
	self->run->immediate_exit = 0;
}

/* Pages past the three are not there: touching one raises SIGBUS. */
TEST_F(vcpu, mmap_past_end_sigbus)
{
	char *p;
	int status;
	pid_t pid;

	p = mmap(NULL, 4 * HV_PAGE, PROT_READ, MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		/* The byte read is the exit status: the load must happen. */
		memcpy(&c, p + 3 * HV_PAGE, 1);
		_exit(c);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	munmap(p, 4 * HV_PAGE);
}

/* After CREATE_VCPU: RIP FFF0, RFLAGS 2, EDX the processor signature. */
TEST_F(vcpu, reset_regs)
{
	struct hv_regs r;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_REGS, &r));
	EXPECT_EQ(0xfff0, r.rip);
	EXPECT_EQ(2, r.rflags);
	EXPECT_EQ(0x600, r.rdx);
	EXPECT_EQ(0, r.rax);
	EXPECT_EQ(0, r.rsp);
	EXPECT_EQ(0, r.r15);
}

static void expect_reset_data_seg(struct __test_metadata *_metadata,
				  const struct hv_segment *s)
{
	EXPECT_EQ(0, s->selector);
	EXPECT_EQ(0, s->base);
	EXPECT_EQ(0xffff, s->limit);
	/* read/write data; KVM on SVM reports SS without the accessed bit */
	EXPECT_EQ(3, s->type | 1);
	EXPECT_EQ(1, s->present);
	EXPECT_EQ(1, s->s);
	EXPECT_EQ(0, s->dpl);
	EXPECT_EQ(0, s->unusable);
}

/* The real-mode reset state clients patch (SDM vol 3, table 10-1). */
TEST_F(vcpu, reset_sregs)
{
	struct hv_sregs s;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	EXPECT_EQ(0xf000, s.cs.selector);
	EXPECT_EQ(0xffff0000, s.cs.base);
	EXPECT_EQ(0xffff, s.cs.limit);
	EXPECT_EQ(0xa, s.cs.type & 0xa);	/* code, readable */
	EXPECT_EQ(1, s.cs.present);
	EXPECT_EQ(1, s.cs.s);
	EXPECT_EQ(0, s.cs.l);
	EXPECT_EQ(0, s.cs.db);
	expect_reset_data_seg(_metadata, &s.ds);
	expect_reset_data_seg(_metadata, &s.es);
	expect_reset_data_seg(_metadata, &s.fs);
	expect_reset_data_seg(_metadata, &s.gs);
	expect_reset_data_seg(_metadata, &s.ss);
	EXPECT_EQ(3, s.tr.type & 3);		/* a busy TSS */
	EXPECT_EQ(1, s.tr.present);
	EXPECT_EQ(0xffff, s.tr.limit);
	EXPECT_EQ(2, s.ldt.type);
	EXPECT_EQ(1, s.ldt.present);
	EXPECT_EQ(0, s.gdt.base);
	EXPECT_EQ(0xffff, s.gdt.limit);
	EXPECT_EQ(0, s.idt.base);
	EXPECT_EQ(0xffff, s.idt.limit);
	EXPECT_EQ(CR0_CD | CR0_NW | CR0_ET, s.cr0);
	EXPECT_EQ(0, s.cr2);
	EXPECT_EQ(0, s.cr3);
	EXPECT_EQ(0, s.cr4);
	EXPECT_EQ(0, s.cr8);
	EXPECT_EQ(0, s.efer);
	EXPECT_EQ(0xfee00900, s.apic_base);	/* enabled, boot CPU */
	EXPECT_EQ(0, s.interrupt_bitmap[0] | s.interrupt_bitmap[1] |
		     s.interrupt_bitmap[2] | s.interrupt_bitmap[3]);
}

/* Only vCPU 0 is the boot processor. */
TEST_F(vcpu, reset_apic_base_not_bsp)
{
	struct hv_sregs s;
	int v1 = ioctl(self->vm, HV_CREATE_VCPU, 1);

	ASSERT_LE(0, v1);
	ASSERT_EQ(0, ioctl(v1, HV_GET_SREGS, &s));
	EXPECT_EQ(0xfee00800, s.apic_base);
	close(v1);
}

TEST_F(vcpu, regs_round_trip)
{
	struct hv_regs in, out;
	__u64 *p = (__u64 *)&in;
	unsigned int i;

	for (i = 0; i < sizeof(in) / 8; i++)
		p[i] = 0x1111111111111111ULL * (i + 1);
	in.rflags = 0x202;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_REGS, &in));
	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_REGS, &out));
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
}

/* RFLAGS bit 1 always reads as 1. */
TEST_F(vcpu, regs_rflags_fixed_bit)
{
	struct hv_regs r;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_REGS, &r));
	r.rflags = 0;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_REGS, &r));
	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_REGS, &r));
	EXPECT_EQ(2, r.rflags);
}

/* Flat 32-bit protected mode, the way a launcher sets it up. */
static void protected_mode(struct hv_sregs *s)
{
	hv_flat_segment(&s->cs, 0x08, 0xb, 0);
	hv_flat_segment(&s->ds, 0x10, 0x3, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = 0x1000;
	s->gdt.limit = 0x17;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET;
	s->cr4 = 0;
	s->efer = 0;
}

static void long_mode(struct hv_sregs *s)
{
	protected_mode(s);
	hv_flat_segment(&s->cs, 0x08, 0xb, 1);
	s->cr0 = CR0_PE | CR0_PG | CR0_ET;
	s->cr3 = 0x2000;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

static void expect_same_seg(struct __test_metadata *_metadata,
			    const struct hv_segment *a,
			    const struct hv_segment *b)
{
	EXPECT_EQ(a->base, b->base);
	EXPECT_EQ(a->limit, b->limit);
	EXPECT_EQ(a->selector, b->selector);
	EXPECT_EQ(a->type, b->type);
	EXPECT_EQ(a->present, b->present);
	EXPECT_EQ(a->dpl, b->dpl);
	EXPECT_EQ(a->db, b->db);
	EXPECT_EQ(a->s, b->s);
	EXPECT_EQ(a->l, b->l);
	EXPECT_EQ(a->g, b->g);
	EXPECT_EQ(a->unusable, b->unusable);
}

static void sregs_round_trip(struct __test_metadata *_metadata, int vcpu,
			     void (*mode)(struct hv_sregs *))
{
	struct hv_sregs in, out;

	ASSERT_EQ(0, ioctl(vcpu, HV_GET_SREGS, &in));
	mode(&in);
	ASSERT_EQ(0, ioctl(vcpu, HV_SET_SREGS, &in));
	ASSERT_EQ(0, ioctl(vcpu, HV_GET_SREGS, &out));
	expect_same_seg(_metadata, &in.cs, &out.cs);
	expect_same_seg(_metadata, &in.ds, &out.ds);
	expect_same_seg(_metadata, &in.ss, &out.ss);
	expect_same_seg(_metadata, &in.tr, &out.tr);
	EXPECT_EQ(in.gdt.base, out.gdt.base);
	EXPECT_EQ(in.gdt.limit, out.gdt.limit);
	EXPECT_EQ(in.cr0, out.cr0);
	EXPECT_EQ(in.cr3, out.cr3);
	EXPECT_EQ(in.cr4, out.cr4);
	EXPECT_EQ(in.efer, out.efer);
	EXPECT_EQ(in.apic_base, out.apic_base);
}

TEST_F(vcpu, sregs_round_trip_protected)
{
	sregs_round_trip(_metadata, self->vcpu, protected_mode);
}

/*
 * KVM since 6.12 (and hv) refuse long mode in KVM_SET_SREGS until
 * KVM_SET_CPUID2 has offered it to the guest: set the supported CPUID.
 */
TEST_F(vcpu, sregs_round_trip_long)
{
	ASSERT_EQ(0, hv_set_supported_cpuid(self->sys, self->vcpu));
	sregs_round_trip(_metadata, self->vcpu, long_mode);
}

/* CR2 and CR8 are userspace's to set; a CR8 above 15 is ignored. */
TEST_F(vcpu, sregs_cr2_cr8)
{
	struct hv_sregs s;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	s.cr2 = 0xdeadbeef000ULL;
	s.cr8 = 5;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_SREGS, &s));
	s.cr8 = 0x10;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	EXPECT_EQ(0xdeadbeef000ULL, s.cr2);
	EXPECT_EQ(5, s.cr8);
}

/* A vector in the interrupt bitmap stays pending until the guest runs. */
TEST_F(vcpu, sregs_interrupt_bitmap)
{
	struct hv_sregs s;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	s.interrupt_bitmap[0] = 1ULL << 0x20 | 1ULL << 0x21;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	EXPECT_EQ(1ULL << 0x20, s.interrupt_bitmap[0]);
}

static int set_sregs_with(int vcpu, void (*mode)(struct hv_sregs *),
			  __u64 cr0, __u64 cr4, __u64 efer, int cs_l)
{
	struct hv_sregs s;

	if (ioctl(vcpu, HV_GET_SREGS, &s))
		return -2;
	mode(&s);
	s.cr0 = cr0;
	s.cr4 = cr4;
	s.efer = efer;
	s.cs.l = cs_l;
	return ioctl(vcpu, HV_SET_SREGS, &s);
}

/* KVM refuses inconsistent mode state with EINVAL. */
TEST_F(vcpu, sregs_inconsistent_einval)
{
	__u64 pe_pg = CR0_PE | CR0_PG;

	/* Long mode needs EFER.LMA ... */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, long_mode, pe_pg, CR4_PAE,
				     EFER_LME, 1));
	EXPECT_EQ(EINVAL, errno);
	/* ... and CR4.PAE. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, long_mode, pe_pg, 0,
				     EFER_LME | EFER_LMA, 1));
	EXPECT_EQ(EINVAL, errno);
	/* EFER.LMA without paging. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode, CR0_PE, 0,
				     EFER_LME | EFER_LMA, 0));
	EXPECT_EQ(EINVAL, errno);
	/* A 64-bit code segment outside long mode. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode, CR0_PE, 0,
				     0, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vcpu, sregs_bad_cr0_einval)
{
	/* Paging without protection. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode, CR0_PG, 0,
				     0, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Not-write-through without cache-disable. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode,
				     CR0_PE | CR0_NW, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Bits above 31. */
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode,
				     CR0_PE | 1ULL << 32, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* CR4 bits x86 does not define. */
TEST_F(vcpu, sregs_bad_cr4_einval)
{
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode, CR0_PE,
				     1ULL << 40, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_sregs_with(self->vcpu, protected_mode, CR0_PE,
				     1ULL << 15, 0, 0));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A CR4 feature bit is accepted (before the client sets the guest's CPUID)
 * exactly when KVM_GET_SUPPORTED_CPUID offers the feature, on a host that
 * has it: VMXE where the device offers VMX (KVM with nested
 * virtualization on a VMX host; never hv, which has none).
 */
TEST_F(vcpu, sregs_cr4_vmxe_follows_supported_cpuid)
{
	struct hv_cpuid2 *cpuid;
	bool offered = false;
	unsigned int i;
	int r;

	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	ASSERT_NE(NULL, cpuid);
	cpuid->nent = 256;
	ASSERT_EQ(0, ioctl(self->sys, HV_GET_SUPPORTED_CPUID, cpuid));
	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			offered = cpuid->entries[i].ecx & (1U << 5);
	free(cpuid);
	TH_LOG("VMX offered: %s, host has it: %s", offered ? "yes" : "no",
	       hv_host_has_cpu_flag("vmx") ? "yes" : "no");

	r = set_sregs_with(self->vcpu, protected_mode, CR0_PE, CR4_VMXE, 0, 0);
	if (offered && hv_host_has_cpu_flag("vmx")) {
		EXPECT_EQ(0, r);
	} else {
		EXPECT_EQ(-1, r);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST_F(vcpu, sregs_bad_apic_base_einval)
{
	struct hv_sregs s;

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	s.apic_base = 0xfee00900 | 1 << 10;	/* x2APIC, not offered */
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s.apic_base = 0xfee00901;		/* a reserved low bit */
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Userspace may give the guest any physical-address width in CPUID
 * 0x80000008.EAX[7:0], even one above 64 bits: then no bit of a physical
 * address is reserved, and an APIC base above bit 36 is accepted.  (The
 * debug kernel's UBSAN once caught hv shifting by more than 63 here.)
 */
TEST_F(vcpu, sregs_phys_bits_above_64)
{
	struct hv_cpuid2 *cpuid;
	struct hv_sregs s;
	unsigned int i;

	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	ASSERT_NE(NULL, cpuid);
	cpuid->nent = 256;
	ASSERT_EQ(0, ioctl(self->sys, HV_GET_SUPPORTED_CPUID, cpuid));
	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 0x80000008)
			cpuid->entries[i].eax = (cpuid->entries[i].eax & ~0xffu) | 100;
	ASSERT_EQ(0, ioctl(self->vcpu, HV_SET_CPUID2, cpuid));
	free(cpuid);

	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	s.apic_base = 0x10000fee00900ULL;	/* bit 48: not reserved now */
	EXPECT_EQ(0, ioctl(self->vcpu, HV_SET_SREGS, &s))
		TH_LOG("KVM_SET_SREGS: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->vcpu, HV_GET_SREGS, &s));
	EXPECT_EQ(0x10000fee00900ULL, s.apic_base);
}

TEST_F(vcpu, bad_pointers_efault)
{
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_GET_REGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_SET_REGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_GET_SREGS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu, HV_SET_SREGS, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* A vCPU fd answers EINVAL to an ioctl it does not know. */
TEST_F(vcpu, unknown_ioctl_einval)
{
	EXPECT_EQ(-1, ioctl(self->vcpu, _IO(HVIO, 0x7f), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vcpu, _IOW('x', 0x01, int), 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vcpu, other_process_eio)
{
	struct hv_regs r;
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ioctl(self->vcpu, HV_GET_REGS, &r) == -1 &&
		      errno == EIO ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

HV_TEST_MAIN
