// SPDX-License-Identifier: GPL-2.0
/*
 * Events without an in-kernel interrupt controller: KVM_INTERRUPT,
 * KVM_NMI, the interrupt window (request_interrupt_window and
 * KVM_EXIT_IRQ_WINDOW_OPEN), ready_for_interrupt_injection and if_flag,
 * the STI shadow, NMI blocking until IRET, and the interrupt bitmap of
 * KVM_SET_SREGS.  In every mode where the mode matters.
 *
 * Each guest carries the same three handlers (HANDLERS below), which
 * report through port I/O: vector 0x30 writes 0x30 to port 0xe0, vector
 * 0x31 writes 0x31 to port 0xe1, the NMI handler counts in BX, writes 2 to
 * port 0xe2 and then 3 to port 0xe3 before its IRET; the #GP handler
 * writes its error code (32 bits) to port 0xed and halts.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv_guest.h"
#include "hv_test.h"

#define HANDLERS(iret, ax)							\
	".fill 0x100 - (. - 9b), 1, 0xf4;"				\
	"mov $0x30, %al; out %al, $0xe0;" iret ";"			\
	".fill 0x180 - (. - 9b), 1, 0xf4;"				\
	"mov $0x31, %al; out %al, $0xe1;" iret ";"			\
	".fill 0x200 - (. - 9b), 1, 0xf4;"				\
	"inc %bx; mov $2, %al; out %al, $0xe2;"				\
	"mov $3, %al; out %al, $0xe3;" iret ";"				\
	".fill 0x280 - (. - 9b), 1, 0xf4;"				\
	"pop %" ax "; out %eax, $0xed; hlt"

#define H_30	(CODE_GPA + 0x100)
#define H_31	(CODE_GPA + 0x180)
#define H_NMI	(CODE_GPA + 0x200)
#define H_GP	(CODE_GPA + 0x280)

/* STI; then wait in HLT.  The interrupt comes at the JMP (offset 2). */
#define WAIT_BODY "9: sti; 1: hlt; jmp 1b;"
GUEST(wait16, ".code16", WAIT_BODY HANDLERS("iret", "eax"));
GUEST(wait32, ".code32", WAIT_BODY HANDLERS("iret", "eax"));
GUEST(wait64, ".code64", WAIT_BODY HANDLERS("iretq", "rax"));

/*
 * Interrupts off, a report on port 0x10, then STI; NOP: the window opens
 * after the NOP, at offset 7, since STI holds interrupts off for one more
 * instruction (SDM vol 2, STI).
 */
#define STI_BODY							\
	"9: cli; mov $0x10, %al; out %al, $0x10; sti; nop;"		\
	"mov $0x11, %al; out %al, $0x11; hlt;"
#define STI_OPEN_OFFSET 7
GUEST(sti16, ".code16", STI_BODY HANDLERS("iret", "eax"));
GUEST(sti32, ".code32", STI_BODY HANDLERS("iret", "eax"));
GUEST(sti64, ".code64", STI_BODY HANDLERS("iretq", "rax"));

/* Interrupts off, BX = 0, port 0x10, then port 0x12 and HLT. */
#define NMI_BODY							\
	"9: cli; xor %bx, %bx; mov $0x10, %al; out %al, $0x10;"		\
	"mov $0x12, %al; out %al, $0x12; hlt;"
GUEST(nmi16, ".code16", NMI_BODY HANDLERS("iret", "eax"));
GUEST(nmi32, ".code32", NMI_BODY HANDLERS("iret", "eax"));
GUEST(nmi64, ".code64", NMI_BODY HANDLERS("iretq", "rax"));

static const struct {
	const char *name;
	enum hv_guest_mode mode;
	const unsigned char *wait, *wait_end, *sti, *sti_end, *nmi, *nmi_end;
} modes[] = {
	{ "real", HV_MODE_REAL, wait16, wait16_end, sti16, sti16_end,
	  nmi16, nmi16_end },
	{ "prot32", HV_MODE_PROT32, wait32, wait32_end, sti32, sti32_end,
	  nmi32, nmi32_end },
	{ "long", HV_MODE_LONG, wait64, wait64_end, sti64, sti64_end,
	  nmi64, nmi64_end },
};

