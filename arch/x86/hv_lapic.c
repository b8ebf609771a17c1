// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the in-kernel local APIC, one per vCPU.
 *
 * A VM gets local APICs in the kernel with HV_ENABLE_CAP(SPLIT_IRQCHIP),
 * KVM's "split irqchip": the APICs, their timers and inter-processor
 * interrupts are here, the PIC and I/O APIC stay in userspace, which
 * sends their interrupts as MSIs (HV_SIGNAL_MSI) or, for the PIC's
 * ExtINT, with HV_INTERRUPT.  The registers follow the SDM (vol 3,
 * chapter 11 "Advanced Programmable Interrupt Controller") and KVM's
 * choices where the SDM leaves one: a 1 GHz APIC bus, version 0x14 with
 * six LVT entries (no CMCI), periodic timers no shorter than 200 us, and
 * the xAPIC page reading all ones while the APIC is off or in x2APIC
 * mode.
 *
 * The register page is the vCPU's own state ([vcpu]: its ioctls, its
 * exits), with two exceptions.  Any context that delivers an interrupt
 * (another vCPU's IPI, HV_SIGNAL_MSI on the VM fd, the timer) sets the
 * vector's IRR and TMR bits with atomic bit operations and kicks the vCPU
 * (hv_vcpu_kick()); the vCPU looks at IRR again before every entry,
 * after it has said it is entering (hv_x86_enter_guest()), so a vector
 * set meanwhile is never missed.  And the timer's hrtimer callback, which
 * runs in hard interrupt context on any CPU, only counts an expiry in
 * @timer_pending and moves a periodic timer's @target on; the vCPU turns
 * the count into an interrupt.  The vCPU changes the timer's fields only
 * while the hrtimer is cancelled.
 *
 * With a split irqchip, the EOI of a vector that a level-triggered MSI
 * route of userspace's I/O APIC names for this APIC ends HV_RUN with
 * HV_EXIT_IOAPIC_EOI before the next entry, so that userspace can clear
 * the pin's Remote IRR (KVM's ioapic_handled_vectors and
 * KVM_REQ_IOAPIC_EOI_EXIT).  The vCPU computes those vectors itself
 * before an entry, from the routes (hv_irq.c), whenever they or its APIC's
 * destination registers changed.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

#define HV_APIC_VERSION		0x14
#define HV_APIC_NR_LVT		6	/* timer, thermal, PMC, LINT0/1, error */
#define HV_APIC_MIN_PERIOD_NS	200000	/* KVM's min_timer_period_us */
#define HV_APIC_DIRECTED_EOI	BIT(24)	/* in the version register */
#define HV_SPIV_DIRECTED_EOI	BIT(12)

/* LVT bits (SDM vol 3, figure 11-8). */
#define HV_LVT_MASKED		BIT(16)
#define HV_LVT_LEVEL		BIT(15)
#define HV_LVT_REMOTE_IRR	BIT(14)
#define HV_LVT_POLARITY		BIT(13)
#define HV_LVT_PENDING		BIT(12)
#define HV_LVT_MODE		(7 << 8)
#define HV_LVT_VECTOR		0xff
#define HV_LVT_BITS		(HV_LVT_MASKED | HV_LVT_PENDING | HV_LVT_VECTOR)
#define HV_LINT_BITS		(HV_LVT_BITS | HV_LVT_MODE | HV_LVT_POLARITY | \
				 HV_LVT_REMOTE_IRR | HV_LVT_LEVEL)
#define HV_TIMER_PERIODIC	(1 << 17)
#define HV_TIMER_TSCDEADLINE	(2 << 17)
#define HV_TIMER_MODES		(3 << 17)

/* Delivery modes of the ICR, the LVTs and MSIs. */
enum {
	HV_DM_FIXED = 0, HV_DM_LOWEST = 1, HV_DM_SMI = 2, HV_DM_NMI = 4,
	HV_DM_INIT = 5, HV_DM_SIPI = 6, HV_DM_EXTINT = 7,
};

/* ICR bits (SDM vol 3, figure 11-12). */
#define HV_ICR_LOGICAL		BIT(11)
#define HV_ICR_BUSY		BIT(12)
#define HV_ICR_LEVEL		BIT(14)
#define HV_ICR_TRIGGER		BIT(15)
#define HV_ICR_SHORTHAND(icr)	(((icr) >> 18) & 3)
#define HV_X2APIC_ICR_RESERVED	(GENMASK_ULL(31, 20) | GENMASK_ULL(17, 16) | \
				 BIT_ULL(13))
enum { HV_SH_NONE, HV_SH_SELF, HV_SH_ALL, HV_SH_OTHERS };

#define HV_APIC_BROADCAST	0xff
#define HV_X2APIC_BROADCAST	0xffffffffU

/* Pending events another context leaves for the vCPU (@events). */
enum { HV_APIC_INIT, HV_APIC_SIPI };

/**
 * struct hv_lapic - a vCPU's local APIC
 * @vcpu:	[I] its vCPU
 * @regs:	[I] the register page as the xAPIC lays it out; [vcpu] but
 *		IRR and TMR bits, set atomically by any sender
 * @timer:	the APIC timer
 * @timer_pending: [atomic] expiries not yet turned into an interrupt
 * @timer_mode:	[vcpu] LVTT's mode bits the timer runs in
 * @timer_mode_mask: [vcpu] the modes CPUID allows (TSC-deadline or not)
 * @divide:	[vcpu] the divide configuration's divisor
 * @period_ns:	[vcpu, timer stopped] the count in ns; 0: no timer
 * @target:	[vcpu, timer stopped; a periodic timer's callback moves it]
 *		when the count reaches 0
 * @tscdeadline: [vcpu] IA32_TSC_DEADLINE in TSC-deadline mode
 * @events:	[atomic] HV_APIC_INIT, HV_APIC_SIPI from other vCPUs
 * @sipi_vector: the vector of the last SIPI, written before @events
 * @nmis:	[atomic] NMIs other vCPUs sent, for hv_x86_process_nmi
 * @lvt0_nmi:	[vcpu] LVT0 was last written unmasked in NMI mode: counted
 *		in hv_x86_vm.apics_in_nmi_mode
 * @ioapic_vectors: [vcpu] with a split irqchip, the vectors whose EOI
 *		userspace's I/O APIC hears of (HV_EXIT_IOAPIC_EOI)
 * @rescan:	[set by anyone with a full barrier, cleared by the vCPU]
 *		@ioapic_vectors must be computed again before the next entry
 * @eoi_exit:	[vcpu] the vector of an EOI that exits before the next
 *		entry, or -1
 */
