// SPDX-License-Identifier: GPL-2.0
/*
 * VM file descriptors: creating VMs, capabilities, memory slots, vCPU ids,
 * and what a VM fd answers to bad input.  Every expected value is the one
 * KVM gives; limits are taken from KVM_CHECK_EXTENSION, since hv's and
 * KVM's differ.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/linux/hv.h"
#include "hv_test.h"

FIXTURE(vm) {
	int sys, vm;
	void *mem;		/* 16 pages of user memory */
};

FIXTURE_SETUP(vm)
{
	self->sys = hv_open_device();
	ASSERT_LE(0, self->sys) TH_LOG("cannot open %s", hv_device);
	self->vm = ioctl(self->sys, HV_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->mem = hv_alloc_pages(16);
	ASSERT_NE(NULL, self->mem);
}

FIXTURE_TEARDOWN(vm)
{
	munmap(self->mem, 16 * HV_PAGE);
	close(self->vm);
	close(self->sys);
}

static int set_region(int vm, __u32 slot, __u32 flags, __u64 gpa,
		      __u64 size, void *hva)
{
	struct hv_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
	};

	return ioctl(vm, HV_SET_USER_MEMORY_REGION, &r);
}

/* Only machine type 0 exists on x86. */
TEST_F(vm, create_vm_bad_type)
{
	EXPECT_EQ(-1, ioctl(self->sys, HV_CREATE_VM, 0xff));
	EXPECT_EQ(EINVAL, errno);
}

/* Run page, port I/O page, coalesced MMIO page. */
TEST_F(vm, vcpu_mmap_size)
{
	EXPECT_EQ(3 * HV_PAGE, ioctl(self->sys, HV_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_EQ(-1, ioctl(self->sys, HV_GET_VCPU_MMAP_SIZE, 1));
	EXPECT_EQ(EINVAL, errno);
}

/* What a minimal client asks before it starts, on both fds. */
TEST_F(vm, capabilities)
{
	int fd, i;

	for (i = 0; i < 2; i++) {
		fd = i ? self->vm : self->sys;
		EXPECT_EQ(1, ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_USER_MEMORY));
		EXPECT_EQ(1, ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_SET_TSS_ADDR));
		/* KVM_NMI (event_test). */
		EXPECT_EQ(1, ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_USER_NMI));
		EXPECT_LE(1, ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_NR_VCPUS));
		EXPECT_LE(ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_NR_VCPUS),
			  ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_MAX_VCPUS));
		EXPECT_LE(ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_MAX_VCPUS),
			  ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_MAX_VCPU_ID));
		EXPECT_LE(32, ioctl(fd, HV_CHECK_EXTENSION, HV_CAP_NR_MEMSLOTS));
	}
}

TEST_F(vm, memslot_create_delete)
{
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0, 4 * HV_PAGE, self->mem));
	/* Setting the very same slot again changes nothing. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0, 4 * HV_PAGE, self->mem));
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0, 0, self->mem));
	/* Deleting a slot that does not exist. */
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, 0, self->mem));
	EXPECT_EQ(EINVAL, errno);
	/* The slot can be created again, elsewhere. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0x100000, 4 * HV_PAGE,
				self->mem));
}

TEST_F(vm, memslot_bad_flags)
{
	EXPECT_EQ(-1, set_region(self->vm, 0, 1 << 2, 0, HV_PAGE, self->mem));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_region(self->vm, 0, 1U << 31, 0, HV_PAGE,
				 self->mem));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vm, memslot_misaligned)
{
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0x800, HV_PAGE, self->mem));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, 0x800, self->mem));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, HV_PAGE,
				 (char *)self->mem + 8));
	EXPECT_EQ(EINVAL, errno);
}

/* User memory must be user memory: a kernel address is refused. */
TEST_F(vm, memslot_kernel_address)
{
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, HV_PAGE,
				 (void *)0xffff888000000000UL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vm, memslot_bad_pointer)
{
	EXPECT_EQ(-1, ioctl(self->vm, HV_SET_USER_MEMORY_REGION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(vm, memslot_wraps_around)
{
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, ~0xfffULL, 2 * HV_PAGE,
				 self->mem));
	EXPECT_EQ(EINVAL, errno);
}

/* No slot may reach beyond the host's physical address width. */
TEST_F(vm, memslot_beyond_phys_bits)
{
	unsigned int bits = hv_host_phys_bits();

	ASSERT_LT(32, bits);
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 1ULL << bits, HV_PAGE,
				 self->mem));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, set_region(self->vm, 0, 0, (1ULL << bits) - HV_PAGE,
				HV_PAGE, self->mem));
}

