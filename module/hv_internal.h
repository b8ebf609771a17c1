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

#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/refcount.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "../uapi/linux/hv.h"

#define HV_NAME "hv"

/* Limits, reported through HV_CHECK_EXTENSION. */
#define HV_MAX_VCPUS		256	/* per VM; also the highest id + 1 */
#define HV_MAX_MEMSLOTS		256	/* per VM; slot ids 0..255 */
#define HV_MAX_MEMSLOT_PAGES	((1UL << 31) - 1)	/* as KVM */

/* The pages of the vCPU mapping (HV_GET_VCPU_MMAP_SIZE). */
#define HV_VCPU_MMAP_PAGES	3

/* CPUID entries a vCPU can hold (HV_SET_CPUID2), as KVM. */
#define HV_MAX_CPUID_ENTRIES	256

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
 * struct hv_mmu - the second-level page tables (EPT or NPT) of a VM
 * @root:	the top-level table (4-KiB leaves only)
 * @root_pa:	its physical address
 * @levels:	[I] 4, or 5 for NPT under a host with 5-level paging
 * @nr_tables:	[mmu] table pages allocated, the root included
 * @nr_pinned:	[mmu] guest pages pinned and mapped
 *
 * Entries are filled on demand when the guest first touches a page that a
 * memory slot backs: the user page is pinned for as long as it is mapped.
 * Deleting or moving a slot, or the process unmapping or changing the
 * memory behind it (the MMU notifier), unmaps its pages, flushes every
 * CPU's cached translations, and only then unpins them.
 */
struct hv_mmu {
	u64 *root;
	u64 root_pa;
	unsigned int levels;
	unsigned long nr_tables;
	unsigned long nr_pinned;
};

/**
 * struct hv_x86_vm - the x86 state the shared code keeps for a VM
 * @tsc_lock:	guards the fields up to @tsc_offset and the kvmclock ones;
 *		taken (interrupts off) by a vCPU ioctl of any of the VM's
 *		vCPUs, the vCPU threads' kvmclock updates and HV_GET/SET_CLOCK,
 *		with no other hv lock held
 * @tsc_written: a host-side TSC write has happened (vCPU creation is one)
 * @last_tsc_write: the value the last one wrote
 * @last_tsc_ns: when (ktime_get_boottime_ns())
 * @first_tsc_write: the value of the write that made @tsc_offset
 * @first_tsc_ns: when
 * @tsc_offset:	the TSC offset that host-side writes join (hv_tsc.c)
 * @default_tsc_khz: [once] the TSC rate new vCPUs get (the VM's
 *		HV_SET_TSC_KHZ); read and written with READ/WRITE_ONCE
 * @kvmclock_offset: [tsc_lock] the VM's clock (HV_GET/SET_CLOCK) less
 *		the host's boot-time clock, in ns (hv_kvmclock.c)
 * @kvmclock_master: [tsc_lock] the host's clocksource was the TSC when
 *		the master clock below was taken
 * @master_ns:	[tsc_lock] the host's boot-time clock at host TSC
 *		@master_tsc: the two define the VM's clock on the master clock
 * @master_tsc:	[tsc_lock]
 * @wall_clock_msr: [READ/WRITE_ONCE] MSR_KVM_WALL_CLOCK(_NEW) as written
 * @no_platform_info: [READ/WRITE_ONCE] HV_ENABLE_CAP(MSR_PLATFORM_INFO, 0):
 *		the guest's RDMSR of MSR_PLATFORM_INFO is #GP
 * @disabled_quirks: [READ/WRITE_ONCE] HV_ENABLE_CAP(DISABLE_QUIRKS2):
 *		the HV_X86_QUIRK_* behaviours turned off
 * @irqchip:	[vm; read with READ_ONCE] which interrupt controllers are in
 *		the kernel: set once, before the first vCPU is created
 * @nr_ioapic_pins: [vm] with a split irqchip, the GSIs userspace's I/O
 *		APIC has (HV_ENABLE_CAP's argument)
 * @nr_mmu_pages: [vm] HV_SET_NR_MMU_PAGES's argument, 0 if never set
 * @irq_lock:	guards @routing (arch/x86/hv_irq.c): VM ioctls, the PIT's
 *		work, and vCPU threads scanning a split irqchip's routes
 *		(inside their vCPU's mutex)
 * @routing:	[irq_lock] what each GSI drives (HV_SET_GSI_ROUTING)
 * @pin_gsi:	[irq_lock to write; READ_ONCE] the GSI of each chip's pin
 *		(HV_IRQCHIP_*, pin), -1 if none: KVM's chip map, which the
 *		chips' EOIs and mask changes go through (hv_irq_acked())
 * @apics_in_nmi_mode: [atomic] local APICs whose LVT0 was last written
 *		unmasked in NMI mode: the PIT's ticks then fire every LVT0
 * @pic:	[once] the in-kernel PIC pair, under its own lock (hv_pic.c)
 * @ioapic:	[once] the in-kernel I/O APIC, under its own lock
 * @pit:	[once: published with a release store under the VM's lock]
 *		the in-kernel PIT, under its own lock (hv_pit.c)
 * @user_space_msr: [READ/WRITE_ONCE] HV_ENABLE_CAP(X86_USER_SPACE_MSR):
 *		the HV_MSR_EXIT_REASON_* of the guest's failed MSR accesses
 *		that exit to userspace (hv_msr.c)
 * @msr_filter:	[RCU; replaced under the VM's lock] HV_X86_SET_MSR_FILTER's
 *		filter, NULL for none (hv_msr_filter.c)
 */