struct hv_lapic {
	struct hv_vcpu *vcpu;
	void *regs;
	struct hrtimer timer;
	atomic_t timer_pending;
	u32 timer_mode;
	u32 timer_mode_mask;
	u32 divide;
	u64 period_ns;
	ktime_t target;
	u64 tscdeadline;
	unsigned long events;
	u8 sipi_vector;
	atomic_t nmis;
	bool lvt0_nmi;
	DECLARE_BITMAP(ioapic_vectors, 256);
	bool rescan;
	int eoi_exit;
};

static u32 apic_get(struct hv_lapic *a, u32 reg)
{
	return READ_ONCE(*(u32 *)(a->regs + reg));
}

static void apic_set(struct hv_lapic *a, u32 reg, u32 val)
{
	WRITE_ONCE(*(u32 *)(a->regs + reg), val);
}

/* A vector's bit in the 256-bit ISR, TMR or IRR starting at @reg. */
static unsigned long *apic_vec_word(struct hv_lapic *a, u32 reg, int vec)
{
	return (unsigned long *)(a->regs + reg + (vec / 32) * 0x10);
}

static void apic_vec_set(struct hv_lapic *a, u32 reg, int vec)
{
	set_bit(vec % 32, apic_vec_word(a, reg, vec));
}

static void apic_vec_clear(struct hv_lapic *a, u32 reg, int vec)
{
	clear_bit(vec % 32, apic_vec_word(a, reg, vec));
}

static bool apic_vec_test(struct hv_lapic *a, u32 reg, int vec)
{
	return test_bit(vec % 32, apic_vec_word(a, reg, vec));
}


