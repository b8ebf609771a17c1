/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv selftests: small guests.
 *
 * A test guest is a snippet of assembly placed at CODE_GPA in 2 MiB of
 * guest RAM (memory slot 0 at guest physical 0) and started in real mode,
 * flat 32-bit protected mode, or 64-bit long mode with identity paging of
 * the first GiB.  Everything is set through the KVM API the way a
 * launcher does it, so the same guest runs on /dev/hv and /dev/kvm.
 *
 *	GUEST(hello, ".code16", "mov $0x42, %al; out %al, $0x10; hlt");
 *	...
 *	hv_guest_create(&g, HV_MODE_REAL, hello, hello_end - hello);
 *	hv_guest_run(&g);	// g.run->exit_reason == HV_EXIT_IO
 *
 * Guest code must be position-independent (relative jumps only); data
 * lives at fixed guest physical addresses below.
 */
#ifndef HV_GUEST_H
#define HV_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../uapi/linux/hv.h"

#define GUEST_MEM_SIZE	(2UL << 20)	/* slot 0, at guest physical 0 */
#define CODE_GPA	0x1000UL	/* the guest's first instruction */
#define GDT_GPA		0x10000UL
#define IDT_GPA		0x11000UL
#define PML4_GPA	0x20000UL	/* PDPT and PD follow */
#define STACK_TOP	0x80000UL
#define DATA_GPA	0x90000UL	/* free for tests */
#define MMIO_GPA	0x10000000UL	/* no slot backs it */

enum hv_guest_mode { HV_MODE_REAL, HV_MODE_PROT32, HV_MODE_LONG };

/* A macro's value as a string, for constants inside guest assembly. */
#define STR(x)	#x
#define XSTR(x)	STR(x)

/* Defines guest code: MODE is ".code16", ".code32" or ".code64". */
#define GUEST(name, mode, body)						\
	extern const unsigned char name[], name##_end[];		\
	asm(".pushsection .rodata\n"					\
	    ".global " #name "\n" #name ":\n"				\
	    mode "\n" body "\n.code64\n"				\
	    ".global " #name "_end\n" #name "_end:\n"			\
	    ".popsection\n")

struct hv_guest {
	int dev, vm, vcpu;
	struct hv_run *run;
	unsigned char *mem;
	enum hv_guest_mode mode;
};

/* Create a VM and vCPU running CODE at CODE_GPA; 0, or -1 with errno. */
int hv_guest_create(struct hv_guest *g, enum hv_guest_mode mode,
		    const void *code, size_t len);
/* The same on an open device DEV, which the guest then owns. */
int hv_guest_create_on(struct hv_guest *g, int dev, enum hv_guest_mode mode,
		       const void *code, size_t len);
void hv_guest_destroy(struct hv_guest *g);

/*
 * The same with KVM's split irqchip (KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP,
 * 24 pins) between KVM_CREATE_VM and the first vCPU): every vCPU has an
 * in-kernel local APIC, whose xAPIC page is at APIC_GPA (no memory slot
 * there).  In long mode the page is mapped too, uncached (and so is the
 * I/O APIC's, IOAPIC_GPA below, which is userspace's MMIO here).
 */
#define APIC_GPA	0xfee00000UL
int hv_guest_create_split(struct hv_guest *g, enum hv_guest_mode mode,
			  const void *code, size_t len);

/*
 * The same with KVM's full in-kernel irqchip (KVM_CREATE_IRQCHIP before
 * the first vCPU: the PIC pair, the I/O APIC at IOAPIC_GPA and a local
 * APIC per vCPU).  In long mode the APIC and I/O APIC pages are mapped,
 * uncached.
 */
#define IOAPIC_GPA	0xfec00000UL
int hv_guest_create_irqchip(struct hv_guest *g, enum hv_guest_mode mode,
			    const void *code, size_t len);

/*
 * Another vCPU of the same VM, set up as the first one (same mode, RIP at
 * CODE_GPA).  Returns its fd and maps its run structure at *RUN; -1 with
 * errno on failure.  The caller closes it (and unmaps 3 pages of *RUN).
 */
int hv_guest_add_vcpu(struct hv_guest *g, int id, struct hv_run **run);

/* KVM_RUN; returns its result (0 or -1 with errno). */
int hv_guest_run(struct hv_guest *g);

/*
 * A flat (base 0, 4 GiB) code or data segment of TYPE with selector SEL;
 * CODE64: a 64-bit code segment (L set, D clear).
 */
void hv_flat_segment(struct hv_segment *s, uint16_t sel, uint8_t type,
		     int code64);

/* Install an interrupt gate for VECTOR that jumps to guest address HANDLER. */
void hv_guest_set_idt(struct hv_guest *g, int vector, uint64_t handler);

/* Copy bytes into guest memory at guest physical GPA. */
void hv_guest_poke(struct hv_guest *g, uint64_t gpa, const void *p, size_t n);

/* The data of a port I/O exit. */
static inline unsigned char *hv_guest_io_data(struct hv_guest *g)
{
	return (unsigned char *)g->run + g->run->io.data_offset;
}

uint64_t hv_guest_rip(struct hv_guest *g);

/*
 * Occurrences of the 3-byte opcode 0f 01 MODRM in N bytes of code (the
 * hypercalls: c1 VMCALL, d9 VMMCALL, which KVM patches in guest memory).
 */
int hv_count_0f01(const unsigned char *p, size_t n, unsigned char modrm);

/*
 * Whether the test machine set the environment variable NAME to 1, to say
 * what its emulator can or cannot do (HV_SKIP_SHUTDOWN_TESTS,
 * HV_SKIP_BREAKPOINT_TESTS, HV_SPIN_TESTS: selftests/vm/init).
 */
bool hv_machine_says(const char *name);

/*
 * kvm_amd under Bochs' AMD model (the machine that says
 * HV_SKIP_KVM_HALTED_IRQ=1) leaves interrupts in the APIC's IRR while its
 * vCPU halts; hv takes them.  True when the device under test is that
 * KVM: the tests that need such a wakeup skip there (known-differences).
 */
bool hv_kvm_loses_halted_irqs(void);
#define HV_HALTED_IRQ_MSG \
	"HV_SKIP_KVM_HALTED_IRQ=1: KVM here leaves interrupts in IRR in HLT"

/*
 * QEMU 7.2's SVM model (HV_SKIP_KVM_ENTRY_SHADOW=1) drops the interrupt
 * shadow the VMCB gives VMRUN; hv steps over the shadowed instruction,
 * kvm_amd opens the interrupt window at once.  kvm_amd under Bochs' AMD
 * model (which says it too) runs past the window instead.  True when the
 * device under test is such a KVM.
 */
bool hv_kvm_drops_entry_shadow(void);
#define HV_ENTRY_SHADOW_MSG \
	"HV_SKIP_KVM_ENTRY_SHADOW=1: QEMU's VMRUN drops the shadow, KVM trusts it"

#endif /* HV_GUEST_H */