struct hv_x86_vm {
	spinlock_t tsc_lock;
	bool tsc_written;
	u64 last_tsc_write;
	u64 last_tsc_ns;
	u64 first_tsc_write;
	u64 first_tsc_ns;
	s64 tsc_offset;
	u32 default_tsc_khz;
	s64 kvmclock_offset;
	bool kvmclock_master;
	u64 master_ns;
	u64 master_tsc;
	u64 wall_clock_msr;
	bool no_platform_info;
	u64 disabled_quirks;
	u8 irqchip;
	u32 nr_ioapic_pins;
	unsigned long nr_mmu_pages;
	struct mutex irq_lock;
	struct hv_irq_routing_table *routing;
	int pin_gsi[3][HV_IOAPIC_NUM_PINS];
	atomic_t apics_in_nmi_mode;
	struct hv_pic *pic;
	struct hv_ioapic *ioapic;
	struct hv_pit *pit;
	u32 user_space_msr;
	struct hv_x86_msr_filter __rcu *msr_filter;
};

/* hv_x86_vm.irqchip */
enum {
	HV_IRQCHIP_NONE,	/* everything in userspace */
	HV_IRQCHIP_SPLIT,	/* local APICs in the kernel, the rest not */
	HV_IRQCHIP_KERNEL,	/* local APICs, PIC and I/O APIC in the kernel */
};

struct hv_irq_routing_table;
struct hv_pic;
struct hv_pit;
struct hv_ioapic;
struct hv_x86_msr_filter;

