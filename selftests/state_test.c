// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state ioctls beyond the registers: KVM_GET/SET_FPU,
 * KVM_GET/SET_XSAVE (and XSAVE2), KVM_GET/SET_DEBUGREGS, KVM_GET/SET_XCRS and KVM_GET/SET_MP_STATE
 * (without an in-kernel irqchip).  Each: the reset state, what the guest sees of a value set
 * and what userspace sees of a value the guest set, a round trip from
 * one vCPU to another (as a migration does it), and KVM's errors.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_test.h"

static uint32_t io_u32(struct hv_guest *g)
{
	uint32_t v;

	memcpy(&v, hv_guest_io_data(g), sizeof(v));
	return v;
}

/* A second vCPU of G's VM, closed by close_vcpu(). */
static int second_vcpu(struct __test_metadata *_metadata, struct hv_guest *g,
		       struct hv_run **run)
{
	int fd = hv_guest_add_vcpu(g, 1, run);

	EXPECT_LE(0, fd) TH_LOG("second vCPU: %s", strerror(errno));
	return fd;
}

static void close_vcpu(int fd, struct hv_run *run)
{
	munmap(run, 3 * 4096);
	close(fd);
}

GUEST(idle32, ".code32", "out %al, $0x10; hlt");

/* ---- KVM_GET/SET_FPU ---- */

/*
 * The x87 reset state (FCW 0x37f, tags all empty); MXCSR reads 0 because
 * KVM's KVM_GET_FPU never fills it in.
 */
TEST(fpu_at_reset)
{
	struct hv_guest g;
	struct hv_fpu f;
	unsigned int i;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	memset(&f, 0xa5, sizeof(f));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_FPU, &f));
	EXPECT_EQ(0x37f, f.fcw);
	EXPECT_EQ(0, f.fsw);
	EXPECT_EQ(0, f.ftwx);
	EXPECT_EQ(0, f.last_opcode);
	EXPECT_EQ(0, f.last_ip);
	EXPECT_EQ(0, f.last_dp);
	EXPECT_EQ(0, f.mxcsr);
	for (i = 0; i < sizeof(f.xmm); i++)
		EXPECT_EQ(0, ((unsigned char *)f.xmm)[i]);
	for (i = 0; i < sizeof(f.fpr); i++)
		EXPECT_EQ(0, ((unsigned char *)f.fpr)[i]);
	hv_guest_destroy(&g);
}

/*
 * What the guest put in ST0 and XMM0 userspace reads; XMM0 and FCW set
 * then are what the guest reads.  The guest uses both first: on KVM as on
 * hv, the XSAVE header of a vCPU that has not used them yet marks them as
 * in their initial state, and values set before are not loaded (seen in
 * every test machine, on both devices).
 */
GUEST(fpu32, ".code32",
	"fld1; mov $0x5eed1234, %eax; movd %eax, %xmm0; out %al, $0x10;"
	"movd %xmm0, %eax; out %eax, $0x11;"
	"fnstcw 0x90000; mov 0x90000, %eax; out %eax, $0x12; hlt");

TEST(fpu_seen_by_guest)
{
	static const unsigned char one[10] = {
		0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f,	/* 1.0, 80 bits */
	};
	struct hv_sregs s;
	struct hv_guest g;
	struct hv_fpu f;
	uint32_t x;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, fpu32, fpu32_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cr4 |= 1ULL << 9;		/* OSFXSR: SSE instructions */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	hv_run_to_port(_metadata, &g, 0x10);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_FPU, &f));
	memcpy(&x, f.xmm[0], sizeof(x));
	EXPECT_EQ(0x5eed1234, x);
	EXPECT_EQ(0, memcmp(f.fpr[0], one, sizeof(one)));
	EXPECT_EQ(0x37f, f.fcw);
	/* TOP is 7 after one push; the abridged tag of ST0 says valid. */
	EXPECT_EQ(7, (f.fsw >> 11) & 7);
	EXPECT_EQ(0x80, f.ftwx);

	x = 0xc0ffee11;
	memcpy(f.xmm[0], &x, sizeof(x));
	f.fcw = 0x27f;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_FPU, &f));
	hv_run_to_port(_metadata, &g, 0x11);
	EXPECT_EQ(0xc0ffee11, io_u32(&g));
	hv_run_to_port(_metadata, &g, 0x12);
	EXPECT_EQ(0x27f, io_u32(&g) & 0xffff);
	hv_guest_destroy(&g);
}