TEST_F(vm, memslot_overlap)
{
	char *m = self->mem;

	ASSERT_EQ(0, set_region(self->vm, 0, 0, 0, 4 * HV_PAGE, m));
	EXPECT_EQ(-1, set_region(self->vm, 1, 0, 2 * HV_PAGE, 4 * HV_PAGE,
				 m + 4 * HV_PAGE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, set_region(self->vm, 1, 0, 0, HV_PAGE, m + 8 * HV_PAGE));
	EXPECT_EQ(EEXIST, errno);
	/* Adjacent is fine; the same user memory twice is fine too. */
	EXPECT_EQ(0, set_region(self->vm, 1, 0, 4 * HV_PAGE, 4 * HV_PAGE,
				m + 4 * HV_PAGE));
	EXPECT_EQ(0, set_region(self->vm, 2, 0, 0x100000, 4 * HV_PAGE, m));
}

/*
 * An existing slot may move; its size, memory and READONLY flag may not
 * change.
 */
TEST_F(vm, memslot_modify)
{
	char *m = self->mem;

	ASSERT_EQ(0, set_region(self->vm, 0, 0, 0, 4 * HV_PAGE, m));
	ASSERT_EQ(0, set_region(self->vm, 1, 0, 0x100000, 4 * HV_PAGE,
				m + 4 * HV_PAGE));
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, 8 * HV_PAGE, m));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0, 4 * HV_PAGE,
				 m + 8 * HV_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_region(self->vm, 0, HV_MEM_READONLY, 0,
				 4 * HV_PAGE, m));
	EXPECT_EQ(EINVAL, errno);
	/* Moving onto another slot. */
	EXPECT_EQ(-1, set_region(self->vm, 0, 0, 0x100000, 4 * HV_PAGE, m));
	EXPECT_EQ(EEXIST, errno);
	/* Moving to free space. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0x200000, 4 * HV_PAGE, m));
	/* Its old place is free now. */
	EXPECT_EQ(0, set_region(self->vm, 2, 0, 0, 4 * HV_PAGE,
				m + 8 * HV_PAGE));
}

TEST_F(vm, memslot_readonly)
{
	EXPECT_EQ(0, set_region(self->vm, 0, HV_MEM_READONLY, 0,
				4 * HV_PAGE, self->mem));
}

/* Slot ids run from 0 to KVM_CAP_NR_MEMSLOTS - 1. */
TEST_F(vm, memslot_id_limit)
{
	int n = ioctl(self->vm, HV_CHECK_EXTENSION, HV_CAP_NR_MEMSLOTS);

	ASSERT_LT(0, n);
	EXPECT_EQ(0, set_region(self->vm, n - 1, 0, 0, HV_PAGE, self->mem));
	EXPECT_EQ(-1, set_region(self->vm, n, 0, HV_PAGE, HV_PAGE,
				 self->mem));
	EXPECT_EQ(EINVAL, errno);
}

/* Clients pass 0xfffbd000; the three pages must stay below 4 GiB. */
TEST_F(vm, set_tss_addr)
{
	EXPECT_EQ(0, ioctl(self->vm, HV_SET_TSS_ADDR, 0xfffbd000UL));
	EXPECT_EQ(-1, ioctl(self->vm, HV_SET_TSS_ADDR, 0xfffff000UL));
	EXPECT_EQ(EINVAL, errno);
}