/**
 * struct hv_vm - one virtual machine (a VM fd)
 * @refs:	the VM fd and each vCPU fd hold one
 * @lock:	serializes slot changes and vCPU creation.  It is held while
 *		user memory is read or written (hv_guest_read()), so it is
 *		never taken under @mmu_lock nor by the MMU notifier.
 * @mmu_lock:	guards @mmu's tables.  The MMU notifier takes it alone,
 *		from inside mmap_lock and memory reclaim, so nothing under it
 *		allocates memory, touches user memory or takes @lock; slot
 *		changes take it inside @lock.
 * @mm:		the address space of the process that created it; ioctls
 *		from any other fail with EIO, as on KVM
 * @mmu_notifier: tells hv when the process unmaps or changes user memory:
 *		the slots' pages there are unmapped (module/hv_vm.c)
 * @mmu_invalidate_in_progress: such changes under way; a fault that
 *		pinned a page meanwhile does not map it (the guest retries)
 * @mmu_invalidate_seq: changes (and slot changes) finished: a fault that
 *		pinned a page before one finished does not map it either
 * @slots:	[vm, mmu] memory slots by id: written with both locks held,
 *		read with either
 * @slots_end:	[vm, mmu] one past the highest id of a slot in use
 * @vcpus:	[vm] vCPUs by id (an id is also its index).  A vCPU is
 *		published here with smp_store_release() once it is whole
 *		and stays until the VM goes, so interrupt senders read the
 *		array without the lock (smp_load_acquire()).
 * @tss_addr:	[vm] HV_SET_TSS_ADDR's argument (recorded only)
 * @created_vcpus: [vm] HV_CREATE_VCPU calls under way or done (failed ones
 *		are taken back): once non-zero the boot CPU and the identity
 *		map address are fixed, as on KVM
 * @max_vcpu_ids: [vm] vCPU ids must be below it: HV_ENABLE_CAP(
 *		HV_CAP_MAX_VCPU_ID) sets it, else the first vCPU makes it
 *		HV_MAX_VCPUS (then it is fixed, as on KVM)
 * @bsp_vcpu_id: [vm] the vCPU whose APIC base has the BSP bit at reset
 *		(HV_SET_BOOT_CPU_ID; 0 by default)
 * @identity_map_addr: [vm] HV_SET_IDENTITY_MAP_ADDR's argument (recorded
 *		only: with unrestricted guest hv needs no identity map)
 * @mmu:	[mmu] guest physical memory as the hardware sees it
 * @x86:	state of the shared x86 code, under its own lock
 * @arch:	[I] the backend's per-VM data
 */
struct hv_vm {
	refcount_t refs;
	struct mutex lock;
	struct mutex mmu_lock;
	struct mm_struct *mm;
	struct mmu_notifier mmu_notifier;
	atomic_t mmu_invalidate_in_progress;
	atomic_long_t mmu_invalidate_seq;
	struct hv_memslot slots[HV_MAX_MEMSLOTS];
	u32 slots_end;
	struct hv_vcpu *vcpus[HV_MAX_VCPUS];
	u64 tss_addr;
	u32 created_vcpus;
	u32 max_vcpu_ids;
	u32 bsp_vcpu_id;
	u64 identity_map_addr;
	struct hv_mmu mmu;
	struct hv_x86_vm x86;
	void *arch;
};

/* What an exit to userspace left for the next HV_RUN to finish. */
enum hv_pending {
	HV_PENDING_NONE,
	HV_PENDING_PIO_OUT,	/* OUT: move RIP past the insn */
	HV_PENDING_PIO_IN,	/* IN: data into RAX, move RIP */
	HV_PENDING_INS,		/* INS: data into guest memory, update regs */
	HV_PENDING_MMIO_READ,	/* MMIO read: data into a register, move RIP */
	HV_PENDING_RDMSR,	/* RDMSR: data into EDX:EAX, or a #GP */
	HV_PENDING_WRMSR,	/* WRMSR: move RIP, or a #GP */
};

