// SPDX-License-Identifier: GPL-2.0
/*
 * The system fd (/dev/hv, /dev/kvm): version, capabilities, and what the
 * device answers to calls it does not implement.  Every answer here is the
 * one KVM gives (Documentation/virt/kvm/api.rst, section 4).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../uapi/linux/hv.h"
#include "hv_test.h"

FIXTURE(sys) {
	int fd;
};

FIXTURE_SETUP(sys)
{
	self->fd = hv_open_device();
	ASSERT_LE(0, self->fd) TH_LOG("cannot open %s", hv_device);
}

FIXTURE_TEARDOWN(sys)
{
	close(self->fd);
}

/* KVM_GET_API_VERSION answers 12, the only version there has ever been. */
TEST_F(sys, api_version)
{
	EXPECT_EQ(HV_API_VERSION, ioctl(self->fd, HV_GET_API_VERSION, 0));
}

/* ... and refuses a non-zero argument. */
TEST_F(sys, api_version_rejects_argument)
{
	EXPECT_EQ(-1, ioctl(self->fd, HV_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
}

/* A capability number nobody has defined is simply absent: 0, no error. */
TEST_F(sys, check_extension_unknown_is_zero)
{
	EXPECT_EQ(0, ioctl(self->fd, HV_CHECK_EXTENSION, 0x7fffffffUL));
	EXPECT_EQ(0, ioctl(self->fd, HV_CHECK_EXTENSION, ~0UL));
}

/* An ioctl the system fd does not know: KVM on x86 answers EINVAL. */
TEST_F(sys, unknown_ioctl_einval)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(HVIO, 0x7f), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW('x', 0x01, int), 0));
	EXPECT_EQ(EINVAL, errno);
}

/* The system fd has no read, write or mmap. */
TEST_F(sys, no_read_write_mmap)
{
	char buf[8];
	void *p;

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
}

/* Any number of processes may hold the device open at once. */
TEST_F(sys, open_many)
{
	int fds[64], i;

	for (i = 0; i < 64; i++) {
		fds[i] = hv_open_device();
		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(HV_API_VERSION,
			  ioctl(fds[i], HV_GET_API_VERSION, 0));
	}
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, close(fds[i]));
}

/*
 * KVM_GET_SUPPORTED_CPUID: an array too small for every entry is E2BIG
 * (also with nent 0), a bigger one than 256 entries is used as 256, and on
 * success nent says how many entries there are.
 */
TEST_F(sys, supported_cpuid_sizes)
{
	struct {
		struct hv_cpuid2 c;
		struct hv_cpuid_entry2 e[300];
	} cpuid;
	unsigned int i, basic = 0, extended = 0;

	memset(&cpuid, 0, sizeof(cpuid));
	EXPECT_EQ(-1, ioctl(self->fd, HV_GET_SUPPORTED_CPUID, &cpuid));
	EXPECT_EQ(E2BIG, errno);
	cpuid.c.nent = 1;
	EXPECT_EQ(-1, ioctl(self->fd, HV_GET_SUPPORTED_CPUID, &cpuid));
	EXPECT_EQ(E2BIG, errno);
	cpuid.c.nent = 300;
	ASSERT_EQ(0, ioctl(self->fd, HV_GET_SUPPORTED_CPUID, &cpuid));
	EXPECT_LT(1, cpuid.c.nent);
	EXPECT_GE(256, cpuid.c.nent);
	for (i = 0; i < cpuid.c.nent && i < 256; i++) {
		if (cpuid.e[i].function == 0)
			basic = cpuid.e[i].eax;
		if (cpuid.e[i].function == 0x80000000)
			extended = cpuid.e[i].eax;
	}
	EXPECT_LE(1, basic);
	EXPECT_LE(0x80000001, extended);
	/* Nothing past nent was written. */
	for (i = cpuid.c.nent; i < 300; i++)
		EXPECT_EQ(0, cpuid.e[i].function | cpuid.e[i].eax);
}

/* ... and a pointer to nowhere is EFAULT. */
TEST_F(sys, supported_cpuid_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, HV_GET_SUPPORTED_CPUID, 8UL));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * Leaf 0xD offers the XSAVE state of the features the other leaves offer
 * (AVX: leaf 1 ECX 28; MPX: leaf 7 EBX 14; AVX-512F: leaf 7 EBX 16; PKU:
 * leaf 7 ECX 3; AMX-TILE: leaf 7 EDX 24) and no state of a feature they
 * hide, with a sub-leaf for each, and ECX is the size of the standard
 * XSAVE area for all of them.  PKRU is the exception one way: KVM offers
 * its state wherever the host enables it, also where it does not offer
 * PKU (a kernel without protection keys: the debug kernel).
 */
TEST_F(sys, supported_cpuid_xsave_components_match_features)
{
	struct {
		struct hv_cpuid2 c;
		struct hv_cpuid_entry2 e[256];
	} cpuid;
	static const struct {
		unsigned int first, last, leaf, reg, bit, state_alone;
	} deps[] = {
		{ 2, 2, 1, 2, 28, 0 }, { 3, 4, 7, 1, 14, 0 },
		{ 5, 7, 7, 1, 16, 0 }, { 9, 9, 7, 2, 3, 1 },
		{ 17, 18, 7, 3, 24, 0 },
	};
	const struct hv_cpuid_entry2 *d0, *e;
	unsigned long long xcr0;
	unsigned int i, b, size = 512 + 64;

	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.c.nent = 256;
	ASSERT_EQ(0, ioctl(self->fd, HV_GET_SUPPORTED_CPUID, &cpuid));
	d0 = hv_cpuid_entry(&cpuid.c, cpuid.c.nent, 0xd, 0);
	if (!d0)
		SKIP(return, "no leaf 0xD");
	xcr0 = d0->eax | (unsigned long long)d0->edx << 32;
	TH_LOG("leaf 0xD.0: XCR0 %#llx, size %u", xcr0, d0->ecx);
	EXPECT_EQ(3, xcr0 & 3);
	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		unsigned int regs[4] = { 0 };

		e = hv_cpuid_entry(&cpuid.c, cpuid.c.nent, deps[i].leaf, 0);
		if (e) {
			regs[0] = e->eax;
			regs[1] = e->ebx;
			regs[2] = e->ecx;
			regs[3] = e->edx;
		}
		for (b = deps[i].first; b <= deps[i].last; b++) {
			int feature = !!(regs[deps[i].reg] & (1U << deps[i].bit));
			int state = !!(xcr0 & (1ULL << b));

			if (deps[i].state_alone && state)
				continue;
			EXPECT_EQ(feature, state) {
				TH_LOG("XCR0 bit %u against leaf %#x bit %u",
				       b, deps[i].leaf, deps[i].bit);
			}
		}
	}
	for (b = 2; b < 64; b++) {
		if (!(xcr0 & (1ULL << b)))
			continue;
		e = hv_cpuid_entry(&cpuid.c, cpuid.c.nent, 0xd, b);
		EXPECT_NE(NULL, e) {
			TH_LOG("no sub-leaf %u", b);
		}
		if (e && e->eax + e->ebx > size)
			size = e->eax + e->ebx;
	}
	EXPECT_EQ(size, d0->ecx);
}

HV_TEST_MAIN