TEST(fpu_round_trip_between_vcpus)
{
	struct hv_fpu a, b;
	struct hv_guest g;
	struct hv_run *run1;
	unsigned int i;
	int vcpu1;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	vcpu1 = second_vcpu(_metadata, &g, &run1);
	ASSERT_LE(0, vcpu1);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_FPU, &a));
	for (i = 0; i < sizeof(a.xmm); i++)
		((unsigned char *)a.xmm)[i] = i * 7 + 1;
	for (i = 0; i < 8; i++)
		memset(a.fpr[i], 0x10 + i, 10);
	a.fcw = 0x37b;
	a.fsw = 0x3800;
	a.ftwx = 0xff;
	a.last_opcode = 0x1d9;
	a.last_ip = 0x1234;
	a.last_dp = 0x5678;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_FPU, &a));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_FPU, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_FPU, &b));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(vcpu1, HV_GET_FPU, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_FPU, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_FPU, NULL));
	EXPECT_EQ(EFAULT, errno);
	close_vcpu(vcpu1, run1);
	hv_guest_destroy(&g);
}

/* ---- KVM_GET/SET_XSAVE ---- */

/* Offsets in the standard XSAVE format (SDM vol 1, 13.4). */
#define XS_FCW		0
#define XS_MXCSR	24
#define XS_ST0		32
#define XS_XMM0		160
#define XS_XMM1		176
#define XS_XSTATE_BV	512
#define XS_XCOMP_BV	520

static uint32_t xs32(const struct hv_xsave *x, unsigned int off)
{
	uint32_t v;

	memcpy(&v, (const char *)x->region + off, sizeof(v));
	return v;
}

static void xs_put32(struct hv_xsave *x, unsigned int off, uint32_t v)
{
	memcpy((char *)x->region + off, &v, sizeof(v));
}

static uint64_t xs64(const struct hv_xsave *x, unsigned int off)
{
	uint64_t v;

	memcpy(&v, (const char *)x->region + off, sizeof(v));
	return v;
}

static void xs_put64(struct hv_xsave *x, unsigned int off, uint64_t v)
{
	memcpy((char *)x->region + off, &v, sizeof(v));
}

/*
 * KVM_CAP_XSAVE and KVM_CAP_XSAVE2 (at least the 4 KiB of struct
 * kvm_xsave), and a new vCPU's area: FCW 0x37f, MXCSR 0x1f80 (unlike
 * KVM_GET_FPU, which leaves MXCSR 0), nothing but x87 and SSE in use,
 * the standard format.  KVM_GET_XSAVE2 writes the same.
 */
TEST(xsave_at_reset)
{
	struct hv_xsave *a, *b;
	struct hv_guest g;
	int size;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	EXPECT_EQ(1, ioctl(g.dev, HV_CHECK_EXTENSION, HV_CAP_XSAVE));
	size = ioctl(g.vm, HV_CHECK_EXTENSION, HV_CAP_XSAVE2);
	ASSERT_LE((int)sizeof(struct hv_xsave), size);
	a = calloc(1, size);
	b = calloc(1, size);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	memset(a, 0xa5, size);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, a));
	EXPECT_EQ(0x37f, xs32(a, XS_FCW) & 0xffff);
	EXPECT_EQ(0x1f80, xs32(a, XS_MXCSR));
	EXPECT_EQ(0, xs64(a, XS_XSTATE_BV) & ~3ULL);
	EXPECT_EQ(0, xs64(a, XS_XCOMP_BV));
	memset(b, 0x5a, size);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE2, b));
	EXPECT_EQ(0, memcmp(a, b, sizeof(struct hv_xsave)));
	free(a);
	free(b);
	hv_guest_destroy(&g);
}