/**
 * struct hv_x86_vcpu - the x86 state the shared code keeps for a vCPU
 * @pending:	what HV_RUN must complete before entering the guest
 * @insn_len:	length of the instruction that exited to userspace
 * @io_size:	bytes per item of the pending port I/O or MMIO read
 * @io_count:	items of the pending INS
 * @io_rep:	the pending INS has a REP prefix
 * @io_addr_bytes: its address size
 * @mmio_gpr:	register an MMIO read writes; -1 for none
 * @mmio_extend: 0: plain move, 1: zero-extend, 2: sign-extend
 * @mmio_dst_size: bytes of the register an MMIO read writes
 * @guest_fpu:	the guest's FPU/XSAVE state, swapped with the thread's
 * @xcr0:	the guest's XCR0
 * @host_xcr0:	XCR0 of the host while the guest's is loaded
 * @entry_xcr0:	XCR0 while the guest runs (hv_x86_load_guest_xcr0())
 * @io_rip:	linear RIP of an IN or OUT left for userspace: the next
 *		HV_RUN completes it only if RIP is still there
 * @dr:		DR0-DR3 and DR6 (index 0-3, 6) as the guest wrote them
 * @dr_direct:	the guest has its debug registers: MOV DR does not exit
 *		until the next exit (hv_x86_handle_dr_access())
 * @star..@kernel_gs_base: the SYSCALL MSRs, loaded while the guest runs
 * @host_msrs:	the host's values of those while the guest's are loaded
 * @guest_msrs_loaded: [cpu] the guest's SYSCALL MSRs are in the CPU
 * @misc_enable: IA32_MISC_ENABLE
 * @tsc_offset:	added to the host TSC to give the guest's (hv_tsc.c)
 * @tsc_adjust:	IA32_TSC_ADJUST
 * @virtual_tsc_khz: the guest's TSC rate (HV_SET_TSC_KHZ)
 * @tsc_catchup: that rate is above the host's: each entry moves the TSC
 *		forward to where that rate would have taken it
 * @tsc_base_write: the TSC at the VM's TSC write this vCPU joined
 * @tsc_base_ns: and when
 * @ucode_rev:	IA32_UCODE_REV, the microcode revision the guest reads
 * @arch_capabilities: IA32_ARCH_CAPABILITIES as the guest reads it
 * @kvmclock_msr: MSR_KVM_SYSTEM_TIME(_NEW): the guest's time information
 *		address, bit 0 set while kvmclock is on (hv_kvmclock.c)
 * @platform_info: MSR_PLATFORM_INFO as userspace set it (CPUID faulting
 *		offered at creation, as on KVM)
 * @misc_features: MSR_MISC_FEATURES_ENABLES: bit 0 turns CPUID faulting on
 * @power_ctl:	MSR_IA32_POWER_CTL, kept and given back, as KVM does
 * @hwcr:	AMD's MSR_K7_HWCR: McStatusWrEn and TscFreqSel, as KVM keeps it
 * @enforce_pv:	HV_ENABLE_CAP(ENFORCE_PV_FEATURE_CPUID): the PV MSRs and
 *		hypercalls only as CPUID 0x40000001 offers them
 * @kvmclock_dirty: [READ/WRITE_ONCE; set by anyone, cleared by the vCPU's
 *		thread] the time information must be written before the
 *		next entry
 * @mtrr:	the guest's MTRRs (hv_mtrr.c)
 * @mce:	its machine-check banks (hv_mce.c)
 * @cpuid:	the guest's CPUID (HV_SET_CPUID2)
 * @cpuid_nent:	entries in @cpuid
 * @ev:		events waiting for delivery to the guest
 * @apic:	the in-kernel local APIC (hv_lapic.c), or NULL without one
 * @mp_state:	HV_MP_STATE_*: runnable, halted in the kernel, or waiting
 *		for INIT/SIPI (always runnable without an in-kernel APIC)
 * @extint:	with a split irqchip, the vector HV_INTERRUPT gave for the
 *		PIC's ExtINT, or -1
 * @ran:	HV_RUN has entered the guest at least once
 * @virt_off:	[vcpu] an entry found VMX/SVM off on its CPU (a reboot or
 *		kexec has begun): HV_RUN ends with EIO
 * @mmu_cache:	zeroed pages for second-level tables, allocated before
 *		vm->mmu_lock is taken (nothing may allocate under it)
 * @mmu_cache_n: how many @mmu_cache holds
 */
#define HV_MMU_CACHE_PAGES	4	/* the tables under a 5-level root */

/**
 * struct hv_mtrrs - a vCPU's memory type range registers, as written
 * @var:	IA32_MTRR_PHYSBASE0/PHYSMASK0 ... 7 (MSRs 0x200-0x20f)
 * @fixed:	the eleven fixed-range MTRRs, in the order of hv_mtrr.c
 * @deftype:	IA32_MTRR_DEF_TYPE
 */
struct hv_mtrrs {
	u64 var[16];
	u64 fixed[11];
	u64 deftype;
};