/* The vector's handler: an IVT entry (segment 0) in real mode. */
static void set_vector(struct hv_guest *g, int vector, uint32_t handler)
{
	if (g->mode == HV_MODE_REAL) {
		uint32_t far = handler;		/* offset, segment 0 */

		hv_guest_poke(g, vector * 4, &far, sizeof(far));
		return;
	}
	hv_guest_set_idt(g, vector, handler);
}

static void setup(struct __test_metadata *_metadata, struct hv_guest *g,
		  enum hv_guest_mode mode, const unsigned char *start,
		  const unsigned char *end)
{
	hv_guest_setup(_metadata, g, mode, start, end);
	set_vector(g, 0x30, H_30);
	set_vector(g, 0x31, H_31);
	set_vector(g, 2, H_NMI);
	set_vector(g, 13, H_GP);
}

static void run(struct __test_metadata *_metadata, struct hv_guest *g)
{
	ASSERT_EQ(0, hv_guest_run(g)) TH_LOG("KVM_RUN: %s", strerror(errno));
}

static int interrupt(struct hv_guest *g, uint32_t vector)
{
	struct hv_interrupt irq = { .irq = vector };

	return ioctl(g->vcpu, HV_INTERRUPT, &irq);
}

static uint64_t interrupt_bitmap0(struct __test_metadata *_metadata,
				  struct hv_guest *g)
{
	struct hv_sregs s;

	EXPECT_EQ(0, ioctl(g->vcpu, HV_GET_SREGS, &s));
	return s.interrupt_bitmap[0];
}

static uint64_t get_bx(struct __test_metadata *_metadata, struct hv_guest *g)
{
	struct hv_regs regs;

	EXPECT_EQ(0, ioctl(g->vcpu, HV_GET_REGS, &regs));
	return regs.rbx & 0xffff;
}

static void set_if(struct __test_metadata *_metadata, struct hv_guest *g)
{
	struct hv_regs regs;

	ASSERT_EQ(0, ioctl(g->vcpu, HV_GET_REGS, &regs));
	regs.rflags |= 0x200;
	ASSERT_EQ(0, ioctl(g->vcpu, HV_SET_REGS, &regs));
}

/* ---- KVM_INTERRUPT ---- */

/*
 * A guest waiting in HLT with interrupts on is ready for an interrupt;
 * KVM_INTERRUPT queues it (KVM_GET_SREGS shows it), the next KVM_RUN
 * delivers it through the IDT (the IVT in real mode), the handler runs with
 * IF clear, and its IRET returns to the interrupted instruction.
 */
TEST(interrupt_in_every_mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		struct hv_guest g;

		TH_LOG("%s mode", modes[i].name);
		setup(_metadata, &g, modes[i].mode, modes[i].wait,
		      modes[i].wait_end);
		run(_metadata, &g);
		ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
		EXPECT_EQ(1, g.run->if_flag);
		EXPECT_EQ(1, g.run->ready_for_interrupt_injection);
		EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));

		ASSERT_EQ(0, interrupt(&g, 0x31));
		EXPECT_EQ(1ULL << 0x31, interrupt_bitmap0(_metadata, &g));
		hv_run_to_port(_metadata, &g, 0xe1);
		EXPECT_EQ(0x31, hv_guest_io_data(&g)[0]);
		EXPECT_EQ(0, g.run->if_flag);
		EXPECT_EQ(0, g.run->ready_for_interrupt_injection);
		EXPECT_EQ(0, interrupt_bitmap0(_metadata, &g));

		/* IRET: back to the JMP, then HLT again. */
		run(_metadata, &g);
		EXPECT_EQ(HV_EXIT_HLT, g.run->exit_reason);
		EXPECT_EQ(1, g.run->if_flag);
		EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));
		hv_guest_destroy(&g);
	}
}