/*
 * XMM0 and MXCSR set through KVM_SET_XSAVE are what the guest reads;
 * what the guest puts in XMM1 userspace reads.
 */
GUEST(xsave32, ".code32",
	"movd %xmm0, %eax; out %eax, $0x10;"
	"stmxcsr 0x90000; mov 0x90000, %eax; out %eax, $0x11;"
	"mov $0x7e577e57, %eax; movd %eax, %xmm1; hlt");

TEST(xsave_seen_by_guest)
{
	struct hv_xsave x;
	struct hv_sregs s;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, xsave32, xsave32_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cr4 |= 1ULL << 9;		/* OSFXSR: SSE instructions */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &x));
	xs_put32(&x, XS_XMM0, 0xfeed5eed);
	xs_put32(&x, XS_MXCSR, 0x9f80);		/* FTZ */
	/* x87 and SSE state present (not in their initial state). */
	xs_put64(&x, XS_XSTATE_BV, xs64(&x, XS_XSTATE_BV) | 3);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_XSAVE, &x));
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(0xfeed5eed, io_u32(&g));
	hv_run_to_port(_metadata, &g, 0x11);
	EXPECT_EQ(0x9f80, io_u32(&g));
	ASSERT_EQ(0, hv_guest_run(&g));
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	memset(&x, 0, sizeof(x));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &x));
	EXPECT_EQ(0x7e577e57, xs32(&x, XS_XMM1));
	EXPECT_EQ(0xfeed5eed, xs32(&x, XS_XMM0));
	EXPECT_EQ(0x9f80, xs32(&x, XS_MXCSR));
	hv_guest_destroy(&g);
}

/* One vCPU's area, set on another, reads back the same. */
TEST(xsave_round_trip_between_vcpus)
{
	struct hv_xsave a, b;
	struct hv_guest g;
	struct hv_run *run1;
	unsigned int i;
	int vcpu1;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	vcpu1 = second_vcpu(_metadata, &g, &run1);
	ASSERT_LE(0, vcpu1);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &a));
	for (i = 0; i < 16 * 8; i++)
		((unsigned char *)a.region)[XS_XMM0 + i] = i * 3 + 1;
	for (i = 0; i < 8; i++)
		memset((char *)a.region + XS_ST0 + 16 * i, 0x20 + i, 10);
	xs_put32(&a, XS_FCW, 0x37b);
	xs_put32(&a, XS_MXCSR, 0x1f00);
	xs_put64(&a, XS_XSTATE_BV, xs64(&a, XS_XSTATE_BV) | 3);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_XSAVE, &a));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &a));
	EXPECT_EQ(0x1f00, xs32(&a, XS_MXCSR));
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_XSAVE, &a));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(vcpu1, HV_GET_XSAVE, &b));
	/* The legacy area (with MXCSR_MASK) and the header. */
	EXPECT_EQ(0, memcmp(a.region, b.region, 512 + 64));
	EXPECT_EQ(0, memcmp((char *)a.region + XS_XMM0,
			    (char *)b.region + XS_XMM0, 16 * 8));
	close_vcpu(vcpu1, run1);
	hv_guest_destroy(&g);
}

/*
 * KVM's errors: a component no CPU has, the compacted format, reserved
 * MXCSR bits (EINVAL); bad pointers (EFAULT).
 */
