// SPDX-License-Identifier: GPL-2.0
/*
 * The system fd (/dev/hv, /dev/kvm): version, capabilities, and what the
 * device answers to calls it does not implement.  Every answer here is the
 * one KVM gives (Documentation/virt/kvm/api.rst, section 4).
 */
#include <errno.h>
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

int main(int argc, char **argv)
{
	return hv_test_main(argc, argv, test_harness_run);
}