/**
 * struct hv_x86_events - events for the guest (arch/x86/hv_events.c)
 * @exc_pending: an exception to deliver at the next entry: an exit
 *		handler raised it, or an exit cut its delivery off
 * @exc_vector:	its vector
 * @exc_has_error: it pushes an error code
 * @exc_error:	the error code
 * @nmi_injected: an NMI whose delivery an exit cut off: delivered again
 *		at the next entry
 * @nmi_pending: NMIs waiting until the guest can take one (at most 2)
 * @nmi_queued:	HV_NMI calls since the last entry (counted up to 2)
 * @irq_injected: an external interrupt to deliver at the next entry
 *		(HV_INTERRUPT, HV_SET_SREGS, or cut off by an exit)
 * @irq_vector:	its vector
 * @soft_busy:	the backend delivers a software interrupt or exception
 *		again at the next entry itself (its instruction length is
 *		in the VMCS): no other event goes in with it
 * @triple_fault: the next HV_RUN ends at once with a shutdown exit (a
 *		machine check the guest cannot take: hv_mce.c)
 */
struct hv_x86_events {
	bool exc_pending;
	u8 exc_vector;
	bool exc_has_error;
	u32 exc_error;
	bool nmi_injected;
	u8 nmi_pending;
	u8 nmi_queued;
	bool irq_injected;
	u8 irq_vector;
	bool soft_busy;
	bool triple_fault;
};

#define HV_MAX_MCE_BANKS	32	/* KVM's KVM_MAX_MCE_BANKS */

/**
 * struct hv_mce - a vCPU's machine-check state (arch/x86/hv_mce.c)
 * @mcg_cap:	IA32_MCG_CAP: bank count and capabilities (HV_X86_SETUP_MCE)
 * @mcg_ctl:	IA32_MCG_CTL
 * @mcg_status:	IA32_MCG_STATUS
 * @banks:	IA32_MCi_CTL, _STATUS, _ADDR, _MISC of each bank
 */
struct hv_mce {
	u64 mcg_cap;
	u64 mcg_ctl;
	u64 mcg_status;
	u64 banks[4 * HV_MAX_MCE_BANKS];
};

struct hv_x86_vcpu {
	enum hv_pending pending;
	u64 io_rip;
	u8 insn_len;
	u8 io_size;
	u32 io_count;
	bool io_rep;
	u8 io_addr_bytes;
	int mmio_gpr;
	u8 mmio_extend;
	u8 mmio_dst_size;
	struct fpu_guest guest_fpu;
	u64 xcr0;
	u64 host_xcr0;
	u64 entry_xcr0;
	u64 dr[7];
	bool dr_direct;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 host_msrs[5];
	bool guest_msrs_loaded;
	u64 misc_enable;
	s64 tsc_offset;
	s64 tsc_adjust;
	u32 virtual_tsc_khz;
	bool tsc_catchup;
	u64 tsc_base_write;
	u64 tsc_base_ns;
	u64 ucode_rev;
	u64 arch_capabilities;
	u64 kvmclock_msr;
	bool kvmclock_dirty;
	u64 platform_info;
	u64 misc_features;
	u64 power_ctl;
	u64 hwcr;
	bool enforce_pv;
	struct hv_mtrrs mtrr;
	struct hv_mce mce;
	struct hv_cpuid_entry2 *cpuid;
	u32 cpuid_nent;
	struct hv_x86_events ev;
	struct hv_lapic *apic;
	u32 mp_state;
	int extint;
	bool ran;
	bool virt_off;
	void *mmu_cache[HV_MMU_CACHE_PAGES];
	unsigned int mmu_cache_n;
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
 * @preempt:	reloads the hardware state when the thread is scheduled
 *		back in during a vCPU ioctl (see hv_vcpu_load())
 * @cpu:	[cpu] CPU whose hardware holds the vCPU's state, or -1
 * @mode:	HV_OUTSIDE_GUEST or HV_IN_GUEST: written by the vCPU's own
 *		thread, interrupts disabled around an entry; read by anyone
 *		who kicks it (hv_vcpu_kick())
 * @wq:		where the thread waits while the vCPU is halted
 * @x86:	[vcpu] state of the shared x86 code
 * @sigset_active: [vcpu] HV_SET_SIGNAL_MASK gave a mask for HV_RUN
 * @sigset:	[vcpu] the signals blocked while HV_RUN runs, if active
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
	struct preempt_notifier preempt;
	int cpu;
	int mode;
	wait_queue_head_t wq;
	struct hv_x86_vcpu x86;
	bool sigset_active;
	sigset_t sigset;
	void *arch;
};