TEST(xsave_bad_input)
{
	struct hv_xsave good, x;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &good));
	x = good;
	xs_put64(&x, XS_XSTATE_BV, 1ULL << 62);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XSAVE, &x));
	EXPECT_EQ(EINVAL, errno);
	x = good;
	xs_put64(&x, XS_XCOMP_BV, (1ULL << 63) | 3);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XSAVE, &x));
	EXPECT_EQ(EINVAL, errno);
	x = good;
	xs_put32(&x, XS_MXCSR, 0xffff1f80);
	xs_put64(&x, XS_XSTATE_BV, 3);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XSAVE, &x));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing of those reached the vCPU. */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XSAVE, &x));
	EXPECT_EQ(0x1f80, xs32(&x, XS_MXCSR));
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XSAVE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_XSAVE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_XSAVE2, NULL));
	EXPECT_EQ(EFAULT, errno);
	hv_guest_destroy(&g);
}

/* ---- KVM_GET/SET_DEBUGREGS ---- */

TEST(debugregs_at_reset)
{
	struct hv_debugregs d;
	struct hv_guest g;
	unsigned int i;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	EXPECT_EQ(1, ioctl(g.vm, HV_CHECK_EXTENSION, HV_CAP_DEBUGREGS));
	memset(&d, 0xa5, sizeof(d));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &d));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, d.db[i]);
	EXPECT_EQ(0xffff0ff0, d.dr6);
	EXPECT_EQ(0x400, d.dr7);
	EXPECT_EQ(0, d.flags);
	for (i = 0; i < 9; i++)
		EXPECT_EQ(0, d.reserved[i]);
	hv_guest_destroy(&g);
}

/* What userspace sets the guest reads; what the guest writes userspace gets. */
GUEST(dr32, ".code32",
	"mov %dr0, %eax; out %eax, $0x10;"
	"mov $0xabcd000, %eax; mov %eax, %dr1; out %al, $0x11; hlt");

TEST(debugregs_seen_by_guest)
{
	struct hv_debugregs d;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, dr32, dr32_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &d));
	d.db[0] = 0x12345678;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_DEBUGREGS, &d));
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(0x12345678, io_u32(&g));
	hv_run_to_port(_metadata, &g, 0x11);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &d));
	EXPECT_EQ(0x12345678, d.db[0]);
	EXPECT_EQ(0xabcd000, d.db[1]);
	hv_guest_destroy(&g);
}

TEST(debugregs_round_trip_between_vcpus)
{
	struct hv_debugregs a, b;
	struct hv_guest g;
	struct hv_run *run1;
	int vcpu1;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	vcpu1 = second_vcpu(_metadata, &g, &run1);
	ASSERT_LE(0, vcpu1);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &a));
	a.db[0] = 0x1000;
	a.db[1] = 0x2000;
	a.db[2] = 0x3000;
	a.db[3] = 0xffffffff80004000ULL;
	a.dr6 = 0xffff4ff1;
	a.dr7 = 0x405;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_DEBUGREGS, &a));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_DEBUGREGS, &b));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(vcpu1, HV_GET_DEBUGREGS, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(0x405, b.dr7);
	EXPECT_EQ(0xffffffff80004000ULL, b.db[3]);
	close_vcpu(vcpu1, run1);
	hv_guest_destroy(&g);
}

/* KVM: flags, and bits 63:32 of DR6 or DR7, are EINVAL. */
TEST(debugregs_bad_input)
{
	struct hv_debugregs d, good;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &good));
	d = good;
	d.flags = 1;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	d = good;
	d.dr6 |= 1ULL << 32;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	d = good;
	d.dr7 |= 1ULL << 32;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_DEBUGREGS, &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_DEBUGREGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_DEBUGREGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing was taken. */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_DEBUGREGS, &d));
	EXPECT_EQ(0, memcmp(&d, &good, sizeof(d)));
	hv_guest_destroy(&g);
}

/* ---- KVM_GET/SET_XCRS ---- */

#define XCR0_FP		1ULL
#define XCR0_SSE	2ULL
#define XCR0_YMM	4ULL

static bool cpu_has_xsave(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 26));
}