/* The vector is 0-255; KVM answers EINVAL to anything else. */
TEST(interrupt_bad_vector)
{
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_PROT32, wait32, wait32_end);
	EXPECT_EQ(-1, interrupt(&g, 256));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, interrupt(&g, 0xffffffff));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, interrupt_bitmap0(_metadata, &g));
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_INTERRUPT, NULL));
	EXPECT_EQ(EFAULT, errno);
	hv_guest_destroy(&g);
}

/* A second KVM_INTERRUPT before the guest runs replaces the first. */
TEST(interrupt_replaced_before_delivery)
{
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_LONG, wait64, wait64_end);
	run(_metadata, &g);
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	ASSERT_EQ(0, interrupt(&g, 0x31));
	ASSERT_EQ(0, interrupt(&g, 0x30));
	EXPECT_EQ(1ULL << 0x30, interrupt_bitmap0(_metadata, &g));
	hv_run_to_port(_metadata, &g, 0xe0);
	run(_metadata, &g);
	EXPECT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	hv_guest_destroy(&g);
}

/*
 * While an interrupt waits for delivery the vCPU is not ready for another
 * (a KVM_RUN with immediate_exit updates the run structure and runs
 * nothing).
 */
TEST(not_ready_while_interrupt_queued)
{
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_PROT32, wait32, wait32_end);
	run(_metadata, &g);
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	ASSERT_EQ(1, g.run->ready_for_interrupt_injection);
	ASSERT_EQ(0, interrupt(&g, 0x30));
	g.run->immediate_exit = 1;
	EXPECT_EQ(-1, hv_guest_run(&g));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(0, g.run->ready_for_interrupt_injection);
	EXPECT_EQ(1, g.run->if_flag);
	g.run->immediate_exit = 0;
	hv_run_to_port(_metadata, &g, 0xe0);
	hv_guest_destroy(&g);
}

/* The lowest vector of KVM_SET_SREGS's interrupt bitmap is delivered. */
TEST(sregs_interrupt_bitmap_is_delivered)
{
	struct hv_guest g;
	struct hv_sregs s;

	setup(_metadata, &g, HV_MODE_PROT32, wait32, wait32_end);
	set_if(_metadata, &g);
	ASSERT_EQ(0, ioctl(g.vcpu, HV_GET_SREGS, &s));
	s.interrupt_bitmap[0] = 1ULL << 0x31;
	ASSERT_EQ(0, ioctl(g.vcpu, HV_SET_SREGS, &s));
	hv_run_to_port(_metadata, &g, 0xe1);
	/* It came before the first instruction: IRET returns to the STI. */
	run(_metadata, &g);
	EXPECT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));
	hv_guest_destroy(&g);
}

/* ---- The interrupt window ---- */

/*
 * With request_interrupt_window set, nothing happens while interrupts are
 * off; the exit comes as soon as the guest can take one, which is after
 * the instruction following STI.  The interrupt given then is delivered
 * there, and the guest goes on after its IRET.
 */
TEST(irq_window_opens_after_sti_shadow)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		struct hv_guest g;

		TH_LOG("%s mode", modes[i].name);
		setup(_metadata, &g, modes[i].mode, modes[i].sti,
		      modes[i].sti_end);
		g.run->request_interrupt_window = 1;
		hv_run_to_port(_metadata, &g, 0x10);
		EXPECT_EQ(0, g.run->if_flag);
		EXPECT_EQ(0, g.run->ready_for_interrupt_injection);

		run(_metadata, &g);
		ASSERT_EQ(HV_EXIT_IRQ_WINDOW_OPEN, g.run->exit_reason);
		EXPECT_EQ(1, g.run->if_flag);
		EXPECT_EQ(1, g.run->ready_for_interrupt_injection);
		EXPECT_EQ(CODE_GPA + STI_OPEN_OFFSET, hv_guest_rip(&g));

		ASSERT_EQ(0, interrupt(&g, 0x30));
		g.run->request_interrupt_window = 0;
		hv_run_to_port(_metadata, &g, 0xe0);
		hv_run_to_port(_metadata, &g, 0x11);
		hv_guest_destroy(&g);
	}
}

