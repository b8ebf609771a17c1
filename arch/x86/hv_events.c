// SPDX-License-Identifier: GPL-2.0
/*
 * hv: events for the guest: exceptions, NMIs and external interrupts.
 *
 * Exit handlers and vCPU ioctls queue events in struct hv_x86_events.
 * Just before each entry, interrupts disabled, hv_x86_inject_events()
 * hands the backend at most one event to deliver, in KVM's order, which
 * follows the architecture's priorities (SDM vol 3, 6.9): an event whose
 * delivery an exit cut off, or an exception an exit handler raised; then
 * an NMI, if the guest can take one; then a queued external interrupt.
 * An NMI that must wait asks the backend for an NMI window, an exit as
 * soon as the guest can take it.  After the exit the backend reports what
 * the exit cut off (hv_x86_event_cut_off()), and it goes in again.
 *
 * With an in-kernel local APIC (hv_lapic.c) its interrupts come next,
 * when the guest can take one and its priority is above the APIC's
 * processor priority; then the IRR bit moves to ISR as the CPU's
 * acknowledgement would move it.  With a split irqchip the PIC is
 * userspace's: HV_INTERRUPT gives its ExtINT vector, which goes in before
 * the APIC's own when LINT0 takes ExtINT (KVM's order too).
 *
 * Without an in-kernel interrupt controller the interrupts come from
 * userspace.  As on KVM, HV_INTERRUPT queues one for delivery at the next
 * entry whatever the guest's RFLAGS.IF: userspace must offer it only when
 * the run structure says ready_for_interrupt_injection, and can ask for an
 * exit (HV_EXIT_IRQ_WINDOW_OPEN) as soon as it is, with
 * request_interrupt_window.
 *
 * All of it is the vCPU's own state: [vcpu], taken by the vCPU's ioctls.
 */
#include <linux/minmax.h>
#include <linux/string.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* Power-up, RESET and INIT: nothing pending (KVM's kvm_vcpu_reset). */
void hv_x86_events_reset(struct hv_vcpu *vcpu)
{
	memset(&vcpu->x86.ev, 0, sizeof(vcpu->x86.ev));
}

/* An exception for the next entry; a later one replaces an earlier one. */
void hv_x86_queue_exception(struct hv_vcpu *vcpu, unsigned int vector,
			    bool has_error, u32 error)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;

	ev->exc_pending = true;
	ev->exc_vector = vector;
	ev->exc_has_error = has_error;
	ev->exc_error = error;
}

void hv_x86_event_cut_off(struct hv_vcpu *vcpu, enum hv_event_kind kind,
			  unsigned int vector, bool has_error, u32 error)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;

	switch (kind) {
	case HV_EVENT_EXCEPTION:
		hv_x86_queue_exception(vcpu, vector, has_error, error);
		break;
	case HV_EVENT_NMI:
		ev->nmi_injected = true;
		break;
	case HV_EVENT_IRQ:
		ev->irq_injected = true;
		ev->irq_vector = vector;
		break;
	case HV_EVENT_SOFT:
		ev->soft_busy = true;
		break;
	}
}

/*
 * HV_INTERRUPT without an in-kernel interrupt controller: the vector is
 * delivered at the next entry.  A second call before it replaces the
 * first, as on KVM.
 */
int hv_x86_ioctl_interrupt(struct hv_vcpu *vcpu, u32 irq)
{
	if (irq >= HV_NR_INTERRUPTS)
		return -EINVAL;
	/* The in-kernel PIC's interrupts come from it alone (KVM: ENXIO). */
	if (hv_irqchip_full(vcpu->vm))
		return -ENXIO;
	/* Split irqchip: the PIC's vector, one at a time (KVM: EEXIST). */
	if (vcpu->x86.apic) {
		if (vcpu->x86.extint >= 0)
			return -EEXIST;
		vcpu->x86.extint = irq;
		return 0;
	}
	vcpu->x86.ev.irq_injected = true;
	vcpu->x86.ev.irq_vector = irq;
	return 0;
}

/*
 * HV_NMI.  A CPU holds at most one NMI besides the one it is handling
 * (SDM vol 3, 6.7.1): NMIs beyond that merge, so counting to 2 is enough.
 */
void hv_x86_ioctl_nmi(struct hv_vcpu *vcpu)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;

	if (ev->nmi_queued < 2)
		ev->nmi_queued++;
}

/*
 * NMIs queued since the last entry join those pending: two if none is in
 * service (the first goes in at once), else one (KVM's process_nmi()).
 */
static void hv_x86_process_nmi(struct hv_vcpu *vcpu)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;
	unsigned int limit = 2;

	if (!ev->nmi_queued)
		return;
	if (ev->nmi_injected || hv_arch->get_nmi_mask(vcpu))
		limit = 1;
	ev->nmi_pending = min_t(unsigned int, ev->nmi_pending + ev->nmi_queued,
				limit);
	ev->nmi_queued = 0;
}

/* An event goes in at the next entry whatever the guest's state. */
static bool hv_x86_event_needs_reinjection(struct hv_x86_events *ev)
{
	return ev->exc_pending || ev->nmi_injected || ev->irq_injected ||
	       ev->soft_busy;
}

