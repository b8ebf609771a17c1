/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hv: the userspace ABI of /dev/hv.
 *
 * hv speaks a binary-compatible subset of Linux KVM's ioctl API: the ioctl
 * numbers, structure layouts, exit reasons and errno values below are KVM's
 * (include/uapi/linux/kvm.h, Documentation/virt/kvm/api.rst), so a program
 * written for /dev/kvm runs on /dev/hv by changing the path.  The names carry
 * an HV_ prefix so that this header can be included beside <linux/kvm.h>;
 * selftests/abi_test.c checks at compile time that every number and layout
 * here equals KVM's.
 *
 * Documentation/api.rst says which calls hv implements.
 */
#ifndef _UAPI_LINUX_HV_H
#define _UAPI_LINUX_HV_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* The ioctl type byte, shared with KVM. */
#define HVIO			0xAE

/* The API version KVM_GET_API_VERSION has answered since Linux 2.6.22. */
#define HV_API_VERSION		12

/* ioctls on the system fd (/dev/hv) */
#define HV_GET_API_VERSION	_IO(HVIO, 0x00)
#define HV_CREATE_VM		_IO(HVIO, 0x01)	/* returns a VM fd */
#define HV_CHECK_EXTENSION	_IO(HVIO, 0x03)	/* capability -> 0 if absent */
#define HV_GET_VCPU_MMAP_SIZE	_IO(HVIO, 0x04)	/* size of the vCPU mapping */

/*
 * Capability numbers for HV_CHECK_EXTENSION: KVM's.  hv answers non-zero only
 * for the capabilities it implements.
 */
#define HV_CAP_IRQCHIP		0
#define HV_CAP_HLT		1
#define HV_CAP_USER_MEMORY	3
#define HV_CAP_SET_TSS_ADDR	4
#define HV_CAP_EXT_CPUID	7
#define HV_CAP_NR_VCPUS		9
#define HV_CAP_NR_MEMSLOTS	10
#define HV_CAP_COALESCED_MMIO	15
#define HV_CAP_IRQ_ROUTING	25
#define HV_CAP_IRQ_INJECT_STATUS 26
#define HV_CAP_PIT2		33
#define HV_CAP_IMMEDIATE_EXIT	136

#endif /* _UAPI_LINUX_HV_H */