static int apic_highest(struct hv_lapic *a, u32 reg)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = apic_get(a, reg + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool apic_hw_enabled(struct hv_lapic *a)
{
	return a->vcpu->apic_base & HV_APIC_BASE_ENABLE;
}

static bool apic_sw_enabled(struct hv_lapic *a)
{
	return apic_get(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

static bool apic_enabled(struct hv_lapic *a)
{
	return apic_hw_enabled(a) && apic_sw_enabled(a);
}

static bool apic_x2apic(struct hv_lapic *a)
{
	return a->vcpu->apic_base & HV_APIC_BASE_X2APIC;
}

static u32 apic_xapic_id(struct hv_lapic *a)
{
	return apic_get(a, APIC_ID) >> 24;
}

/* The x2APIC ID is the vCPU id, and the logical ID follows from it. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1 << (id & 0xf));
}

/*
 * The vCPU changed its own APIC's ID, logical destination or mode: which
 * MSI routes name it is looked at again before the next entry (KVM
 * recalculates its APIC map, which scans the routes).
 */
static void apic_dest_changed(struct hv_lapic *a)
{
	WRITE_ONCE(a->rescan, true);
}

static void apic_set_x2apic_id(struct hv_lapic *a)
{
	apic_set(a, APIC_ID, a->vcpu->id);
	apic_set(a, APIC_LDR, x2apic_ldr(a->vcpu->id));
}

/* ------------------------------------------------------------------ */
/* Priorities (SDM vol 3, 11.8.3) */

static void apic_update_ppr(struct hv_lapic *a)
{
	u32 tpr = apic_get(a, APIC_TASKPRI) & 0xff;
	int isrv = apic_highest(a, APIC_ISR);
	u32 ppr;

	if (isrv < 0 || (tpr & 0xf0) >= (isrv & 0xf0))
		ppr = tpr;
	else
		ppr = isrv & 0xf0;
	apic_set(a, APIC_PROCPRI, ppr);
}

static void apic_set_tpr(struct hv_lapic *a, u32 tpr)
{
	apic_set(a, APIC_TASKPRI, tpr);
	a->vcpu->cr8 = (tpr >> 4) & 0xf;
	apic_update_ppr(a);
}

u64 hv_lapic_get_cr8(struct hv_vcpu *vcpu)
{
	return (apic_get(vcpu->x86.apic, APIC_TASKPRI) >> 4) & 0xf;
}

void hv_lapic_set_cr8(struct hv_vcpu *vcpu, u64 cr8)
{
	apic_set_tpr(vcpu->x86.apic, (cr8 & 0xf) << 4);
}

int hv_lapic_pending_vector(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;
	int vec;

	if (!apic_hw_enabled(a))
		return -1;
	vec = apic_highest(a, APIC_IRR);
	if (vec < 0 || (vec & 0xf0) <= (apic_get(a, APIC_PROCPRI) & 0xf0))
		return -1;
	return vec;
}

void hv_lapic_accept(struct hv_vcpu *vcpu, int vec)
{
	struct hv_lapic *a = vcpu->x86.apic;

	apic_vec_clear(a, APIC_IRR, vec);
	apic_vec_set(a, APIC_ISR, vec);
	apic_update_ppr(a);
}

/* The PIC's interrupts reach the CPU through LINT0 in ExtINT mode. */
bool hv_lapic_accepts_extint(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u32 lvt0 = apic_get(a, APIC_LVT0);

	if (!apic_hw_enabled(a))
		return true;
	return !(lvt0 & HV_LVT_MASKED) &&
	       (lvt0 & HV_LVT_MODE) == (HV_DM_EXTINT << 8);
}

static void apic_eoi(struct hv_lapic *a)
{
	int vec = apic_highest(a, APIC_ISR);

	if (vec < 0)
		return;
	apic_vec_clear(a, APIC_ISR, vec);
	apic_update_ppr(a);
	/*
	 * A level-triggered vector's EOI goes to the I/O APIC (SDM vol 3,
	 * 11.8.5), and so does an edge one whose end the I/O APIC listens
	 * to (hv_ioapic_eoi(), as KVM).  With a split irqchip that one is
	 * userspace's, and, as on KVM, the routes alone say which vectors
	 * are its: neither TMR (how this delivery came) nor directed EOI in
	 * SPIV (the guest will also write the I/O APIC's EOI register)
	 * changes that.
	 */
	if (READ_ONCE(a->vcpu->vm->x86.irqchip) == HV_IRQCHIP_SPLIT) {
		if (test_bit(vec, a->ioapic_vectors))
			a->eoi_exit = vec;
		return;
	}
	if (!hv_irqchip_full(a->vcpu->vm))
		return;
	/* KVM tracks the EOIs of the RTC's interrupt, edge or level. */
	hv_ioapic_rtc_eoi(a->vcpu, vec);
	hv_ioapic_eoi(a->vcpu, vec, apic_vec_test(a, APIC_TMR, vec));
}

/* ------------------------------------------------------------------ */
/* Accepting interrupts (SDM vol 3, 11.6.1, 11.5.1) */

/*
 * Deliver to @a, from any context: 1 if the APIC took the interrupt,
 * else 0 (KVM's __apic_accept_irq()).
 */
static int apic_accept_irq(struct hv_lapic *a, int mode, int vec, bool level,
			   bool trig)
{
	struct hv_vcpu *vcpu = a->vcpu;

	switch (mode) {
	case HV_DM_FIXED:
	case HV_DM_LOWEST:
		/* A level interrupt's deassertion does nothing here. */
		if (trig && !level)
			return 0;
		if (!apic_enabled(a))
			return 0;
		if (trig)
			apic_vec_set(a, APIC_TMR, vec);
		else
			apic_vec_clear(a, APIC_TMR, vec);
		apic_vec_set(a, APIC_IRR, vec);
		break;
	case HV_DM_NMI:
		atomic_inc(&a->nmis);
		break;
	case HV_DM_INIT:
		if (trig && !level)
			return 0;
		set_bit(HV_APIC_INIT, &a->events);
		break;
	case HV_DM_SIPI:
		WRITE_ONCE(a->sipi_vector, vec);
		smp_wmb();	/* the vector before the event: pairs with _rmb */
		set_bit(HV_APIC_SIPI, &a->events);
		break;
	default:
		/* SMI (hv has no SMM) and ExtINT through the APIC: ignored. */
		return 0;
	}
	/* The bit before the vCPU's mode (hv_vcpu_kick()). */
	smp_mb__after_atomic();
	hv_vcpu_kick(vcpu);
	return 1;
}

/* An LVT entry fires (the timer, LINT0/1, error). */
static int apic_local_deliver(struct hv_lapic *a, u32 lvt_reg)
{
	u32 lvt = apic_get(a, lvt_reg);

	if (!apic_hw_enabled(a) || (lvt & HV_LVT_MASKED))
		return 0;
	return apic_accept_irq(a, (lvt & HV_LVT_MODE) >> 8, lvt & HV_LVT_VECTOR,
			       true, lvt & HV_LVT_LEVEL);
}

/* ------------------------------------------------------------------ */
/* Destinations (SDM vol 3, 11.6.2) */

struct hv_apic_irq {
	u32 dest;
	bool logical;
	int shorthand;
	int mode;
	int vector;
	bool level;
	bool trig;
	bool lowest;	/* lowest priority, or an MSI's redirection hint */
};

/* Published with smp_store_release() by hv_vcpu_create(); never removed. */
static struct hv_lapic *apic_of(struct hv_vm *vm, int id)
{
	/* Pairs with hv_vcpu_create()'s release: the vCPU is whole. */
	struct hv_vcpu *v = smp_load_acquire(&vm->vcpus[id]);

	return v ? v->x86.apic : NULL;
}

static bool apic_match_physical(struct hv_lapic *a, u32 mda)
{
	if (apic_x2apic(a))
		return mda == HV_X2APIC_BROADCAST || mda == a->vcpu->id;
	return mda == HV_APIC_BROADCAST || mda == apic_xapic_id(a);
}

static bool apic_match_logical(struct hv_lapic *a, u32 mda)
{
	u32 ldr = apic_get(a, APIC_LDR);

	if (apic_x2apic(a)) {
		if (mda == HV_X2APIC_BROADCAST)
			return true;
		return (ldr >> 16) == (mda >> 16) && (ldr & mda & 0xffff);
	}
	if (mda == HV_APIC_BROADCAST)
		return true;
	ldr >>= 24;
	switch (apic_get(a, APIC_DFR)) {
	case APIC_DFR_FLAT:
		return ldr & mda;
	case APIC_DFR_CLUSTER:
		return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf);
	}
	return false;
}

static bool apic_match_dest(struct hv_lapic *target, struct hv_lapic *src,
			    const struct hv_apic_irq *irq)
{
	u32 mda = irq->dest;

	switch (irq->shorthand) {
	case HV_SH_SELF:
		return target == src;
	case HV_SH_ALL:
		return true;
	case HV_SH_OTHERS:
		return target != src;
	}
	/* An MSI's 0xff is a broadcast to x2APICs too (KVM's quirk). */
	if (!src && mda == HV_APIC_BROADCAST && apic_x2apic(target))
		mda = HV_X2APIC_BROADCAST;
	if (irq->logical)
		return apic_match_logical(target, mda);
	return apic_match_physical(target, mda);
}

/* How an enabled APIC takes logical destinations, for KVM's APIC map. */
enum { HV_LOGICAL_FLAT = 1, HV_LOGICAL_CLUSTER = 2, HV_LOGICAL_X2APIC = 4 };

static unsigned int apic_logical_mode(struct hv_lapic *a)
{
	if (apic_x2apic(a))
		return HV_LOGICAL_X2APIC;
	if (!apic_get(a, APIC_LDR))
		return 0;
	return apic_get(a, APIC_DFR) == APIC_DFR_FLAT ? HV_LOGICAL_FLAT :
							HV_LOGICAL_CLUSTER;
}

/*
 * Whether KVM finds @irq's destination in its map of APIC IDs (which it
 * has once the VM has a vCPU), so that naming no APIC delivers to none
 * (0) rather than failing (-1): no shorthand, no broadcast, and a physical
 * ID, or a logical one while every APIC with a logical ID uses the same
 * model (@modes, kvm_recalculate_apic_map()).
 */
static bool apic_single_lookup(struct hv_lapic *src,
			       const struct hv_apic_irq *irq,
			       unsigned int modes)
{
	u32 bcast = src && apic_x2apic(src) ? HV_X2APIC_BROADCAST :
					     HV_APIC_BROADCAST;

	if (irq->shorthand != HV_SH_NONE || irq->dest == bcast)
		return false;
	return !irq->logical || (modes && !(modes & (modes - 1)));
}

/*
 * Deliver to every APIC of @vm that @irq names.  Returns -1 if none
 * matched, else how many took it (KVM's kvm_irq_delivery_to_apic()).  A
 * lowest-priority interrupt goes to one of the software-enabled matches,
 * chosen by vector as KVM's vector hashing chooses.  Another vCPU may
 * change its APIC's mode or ID meanwhile; then the interrupt finds it as
 * it was or as it is, as on a bus.
 */
static int apic_deliver(struct hv_vm *vm, struct hv_lapic *src,
			const struct hv_apic_irq *irq, unsigned long *taken)
{
	int i, n = 0, pick, r = -1;
	unsigned int modes = 0;
	bool any = false;

	for (i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_lapic *a = apic_of(vm, i);

		any |= a != NULL;
		if (!a || !apic_hw_enabled(a))
			continue;
		modes |= apic_logical_mode(a);
		if (!apic_match_dest(a, src, irq))
			continue;
		if (!irq->lowest) {
			if (r < 0)
				r = 0;
			if (apic_accept_irq(a, irq->mode, irq->vector,
					    irq->level, irq->trig)) {
				r++;
				if (taken)
					set_bit(i, taken);
			}
		} else if (apic_sw_enabled(a)) {
			n++;
		}
	}
	if (r < 0 && any && apic_single_lookup(src, irq, modes))
		r = 0;
	if (!irq->lowest || !n)
		return r;
	/* The same matches again; the (vector % n)-th takes it. */
	pick = irq->vector % n;
	for (i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_lapic *a = apic_of(vm, i);

		if (!a || !apic_enabled(a) || !apic_match_dest(a, src, irq))
			continue;
		if (pick-- != 0)
			continue;
		if (!apic_accept_irq(a, irq->mode, irq->vector, irq->level,
				     irq->trig))
			return 0;
		if (taken)
			set_bit(i, taken);
		return 1;
	}
	return 0;
}

/* A write of the ICR: the IPI it describes (SDM vol 3, 11.6.1). */
static void apic_send_ipi(struct hv_lapic *a, u32 low, u32 dest)
{
	struct hv_apic_irq irq = {
		.dest = dest,
		.logical = low & HV_ICR_LOGICAL,
		.shorthand = HV_ICR_SHORTHAND(low),
		.mode = (low >> 8) & 7,
		.vector = low & 0xff,
		.level = low & HV_ICR_LEVEL,
		.trig = low & HV_ICR_TRIGGER,
	};

	irq.lowest = irq.mode == HV_DM_LOWEST;
	apic_deliver(a->vcpu->vm, a, &irq, NULL);
}

/*
 * An MSI as the APIC bus carries it (SDM vol 3, 11.11): address bits
 * 19:12 the destination, bit 3 the redirection hint, bit 2 logical
 * destination; data bits 7:0 the vector, 10:8 the delivery mode, 15 the
 * trigger mode.  The level is always "asserted" (KVM_SIGNAL_MSI's 1): a
 * message has no falling edge.
 */
static void apic_msi_irq(const struct hv_msi *msi, struct hv_apic_irq *irq)
{
	irq->dest = (msi->address_lo >> 12) & 0xff;
	irq->logical = msi->address_lo & BIT(2);
	irq->shorthand = HV_SH_NONE;
	irq->mode = (msi->data >> 8) & 7;
	irq->vector = msi->data & 0xff;
	irq->level = true;
	irq->trig = msi->data & BIT(15);
	irq->lowest = irq->mode == HV_DM_LOWEST || (msi->address_lo & BIT(3));
}

/* HV_SIGNAL_MSI */
int hv_lapic_signal_msi(struct hv_vm *vm, const struct hv_msi *msi)
{
	struct hv_apic_irq irq;

	if (READ_ONCE(vm->x86.irqchip) == HV_IRQCHIP_NONE ||
	    (msi->flags & ~HV_MSI_VALID_DEVID))
		return -EINVAL;
	apic_msi_irq(msi, &irq);
	return apic_deliver(vm, NULL, &irq, NULL);
}

/*
 * For the scan of a split irqchip's routes (hv_irq.c): the vector of
 * @msi if it is level-triggered and its destination names @vcpu's APIC,
 * else -1.  As KVM's kvm_scan_ioapic_routes(), the delivery mode does not
 * matter, nor whether the APIC is enabled.
 */
int hv_lapic_msi_level_vector(struct hv_vcpu *vcpu, const struct hv_msi *msi)
{
	struct hv_apic_irq irq;

	apic_msi_irq(msi, &irq);
	if (!irq.trig || !apic_match_dest(vcpu->x86.apic, NULL, &irq))
		return -1;
	return irq.vector;
}

/* @a's destination (ID, LDR, DFR, mode) or the routes changed. */
static void apic_request_rescan(struct hv_lapic *a)
{
	/* The flag before the vCPU's mode (hv_vcpu_kick()). */
	smp_store_mb(a->rescan, true);
	hv_vcpu_kick(a->vcpu);
}

/*
 * HV_SET_GSI_ROUTING with a split irqchip: every vCPU computes its
 * vectors again before its next entry (a vCPU in the guest is made to
 * exit).  Unlike KVM's request, this does not wait for the vCPUs to have
 * left the guest.
 */
void hv_lapic_routes_changed(struct hv_vm *vm)
{
	struct hv_lapic *a;
	int i;

	for (i = 0; i < HV_MAX_VCPUS; i++) {
		a = apic_of(vm, i);
		if (a)
			apic_request_rescan(a);
	}
}

/* Whether the entry must wait for a scan (hv_x86_enter_guest()). */
bool hv_lapic_rescan_due(struct hv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->x86.apic->rescan);
}

/*
 * Before an entry of a runnable vCPU, in KVM's order of requests
 * (KVM_REQ_IOAPIC_EOI_EXIT, then KVM_REQ_SCAN_IOAPIC): 0 with the run
 * structure filled for HV_EXIT_IOAPIC_EOI if the last EOI's vector is
 * still userspace's; else the vectors computed again if something
 * changed, and 1.
 */
int hv_lapic_ioapic_requests(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;
	int vec = a->eoi_exit;

	if (vec >= 0) {
		a->eoi_exit = -1;
		if (test_bit(vec, a->ioapic_vectors)) {
			vcpu->run->exit_reason = HV_EXIT_IOAPIC_EOI;
			vcpu->run->eoi.vector = vec;
			return 0;
		}
	}
	/* Cleared before the routes are read: a later change is seen. */
	if (READ_ONCE(a->rescan) && xchg(&a->rescan, false))
		hv_irq_scan_ioapic_routes(vcpu, a->ioapic_vectors);
	return 1;
}

/*
 * The I/O APIC's interrupt message for a pin (hv_ioapic.c): fixed or
 * lowest priority, NMI, INIT, ExtINT as its delivery mode says.
 */
int hv_lapic_deliver_ioapic(struct hv_vm *vm, u32 dest, bool logical,
			    int mode, int vector, bool level,
			    unsigned long *taken)
{
	struct hv_apic_irq irq = {
		.dest = dest,
		.logical = logical,
		.shorthand = HV_SH_NONE,
		.mode = mode,
		.vector = vector,
		.level = true,
		.trig = level,
		.lowest = mode == HV_DM_LOWEST,
	};

	return apic_deliver(vm, NULL, &irq, taken);
}

/*
 * Whether @vcpu is a destination of an I/O APIC message to (@dest,
 * @logical): KVM's kvm_apic_match_dest() with no shorthand.
 */
bool hv_lapic_is_dest(struct hv_vcpu *vcpu, u32 dest, bool logical)
{
	struct hv_apic_irq irq = {
		.dest = dest,
		.logical = logical,
		.shorthand = HV_SH_NONE,
	};

	return apic_match_dest(vcpu->x86.apic, NULL, &irq);
}

/*
 * Whether @vcpu is a destination of (@dest, @logical) and still has
 * @vector to end (in its IRR or ISR): KVM's kvm_apic_match_dest() and
 * kvm_apic_pending_eoi(), for the I/O APIC's RTC pin.
 */
bool hv_lapic_pending_eoi(struct hv_vcpu *vcpu, u32 dest, bool logical,
			  int vector)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (!hv_lapic_is_dest(vcpu, dest, logical))
		return false;
	return apic_vec_test(a, APIC_ISR, vector) ||
	       apic_vec_test(a, APIC_IRR, vector);
}

