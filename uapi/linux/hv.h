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
#define HV_GET_SUPPORTED_CPUID	_IOWR(HVIO, 0x05, struct hv_cpuid2)
#define HV_GET_MSR_INDEX_LIST	_IOWR(HVIO, 0x02, struct hv_msr_list)
#define HV_GET_MSR_FEATURE_INDEX_LIST _IOWR(HVIO, 0x0a, struct hv_msr_list)
#define HV_X86_GET_MCE_CAP_SUPPORTED _IOR(HVIO, 0x9d, __u64)
/* HV_GET_MSRS (below) on the system fd reads the feature MSRs. */

/* ioctls on a VM fd */
#define HV_CREATE_VCPU		_IO(HVIO, 0x41)	/* vCPU id -> vCPU fd */
#define HV_SET_USER_MEMORY_REGION \
				_IOW(HVIO, 0x46, struct hv_userspace_memory_region)
#define HV_SET_TSS_ADDR		_IO(HVIO, 0x47)
#define HV_SET_NR_MMU_PAGES	_IO(HVIO, 0x44)	/* deprecated, recorded */
#define HV_GET_NR_MMU_PAGES	_IO(HVIO, 0x45)
#define HV_SET_IDENTITY_MAP_ADDR _IOW(HVIO, 0x48, __u64)
#define HV_SET_BOOT_CPU_ID	_IO(HVIO, 0x78)
#define HV_SET_CLOCK		_IOW(HVIO, 0x7b, struct hv_clock_data)
#define HV_SIGNAL_MSI		_IOW(HVIO, 0xa5, struct hv_msi)
#define HV_CREATE_IRQCHIP	_IO(HVIO, 0x60)
#define HV_IRQ_LINE		_IOW(HVIO, 0x61, struct hv_irq_level)
#define HV_GET_IRQCHIP		_IOWR(HVIO, 0x62, struct hv_irqchip)
#define HV_SET_IRQCHIP		_IOR(HVIO, 0x63, struct hv_irqchip)
#define HV_IRQ_LINE_STATUS	_IOWR(HVIO, 0x67, struct hv_irq_level)
#define HV_SET_GSI_ROUTING	_IOW(HVIO, 0x6a, struct hv_irq_routing)
#define HV_GET_CLOCK		_IOR(HVIO, 0x7c, struct hv_clock_data)
#define HV_CREATE_PIT		_IO(HVIO, 0x64)
#define HV_GET_PIT		_IOWR(HVIO, 0x65, struct hv_pit_state)
#define HV_SET_PIT		_IOR(HVIO, 0x66, struct hv_pit_state)
#define HV_REINJECT_CONTROL	_IO(HVIO, 0x71)
#define HV_CREATE_PIT2		_IOW(HVIO, 0x77, struct hv_pit_config)
#define HV_GET_PIT2		_IOR(HVIO, 0x9f, struct hv_pit_state2)
#define HV_SET_PIT2		_IOW(HVIO, 0xa0, struct hv_pit_state2)
#define HV_X86_SET_MSR_FILTER	_IOW(HVIO, 0xc6, struct hv_msr_filter)
/* HV_SET_TSC_KHZ and HV_GET_TSC_KHZ (below) set a VM's default rate. */