/* Interrupts on at entry: the window is open before any instruction. */
TEST(irq_window_open_at_entry)
{
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_LONG, nmi64, nmi64_end);
	set_if(_metadata, &g);
	g.run->request_interrupt_window = 1;
	run(_metadata, &g);
	EXPECT_EQ(HV_EXIT_IRQ_WINDOW_OPEN, g.run->exit_reason);
	EXPECT_EQ(CODE_GPA, hv_guest_rip(&g));
	EXPECT_EQ(1, g.run->ready_for_interrupt_injection);
	/* Asked again, it is still open: the same exit, still no progress. */
	run(_metadata, &g);
	EXPECT_EQ(HV_EXIT_IRQ_WINDOW_OPEN, g.run->exit_reason);
	EXPECT_EQ(CODE_GPA, hv_guest_rip(&g));
	/* Not asked: the guest runs (CLI, then port 0x10). */
	g.run->request_interrupt_window = 0;
	hv_run_to_port(_metadata, &g, 0x10);
	hv_guest_destroy(&g);
}

/*
 * An interrupt queued with the window asked for: it is delivered, and the
 * window exit comes only once the guest is past it and can take another
 * (after the handler's IRET and the STI shadow, at the HLT's JMP).
 */
TEST(irq_window_after_queued_interrupt)
{
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_PROT32, wait32, wait32_end);
	run(_metadata, &g);
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	ASSERT_EQ(0, interrupt(&g, 0x31));
	g.run->request_interrupt_window = 1;
	hv_run_to_port(_metadata, &g, 0xe1);
	run(_metadata, &g);
	EXPECT_EQ(HV_EXIT_IRQ_WINDOW_OPEN, g.run->exit_reason);
	EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));
	hv_guest_destroy(&g);
}

/* ---- KVM_NMI ---- */

static void nmi(struct __test_metadata *_metadata, struct hv_guest *g)
{
	ASSERT_EQ(0, ioctl(g->vcpu, HV_NMI));
}

/*
 * kvm_amd under Bochs' AMD model never delivers an NMI that waited for
 * the guest's IRET (hv does): there the machine says
 * HV_SKIP_KVM_SECOND_NMI=1 and these tests skip on KVM only
 * (selftests/vm/check.sh, known-differences).
 */
static bool kvm_loses_second_nmi(void)
{
	return hv_machine_says("HV_SKIP_KVM_SECOND_NMI") &&
	       strstr(hv_device, "kvm");
}

#define SECOND_NMI_MSG \
	"HV_SKIP_KVM_SECOND_NMI=1: KVM here loses an NMI that waits for IRET"

/* An NMI is taken with interrupts off, through vector 2, in every mode. */
TEST(nmi_in_every_mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		struct hv_guest g;

		TH_LOG("%s mode", modes[i].name);
		setup(_metadata, &g, modes[i].mode, modes[i].nmi,
		      modes[i].nmi_end);
		hv_run_to_port(_metadata, &g, 0x10);
		EXPECT_EQ(0, g.run->if_flag);
		nmi(_metadata, &g);
		hv_run_to_port(_metadata, &g, 0xe2);
		hv_run_to_port(_metadata, &g, 0xe3);
		hv_run_to_port(_metadata, &g, 0x12);
		EXPECT_EQ(1, get_bx(_metadata, &g));
		hv_guest_destroy(&g);
	}
}

/*
 * An NMI that comes while the guest handles one waits for the handler's
 * IRET (SDM vol 3, 6.7.1): the handler finishes, then runs again.
 */