/*
 * Whether userspace may give the guest an interrupt now: the guest takes
 * interrupts at this instruction boundary, and no event is half-way in
 * (KVM's kvm_vcpu_ready_for_interrupt_injection()).
 */
bool hv_x86_ready_for_interrupt(struct hv_vcpu *vcpu)
{
	/* With the PIC in the kernel, always (KVM: pic_in_kernel()). */
	if (hv_irqchip_full(vcpu->vm))
		return true;
	return !hv_x86_event_needs_reinjection(&vcpu->x86.ev) &&
	       hv_x86_accepts_user_irq(vcpu) &&
	       hv_arch->interrupt_allowed(vcpu);
}

/*
 * Userspace's PIC can hand over an interrupt: there is room for it, and
 * with an in-kernel APIC, LINT0 takes ExtINT (KVM's
 * kvm_cpu_accept_dm_intr()).
 */
bool hv_x86_accepts_user_irq(struct hv_vcpu *vcpu)
{
	if (!vcpu->x86.apic)
		return true;
	return vcpu->x86.extint < 0 && hv_lapic_accepts_extint(vcpu);
}

/* The PIC's ExtINT waits for the CPU (split: userspace's; else ours). */
bool hv_x86_extint_pending(struct hv_vcpu *vcpu)
{
	if (!hv_lapic_accepts_extint(vcpu))
		return false;
	if (hv_irqchip_full(vcpu->vm))
		return hv_pic_output(vcpu->vm);
	return vcpu->x86.extint >= 0;
}

/* NMIs wait for the guest (HV_NMI's or another vCPU's). */
bool hv_x86_nmi_waiting(struct hv_vcpu *vcpu)
{
	return vcpu->x86.ev.nmi_queued || vcpu->x86.ev.nmi_pending;
}

/*
 * The in-kernel APIC's interrupt, or the split PIC's ExtINT: delivered if
 * nothing else goes in and the guest can take it, else an interrupt
 * window makes the guest exit as soon as it can.
 */
static void hv_x86_inject_apic_irq(struct hv_vcpu *vcpu, bool busy)
{
	struct hv_x86_vcpu *x = &vcpu->x86;
	bool extint = hv_x86_extint_pending(vcpu);
	int vec;

	if (!extint && hv_lapic_pending_vector(vcpu) < 0)
		return;
	if (busy || !hv_arch->interrupt_allowed(vcpu)) {
		hv_arch->enable_irq_window(vcpu);
		return;
	}
	/* The CPU's acknowledgement: the PIC's first (KVM's order). */
	if (extint && hv_irqchip_full(vcpu->vm)) {
		vec = hv_pic_ack(vcpu->vm);
	} else if (extint) {
		vec = x->extint;
		x->extint = -1;
	} else {
		vec = hv_lapic_pending_vector(vcpu);
		hv_lapic_accept(vcpu, vec);
	}
	hv_arch->inject_irq(vcpu, vec);
}

void hv_x86_inject_events(struct hv_vcpu *vcpu)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;
	bool irq_window = READ_ONCE(vcpu->run->request_interrupt_window) &&
			  !hv_irqchip_full(vcpu->vm) && !ev->irq_injected &&
			  hv_x86_accepts_user_irq(vcpu);
	bool busy = ev->soft_busy;

	ev->soft_busy = false;
	if (vcpu->x86.apic)
		hv_lapic_sync(vcpu);
	hv_x86_process_nmi(vcpu);

	if (ev->exc_pending) {
		hv_arch->inject_exception(vcpu, ev->exc_vector,
					  ev->exc_has_error, ev->exc_error);
		ev->exc_pending = false;
		busy = true;
	} else if (busy) {
		/* The backend's software event is in place already. */
	} else if (ev->nmi_injected) {
		hv_arch->inject_nmi(vcpu);
		ev->nmi_injected = false;
		busy = true;
	} else if (ev->irq_injected) {
		hv_arch->inject_irq(vcpu, ev->irq_vector);
		ev->irq_injected = false;
		busy = true;
	}

	if (ev->nmi_pending) {
		if (!busy && hv_arch->nmi_allowed(vcpu)) {
			ev->nmi_pending--;
			hv_arch->inject_nmi(vcpu);
			busy = true;
		}
		if (ev->nmi_pending)
			hv_arch->enable_nmi_window(vcpu);
	}
	if (vcpu->x86.apic)
		hv_x86_inject_apic_irq(vcpu, busy);
	if (irq_window)
		hv_arch->enable_irq_window(vcpu);
}

/*
 * After an exit handled in the kernel: if userspace asked for an
 * interrupt window and the guest can take an interrupt now, return to
 * userspace with HV_EXIT_IRQ_WINDOW_OPEN (0); else 1, back into the guest.
 */
