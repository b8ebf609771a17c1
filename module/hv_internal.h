/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: objects shared by the arch-neutral core and the backends.
 *
 * The core (module/) owns the device, the file descriptors, VMs, vCPUs and
 * memory slots.  Everything that touches virtualization hardware sits
 * behind struct hv_arch_ops, filled by exactly one backend (arch/x86/vmx or
 * arch/x86/svm) chosen at load time by hv_arch_probe().
 *
 * Locking keys used on fields below:
 *	[I]	immutable after creation
 *	[vm]	hv_vm.lock
 *	[vcpu]	hv_vcpu.mutex (held by every vCPU ioctl)
 *	[cpu]	per-CPU, its own CPU only, interrupts disabled
 */
#ifndef HV_INTERNAL_H
#define HV_INTERNAL_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "../uapi/linux/hv.h"

#define HV_NAME "hv"

/* Limits, reported through HV_CHECK_EXTENSION. */
#define HV_MAX_VCPUS		256	/* per VM; also the highest id + 1 */
#define HV_MAX_MEMSLOTS		256	/* per VM; slot ids 0..255 */
#define HV_MAX_MEMSLOT_PAGES	((1UL << 31) - 1)	/* as KVM */

/* The pages of the vCPU mapping (HV_GET_VCPU_MMAP_SIZE). */
#define HV_VCPU_MMAP_PAGES	3

struct hv_vm;
struct hv_vcpu;

/**
 * struct hv_memslot - guest physical memory backed by user memory
 * @gpa:	guest physical address of the first byte
 * @npages:	size in pages; 0 means the slot is not in use
 * @hva:	user address of the first byte
 * @flags:	HV_MEM_* flags
 */
struct hv_memslot {
	u64 gpa;
	u64 npages;
	u64 hva;
	u32 flags;
};

/**
 * struct hv_vm - one virtual machine (a VM fd)
 * @refs:	the VM fd and each vCPU fd hold one
 * @lock:	serializes slot changes and vCPU creation
 * @mm:		the address space of the process that created it; ioctls
 *		from any other fail with EIO, as on KVM
 * @slots:	[vm] memory slots by id
 * @vcpus:	[vm] vCPUs by id (an id is also its index)
 * @tss_addr:	[vm] HV_SET_TSS_ADDR's argument (recorded only)
 * @arch:	[I] the backend's per-VM data
 */
struct hv_vm {
	refcount_t refs;
	struct mutex lock;
	struct mm_struct *mm;
	struct hv_memslot slots[HV_MAX_MEMSLOTS];
	struct hv_vcpu *vcpus[HV_MAX_VCPUS];
	u64 tss_addr;
	void *arch;
};

/**
 * struct hv_vcpu - one virtual CPU (a vCPU fd)
 * @vm:		[I] its VM, held by a reference
 * @id:		[I] the id given to HV_CREATE_VCPU
 * @mutex:	one ioctl at a time, as on KVM
 * @run:	[I] the shared page userspace maps at offset 0
 * @pio_data:	[I] the port I/O data page (offset HV_PIO_PAGE_OFFSET)
 * @mmio_ring:	[I] the coalesced MMIO page; hv never fills it
 * @regs:	[vcpu] general-purpose registers other than RSP
 *		(indexed by enum hv_gpr)
 * @cr8:	[vcpu] the task priority (CR8), kept here while there is no
 *		in-kernel local APIC
 * @apic_base:	[vcpu] IA32_APIC_BASE as HV_SET_SREGS last set it
 * @pending_irq: [vcpu] the interrupt HV_SET_SREGS queued, or -1
 * @arch:	[I] the backend's per-vCPU data
 */
struct hv_vcpu {
	struct hv_vm *vm;
	u32 id;
	struct mutex mutex;
	struct hv_run *run;
	void *pio_data;
	void *mmio_ring;
	u64 regs[16];
	u64 cr8;
	u64 apic_base;
	int pending_irq;
	void *arch;
};

/* General-purpose registers, in the order of their encoding. */
enum hv_gpr {
	HV_RAX, HV_RCX, HV_RDX, HV_RBX, HV_RSP, HV_RBP, HV_RSI, HV_RDI,
	HV_R8, HV_R9, HV_R10, HV_R11, HV_R12, HV_R13, HV_R14, HV_R15,
};