/* ioctls on a vCPU fd */
#define HV_SET_DEVICE_ATTR	_IOW(HVIO, 0xe1, struct hv_device_attr)
#define HV_GET_DEVICE_ATTR	_IOW(HVIO, 0xe2, struct hv_device_attr)
#define HV_HAS_DEVICE_ATTR	_IOW(HVIO, 0xe3, struct hv_device_attr)
#define HV_RUN			_IO(HVIO, 0x80)
#define HV_GET_REGS		_IOR(HVIO, 0x81, struct hv_regs)
#define HV_SET_REGS		_IOW(HVIO, 0x82, struct hv_regs)
#define HV_GET_SREGS		_IOR(HVIO, 0x83, struct hv_sregs)
#define HV_SET_SREGS		_IOW(HVIO, 0x84, struct hv_sregs)
#define HV_GET_MSRS		_IOWR(HVIO, 0x88, struct hv_msrs)
#define HV_SET_MSRS		_IOW(HVIO, 0x89, struct hv_msrs)
#define HV_SET_SIGNAL_MASK	_IOW(HVIO, 0x8b, struct hv_signal_mask)
#define HV_GET_FPU		_IOR(HVIO, 0x8c, struct hv_fpu)
#define HV_SET_FPU		_IOW(HVIO, 0x8d, struct hv_fpu)
#define HV_INTERRUPT		_IOW(HVIO, 0x86, struct hv_interrupt)
#define HV_SET_CPUID2		_IOW(HVIO, 0x90, struct hv_cpuid2)
#define HV_GET_CPUID2		_IOWR(HVIO, 0x91, struct hv_cpuid2)
#define HV_GET_MP_STATE		_IOR(HVIO, 0x98, struct hv_mp_state)
#define HV_SET_MP_STATE		_IOW(HVIO, 0x99, struct hv_mp_state)
#define HV_NMI			_IO(HVIO, 0x9a)
#define HV_GET_VCPU_EVENTS	_IOR(HVIO, 0x9f, struct hv_vcpu_events)
#define HV_SET_VCPU_EVENTS	_IOW(HVIO, 0xa0, struct hv_vcpu_events)
#define HV_GET_DEBUGREGS	_IOR(HVIO, 0xa1, struct hv_debugregs)
#define HV_SET_DEBUGREGS	_IOW(HVIO, 0xa2, struct hv_debugregs)
#define HV_X86_SETUP_MCE	_IOW(HVIO, 0x9c, __u64)
#define HV_X86_SET_MCE		_IOW(HVIO, 0x9e, struct hv_x86_mce)
#define HV_ENABLE_CAP		_IOW(HVIO, 0xa3, struct hv_enable_cap)
#define HV_SET_TSC_KHZ		_IO(HVIO, 0xa2)	/* kHz; 0: the host's */
#define HV_GET_TSC_KHZ		_IO(HVIO, 0xa3)	/* returns kHz */
#define HV_GET_XSAVE		_IOR(HVIO, 0xa4, struct hv_xsave)
#define HV_SET_XSAVE		_IOW(HVIO, 0xa5, struct hv_xsave)
#define HV_GET_XSAVE2		_IOR(HVIO, 0xcf, struct hv_xsave)
#define HV_GET_LAPIC		_IOR(HVIO, 0x8e, struct hv_lapic_state)
#define HV_SET_LAPIC		_IOW(HVIO, 0x8f, struct hv_lapic_state)
#define HV_GET_XCRS		_IOR(HVIO, 0xa6, struct hv_xcrs)
#define HV_SET_XCRS		_IOW(HVIO, 0xa7, struct hv_xcrs)

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
#define HV_CAP_MP_STATE		14
#define HV_CAP_COALESCED_MMIO	15
#define HV_CAP_SYNC_MMU		16
#define HV_CAP_USER_NMI		22
#define HV_CAP_VCPU_EVENTS	41
#define HV_CAP_INTR_SHADOW	49
#define HV_CAP_DEBUGREGS	50
#define HV_CAP_ENABLE_CAP	54	/* HV_ENABLE_CAP on vCPU fds */
#define HV_CAP_XSAVE		55
#define HV_CAP_XCRS		56
#define HV_CAP_XSAVE2		208	/* the size HV_GET_XSAVE2 writes */
#define HV_CAP_IRQ_ROUTING	25
#define HV_CAP_MCE		31	/* the number of banks */
#define HV_CAP_ADJUST_CLOCK	39	/* the HV_CLOCK_* flags */
#define HV_CAP_TSC_CONTROL	60
#define HV_CAP_GET_TSC_KHZ	61
#define HV_CAP_VM_TSC_CONTROL	214
#define HV_CAP_IRQ_INJECT_STATUS 26
#define HV_CAP_PIT2		33
#define HV_CAP_PIT		11
#define HV_CAP_PIT_STATE2	35
#define HV_CAP_REINJECT_CONTROL	24
#define HV_CAP_SET_BOOT_CPU_ID	34
#define HV_CAP_SET_IDENTITY_MAP_ADDR 37
#define HV_CAP_MAX_VCPUS	66
#define HV_CAP_READONLY_MEM	81
#define HV_CAP_ENABLE_CAP_VM	98	/* HV_ENABLE_CAP on VM fds */
#define HV_CAP_MAX_VCPU_ID	128
#define HV_CAP_IMMEDIATE_EXIT	136
#define HV_CAP_GET_MSR_FEATURES	153
#define HV_CAP_TSC_DEADLINE_TIMER 72
/* HV_CAP_IRQCHIP, _IRQ_ROUTING, _IRQ_INJECT_STATUS: above */
#define HV_CAP_SIGNAL_MSI	77
#define HV_CAP_SPLIT_IRQCHIP	121	/* HV_ENABLE_CAP on a VM fd */
#define HV_CAP_MSR_PLATFORM_INFO 159	/* HV_ENABLE_CAP on a VM fd */
#define HV_CAP_SYNC_REGS	74	/* the HV_SYNC_X86_* fields */
#define HV_CAP_VCPU_ATTRIBUTES	127	/* HV_*_DEVICE_ATTR on a vCPU fd */
#define HV_CAP_ENFORCE_PV_FEATURE_CPUID 190	/* HV_ENABLE_CAP on a vCPU */
#define HV_CAP_DISABLE_QUIRKS2	213	/* HV_ENABLE_CAP on a VM fd */
#define HV_X86_QUIRK_FIX_HYPERCALL_INSN	(1 << 5)
#define HV_CAP_X2APIC_API	129
#define HV_CAP_X86_USER_SPACE_MSR 188	/* HV_ENABLE_CAP on a VM fd */
#define HV_CAP_X86_MSR_FILTER	189	/* HV_X86_SET_MSR_FILTER */