int hv_x86_irq_window_exit(struct hv_vcpu *vcpu)
{
	/* The in-kernel PIC needs no window from userspace (KVM too). */
	if (!READ_ONCE(vcpu->run->request_interrupt_window) ||
	    hv_irqchip_full(vcpu->vm) ||
	    !hv_x86_ready_for_interrupt(vcpu))
		return 1;
	vcpu->run->exit_reason = HV_EXIT_IRQ_WINDOW_OPEN;
	return 0;
}

/* INT3 and INTO: their delivery needs the instruction's length. */
static bool hv_x86_exception_is_soft(unsigned int vector)
{
	return vector == 3 || vector == 4;
}

/*
 * HV_GET_VCPU_EVENTS, as KVM without KVM_CAP_EXCEPTION_PAYLOAD reports
 * them: an exception to deliver shows as injected; a software exception
 * or interrupt being redelivered is left out (RIP still points at its
 * instruction, or the backend has it); hv has no SMM.
 */
void hv_x86_get_vcpu_events(struct hv_vcpu *vcpu,
			    struct hv_vcpu_events *events)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;

	hv_x86_process_nmi(vcpu);
	memset(events, 0, sizeof(*events));
	if (ev->exc_pending && !hv_x86_exception_is_soft(ev->exc_vector))
		events->exception.injected = 1;
	events->exception.nr = ev->exc_vector;
	events->exception.has_error_code = ev->exc_has_error;
	events->exception.error_code = ev->exc_error;

	events->interrupt.injected = ev->irq_injected;
	events->interrupt.nr = ev->irq_vector;
	events->interrupt.shadow = hv_arch->get_interrupt_shadow(vcpu);

	events->nmi.injected = ev->nmi_injected;
	events->nmi.pending = ev->nmi_pending != 0;
	events->nmi.masked = hv_arch->get_nmi_mask(vcpu);

	events->flags = HV_VCPUEVENT_VALID_NMI_PENDING |
			HV_VCPUEVENT_VALID_SHADOW | HV_VCPUEVENT_VALID_SMM;
}

#define HV_VCPUEVENT_VALID_ALL						\
	(HV_VCPUEVENT_VALID_NMI_PENDING | HV_VCPUEVENT_VALID_SIPI_VECTOR |	\
	 HV_VCPUEVENT_VALID_SHADOW | HV_VCPUEVENT_VALID_SMM |		\
	 HV_VCPUEVENT_VALID_PAYLOAD | HV_VCPUEVENT_VALID_TRIPLE_FAULT)

/*
 * HV_SET_VCPU_EVENTS with KVM's checks (kvm_vcpu_ioctl_x86_set_vcpu_events):
 * EINVAL for unknown flags, for an exception payload or a triple fault
 * (their capabilities are not enabled: hv has neither), and for an
 * exception vector above 31 or 2 (NMI).  hv has no SMM, so it also refuses
 * to enter SMM or queue an SMI, where KVM would do it; a software
 * interrupt (interrupt.soft) is refused too, since hv would need the
 * instruction's length.  The SIPI vector is the in-kernel APIC's; without
 * one it is ignored, as on KVM.
 */
int hv_x86_set_vcpu_events(struct hv_vcpu *vcpu,
			   struct hv_vcpu_events *events)
{
	struct hv_x86_events *ev = &vcpu->x86.ev;

	if (events->flags & ~HV_VCPUEVENT_VALID_ALL)
		return -EINVAL;
	if (events->flags & (HV_VCPUEVENT_VALID_PAYLOAD |
			     HV_VCPUEVENT_VALID_TRIPLE_FAULT))
		return -EINVAL;
	/* Without the payload capability "pending" means nothing. */
	events->exception.pending = 0;
	if (events->exception.injected &&
	    (events->exception.nr > 31 ||
	     events->exception.nr == HV_NMI_VECTOR))
		return -EINVAL;
	if ((events->flags & HV_VCPUEVENT_VALID_SMM) &&
	    (events->smi.smm || events->smi.pending))
		return -EINVAL;
	if (events->interrupt.injected && events->interrupt.soft)
		return -EINVAL;

	hv_x86_process_nmi(vcpu);
	ev->exc_pending = events->exception.injected;
	ev->exc_vector = events->exception.nr;
	ev->exc_has_error = events->exception.has_error_code;
	ev->exc_error = events->exception.error_code;
	ev->irq_injected = events->interrupt.injected;
	ev->irq_vector = events->interrupt.nr;
	if (events->flags & HV_VCPUEVENT_VALID_SHADOW)
		hv_arch->set_interrupt_shadow(vcpu, events->interrupt.shadow);
	ev->nmi_injected = events->nmi.injected;
	if (events->flags & HV_VCPUEVENT_VALID_NMI_PENDING)
		ev->nmi_pending = events->nmi.pending;
	hv_arch->set_nmi_mask(vcpu, events->nmi.masked);
	if ((events->flags & HV_VCPUEVENT_VALID_SIPI_VECTOR) && vcpu->x86.apic)
		hv_lapic_set_sipi_vector(vcpu, events->sipi_vector);
	/*
	 * A software event the backend redelivers by itself (soft_busy)
	 * stays; an exception set here goes in instead, and the INT n,
	 * whose RIP is still at the instruction, runs again.
	 */
	return 0;
}