/*
 * The NMI watchdog's virtual wire (KVM's kvm_apic_nmi_wd_deliver()):
 * while any APIC's LVT0 is in NMI mode, each PIT tick that raises GSI 0
 * fires every vCPU's LVT0 as it is programmed.  From the PIT's work.
 */
void hv_lapic_nmi_watchdog(struct hv_vm *vm)
{
	struct hv_lapic *a;
	int i;

	if (atomic_read(&vm->x86.apics_in_nmi_mode) <= 0)
		return;
	for (i = 0; i < HV_MAX_VCPUS; i++) {
		a = apic_of(vm, i);
		if (a)
			apic_local_deliver(a, APIC_LVT0);
	}
}

/* ------------------------------------------------------------------ */
/* The timer (SDM vol 3, 11.5.4) */

static bool apic_tscdeadline_mode(struct hv_lapic *a)
{
	return a->timer_mode == HV_TIMER_TSCDEADLINE;
}

static void apic_update_divide(struct hv_lapic *a)
{
	u32 tdcr = apic_get(a, APIC_TDCR);
	u32 shift = ((tdcr & 3) | ((tdcr & 8) >> 1)) + 1;

	a->divide = 1 << (shift & 7);
}

static u64 apic_count_ns(struct hv_lapic *a, u32 count)
{
	return (u64)count * a->divide;	/* the APIC bus: 1 ns a cycle */
}