static void skip_without_xsave(struct __test_metadata *_metadata,
			       struct hv_guest *g)
{
	/* KVM reports the capability exactly when the CPU has XSAVE. */
	EXPECT_EQ(cpu_has_xsave(),
		  ioctl(g->vm, HV_CHECK_EXTENSION, HV_CAP_XCRS));
}

static int set_xcr0(int vcpu, uint64_t value)
{
	struct hv_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = value;
	return ioctl(vcpu, HV_SET_XCRS, &x);
}

static uint64_t get_xcr0(struct __test_metadata *_metadata, int vcpu)
{
	struct hv_xcrs x;

	memset(&x, 0xa5, sizeof(x));
	EXPECT_EQ(0, ioctl(vcpu, HV_GET_XCRS, &x));
	EXPECT_EQ(1, x.nr_xcrs);
	EXPECT_EQ(0, x.flags);
	EXPECT_EQ(0, x.xcrs[0].xcr);
	return x.xcrs[0].value;
}

TEST(xcrs_at_reset)
{
	struct hv_guest g;
	struct hv_xcrs x;
	unsigned int i;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	skip_without_xsave(_metadata, &g);
	if (!cpu_has_xsave())
		SKIP(goto out, "the CPU has no XSAVE");
	memset(&x, 0xa5, sizeof(x));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XCRS, &x));
	EXPECT_EQ(1, x.nr_xcrs);
	EXPECT_EQ(0, x.flags);
	EXPECT_EQ(0, x.xcrs[0].xcr);
	EXPECT_EQ(0, x.xcrs[0].reserved);
	EXPECT_EQ(XCR0_FP, x.xcrs[0].value);
	for (i = 1; i < HV_MAX_XCRS; i++)
		EXPECT_EQ(0, x.xcrs[i].value);
out:
	hv_guest_destroy(&g);
}

/* With CR4.OSXSAVE, the guest's XGETBV reads the XCR0 userspace set. */
GUEST(xgetbv32, ".code32",
	"xor %ecx, %ecx; xgetbv; out %eax, $0x10; hlt");

TEST(xcrs_seen_by_guest)
{
	struct hv_sregs s;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, xgetbv32, xgetbv32_end);
	if (!cpu_has_xsave())
		SKIP(goto out, "the CPU has no XSAVE");
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cr4 |= 1ULL << 18;		/* OSXSAVE */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	ASSERT_EQ(0, set_xcr0(g.vcpu, XCR0_FP | XCR0_SSE));
	EXPECT_EQ(XCR0_FP | XCR0_SSE, get_xcr0(_metadata, g.vcpu));
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(XCR0_FP | XCR0_SSE, io_u32(&g));
out:
	hv_guest_destroy(&g);
}

/*
 * CPUID 0xD.0 EBX follows the guest's XCR0: the size of the XSAVE area
 * for the components enabled now (x87 and SSE: 576 bytes; with AVX, the
 * end of the AVX state as CPUID 0xD.2 gives it).
 */
GUEST(cpuid_d32, ".code32",
	"mov $0xd, %eax; xor %ecx, %ecx; cpuid; mov %ebx, %eax;"
	"out %eax, $0x10; hlt");

TEST(xcr0_sets_cpuid_0xd_ebx)
{
	unsigned int eax0 = 0, eax2 = 0, ebx2 = 0;
	struct hv_regs regs;
	struct hv_sregs s;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, cpuid_d32, cpuid_d32_end);
	if (!cpu_has_xsave())
		SKIP(goto out, "the CPU has no XSAVE");
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.cr4 |= 1ULL << 18;		/* OSXSAVE */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	ASSERT_EQ(0, set_xcr0(g.vcpu, XCR0_FP | XCR0_SSE));
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(576, io_u32(&g));

	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0xd, 0, &eax0, NULL, NULL, NULL));
	if (!(eax0 & 4))
		SKIP(goto out, "no AVX state offered");
	ASSERT_EQ(0, hv_vcpu_cpuid(g.vcpu, 0xd, 2, &eax2, &ebx2, NULL, NULL));
	ASSERT_EQ(0, set_xcr0(g.vcpu, XCR0_FP | XCR0_SSE | XCR0_YMM));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	regs.rip = CODE_GPA;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_REGS, &regs));
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(eax2 + ebx2, io_u32(&g));
out:
	hv_guest_destroy(&g);
}