/* HV_ENABLE_CAP(HV_CAP_X86_USER_SPACE_MSR): which failed accesses exit. */
#define HV_MSR_EXIT_REASON_INVAL	(1 << 0)	/* would be #GP */
#define HV_MSR_EXIT_REASON_UNKNOWN	(1 << 1)	/* not an MSR hv knows */
#define HV_MSR_EXIT_REASON_FILTER	(1 << 2)	/* denied by the filter */

/* HV_ENABLE_CAP(HV_CAP_SPLIT_IRQCHIP): args[0] at most this many pins. */
#define HV_MAX_IRQ_ROUTES	4096

/* HV_SET_USER_MEMORY_REGION: guest physical memory backed by user memory. */
#define HV_MEM_LOG_DIRTY_PAGES	(1UL << 0)
#define HV_MEM_READONLY		(1UL << 1)

struct hv_userspace_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;	/* bytes; 0 deletes the slot */
	__u64 userspace_addr;	/* start of the user memory backing it */
};

/* HV_GET_REGS / HV_SET_REGS: the general-purpose registers (x86). */
struct hv_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8,  r9,  r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register: the selector and the hidden descriptor cache. */
struct hv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

/* GDTR or IDTR. */
struct hv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/* Bits of the interrupt bitmap in struct hv_sregs. */
#define HV_NR_INTERRUPTS	256

/* HV_GET_SREGS / HV_SET_SREGS: segments, control registers, EFER. */
struct hv_sregs {
	struct hv_segment cs, ds, es, fs, gs, ss;
	struct hv_segment tr, ldt;
	struct hv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 interrupt_bitmap[(HV_NR_INTERRUPTS + 63) / 64];
};

/* HV_INTERRUPT: the vector of an external interrupt for the guest. */
struct hv_interrupt {
	__u32 irq;
};

/*
 * HV_GET_VCPU_EVENTS / HV_SET_VCPU_EVENTS: the events waiting for the
 * guest, its interrupt shadow and NMI blocking.
 */