static enum hrtimer_restart apic_timer_fn(struct hrtimer *t)
{
	struct hv_lapic *a = container_of(t, struct hv_lapic, timer);

	u64 period = READ_ONCE(a->period_ns);
	ktime_t target;

	atomic_inc(&a->timer_pending);
	/* The expiry before the vCPU's mode (hv_vcpu_kick()). */
	smp_mb__after_atomic();
	hv_vcpu_kick(a->vcpu);
	if (READ_ONCE(a->timer_mode) != HV_TIMER_PERIODIC || !period)
		return HRTIMER_NORESTART;
	/* Missed periods are not made up (one interrupt stands for all). */
	target = ktime_add_ns(a->target, period);
	if (ktime_before(target, ktime_get()))
		target = ktime_get();
	WRITE_ONCE(a->target, target);
	hrtimer_set_expires(t, target);
	return HRTIMER_RESTART;
}

static void apic_timer_cancel(struct hv_lapic *a)
{
	hrtimer_cancel(&a->timer);
	atomic_set(&a->timer_pending, 0);
}

static void apic_timer_expired_now(struct hv_lapic *a)
{
	atomic_inc(&a->timer_pending);
}

/* TSC-deadline mode: fire when the guest's TSC reaches @tscdeadline. */
static void apic_start_tscdeadline(struct hv_lapic *a)
{
	struct hv_vcpu *vcpu = a->vcpu;
	u32 khz = vcpu->x86.virtual_tsc_khz;
	u64 now_tsc, ns;
	unsigned long flags;
	ktime_t now;

	if (!a->tscdeadline || !khz)
		return;
	local_irq_save(flags);
	now = ktime_get();
	now_tsc = hv_tsc_read(vcpu);
	if (a->tscdeadline > now_tsc) {
		ns = mul_u64_u32_div(a->tscdeadline - now_tsc, NSEC_PER_MSEC,
				     khz);
		a->target = ktime_add_ns(now, ns);
		hrtimer_start(&a->timer, a->target, HRTIMER_MODE_ABS_HARD);
	} else {
		apic_timer_expired_now(a);
	}
	local_irq_restore(flags);
}

/*
 * One-shot and periodic modes: count down from TMICT; or, when the state
 * is restored (HV_SET_LAPIC, @restore), from @left ns, the current count
 * userspace gave.  As on KVM, a restored one-shot timer whose count is 0
 * fires at once, and a count above TMICT restarts from TMICT.
 *
 * A count already over by the time the hrtimer would be armed (a few ns
 * of APIC bus cycles) expires here and now, as KVM's start_sw_period()
 * does: the interrupt is then there at the next entry, instead of an
 * hrtimer's kick stopping the guest at whatever instruction it reached.
 * (That matters beyond speed under QEMU's SVM, whose VMRUN drops the
 * interrupt shadow the VMCB gives it: a kick that lands between STI and
 * HLT then lets the interrupt in before the HLT, and the guest sleeps.)
 */
static void apic_start_count(struct hv_lapic *a, bool restore, u64 left)
{
	u64 period = apic_count_ns(a, apic_get(a, APIC_TMICT));

	if (period && a->timer_mode == HV_TIMER_PERIODIC &&
	    period < HV_APIC_MIN_PERIOD_NS)
		period = HV_APIC_MIN_PERIOD_NS;
	WRITE_ONCE(a->period_ns, period);
	if (!period)
		return;
	if (!restore || left > period ||
	    (!left && a->timer_mode == HV_TIMER_PERIODIC))
		left = period;
	a->target = ktime_add_ns(ktime_get(), left);
	if (!left || !ktime_before(ktime_get(), a->target)) {
		apic_timer_expired_now(a);
		if (a->timer_mode != HV_TIMER_PERIODIC)
			return;
		a->target = ktime_add_ns(a->target, period);
	}
	hrtimer_start(&a->timer, a->target, HRTIMER_MODE_ABS_HARD);
}