TEST(xcrs_round_trip_between_vcpus)
{
	struct hv_xcrs a, b;
	struct hv_guest g;
	struct hv_run *run1;
	int vcpu1;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	if (!cpu_has_xsave())
		SKIP(goto out, "the CPU has no XSAVE");
	vcpu1 = second_vcpu(_metadata, &g, &run1);
	ASSERT_LE(0, vcpu1);
	ASSERT_EQ(0, set_xcr0(g.vcpu, XCR0_FP | XCR0_SSE));
	memset(&a, 0xa5, sizeof(a));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_XCRS, &a));
	ASSERT_EQ(0, ioctl(vcpu1, HV_SET_XCRS, &a));
	memset(&b, 0xa5, sizeof(b));
	ASSERT_EQ(0, ioctl(vcpu1, HV_GET_XCRS, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(XCR0_FP | XCR0_SSE, b.xcrs[0].value);
	close_vcpu(vcpu1, run1);
out:
	hv_guest_destroy(&g);
}

/*
 * KVM's errors: flags, more than 16 entries, an XCR0 XSETBV would refuse
 * (no x87 bit, AVX without SSE, an undefined bit) are EINVAL.  Entries for
 * other XCRs are ignored.
 */
TEST(xcrs_bad_input)
{
	struct hv_guest g;
	struct hv_xcrs x;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	if (!cpu_has_xsave())
		SKIP(goto out, "the CPU has no XSAVE");
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].value = XCR0_FP;
	x.flags = 1;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XCRS, &x));
	EXPECT_EQ(EINVAL, errno);
	x.flags = 0;
	x.nr_xcrs = HV_MAX_XCRS + 1;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XCRS, &x));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, set_xcr0(g.vcpu, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_xcr0(g.vcpu, XCR0_FP | XCR0_YMM));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_xcr0(g.vcpu, XCR0_FP | (1ULL << 63)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(XCR0_FP, get_xcr0(_metadata, g.vcpu));

	/* XCR1 is not settable here: ignored, and nothing changes. */
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 1;
	x.xcrs[0].value = 0;
	EXPECT_EQ(0, ioctl(g.vcpu, HV_SET_XCRS, &x));
	x.nr_xcrs = 0;
	EXPECT_EQ(0, ioctl(g.vcpu, HV_SET_XCRS, &x));
	EXPECT_EQ(XCR0_FP, get_xcr0(_metadata, g.vcpu));

	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_XCRS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_XCRS, NULL));
	EXPECT_EQ(EFAULT, errno);
out:
	hv_guest_destroy(&g);
}

/* ---- KVM_GET/SET_MP_STATE without an in-kernel irqchip ---- */

/*
 * Every vCPU is runnable, also after a HLT (which exits to userspace),
 * and KVM accepts no other state without an in-kernel local APIC.
 */