struct hv_vcpu_events {
	struct {
		__u8 injected;
		__u8 nr;
		__u8 has_error_code;
		__u8 pending;
		__u32 error_code;
	} exception;
	struct {
		__u8 injected;
		__u8 nr;
		__u8 soft;
		__u8 shadow;	/* HV_X86_SHADOW_INT_* */
	} interrupt;
	struct {
		__u8 injected;
		__u8 pending;
		__u8 masked;
		__u8 pad;
	} nmi;
	__u32 sipi_vector;
	__u32 flags;		/* HV_VCPUEVENT_VALID_* */
	struct {
		__u8 smm;
		__u8 pending;
		__u8 smm_inside_nmi;
		__u8 latched_init;
	} smi;
	struct {
		__u8 pending;
	} triple_fault;
	__u8 reserved[26];
	__u8 exception_has_payload;
	__u64 exception_payload;
};

#define HV_VCPUEVENT_VALID_NMI_PENDING	0x00000001
#define HV_VCPUEVENT_VALID_SIPI_VECTOR	0x00000002
#define HV_VCPUEVENT_VALID_SHADOW	0x00000004
#define HV_VCPUEVENT_VALID_SMM		0x00000008
#define HV_VCPUEVENT_VALID_PAYLOAD	0x00000010
#define HV_VCPUEVENT_VALID_TRIPLE_FAULT	0x00000020

#define HV_X86_SHADOW_INT_MOV_SS	0x01
#define HV_X86_SHADOW_INT_STI		0x02

/* HV_GET_FPU / HV_SET_FPU: the x87 and SSE state, FXSAVE's fields. */
struct hv_fpu {
	__u8  fpr[8][16];
	__u16 fcw;
	__u16 fsw;
	__u8  ftwx;		/* the abridged tag word, as FXSAVE stores it */
	__u8  pad1;
	__u16 last_opcode;
	__u64 last_ip;
	__u64 last_dp;
	__u8  xmm[16][16];
	__u32 mxcsr;
	__u32 pad2;
};

/* HV_GET_MP_STATE / HV_SET_MP_STATE */
struct hv_mp_state {
	__u32 mp_state;		/* HV_MP_STATE_* */
};

#define HV_MP_STATE_RUNNABLE		0
#define HV_MP_STATE_UNINITIALIZED	1
#define HV_MP_STATE_INIT_RECEIVED	2
#define HV_MP_STATE_HALTED		3
#define HV_MP_STATE_SIPI_RECEIVED	4

/* HV_GET_DEBUGREGS / HV_SET_DEBUGREGS */
struct hv_debugregs {
	__u64 db[4];
	__u64 dr6;
	__u64 dr7;
	__u64 flags;
	__u64 reserved[9];
};

/* HV_GET_XCRS / HV_SET_XCRS: the extended control registers (XCR0). */
#define HV_MAX_XCRS	16

struct hv_xcr {
	__u32 xcr;
	__u32 reserved;
	__u64 value;
};

/*
 * HV_GET/SET_XSAVE: the XSAVE area in the standard format; HV_GET_XSAVE2
 * writes HV_CHECK_EXTENSION(HV_CAP_XSAVE2) bytes (at least these 4096).
 */
struct hv_xsave {
	__u32 region[1024];
	__u32 extra[];
};

struct hv_xcrs {
	__u32 nr_xcrs;
	__u32 flags;
	struct hv_xcr xcrs[HV_MAX_XCRS];
	__u64 padding[16];
};

/*
 * HV_SET_SIGNAL_MASK: LEN bytes of a kernel sigset_t (8 on x86-64) follow;
 * a NULL argument instead drops the mask.
 */
struct hv_signal_mask {
	__u32 len;
	__u8 sigset[];
};

/*
 * HV_GET_MSRS / HV_SET_MSRS: NMSRS entries follow (fewer than 256).  The
 * ioctl returns how many it processed, in order, stopping at the first
 * MSR it cannot read or write.
 */
struct hv_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/*
 * HV_X86_SET_MSR_FILTER: which MSRs the guest's RDMSR and WRMSR may reach
 * in the kernel.  In each range, bit N of the bitmap is MSR base + N: 1
 * allows the accesses FLAGS names, 0 denies them.  The first range that
 * holds the MSR for that access decides; where none does, the default.
 */