/* LVTT was written: a change into or out of TSC-deadline mode stops it. */
static void apic_update_lvtt(struct hv_lapic *a)
{
	u32 mode = apic_get(a, APIC_LVTT) & a->timer_mode_mask;

	if (mode == a->timer_mode)
		return;
	if ((mode == HV_TIMER_TSCDEADLINE) !=
	    (a->timer_mode == HV_TIMER_TSCDEADLINE)) {
		apic_timer_cancel(a);
		apic_set(a, APIC_TMICT, 0);
		a->period_ns = 0;
		a->tscdeadline = 0;
	}
	/* The callback may be running: it reads both once. */
	WRITE_ONCE(a->timer_mode, mode);
	if (mode == HV_TIMER_PERIODIC && a->period_ns &&
	    a->period_ns < HV_APIC_MIN_PERIOD_NS)
		WRITE_ONCE(a->period_ns, HV_APIC_MIN_PERIOD_NS);
}

static u32 apic_read_tmcct(struct hv_lapic *a)
{
	s64 left;
	u64 rem;

	if (apic_tscdeadline_mode(a) || !apic_get(a, APIC_TMICT) ||
	    !a->period_ns)
		return 0;
	left = ktime_to_ns(ktime_sub(READ_ONCE(a->target), ktime_get()));
	if (left < 0)
		left = 0;
	div64_u64_rem(left, a->period_ns, &rem);
	return div_u64(rem, a->divide);
}

/* A new divisor: the count left is rescaled, as the hardware would. */
static void apic_write_tdcr(struct hv_lapic *a, u32 val)
{
	u32 old = a->divide;
	s64 left;

	apic_set(a, APIC_TDCR, val & 0xb);
	apic_update_divide(a);
	if (a->divide == old || !a->period_ns || apic_tscdeadline_mode(a))
		return;
	hrtimer_cancel(&a->timer);
	left = ktime_to_ns(ktime_sub(a->target, ktime_get()));
	if (left < 0)
		left = 0;
	left = div_u64((u64)left * a->divide, old);
	apic_start_count(a, true, left ? left : 1);
}

u64 hv_lapic_get_tscdeadline(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (!a || !apic_hw_enabled(a) || !apic_tscdeadline_mode(a))
		return 0;
	return a->tscdeadline;
}

void hv_lapic_set_tscdeadline(struct hv_vcpu *vcpu, u64 val)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (!a || !apic_hw_enabled(a) || !apic_tscdeadline_mode(a))
		return;
	hrtimer_cancel(&a->timer);
	a->tscdeadline = val;
	apic_start_tscdeadline(a);
}

/*
 * Before each entry and while the vCPU waits: expiries become the timer's
 * interrupt, NMIs from other vCPUs join the vCPU's.
 */
void hv_lapic_sync(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;
	int nmis;

	if (atomic_read(&a->timer_pending) > 0) {
		apic_local_deliver(a, APIC_LVTT);
		if (a->timer_mode != HV_TIMER_PERIODIC)
			a->tscdeadline = 0;
		atomic_set(&a->timer_pending, 0);
	}
	nmis = atomic_xchg(&a->nmis, 0);
	while (nmis-- > 0)
		hv_x86_ioctl_nmi(vcpu);
}

/* ------------------------------------------------------------------ */
/* Registers */

static u32 apic_version(struct hv_lapic *a)
{
	u32 v = HV_APIC_VERSION | ((HV_APIC_NR_LVT - 1) << 16);

	/*
	 * Directed EOI, where the I/O APIC is userspace's and the guest
	 * has x2APIC (KVM's kvm_apic_set_version()).
	 */
	if (hv_cpuid_has(a->vcpu, 1, HV_ECX, 21) &&
	    !hv_irqchip_full(a->vcpu->vm))
		v |= HV_APIC_DIRECTED_EOI;
	return v;
}

void hv_lapic_cpuid_changed(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (!a)
		return;
	a->timer_mode_mask = hv_cpuid_has(vcpu, 1, HV_ECX, 24) ?
			     HV_TIMER_MODES : HV_TIMER_PERIODIC;
	apic_set(a, APIC_LVR, apic_version(a));
}

static void apic_write_spiv(struct hv_lapic *a, u32 val)
{
	u32 mask = 0x3ff;
	int i;

	if (apic_get(a, APIC_LVR) & HV_APIC_DIRECTED_EOI)
		mask |= HV_SPIV_DIRECTED_EOI;
	apic_set(a, APIC_SPIV, val & mask);
	if (val & APIC_SPIV_APIC_ENABLED)
		return;
	/* Software-disabled: every LVT entry masked (SDM 11.4.7.2). */
	for (i = 0; i < HV_APIC_NR_LVT; i++)
		apic_set(a, APIC_LVTT + 0x10 * i,
			 apic_get(a, APIC_LVTT + 0x10 * i) | HV_LVT_MASKED);
	apic_update_lvtt(a);
	atomic_set(&a->timer_pending, 0);
}

/* Whether LVT0's value @lvt0 is NMI mode, unmasked: counted per VM. */
static void apic_update_nmi_mode(struct hv_lapic *a, u32 lvt0)
{
	bool nmi = (lvt0 & (HV_LVT_MODE | HV_LVT_MASKED)) == HV_DM_NMI << 8;

	if (nmi == a->lvt0_nmi)
		return;
	a->lvt0_nmi = nmi;
	if (nmi)
		atomic_inc(&a->vcpu->vm->x86.apics_in_nmi_mode);
	else
		atomic_dec(&a->vcpu->vm->x86.apics_in_nmi_mode);
}

/* What each LVT keeps of a write. */
static u32 apic_lvt_bits(struct hv_lapic *a, u32 reg)
{
	switch (reg) {
	case APIC_LVTT:
		return HV_LVT_BITS | a->timer_mode_mask;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
		return HV_LVT_BITS | HV_LVT_MODE;
	case APIC_LVT0:
	case APIC_LVT1:
		return HV_LINT_BITS;
	default:
		return HV_LVT_BITS;
	}
}