TEST(nmi_blocked_until_iret)
{
	unsigned int i;

	if (kvm_loses_second_nmi())
		SKIP(return, SECOND_NMI_MSG);

	for (i = 1; i < ARRAY_SIZE(modes); i++) {
		struct hv_guest g;

		TH_LOG("%s mode", modes[i].name);
		setup(_metadata, &g, modes[i].mode, modes[i].nmi,
		      modes[i].nmi_end);
		hv_run_to_port(_metadata, &g, 0x10);
		nmi(_metadata, &g);
		hv_run_to_port(_metadata, &g, 0xe2);
		nmi(_metadata, &g);
		hv_run_to_port(_metadata, &g, 0xe3);
		EXPECT_EQ(1, get_bx(_metadata, &g));
		hv_run_to_port(_metadata, &g, 0xe2);
		EXPECT_EQ(2, get_bx(_metadata, &g));
		hv_run_to_port(_metadata, &g, 0xe3);
		hv_run_to_port(_metadata, &g, 0x12);
		EXPECT_EQ(2, get_bx(_metadata, &g));
		hv_guest_destroy(&g);
	}
}

/*
 * A CPU holds one NMI besides the one it handles: three KVM_NMIs before
 * the guest runs give two NMIs, one after the other.
 */
TEST(nmi_at_most_two)
{
	struct hv_guest g;

	if (kvm_loses_second_nmi())
		SKIP(return, SECOND_NMI_MSG);

	setup(_metadata, &g, HV_MODE_PROT32, nmi32, nmi32_end);
	hv_run_to_port(_metadata, &g, 0x10);
	nmi(_metadata, &g);
	nmi(_metadata, &g);
	nmi(_metadata, &g);
	hv_run_to_port(_metadata, &g, 0xe2);
	hv_run_to_port(_metadata, &g, 0xe3);
	hv_run_to_port(_metadata, &g, 0xe2);
	hv_run_to_port(_metadata, &g, 0xe3);
	hv_run_to_port(_metadata, &g, 0x12);
	EXPECT_EQ(2, get_bx(_metadata, &g));
	hv_guest_destroy(&g);
}

/* Each KVM_NMI is one NMI, taken once: 100 in a row, 100 handled. */
TEST(nmi_one_hundred)
{
	struct hv_guest g;
	int i;

	if (kvm_loses_second_nmi())
		SKIP(return, SECOND_NMI_MSG);

	setup(_metadata, &g, HV_MODE_LONG, nmi64, nmi64_end);
	hv_run_to_port(_metadata, &g, 0x10);
	for (i = 0; i < 100; i++) {
		nmi(_metadata, &g);
		hv_run_to_port(_metadata, &g, 0xe2);
		hv_run_to_port(_metadata, &g, 0xe3);
	}
	hv_run_to_port(_metadata, &g, 0x12);
	EXPECT_EQ(100, get_bx(_metadata, &g));
	hv_guest_destroy(&g);
}

/* ---- KVM_GET_VCPU_EVENTS / KVM_SET_VCPU_EVENTS ---- */

#define EVENTS_FLAGS	(HV_VCPUEVENT_VALID_NMI_PENDING |		\
			 HV_VCPUEVENT_VALID_SHADOW | HV_VCPUEVENT_VALID_SMM)

static void get_events(struct __test_metadata *_metadata, int vcpu,
		       struct hv_vcpu_events *e)
{
	memset(e, 0xa5, sizeof(*e));
	ASSERT_EQ(0, ioctl(vcpu, HV_GET_VCPU_EVENTS, e))
		TH_LOG("KVM_GET_VCPU_EVENTS: %s", strerror(errno));
}

static int set_events(int vcpu, struct hv_vcpu_events *e)
{
	return ioctl(vcpu, HV_SET_VCPU_EVENTS, e);
}

/*
 * KVM_CAP_VCPU_EVENTS is there; KVM_CAP_INTR_SHADOW is not, on KVM either,
 * although the events carry the shadow (KVM_VCPUEVENT_VALID_SHADOW).  A
 * new vCPU has nothing pending.
 */