#define HV_MSR_FILTER_READ	(1 << 0)
#define HV_MSR_FILTER_WRITE	(1 << 1)
#define HV_MSR_FILTER_MAX_BITMAP_SIZE	0x600	/* bytes */
#define HV_MSR_FILTER_MAX_RANGES	16
#define HV_MSR_FILTER_DEFAULT_ALLOW	(0 << 0)
#define HV_MSR_FILTER_DEFAULT_DENY	(1 << 0)

struct hv_msr_filter_range {
	__u32 flags;
	__u32 nmsrs;	/* bits in the bitmap; 0: the range is unused */
	__u32 base;	/* the MSR of bit 0 */
	__u8 *bitmap;
};

struct hv_msr_filter {
	__u32 flags;
	struct hv_msr_filter_range ranges[HV_MSR_FILTER_MAX_RANGES];
};

struct hv_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct hv_msr_entry entries[];
};

/*
 * HV_GET_MSR_INDEX_LIST / HV_GET_MSR_FEATURE_INDEX_LIST: room for NMSRS
 * indices follows; the call stores the true count in NMSRS and fails
 * with E2BIG if there was less room.
 */
struct hv_msr_list {
	__u32 nmsrs;
	__u32 indices[];
};

/*
 * HV_ENABLE_CAP (VM and vCPU fds): turn on capability CAP with ARGS.  hv
 * has none that can be turned on yet: every one is EINVAL, as on KVM for
 * a capability it does not have.
 */
/* HV_IRQ_LINE(_STATUS): a GSI's level; the status replaces the GSI. */
struct hv_irq_level {
	union {
		__u32 irq;
		__s32 status;
	};
	__u32 level;
};

/* HV_GET_IRQCHIP / HV_SET_IRQCHIP: one chip of the in-kernel irqchip. */
struct hv_pic_state {
	__u8 last_irr;		/* edge detection */
	__u8 irr;		/* interrupt request register */
	__u8 imr;		/* interrupt mask register */
	__u8 isr;		/* in-service register */
	__u8 priority_add;	/* the lowest-priority IRQ + 1 */
	__u8 irq_base;
	__u8 read_reg_select;
	__u8 poll;
	__u8 special_mask;
	__u8 init_state;
	__u8 auto_eoi;
	__u8 rotate_on_auto_eoi;
	__u8 special_fully_nested_mode;
	__u8 init4;		/* ICW4 expected */
	__u8 elcr;		/* edge/level control (PIIX) */
	__u8 elcr_mask;
};

/*
 * HV_*_DEVICE_ATTR on a vCPU: group HV_VCPU_TSC_CTRL, attribute
 * HV_VCPU_TSC_OFFSET, the u64 at addr (the vCPU's TSC offset).
 */
struct hv_device_attr {
	__u32 flags;
	__u32 group;
	__u64 attr;
	__u64 addr;
};

#define HV_VCPU_TSC_CTRL	0
#define HV_VCPU_TSC_OFFSET	0

/* The in-kernel PIT (HV_CREATE_PIT2): an 8254 at ports 0x40-0x43. */
struct hv_pit_config {
	__u32 flags;
	__u32 pad[15];
};

#define HV_PIT_SPEAKER_DUMMY	1	/* port 0x61 in the kernel too */

struct hv_pit_channel_state {
	__u32 count;		/* can be 65536 */
	__u16 latched_count;
	__u8 count_latched;
	__u8 status_latched;
	__u8 status;
	__u8 read_state;
	__u8 write_state;
	__u8 write_latch;
	__u8 rw_mode;
	__u8 mode;
	__u8 bcd;
	__u8 gate;
	__s64 count_load_time;	/* the host's monotonic clock, ns */
};

struct hv_pit_state {
	struct hv_pit_channel_state channels[3];
};

#define HV_PIT_FLAGS_HPET_LEGACY	0x00000001
#define HV_PIT_FLAGS_SPEAKER_DATA_ON	0x00000002

struct hv_pit_state2 {
	struct hv_pit_channel_state channels[3];
	__u32 flags;
	__u32 reserved[9];
};