/* A 32-bit register write; 1 for a register that does not take one. */
static int apic_reg_write(struct hv_lapic *a, u32 reg, u32 val)
{
	bool x2 = apic_x2apic(a);

	switch (reg) {
	case APIC_ID:
		if (x2)
			return 1;
		apic_set(a, APIC_ID, val & 0xff000000);
		apic_dest_changed(a);
		break;
	case APIC_TASKPRI:
		apic_set_tpr(a, val & 0xff);
		break;
	case APIC_EOI:
		apic_eoi(a);
		break;
	case APIC_LDR:
		if (x2)
			return 1;
		apic_set(a, APIC_LDR, val & 0xff000000);
		apic_dest_changed(a);
		break;
	case APIC_DFR:
		if (x2)
			return 1;
		apic_set(a, APIC_DFR, val | 0x0fffffff);
		apic_dest_changed(a);
		break;
	case APIC_SPIV:
		apic_write_spiv(a, val);
		break;
	case APIC_ICR:
		/* Sent at once: the busy bit always reads 0. */
		val &= ~HV_ICR_BUSY;
		apic_send_ipi(a, val, apic_get(a, APIC_ICR2) >> 24);
		apic_set(a, APIC_ICR, val);
		break;
	case APIC_ICR2:
		if (x2)
			return 1;
		apic_set(a, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		/* The value written counts, even if masked below (KVM). */
		if (reg == APIC_LVT0)
			apic_update_nmi_mode(a, val);
		if (!apic_sw_enabled(a))
			val |= HV_LVT_MASKED;
		apic_set(a, reg, val & apic_lvt_bits(a, reg));
		if (reg == APIC_LVTT)
			apic_update_lvtt(a);
		break;
	case APIC_TMICT:
		if (apic_tscdeadline_mode(a))
			break;
		apic_timer_cancel(a);
		apic_set(a, APIC_TMICT, val);
		apic_start_count(a, false, 0);
		break;
	case APIC_TDCR:
		apic_write_tdcr(a, val);
		break;
	case APIC_ESR:
		/* Writes clear it; in x2APIC mode only 0 may be written. */
		if (x2 && val)
			return 1;
		apic_set(a, APIC_ESR, 0);
		break;
	case APIC_SELF_IPI:
		if (!x2 || (val & ~0xffU))
			return 1;
		apic_send_ipi(a, (HV_SH_SELF << 18) | val, 0);
		break;
	default:
		return 1;
	}
	return 0;
}

/* Whether @reg (16-byte aligned) can be read in the APIC's mode. */
static bool apic_reg_readable(struct hv_lapic *a, u32 reg)
{
	switch (reg) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return true;
	case APIC_ISR ... APIC_IRR + 0x70:
		return true;
	case APIC_DFR:
	case APIC_ARBPRI:
	case APIC_ICR2:
		return !apic_x2apic(a);
	}
	return false;
}

static u32 apic_reg_read(struct hv_lapic *a, u32 reg)
{
	switch (reg) {
	case APIC_ARBPRI:
		return 0;
	case APIC_TMCCT:
		return apic_read_tmcct(a);
	}
	return apic_get(a, reg);
}

/*
 * The xAPIC page.  As on KVM, a register is written only by an aligned
 * 32-bit store, and the page reads as all ones and ignores writes while
 * the APIC is disabled or in x2APIC mode.
 */
bool hv_lapic_mmio(struct hv_vcpu *vcpu, u64 gpa, unsigned int len,
		   bool write, void *data)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u64 base = vcpu->apic_base & HV_APIC_BASE_ADDR;
	u32 off = gpa - base, reg = off & 0xff0, val;

	if (!a || gpa < base || gpa >= base + PAGE_SIZE)
		return false;
	if (!apic_hw_enabled(a) || apic_x2apic(a)) {
		if (!write)
			memset(data, 0xff, len);
		return true;
	}
	if (write) {
		if (len == 4 && !(off & 0xf) && off < 0x400)
			apic_reg_write(a, reg, *(u32 *)data);
		return true;
	}
	memset(data, 0, len);
	if (off >= 0x400 || (off & 0xf) + len > 4 ||
	    !apic_reg_readable(a, reg))
		return true;
	val = apic_reg_read(a, reg);
	memcpy(data, (u8 *)&val + (off & 0xf), len);
	return true;
}

int hv_lapic_x2apic_read(struct hv_vcpu *vcpu, u32 msr, u64 *val)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u32 reg = (msr - HV_X2APIC_MSR_FIRST) << 4;

	if (!a || !apic_x2apic(a))
		return -EINVAL;
	if (reg == APIC_ICR) {
		*val = apic_get(a, APIC_ICR) |
		       (u64)apic_get(a, APIC_ICR2) << 32;
		return 0;
	}
	if (!apic_reg_readable(a, reg))
		return -EINVAL;
	*val = apic_reg_read(a, reg);
	return 0;
}

int hv_lapic_x2apic_write(struct hv_vcpu *vcpu, u32 msr, u64 val)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u32 reg = (msr - HV_X2APIC_MSR_FIRST) << 4;

	if (!a || !apic_x2apic(a))
		return -EINVAL;
	if (reg == APIC_ICR) {
		/* The ICR is one 64-bit register in x2APIC mode. */
		if (val & HV_X2APIC_ICR_RESERVED)
			return -EINVAL;
		val &= ~(u64)HV_ICR_BUSY;
		apic_send_ipi(a, (u32)val, val >> 32);
		apic_set(a, APIC_ICR, (u32)val);
		apic_set(a, APIC_ICR2, val >> 32);
		return 0;
	}
	/* Every other register is 32 bits wide. */
	if (val >> 32)
		return -EINVAL;
	return apic_reg_write(a, reg, val) ? -EINVAL : 0;
}

/* ------------------------------------------------------------------ */
/* The APIC base MSR (SDM vol 3, 11.4.4, 11.12.5) */

int hv_lapic_set_base(struct hv_vcpu *vcpu, u64 val, bool host)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u64 old = vcpu->apic_base, changed = old ^ val;
	u64 mode_bits = HV_APIC_BASE_ENABLE | HV_APIC_BASE_X2APIC;

	/* x2APIC enabled without the APIC: not a mode (table 11-5). */
	if ((val & mode_bits) == HV_APIC_BASE_X2APIC)
		return -EINVAL;
	if (!host) {
		/* x2APIC to xAPIC, or disabled to x2APIC: #GP. */
		if ((old & mode_bits) == mode_bits &&
		    (val & mode_bits) == HV_APIC_BASE_ENABLE)
			return -EINVAL;
		if (!(old & HV_APIC_BASE_ENABLE) &&
		    (val & mode_bits) == mode_bits)
			return -EINVAL;
	}
	vcpu->apic_base = val;
	if (!a)
		return 0;
	if (changed)
		apic_dest_changed(a);
	if ((changed & HV_APIC_BASE_ENABLE) && (val & HV_APIC_BASE_ENABLE))
		apic_set(a, APIC_ID, vcpu->id << 24);
	if (changed & HV_APIC_BASE_X2APIC) {
		if (val & HV_APIC_BASE_X2APIC)
			apic_set_x2apic_id(a);
		else if (val & HV_APIC_BASE_ENABLE)
			apic_set(a, APIC_ID, vcpu->id << 24);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* INIT and SIPI (SDM vol 3, 9.4.4) */

/* HV_SET_VCPU_EVENTS: the vector a pending SIPI uses. */
void hv_lapic_set_sipi_vector(struct hv_vcpu *vcpu, u8 vector)
{
	WRITE_ONCE(vcpu->x86.apic->sipi_vector, vector);
}

/* HV_SET_MP_STATE(SIPI_RECEIVED): the last vector goes in at the next run. */
void hv_lapic_set_sipi_pending(struct hv_vcpu *vcpu)
{
	set_bit(HV_APIC_SIPI, &vcpu->x86.apic->events);
}

bool hv_lapic_has_init_sipi(struct hv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->x86.apic->events) != 0;
}