TEST(events_at_reset)
{
	struct hv_vcpu_events e, zero;
	struct hv_guest g;
	unsigned int i;

	setup(_metadata, &g, HV_MODE_PROT32, nmi32, nmi32_end);
	EXPECT_EQ(1, ioctl(g.vm, HV_CHECK_EXTENSION, HV_CAP_VCPU_EVENTS));
	EXPECT_EQ(0, ioctl(g.vm, HV_CHECK_EXTENSION, HV_CAP_INTR_SHADOW));
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(EVENTS_FLAGS, e.flags);
	memset(&zero, 0, sizeof(zero));
	zero.flags = e.flags;
	for (i = 0; i < sizeof(e); i++)
		EXPECT_EQ(((unsigned char *)&zero)[i], ((unsigned char *)&e)[i])
			TH_LOG("byte %u", i);
	hv_guest_destroy(&g);
}

/* KVM_INTERRUPT and KVM_NMI show in the events until the guest takes them. */
TEST(events_show_queued_interrupt_and_nmi)
{
	struct hv_vcpu_events e;
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_LONG, wait64, wait64_end);
	run(_metadata, &g);
	ASSERT_EQ(HV_EXIT_HLT, g.run->exit_reason);
	ASSERT_EQ(0, interrupt(&g, 0x31));
	nmi(_metadata, &g);
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(1, e.interrupt.injected);
	EXPECT_EQ(0x31, e.interrupt.nr);
	EXPECT_EQ(0, e.interrupt.soft);
	EXPECT_EQ(0, e.nmi.injected);
	EXPECT_EQ(1, e.nmi.pending);
	EXPECT_EQ(0, e.nmi.masked);
	EXPECT_EQ(0, e.exception.injected);

	/*
	 * The interrupt is delivered first (it was accepted already); the
	 * NMI comes right after, before the first instruction of the
	 * interrupt's handler, so the NMI's handler runs first.
	 */
	hv_run_to_port(_metadata, &g, 0xe2);
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(1, e.nmi.masked);
	EXPECT_EQ(0, e.nmi.pending);
	hv_run_to_port(_metadata, &g, 0xe3);
	hv_run_to_port(_metadata, &g, 0xe1);
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(0, e.interrupt.injected);
	EXPECT_EQ(0, e.nmi.masked);
	hv_guest_destroy(&g);
}

/* An OUT right after STI runs in its shadow, and the events say so. */
GUEST(shadow32, ".code32", "9: sti; out %al, $0x10; out %al, $0x11; hlt;"
	HANDLERS("iret", "eax"));

TEST(events_show_sti_shadow)
{
	struct hv_vcpu_events e;
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_PROT32, shadow32, shadow32_end);
	hv_run_to_port(_metadata, &g, 0x10);
	get_events(_metadata, g.vcpu, &e);
	/* SVM has one shadow bit, which KVM reports as both kinds. */
	EXPECT_TRUE(e.interrupt.shadow & HV_X86_SHADOW_INT_STI);
	EXPECT_EQ(0, g.run->ready_for_interrupt_injection);
	/* Completing the OUT ends the shadow. */
	hv_run_to_port(_metadata, &g, 0x11);
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(0, e.interrupt.shadow);
	EXPECT_EQ(1, g.run->ready_for_interrupt_injection);
	hv_guest_destroy(&g);
}

/*
 * Entered in an interrupt shadow (KVM_SET_VCPU_EVENTS) with interrupts
 * on, the guest runs the one instruction in it (the first NOP) before
 * the interrupt window opens; an interrupt given then is taken there.
 * (QEMU 7.2's VMRUN drops the shadow: kvm_amd opens the window at once
 * there, at the first NOP, and fails this; hv steps over it.)
 */
GUEST(setshadow32, ".code32",
	"9: out %al, $0x10; nop; nop; out %al, $0x11; hlt;"
	HANDLERS("iret", "eax"));
#define SETSHADOW_NOP2	3	/* the second NOP: OUT imm8 is 2 bytes */