TEST(mp_state_without_irqchip)
{
	struct hv_mp_state mp;
	struct hv_guest g;
	struct hv_run *run1;
	uint32_t bad[] = {
		HV_MP_STATE_UNINITIALIZED, HV_MP_STATE_INIT_RECEIVED,
		HV_MP_STATE_HALTED, HV_MP_STATE_SIPI_RECEIVED, 5, 0xffffffff,
	};
	unsigned int i;
	int vcpu1;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, idle32, idle32_end);
	EXPECT_EQ(1, ioctl(g.vm, HV_CHECK_EXTENSION, HV_CAP_MP_STATE));
	vcpu1 = second_vcpu(_metadata, &g, &run1);
	ASSERT_LE(0, vcpu1);
	mp.mp_state = 0xa5a5;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_MP_STATE, &mp));
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp.mp_state);
	mp.mp_state = 0xa5a5;
	ASSERT_EQ(0, ioctl(vcpu1, HV_GET_MP_STATE, &mp));
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp.mp_state);

	hv_run_to_port(_metadata, &g, 0x10);
	ASSERT_EQ(0, hv_guest_run(&g));
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_MP_STATE, &mp));
	EXPECT_EQ(HV_MP_STATE_RUNNABLE, mp.mp_state);

	mp.mp_state = HV_MP_STATE_RUNNABLE;
	EXPECT_EQ(0, ioctl(g.vcpu, HV_SET_MP_STATE, &mp));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mp.mp_state = bad[i];
		EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_MP_STATE, &mp))
			TH_LOG("mp_state %u", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_MP_STATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_MP_STATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	close_vcpu(vcpu1, run1);
	hv_guest_destroy(&g);
}

/* ---- register sharing through the run page (KVM_CAP_SYNC_REGS) ---- */

GUEST(sync32, ".code32",
	"mov %ebx, %eax; out %eax, $0x10; add $1, %ebx; out %eax, $0x11; hlt");

/*
 * With kvm_valid_regs set, KVM_RUN leaves the registers, special registers
 * and events in the run page at each exit, as the GET ioctls give them;
 * with kvm_dirty_regs set it takes them from there before the entry (and
 * clears the bit).  Bits outside the three are EINVAL.
 */
TEST(sync_regs)
{
	struct hv_sregs sregs;
	struct hv_regs regs;
	struct hv_guest g;

	hv_guest_setup(_metadata, &g, HV_MODE_PROT32, sync32, sync32_end);
	EXPECT_EQ(HV_SYNC_X86_VALID_FIELDS,
		  ioctl(g.dev, HV_CHECK_EXTENSION, HV_CAP_SYNC_REGS));

	g.run->kvm_valid_regs = 8;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_RUN, 0));
	EXPECT_EQ(EINVAL, errno);
	g.run->kvm_valid_regs = 0;
	g.run->kvm_dirty_regs = 1 << 5;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_RUN, 0));
	EXPECT_EQ(EINVAL, errno);

	/* In: RBX from the run page; out: everything after the OUT. */
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &g.run->s.regs.regs));
	g.run->s.regs.regs.rbx = 0x5a5a1234;
	g.run->kvm_dirty_regs = HV_SYNC_X86_REGS;
	g.run->kvm_valid_regs = HV_SYNC_X86_VALID_FIELDS;
	hv_run_to_port(_metadata, &g, 0x10);
	EXPECT_EQ(0x5a5a1234, *(uint32_t *)hv_guest_io_data(&g));
	EXPECT_EQ(0, g.run->kvm_dirty_regs);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_REGS, &regs));
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &sregs));
	EXPECT_EQ(0, memcmp(&regs, &g.run->s.regs.regs, sizeof(regs)));
	EXPECT_EQ(0, memcmp(&sregs, &g.run->s.regs.sregs, sizeof(sregs)));
	EXPECT_EQ(0x5a5a1234, g.run->s.regs.regs.rbx);

	/* Not dirty: what the run page holds is not taken. */
	g.run->s.regs.regs.rbx = 7;
	hv_run_to_port(_metadata, &g, 0x11);
	EXPECT_EQ(0x5a5a1235, g.run->s.regs.regs.rbx);

	/* Refused special registers: EINVAL, the bit stays set. */
	g.run->s.regs.sregs.cr0 |= 1ULL << 32;
	g.run->kvm_dirty_regs = HV_SYNC_X86_SREGS;
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_RUN, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(HV_SYNC_X86_SREGS, g.run->kvm_dirty_regs);
	hv_guest_destroy(&g);
}

HV_TEST_MAIN