struct hv_reinject_control {
	__u8 pit_reinject;
	__u8 reserved[31];
};

#define HV_IOAPIC_NUM_PINS	24
struct hv_ioapic_state {
	__u64 base_address;
	__u32 ioregsel;
	__u32 id;
	__u32 irr;
	__u32 pad;
	union {
		__u64 bits;
		struct {
			__u8 vector;
			__u8 delivery_mode:3;
			__u8 dest_mode:1;
			__u8 delivery_status:1;
			__u8 polarity:1;
			__u8 remote_irr:1;
			__u8 trig_mode:1;
			__u8 mask:1;
			__u8 reserve:7;
			__u8 reserved[4];
			__u8 dest_id;
		} fields;
	} redirtbl[HV_IOAPIC_NUM_PINS];
};

#define HV_IRQCHIP_PIC_MASTER	0
#define HV_IRQCHIP_PIC_SLAVE	1
#define HV_IRQCHIP_IOAPIC	2

struct hv_irqchip {
	__u32 chip_id;
	__u32 pad;
	union {
		char dummy[512];
		struct hv_pic_state pic;
		struct hv_ioapic_state ioapic;
	} chip;
};

/* HV_SET_GSI_ROUTING: what each GSI drives. */
#define HV_IRQ_ROUTING_IRQCHIP	1
#define HV_IRQ_ROUTING_MSI	2

struct hv_irq_routing_irqchip {
	__u32 irqchip;
	__u32 pin;
};

struct hv_irq_routing_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	union {
		__u32 pad;
		__u32 devid;
	};
};

struct hv_irq_routing_entry {
	__u32 gsi;
	__u32 type;
	__u32 flags;
	__u32 pad;
	union {
		struct hv_irq_routing_irqchip irqchip;
		struct hv_irq_routing_msi msi;
		__u32 pad[8];
	} u;
};

struct hv_irq_routing {
	__u32 nr;
	__u32 flags;
	struct hv_irq_routing_entry entries[];
};

/* HV_GET_LAPIC / HV_SET_LAPIC: the first 1 KiB of the local APIC's page. */
#define HV_APIC_REG_SIZE	0x400
struct hv_lapic_state {
	char regs[HV_APIC_REG_SIZE];
};

/* HV_SIGNAL_MSI: a message-signalled interrupt, as a device writes it. */
#define HV_MSI_VALID_DEVID	(1U << 0)
struct hv_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 flags;
	__u32 devid;
	__u8  pad[12];
};

struct hv_enable_cap {
	__u32 cap;
	__u32 flags;
	__u64 args[4];
	__u8 pad[64];
};

/* HV_GET_CLOCK / HV_SET_CLOCK: the VM's clock in ns. */
#define HV_CLOCK_TSC_STABLE	2
#define HV_CLOCK_REALTIME	(1 << 2)	/* REALTIME is valid */
#define HV_CLOCK_HOST_TSC	(1 << 3)	/* HOST_TSC is valid */
#define HV_CLOCK_VALID_FLAGS	\
	(HV_CLOCK_TSC_STABLE | HV_CLOCK_REALTIME | HV_CLOCK_HOST_TSC)

struct hv_clock_data {
	__u64 clock;
	__u32 flags;
	__u32 pad0;
	__u64 realtime;
	__u64 host_tsc;
	__u32 pad[4];
};

/* HV_X86_SET_MCE: a machine-check error for bank BANK. */
struct hv_x86_mce {
	__u64 status;
	__u64 addr;
	__u64 misc;
	__u64 mcg_status;
	__u8 bank;
	__u8 pad1[7];
	__u64 pad2[3];
};

/* One CPUID leaf (and subleaf, when index is significant). */
struct hv_cpuid_entry2 {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 padding[3];
};

#define HV_CPUID_FLAG_SIGNIFCANT_INDEX	(1 << 0)	/* KVM's spelling */

struct hv_cpuid2 {
	__u32 nent;
	__u32 padding;
	struct hv_cpuid_entry2 entries[];
};