TEST(events_set_shadow_holds_window)
{
	struct hv_vcpu_events e;
	struct hv_guest g;

	if (hv_kvm_drops_entry_shadow()) {
		SKIP(return, HV_ENTRY_SHADOW_MSG);
	}
	setup(_metadata, &g, HV_MODE_PROT32, setshadow32, setshadow32_end);
	hv_run_to_port(_metadata, &g, 0x10);
	/* Complete the OUT (which would end a shadow set before it). */
	g.run->immediate_exit = 1;
	EXPECT_EQ(-1, hv_guest_run(&g));
	g.run->immediate_exit = 0;
	EXPECT_EQ(CODE_GPA + 2, hv_guest_rip(&g));
	set_if(_metadata, &g);
	get_events(_metadata, g.vcpu, &e);
	e.flags = HV_VCPUEVENT_VALID_SHADOW;
	e.interrupt.shadow = HV_X86_SHADOW_INT_STI;
	ASSERT_EQ(0, set_events(g.vcpu, &e));
	g.run->request_interrupt_window = 1;
	run(_metadata, &g);
	ASSERT_EQ(HV_EXIT_IRQ_WINDOW_OPEN, g.run->exit_reason);
	EXPECT_EQ(CODE_GPA + SETSHADOW_NOP2, hv_guest_rip(&g));
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(0, e.interrupt.shadow);
	g.run->request_interrupt_window = 0;
	ASSERT_EQ(0, interrupt(&g, 0x30));
	hv_run_to_port(_metadata, &g, 0xe0);
	hv_run_to_port(_metadata, &g, 0x11);
	hv_guest_destroy(&g);
}

/*
 * An exception set with KVM_SET_VCPU_EVENTS is delivered at the next entry
 * with its error code, and a set shadow holds an interrupt window shut for
 * one instruction.
 */
TEST(events_set_exception_is_delivered)
{
	struct hv_vcpu_events e;
	struct hv_guest g;
	uint32_t code;

	setup(_metadata, &g, HV_MODE_PROT32, nmi32, nmi32_end);
	hv_run_to_port(_metadata, &g, 0x10);
	get_events(_metadata, g.vcpu, &e);
	e.exception.injected = 1;
	e.exception.nr = 13;
	e.exception.has_error_code = 1;
	e.exception.error_code = 0x18;
	ASSERT_EQ(0, set_events(g.vcpu, &e));
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(1, e.exception.injected);
	EXPECT_EQ(13, e.exception.nr);
	EXPECT_EQ(1, e.exception.has_error_code);
	EXPECT_EQ(0x18, e.exception.error_code);
	EXPECT_EQ(0, g.run->ready_for_interrupt_injection);
	hv_run_to_port(_metadata, &g, 0xed);
	memcpy(&code, hv_guest_io_data(&g), 4);
	EXPECT_EQ(0x18, code);
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(0, e.exception.injected);
	hv_guest_destroy(&g);
}

/* An NMI set pending this way is delivered; one set masked waits. */
TEST(events_set_nmi)
{
	struct hv_vcpu_events e;
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_LONG, nmi64, nmi64_end);
	hv_run_to_port(_metadata, &g, 0x10);
	get_events(_metadata, g.vcpu, &e);
	e.nmi.pending = 1;
	ASSERT_EQ(0, set_events(g.vcpu, &e));
	hv_run_to_port(_metadata, &g, 0xe2);
	hv_run_to_port(_metadata, &g, 0xe3);
	hv_run_to_port(_metadata, &g, 0x12);
	EXPECT_EQ(1, get_bx(_metadata, &g));
	hv_guest_destroy(&g);

	setup(_metadata, &g, HV_MODE_LONG, nmi64, nmi64_end);
	hv_run_to_port(_metadata, &g, 0x10);
	get_events(_metadata, g.vcpu, &e);
	e.nmi.masked = 1;
	ASSERT_EQ(0, set_events(g.vcpu, &e));
	nmi(_metadata, &g);
	/* Blocked: the guest goes on to port 0x12 without its handler. */
	hv_run_to_port(_metadata, &g, 0x12);
	EXPECT_EQ(0, get_bx(_metadata, &g));
	get_events(_metadata, g.vcpu, &e);
	EXPECT_EQ(1, e.nmi.masked);
	EXPECT_EQ(1, e.nmi.pending);
	hv_guest_destroy(&g);
}

