// SPDX-License-Identifier: GPL-2.0
/*
 * tiny-launcher: the whole of a KVM client in about 100 lines, the
 * course lab's second step (Documentation/lab.rst).  It creates a VM with
 * 64 KiB of memory, puts 12 bytes of real-mode code at 0x1000 that print
 * "Hi!\n" through port 0x3f8 and halt, and runs the vCPU, handling the two
 * exits that guest makes.  The same binary runs on /dev/hv and /dev/kvm:
 *
 *     tiny-launcher [/dev/hv | /dev/kvm]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../uapi/linux/hv.h"	/* or <linux/kvm.h>: the same ABI */

#define MEM_SIZE	0x10000
#define CODE_ADDR	0x1000

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	/* mov $0x3f8, %dx; mov $'H', %al; out %al, (%dx); ... hlt */
	static const unsigned char code[] = {
		0xba, 0xf8, 0x03,	/* mov $0x3f8, %dx */
		0xb0, 'H', 0xee,	/* mov $'H', %al; out %al, (%dx) */
		0xb0, 'i', 0xee,
		0xb0, '!', 0xee,
		0xb0, '\n', 0xee,
		0xf4,			/* hlt */
	};
	const char *path = argc > 1 ? argv[1] : "/dev/hv";
	struct hv_userspace_memory_region region;
	struct hv_sregs sregs;
	struct hv_regs regs;
	struct hv_run *run;
	int dev, vm, vcpu, size;
	unsigned char *mem;

	/* 1. The system fd: which API, how big a vCPU's run structure is. */
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die(path);
	if (ioctl(dev, HV_GET_API_VERSION, 0) != HV_API_VERSION)
		die("KVM_GET_API_VERSION");
	size = ioctl(dev, HV_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*run))
		die("KVM_GET_VCPU_MMAP_SIZE");

	/* 2. A VM, and guest memory: ordinary memory of this process. */
	vm = ioctl(dev, HV_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_ADDR, code, sizeof(code));
	memset(&region, 0, sizeof(region));
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, HV_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	/* 3. A vCPU, its run structure, and where it starts. */
	vcpu = ioctl(vm, HV_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap of the vCPU");
	if (ioctl(vcpu, HV_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;	/* real mode, CS:IP = 0:0x1000 */
	sregs.cs.selector = 0;
	if (ioctl(vcpu, HV_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_ADDR;
	regs.rflags = 0x2;	/* bit 1 is always set */
	if (ioctl(vcpu, HV_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	/* 4. Run until the guest halts; its OUTs are ours to carry out. */
	for (;;) {
		if (ioctl(vcpu, HV_RUN, 0) < 0)
			die("KVM_RUN");
		switch (run->exit_reason) {
		case HV_EXIT_IO:
			if (run->io.direction == HV_EXIT_IO_OUT &&
			    run->io.port == 0x3f8)
				putchar(*((char *)run + run->io.data_offset));
			break;
		case HV_EXIT_HLT:
			return 0;
		default:
			fprintf(stderr, "exit reason %u\n", run->exit_reason);
			return 1;
		}
	}
}