static __u64 vcpu_apic_base(struct __test_metadata *_metadata, int vcpu)
{
	struct hv_sregs s;

	EXPECT_EQ(0, ioctl(vcpu, HV_GET_SREGS, &s));
	return s.apic_base;
}

/*
 * KVM_SET_BOOT_CPU_ID picks the vCPU whose APIC base has the BSP bit (bit
 * 8) at reset (the last call before the first vCPU counts); once a vCPU
 * exists it is EBUSY.
 */
TEST_F(vm, boot_cpu_id)
{
	int v0, v3;

	EXPECT_EQ(1, ioctl(self->vm, HV_CHECK_EXTENSION,
			   HV_CAP_SET_BOOT_CPU_ID));
	EXPECT_EQ(0, ioctl(self->vm, HV_SET_BOOT_CPU_ID, 5));
	EXPECT_EQ(0, ioctl(self->vm, HV_SET_BOOT_CPU_ID, 3));
	v0 = ioctl(self->vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, v0);
	v3 = ioctl(self->vm, HV_CREATE_VCPU, 3);
	ASSERT_LE(0, v3);
	EXPECT_EQ(0xfee00800, vcpu_apic_base(_metadata, v0));
	EXPECT_EQ(0xfee00900, vcpu_apic_base(_metadata, v3));
	EXPECT_EQ(-1, ioctl(self->vm, HV_SET_BOOT_CPU_ID, 0));
	EXPECT_EQ(EBUSY, errno);
	close(v3);
	close(v0);
}

/* Without KVM_SET_BOOT_CPU_ID, vCPU 0 is the BSP. */
TEST_F(vm, boot_cpu_id_default)
{
	int v0, v1;

	v1 = ioctl(self->vm, HV_CREATE_VCPU, 1);
	ASSERT_LE(0, v1);
	v0 = ioctl(self->vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, v0);
	EXPECT_EQ(0xfee00900, vcpu_apic_base(_metadata, v0));
	EXPECT_EQ(0xfee00800, vcpu_apic_base(_metadata, v1));
	close(v1);
	close(v0);
}

/*
 * KVM_SET_IDENTITY_MAP_ADDR is accepted before the first vCPU (hv, with
 * unrestricted guest, only records it) and EINVAL after; EFAULT for a bad
 * pointer.
 */
TEST_F(vm, identity_map_addr)
{
	__u64 addr = 0xfffbc000;
	int v0;

	EXPECT_EQ(1, ioctl(self->vm, HV_CHECK_EXTENSION,
			   HV_CAP_SET_IDENTITY_MAP_ADDR));
	EXPECT_EQ(0, ioctl(self->vm, HV_SET_IDENTITY_MAP_ADDR, &addr));
	EXPECT_EQ(-1, ioctl(self->vm, HV_SET_IDENTITY_MAP_ADDR, NULL));
	EXPECT_EQ(EFAULT, errno);
	v0 = ioctl(self->vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, v0);
	EXPECT_EQ(-1, ioctl(self->vm, HV_SET_IDENTITY_MAP_ADDR, &addr));
	EXPECT_EQ(EINVAL, errno);
	close(v0);
}