/*
 * What one vCPU reports, another accepts and then reports the same, as a
 * migration moves it.
 */
TEST(events_round_trip_between_vcpus)
{
	struct hv_vcpu_events a, b;
	struct hv_guest g;
	struct hv_run *run1;
	int vcpu1;

	setup(_metadata, &g, HV_MODE_PROT32, nmi32, nmi32_end);
	vcpu1 = hv_guest_add_vcpu(&g, 1, &run1);
	ASSERT_LE(0, vcpu1);
	get_events(_metadata, g.vcpu, &a);
	a.exception.injected = 1;
	a.exception.nr = 14;
	a.exception.has_error_code = 1;
	a.exception.error_code = 0x6;
	a.interrupt.injected = 1;
	a.interrupt.nr = 0x41;
	a.nmi.pending = 1;
	a.nmi.masked = 1;
	ASSERT_EQ(0, set_events(g.vcpu, &a));
	get_events(_metadata, g.vcpu, &a);
	EXPECT_EQ(1, a.exception.injected);
	EXPECT_EQ(1, a.interrupt.injected);
	EXPECT_EQ(1, a.nmi.pending);
	EXPECT_EQ(1, a.nmi.masked);

	ASSERT_EQ(0, set_events(vcpu1, &a));
	get_events(_metadata, vcpu1, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(14, b.exception.nr);
	EXPECT_EQ(0x6, b.exception.error_code);
	EXPECT_EQ(0x41, b.interrupt.nr);
	munmap(run1, 3 * 4096);
	close(vcpu1);
	hv_guest_destroy(&g);
}

/* KVM's errors: EINVAL for what cannot be set, EFAULT for bad memory. */
TEST(events_bad_input)
{
	struct hv_vcpu_events e, good;
	struct hv_guest g;

	setup(_metadata, &g, HV_MODE_PROT32, nmi32, nmi32_end);
	get_events(_metadata, g.vcpu, &good);

	e = good;
	e.flags |= 0x80;
	EXPECT_EQ(-1, set_events(g.vcpu, &e));
	EXPECT_EQ(EINVAL, errno);
	/* KVM_CAP_EXCEPTION_PAYLOAD and the triple-fault event are off. */
	e = good;
	e.flags |= HV_VCPUEVENT_VALID_PAYLOAD;
	EXPECT_EQ(-1, set_events(g.vcpu, &e));
	EXPECT_EQ(EINVAL, errno);
	e = good;
	e.flags |= HV_VCPUEVENT_VALID_TRIPLE_FAULT;
	EXPECT_EQ(-1, set_events(g.vcpu, &e));
	EXPECT_EQ(EINVAL, errno);
	/* Exception vectors are 0-31, and 2 is the NMI. */
	e = good;
	e.exception.injected = 1;
	e.exception.nr = 32;
	EXPECT_EQ(-1, set_events(g.vcpu, &e));
	EXPECT_EQ(EINVAL, errno);
	e.exception.nr = 2;
	EXPECT_EQ(-1, set_events(g.vcpu, &e));
	EXPECT_EQ(EINVAL, errno);
	/* A vector out of range is fine when nothing is injected. */
	e.exception.injected = 0;
	EXPECT_EQ(0, set_events(g.vcpu, &e));

	EXPECT_EQ(-1, ioctl(g.vcpu, HV_SET_VCPU_EVENTS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(g.vcpu, HV_GET_VCPU_EVENTS, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing stuck: the guest runs as if untouched. */
	hv_run_to_port(_metadata, &g, 0x10);
	hv_run_to_port(_metadata, &g, 0x12);
	hv_guest_destroy(&g);
}

HV_TEST_MAIN