/* Exit reasons in struct hv_run (KVM_EXIT_*). */
#define HV_EXIT_UNKNOWN		0
#define HV_EXIT_EXCEPTION	1
#define HV_EXIT_IO		2
#define HV_EXIT_HYPERCALL	3
#define HV_EXIT_DEBUG		4
#define HV_EXIT_HLT		5
#define HV_EXIT_MMIO		6
#define HV_EXIT_IRQ_WINDOW_OPEN	7
#define HV_EXIT_SHUTDOWN	8
#define HV_EXIT_FAIL_ENTRY	9
#define HV_EXIT_INTR		10
#define HV_EXIT_INTERNAL_ERROR	17
#define HV_EXIT_IOAPIC_EOI	26
#define HV_EXIT_X86_RDMSR	29
#define HV_EXIT_X86_WRMSR	30

/* Sub-reasons of HV_EXIT_INTERNAL_ERROR. */
#define HV_INTERNAL_ERROR_EMULATION		1
#define HV_INTERNAL_ERROR_SIMUL_EX		2
#define HV_INTERNAL_ERROR_DELIVERY_EV		3
#define HV_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON 4

#define HV_EXIT_IO_IN		0
#define HV_EXIT_IO_OUT		1

/*
 * Where the pages of the vCPU mapping are, in pages from its start: the
 * run structure, the data of port I/O exits, the coalesced MMIO ring.
 */
#define HV_PIO_PAGE_OFFSET		1
#define HV_COALESCED_MMIO_PAGE_OFFSET	2

/*
 * The start of the vCPU mapping (mmap of a vCPU fd at offset 0), shared
 * with the kernel: the exit reason and its data after each HV_RUN.
 */
/*
 * The registers HV_RUN shares through the run page (HV_CAP_SYNC_REGS):
 * kvm_valid_regs says which it stores at the exit, kvm_dirty_regs which it
 * takes at the entry.
 */
#define HV_SYNC_X86_REGS	(1UL << 0)
#define HV_SYNC_X86_SREGS	(1UL << 1)
#define HV_SYNC_X86_EVENTS	(1UL << 2)
#define HV_SYNC_X86_VALID_FIELDS \
	(HV_SYNC_X86_REGS | HV_SYNC_X86_SREGS | HV_SYNC_X86_EVENTS)

struct hv_sync_regs {
	struct hv_regs regs;
	struct hv_sregs sregs;
	struct hv_vcpu_events events;
};

struct hv_run {
	/* in */
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 padding1[6];

	/* out */
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;

	/* in (before HV_RUN), out (after it) */
	__u64 cr8;
	__u64 apic_base;

	union {
		/* HV_EXIT_UNKNOWN */
		struct {
			__u64 hardware_exit_reason;
		} hw;
		/* HV_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
		} fail_entry;
		/* HV_EXIT_EXCEPTION */
		struct {
			__u32 exception;
			__u32 error_code;
		} ex;
		/* HV_EXIT_IO: count items of size bytes at data_offset */
		struct {
			__u8 direction;
			__u8 size;
			__u16 port;
			__u32 count;
			__u64 data_offset;	/* from the start of hv_run */
		} io;
		/* HV_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
		} mmio;
		/* HV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		/*
		 * HV_EXIT_X86_RDMSR, HV_EXIT_X86_WRMSR: the guest's access
		 * to MSR index failed for reason (an HV_MSR_EXIT_REASON_*
		 * bit).  Userspace gives the value read in data, or sets
		 * error for a #GP, and the next HV_RUN completes it.
		 */
		struct {
			__u8 error;
			__u8 pad[7];
			__u32 reason;
			__u32 index;
			__u64 data;
		} msr;
		/* HV_EXIT_IOAPIC_EOI (split irqchip) */
		struct {
			__u8 vector;
		} eoi;
		/* keeps the union at KVM's size */
		char padding[256];
	};

	/* Register sharing (KVM_CAP_SYNC_REGS: the HV_SYNC_X86_* bits) */
	__u64 kvm_valid_regs;
	__u64 kvm_dirty_regs;
	union {
		struct hv_sync_regs regs;
		char padding[2048];
	} s;
};

#endif /* _UAPI_LINUX_HV_H */