/* hv_vcpu.mode */
enum { HV_OUTSIDE_GUEST, HV_IN_GUEST };

struct hv_lapic;

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
 * @vcpu_init_event:	an INIT signal: segments, control registers and the
 *			backend's event state as INIT leaves them (the vCPU
 *			is loaded; the TSC offset is kept)
 * @get_segment:	read a segment register as KVM reports it
 * @set_segment:	write one
 * @get_dtable:		read GDTR (gdt true) or IDTR
 * @set_dtable:		write one
 * @get_rsp_rip_rflags:	read RSP, RIP and RFLAGS
 * @set_rsp_rip_rflags:	write them
 * @get_sys:		read CR0, CR2, CR3, CR4 and EFER
 * @set_sys:		write them (already validated by the shared code)
 * @set_cr0:		write CR0 (validated); sets EFER.LMA on entering long
 *			mode and clears it on leaving
 * @set_cr4:		write CR4 (validated)
 * @set_efer:		write EFER (validated; LMA kept as it is)
 * @get_rip:		RIP
 * @set_rip:		set RIP
 * @get_rflags:		RFLAGS
 * @set_rflags:		set RFLAGS
 * @get_dr7:		DR7
 * @set_dr7:		set DR7
 * @intercept_dr:	whether MOV DR exits (true) or runs in the guest
 * @get_msr:		read an MSR kept in hardware state (SYSENTER_*,
 *			FS/GS base, PAT...); 1 if the backend does not hold it
 * @set_msr:		write one (validated); 1 if the backend does not hold it
 * @write_tsc_offset:	the offset the hardware adds to the host's TSC for
 *			the guest (arch/x86/hv_tsc.c keeps it)
 * @load_pdptrs:	PAE paging: the four PDPTEs the guest's CR3 points to
 *			(NULL when the hardware reads them itself)
 * @inject_exception:	deliver an exception to the guest at the next entry
 *			(these five are called by hv_x86_inject_events()
 *			just before an entry, interrupts disabled)
 * @inject_nmi:		deliver an NMI at the next entry; the guest's NMIs
 *			are then blocked until its IRET
 * @inject_irq:		deliver an external interrupt at the next entry
 * @enable_nmi_window:	exit as soon as the guest can take an NMI
 * @enable_irq_window:	exit as soon as the guest can take an interrupt
 *			(both for the next entry only)
 * @interrupt_allowed:	RFLAGS.IF is set and no STI or MOV SS shadow blocks
 *			an interrupt before the next instruction
 * @nmi_allowed:	neither an NMI in service nor a shadow blocks an NMI
 * @get_nmi_mask:	an NMI is in service: NMIs blocked until the IRET
 * @set_nmi_mask:	block or unblock NMIs so
 * @get_interrupt_shadow: HV_X86_SHADOW_* bits in force
 * @set_interrupt_shadow: set them (0 after an emulated instruction)
 * @run:		enter the guest once and handle the exit; called with
 *			the vCPU loaded and preemption enabled.  Returns as an
 *			exit handler does (arch/x86/hv_x86.h).
 * @flush_guest_tlbs:	forget cached guest-physical translations of @vm on
 *			every CPU (after second-level entries were removed)
 * @pte_present:	second-level page table entry bits: any of these set
 *			means present
 * @pte_table:		bits of an entry that points to a lower table
 * @pte_leaf:		bits of a readable, executable 4-KiB leaf
 * @pte_write:		the bit that makes a leaf writable
 * @pt_host_levels:	the tables have as many levels as the host's paging
 *			(NPT); else 4 (EPT)
 * @hypercall_modrm:	the last byte of the vendor's hypercall instruction,
 *			0f 01 c1 (VMCALL) or 0f 01 d9 (VMMCALL)
 * @ucode_rev_reset:	IA32_UCODE_REV at reset, KVM's value for the vendor:
 *			the revision in bits 63:32 on Intel, 31:0 on AMD
 * @mcg_cap_mask:	the bits of HV_X86_SETUP_MCE's argument that MCG_CAP
 *			keeps (KVM on AMD keeps 8:0 only)
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
	void (*vcpu_init_event)(struct hv_vcpu *vcpu);

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
	void (*set_cr0)(struct hv_vcpu *vcpu, u64 cr0);
	void (*set_cr4)(struct hv_vcpu *vcpu, u64 cr4);
	void (*set_efer)(struct hv_vcpu *vcpu, u64 efer);
	u64 (*get_rip)(struct hv_vcpu *vcpu);
	void (*set_rip)(struct hv_vcpu *vcpu, u64 rip);
	u64 (*get_rflags)(struct hv_vcpu *vcpu);
	void (*set_rflags)(struct hv_vcpu *vcpu, u64 rflags);
	u64 (*get_dr7)(struct hv_vcpu *vcpu);
	void (*set_dr7)(struct hv_vcpu *vcpu, u64 dr7);
	void (*intercept_dr)(struct hv_vcpu *vcpu, bool on);
	int (*get_msr)(struct hv_vcpu *vcpu, u32 index, u64 *val);
	int (*set_msr)(struct hv_vcpu *vcpu, u32 index, u64 val);
	void (*write_tsc_offset)(struct hv_vcpu *vcpu, u64 offset);
	void (*load_pdptrs)(struct hv_vcpu *vcpu, const u64 *pdptrs);
	void (*inject_exception)(struct hv_vcpu *vcpu, unsigned int vector,
				 bool has_error, u32 error);
	void (*inject_nmi)(struct hv_vcpu *vcpu);
	void (*inject_irq)(struct hv_vcpu *vcpu, unsigned int vector);
	void (*enable_nmi_window)(struct hv_vcpu *vcpu);
	void (*enable_irq_window)(struct hv_vcpu *vcpu);
	bool (*interrupt_allowed)(struct hv_vcpu *vcpu);
	bool (*nmi_allowed)(struct hv_vcpu *vcpu);
	bool (*get_nmi_mask)(struct hv_vcpu *vcpu);
	void (*set_nmi_mask)(struct hv_vcpu *vcpu, bool masked);
	unsigned int (*get_interrupt_shadow)(struct hv_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct hv_vcpu *vcpu, unsigned int mask);
	int (*run)(struct hv_vcpu *vcpu);
	void (*flush_guest_tlbs)(struct hv_vm *vm);
	u64 pte_present;
	u64 pte_table;
	u64 pte_leaf;
	u64 pte_write;
	bool pt_host_levels;
	u8 hypercall_modrm;
	u64 ucode_rev_reset;
	u64 mcg_cap_mask;
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
bool hv_cpu_virt_enabled(void);