TEST_F(vm, unknown_ioctl_enotty)
{
	EXPECT_EQ(-1, ioctl(self->vm, _IO(HVIO, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
}

/*
 * KVM_ENABLE_CAP exists on VM and vCPU fds; no capability hv has can be
 * turned on, and one that cannot be on KVM either is EINVAL on both, as
 * are flags; a bad pointer is EFAULT.
 */
TEST_F(vm, enable_cap)
{
	struct hv_enable_cap cap = { .cap = HV_CAP_USER_MEMORY };
	int vcpu;

	EXPECT_EQ(1, ioctl(self->sys, HV_CHECK_EXTENSION, HV_CAP_ENABLE_CAP));
	EXPECT_EQ(1, ioctl(self->vm, HV_CHECK_EXTENSION,
			   HV_CAP_ENABLE_CAP_VM));
	EXPECT_EQ(-1, ioctl(self->vm, HV_ENABLE_CAP, &cap));
	EXPECT_EQ(EINVAL, errno);
	cap.cap = HV_CAP_NR_VCPUS;
	cap.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vm, HV_ENABLE_CAP, &cap));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->vm, HV_ENABLE_CAP, NULL));
	EXPECT_EQ(EFAULT, errno);

	vcpu = ioctl(self->vm, HV_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	cap.flags = 0;
	EXPECT_EQ(-1, ioctl(vcpu, HV_ENABLE_CAP, &cap));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vcpu, HV_ENABLE_CAP, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(vcpu);
}

TEST_F(vm, create_vcpu_ids)
{
	int max_id = ioctl(self->vm, HV_CHECK_EXTENSION, HV_CAP_MAX_VCPU_ID);
	int a, b;

	ASSERT_LT(1, max_id);
	a = ioctl(self->vm, HV_CREATE_VCPU, 0);
	EXPECT_LE(0, a);
	EXPECT_EQ(-1, ioctl(self->vm, HV_CREATE_VCPU, 0));
	EXPECT_EQ(EEXIST, errno);
	b = ioctl(self->vm, HV_CREATE_VCPU, max_id - 1);
	EXPECT_LE(0, b);
	EXPECT_EQ(-1, ioctl(self->vm, HV_CREATE_VCPU, max_id));
	EXPECT_EQ(EINVAL, errno);
	close(a);
	close(b);
}

/* A VM belongs to the process that created it: a child gets EIO. */
TEST_F(vm, other_process_eio)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ioctl(self->vm, HV_CREATE_VCPU, 0) != -1 || errno != EIO)
			_exit(1);
		if (set_region(self->vm, 0, 0, 0, HV_PAGE, self->mem) != -1 ||
		    errno != EIO)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Closing the VM fd before its vCPU fds leaves the vCPUs usable. */
TEST_F(vm, close_vm_before_vcpu)
{
	struct hv_regs regs;
	int vcpu = ioctl(self->vm, HV_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, close(self->vm));
	EXPECT_EQ(0, ioctl(vcpu, HV_GET_REGS, &regs));
	EXPECT_EQ(0xfff0, regs.rip);
	EXPECT_EQ(0, close(vcpu));
	self->vm = ioctl(self->sys, HV_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
}

static int vm_cycle(int sys, void *mem)
{
	int vm, vcpu;

	vm = ioctl(sys, HV_CREATE_VM, 0);
	if (vm < 0)
		return -1;
	vcpu = ioctl(vm, HV_CREATE_VCPU, 0);
	if (vcpu < 0 || set_region(vm, 0, 0, 0, 4 * HV_PAGE, mem)) {
		close(vm);
		return -1;
	}
	close(vcpu);
	close(vm);
	return 0;
}

/*
 * 1000 VMs, each with a vCPU and a memory slot, created and destroyed:
 * free memory afterwards, measured once the kernel has settled
 * (hv_settled_free_kib), is what it was (within 2 MiB, less than one page
 * per cycle).  KVM waits for an SRCU grace period at each slot change,
 * which takes long in an emulator: hence the long time limit.
 */
TEST_F_TIMEOUT(vm, create_destroy_1000_no_leak, 900)
{
	long before, after;
	int i;

	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, vm_cycle(self->sys, self->mem));
	before = hv_settled_free_kib();
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, vm_cycle(self->sys, self->mem));
	after = hv_settled_free_kib();
	ASSERT_LT(0, before);
	ASSERT_LT(0, after);
	TH_LOG("free memory: %ld KiB after 50 cycles, %ld KiB after 1050",
	       before, after);
	EXPECT_GT(2048, before - after)
		TH_LOG("MemFree fell by %ld KiB", before - after);
}

HV_TEST_MAIN