void hv_lapic_accept_init_sipi(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u8 vec;

	if (test_and_clear_bit(HV_APIC_INIT, &a->events)) {
		hv_x86_vcpu_init_signal(vcpu);
		vcpu->x86.mp_state = vcpu->apic_base & HV_APIC_BASE_BSP ?
				     HV_MP_STATE_RUNNABLE :
				     HV_MP_STATE_INIT_RECEIVED;
	}
	if (test_and_clear_bit(HV_APIC_SIPI, &a->events)) {
		smp_rmb();	/* pairs with apic_accept_irq()'s smp_wmb() */
		vec = READ_ONCE(a->sipi_vector);
		if (vcpu->x86.mp_state == HV_MP_STATE_INIT_RECEIVED) {
			hv_x86_deliver_sipi(vcpu, vec);
			vcpu->x86.mp_state = HV_MP_STATE_RUNNABLE;
		}
	}
}

/*
 * What ends a halt: an interrupt the CPU would take (@irq_allowed: the
 * guest's RFLAGS.IF and shadow let it), a timer expiry, an NMI, INIT or
 * SIPI.
 */
bool hv_lapic_has_wake_event(struct hv_vcpu *vcpu, bool irq_allowed)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (atomic_read(&a->timer_pending) || atomic_read(&a->nmis) ||
	    READ_ONCE(a->events))
		return true;
	return irq_allowed && hv_lapic_pending_vector(vcpu) >= 0;
}

/* ------------------------------------------------------------------ */
/* State, reset, life */

void hv_lapic_get_state(struct hv_vcpu *vcpu, struct hv_lapic_state *s)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u32 *id = (u32 *)(s->regs + APIC_ID);

	memcpy(s->regs, a->regs, sizeof(s->regs));
	*(u32 *)(s->regs + APIC_TMCCT) = apic_read_tmcct(a);
	/* In x2APIC mode userspace sees the ID where the xAPIC has it. */
	if (apic_x2apic(a))
		*id <<= 24;
}

int hv_lapic_set_state(struct hv_vcpu *vcpu, struct hv_lapic_state *s)
{
	struct hv_lapic *a = vcpu->x86.apic;
	u32 *id = (u32 *)(s->regs + APIC_ID);
	u32 tmcct = *(u32 *)(s->regs + APIC_TMCCT);

	apic_timer_cancel(a);
	if (apic_x2apic(a)) {
		*id >>= 24;
		*(u32 *)(s->regs + APIC_LDR) = x2apic_ldr(*id);
	}
	memcpy(a->regs, s->regs, sizeof(s->regs));
	apic_dest_changed(a);
	apic_set(a, APIC_LVR, apic_version(a));
	apic_set(a, APIC_TMCCT, 0);
	apic_update_ppr(a);
	vcpu->cr8 = hv_lapic_get_cr8(vcpu);
	a->timer_mode = apic_get(a, APIC_LVTT) & a->timer_mode_mask;
	a->tscdeadline = 0;
	apic_update_divide(a);
	if (!apic_tscdeadline_mode(a))
		apic_start_count(a, true, apic_count_ns(a, tmcct));
	apic_update_nmi_mode(a, apic_get(a, APIC_LVT0));
	/* What the RTC pin waits for follows the new IRR and ISR (KVM). */
	if (hv_irqchip_full(vcpu->vm))
		hv_ioapic_rtc_restore(vcpu);
	hv_vcpu_kick(vcpu);
	return 0;
}

/* RESET (@init false) or INIT, as KVM's kvm_lapic_reset() leaves it. */
void hv_lapic_reset(struct hv_vcpu *vcpu, bool init)
{
	struct hv_lapic *a = vcpu->x86.apic;
	int i;

	if (!a)
		return;
	apic_timer_cancel(a);
	if (!init)
		apic_set(a, APIC_ID, vcpu->id << 24);
	hv_lapic_cpuid_changed(vcpu);
	for (i = 0; i < HV_APIC_NR_LVT; i++)
		apic_set(a, APIC_LVTT + 0x10 * i, HV_LVT_MASKED);
	a->timer_mode = 0;
	a->period_ns = 0;
	a->tscdeadline = 0;
	/* The BSP's LINT0 takes the PIC's ExtINT (KVM's LINT0 quirk). */
	if (vcpu->apic_base & HV_APIC_BASE_BSP)
		apic_set(a, APIC_LVT0, HV_DM_EXTINT << 8);
	apic_set(a, APIC_DFR, 0xffffffff);
	apic_set(a, APIC_SPIV, 0xff);
	apic_set(a, APIC_TASKPRI, 0);
	vcpu->cr8 = 0;
	if (!apic_x2apic(a))
		apic_set(a, APIC_LDR, 0);
	apic_set(a, APIC_ESR, 0);
	apic_set(a, APIC_ICR, 0);
	apic_set(a, APIC_ICR2, 0);
	apic_set(a, APIC_TDCR, 0);
	apic_set(a, APIC_TMICT, 0);
	for (i = 0; i < 8; i++) {
		apic_set(a, APIC_IRR + 0x10 * i, 0);
		apic_set(a, APIC_ISR + 0x10 * i, 0);
		apic_set(a, APIC_TMR + 0x10 * i, 0);
	}
	apic_update_divide(a);
	apic_update_ppr(a);
	apic_update_nmi_mode(a, apic_get(a, APIC_LVT0));
	atomic_set(&a->nmis, 0);
	if (!init)
		a->events = 0;
	/* A pending EOI exit stays, as KVM's request does. */
	apic_dest_changed(a);
}

int hv_lapic_create(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->regs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!a->regs) {
		kfree(a);
		return -ENOMEM;
	}
	a->vcpu = vcpu;
	a->eoi_exit = -1;
	a->rescan = true;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = apic_timer_fn;
	vcpu->x86.apic = a;
	return 0;
}

/* The vCPU is going: its timer must not fire any more. */
void hv_lapic_free(struct hv_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->x86.apic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);
	free_page((unsigned long)a->regs);
	kfree(a);
	vcpu->x86.apic = NULL;
}