/* module/hv_vm.c */
int hv_create_vm(unsigned long type);

/* module/hv_vcpu.c */
int hv_vcpu_create(struct hv_vm *vm, u32 id);
void hv_vcpu_destroy(struct hv_vcpu *vcpu);
void hv_vcpu_load(struct hv_vcpu *vcpu);
void hv_vcpu_put(struct hv_vcpu *vcpu);
void hv_vcpu_kick(struct hv_vcpu *vcpu);
extern struct preempt_ops hv_preempt_ops;

/* module/hv_vm.c */
const struct hv_memslot *hv_memslot_find(struct hv_vm *vm, u64 gfn);

/* arch/x86: the x86 vCPU ioctls, reset state, system ioctls */
long hv_x86_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
		       unsigned long arg);
int hv_x86_vcpu_init(struct hv_vcpu *vcpu);
void hv_x86_vcpu_uninit(struct hv_vcpu *vcpu);
void hv_x86_vcpu_reset(struct hv_vcpu *vcpu);
long hv_x86_dev_ioctl(unsigned int ioctl, unsigned long arg);
long hv_x86_check_extension(unsigned long cap);
void hv_x86_vm_init(struct hv_vm *vm);
void hv_x86_vm_stop(struct hv_vm *vm);
void hv_x86_vm_destroy(struct hv_vm *vm);
long hv_x86_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, unsigned long arg);
int hv_x86_run(struct hv_vcpu *vcpu);

void hv_vm_get(struct hv_vm *vm);
void hv_vm_put(struct hv_vm *vm);

#endif /* HV_INTERNAL_H */