/* Segment registers, in the order of their encoding. */
enum hv_seg {
	HV_ES, HV_CS, HV_SS, HV_DS, HV_FS, HV_GS, HV_LDTR, HV_TR,
};

/**
 * struct hv_arch_ops - what a hardware backend provides to the core
 * @name:		short name for messages ("vmx", "svm")
 * @hardware_setup:	allocate what every CPU needs (called once, may sleep)
 * @hardware_unsetup:	free what hardware_setup allocated
 * @cpu_enable:		turn virtualization on for the calling CPU.  Called
 *			with interrupts disabled; returns 0 or a negative
 *			errno (-EBUSY: another hypervisor owns the CPU).
 * @cpu_disable:	turn it off again on the calling CPU.  Interrupts
 *			disabled; may run from an IPI on reboot.
 * @vcpu_create:	allocate the vCPU's hardware state (VMCS, VMCB) and
 *			put it in the reset state; may sleep
 * @vcpu_free:		free it
 * @vcpu_load:		make the vCPU's state reachable on this CPU; called
 *			with preemption disabled, undone by @vcpu_put before
 *			preemption is enabled again
 * @vcpu_put:		the opposite
 * @get_segment:	read a segment register as KVM reports it
 * @set_segment:	write one
 * @get_dtable:		read GDTR (gdt true) or IDTR
 * @set_dtable:		write one
 * @get_rsp_rip_rflags:	read RSP, RIP and RFLAGS
 * @set_rsp_rip_rflags:	write them
 * @get_sys:		read CR0, CR2, CR3, CR4 and EFER
 * @set_sys:		write them (already validated by the shared code)
 */
struct hv_arch_ops {
	const char *name;
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);

	int (*vcpu_create)(struct hv_vcpu *vcpu);
	void (*vcpu_free)(struct hv_vcpu *vcpu);
	void (*vcpu_load)(struct hv_vcpu *vcpu);
	void (*vcpu_put)(struct hv_vcpu *vcpu);

	void (*get_segment)(struct hv_vcpu *vcpu, struct hv_segment *var,
			    enum hv_seg seg);
	void (*set_segment)(struct hv_vcpu *vcpu, const struct hv_segment *var,
			    enum hv_seg seg);
	void (*get_dtable)(struct hv_vcpu *vcpu, struct hv_dtable *dt,
			   bool gdt);
	void (*set_dtable)(struct hv_vcpu *vcpu, const struct hv_dtable *dt,
			   bool gdt);
	void (*get_rsp_rip_rflags)(struct hv_vcpu *vcpu, u64 *rsp, u64 *rip,
				   u64 *rflags);
	void (*set_rsp_rip_rflags)(struct hv_vcpu *vcpu, u64 rsp, u64 rip,
				   u64 rflags);
	void (*get_sys)(struct hv_vcpu *vcpu, struct hv_sregs *sregs);
	void (*set_sys)(struct hv_vcpu *vcpu, const struct hv_sregs *sregs);
};

/* [I] the backend chosen at load. */
extern const struct hv_arch_ops *hv_arch;

/*
 * Returns the backend for this CPU, or an ERR_PTR: -EOPNOTSUPP when the CPU
 * lacks a feature hv needs (a message names it), -EBUSY when another
 * hypervisor already owns the hardware.
 */
const struct hv_arch_ops *hv_arch_probe(void);

/* module/hv_main.c */
long hv_check_extension(unsigned long cap);

/* module/hv_vm.c */
int hv_create_vm(unsigned long type);

/* module/hv_vcpu.c */
int hv_vcpu_create(struct hv_vm *vm, u32 id);
void hv_vcpu_destroy(struct hv_vcpu *vcpu);

/* arch/x86/hv_x86.c: the x86 vCPU ioctls (registers, reset state) */
long hv_x86_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
		       unsigned long arg);
void hv_x86_vcpu_reset(struct hv_vcpu *vcpu);

void hv_vm_get(struct hv_vm *vm);
void hv_vm_put(struct hv_vm *vm);

#endif /* HV_INTERNAL_H */
