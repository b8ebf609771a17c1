// SPDX-License-Identifier: GPL-2.0
/*
 * hv: events for an SVM guest (the backend's half of arch/x86/hv_events.c).
 *
 * An event goes in through the VMCB's EVENTINJ field and is taken before
 * the guest's first instruction (APM vol 2, 15.20); an exit during its
 * delivery leaves it in EXITINTINFO (15.7.2).
 *
 * The interrupt window is a virtual interrupt: V_IRQ with V_IGN_TPR, and
 * the VINTR intercept, which exits as soon as the guest could take it,
 * RFLAGS.IF set and no interrupt shadow (15.21.4).  A guest entered in an
 * interrupt shadow single-steps over the instruction in it instead, as
 * for an NMI below: the shadow lives in the VMCB's INTERRUPT_SHADOW bit,
 * which QEMU 7.2's VMRUN does not load, so its VINTR intercept came at
 * once and the interrupt went in between STI and HLT.  The step costs
 * one exit where the hardware keeps the shadow; it gives the same
 * guest-visible order on both.
 *
 * SVM keeps no NMI blocking for a guest: hv does.  An injected NMI blocks
 * NMIs and turns the IRET intercept on.  The intercept comes before the
 * IRET runs; NMIs are unblocked once the guest is past it.  If another NMI
 * waits, the guest single-steps (RFLAGS.TF, #DB intercepted) over the IRET
 * or over the instruction in an interrupt shadow, and the exit that
 * follows delivers it; if another event goes in first, a self-IPI makes
 * the guest exit right after its delivery.  This is what KVM does
 * without vNMI.
 */
#include <linux/kernel.h>
#include <linux/smp.h>
#include <trace/events/ipi.h>	/* smp_send_reschedule() of 6.12 */
#include <asm/processor-flags.h>

#include "../hv_x86.h"
#include "svm.h"

void svm_inject_exception(struct hv_vcpu *vcpu, unsigned int vector,
			  bool has_error, u32 error)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 evt = vector | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_VALID;

	/* Real mode delivers no error code. */
	if (has_error && (svm->cr0 & X86_CR0_PE))
		evt |= SVM_EVT_ERROR_VALID | ((u64)error << 32);
	svm->vmcb->control.event_inj = evt;
}

void svm_inject_nmi(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = HV_NMI_VECTOR | SVM_EVT_TYPE_NMI |
				       SVM_EVT_VALID;
	svm_set_nmi_mask(vcpu, true);
}

void svm_inject_irq(struct hv_vcpu *vcpu, unsigned int vector)
{
	to_svm(vcpu)->vmcb->control.event_inj = vector | SVM_EVT_TYPE_INTR |
						SVM_EVT_VALID;
}

static bool svm_in_shadow(struct svm_vcpu *svm)
{
	return svm->vmcb->control.int_state & SVM_INT_STATE_SHADOW;
}

/*
 * The guest exits after its next instruction: RFLAGS.TF with #DB
 * intercepted, undone after the exit (svm_events_after_exit()).
 */
static void svm_step_one(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	struct vmcb_save *save = &svm->vmcb->save;

	if (!svm->singlestep) {
		svm->singlestep = true;
		svm->step_rflags = save->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF);
		svm->step_dr6 = vcpu->x86.dr[6];
	}
	save->rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	svm->vmcb->control.intercept_exceptions |= BIT(HV_DB_VECTOR);
}

/*
 * An event goes in with this entry: no single step then, for its delivery
 * would push RFLAGS with hv's TF on the guest's stack.
 */
static bool svm_event_going_in(struct svm_vcpu *svm)
{
	return svm->vmcb->control.event_inj & SVM_EVT_VALID;
}

void svm_enable_irq_window(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;

	if (svm_in_shadow(svm) && !svm_event_going_in(svm)) {
		svm_step_one(vcpu, svm);
		return;
	}
	c->int_ctl |= SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
		      SVM_INT_CTL_V_INTR_PRIO;
	c->int_vector = 0;
	c->intercept_misc1 |= SVM_INTERCEPT1_VINTR;
}

void svm_enable_nmi_window(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	/* The IRET intercept will come first. */
	if (svm->nmi_masked && !svm->awaiting_iret)
		return;
	/*
	 * A self-IPI (interrupts are off) makes the guest exit right after
	 * the event's delivery instead, and the NMI comes then, as KVM does.
	 */
	if (svm_event_going_in(svm)) {
		smp_send_reschedule(smp_processor_id());
		return;
	}
	svm_step_one(vcpu, svm);
}

bool svm_interrupt_allowed(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return (svm->vmcb->save.rflags & X86_EFLAGS_IF) && !svm_in_shadow(svm);
}

bool svm_nmi_allowed(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !svm->nmi_masked && !svm_in_shadow(svm);
}

bool svm_get_nmi_mask(struct hv_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

void svm_set_nmi_mask(struct hv_vcpu *vcpu, bool masked)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	svm->awaiting_iret = false;
	if (masked)
		svm->vmcb->control.intercept_misc1 |= SVM_INTERCEPT1_IRET;
	else
		svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT1_IRET;
}

/* SVM has one shadow bit for both kinds; KVM reports it as both. */
unsigned int svm_get_interrupt_shadow(struct hv_vcpu *vcpu)
{
	if (svm_in_shadow(to_svm(vcpu)))
		return HV_X86_SHADOW_STI | HV_X86_SHADOW_MOV_SS;
	return 0;
}

void svm_set_interrupt_shadow(struct hv_vcpu *vcpu, unsigned int mask)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	if (mask)
		c->int_state |= SVM_INT_STATE_SHADOW;
	else
		c->int_state &= ~SVM_INT_STATE_SHADOW;
}

/* The IRET of the guest's NMI handler is about to run. */
int svm_exit_iret(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT1_IRET;
	svm->awaiting_iret = true;
	svm->iret_rip = svm->vmcb->save.rip;
	return 1;
}

/*
 * #DB is intercepted only while hv single-steps the guest: the step is
 * done (svm_events_after_exit() put TF back).  A guest that had TF set
 * itself gets its #DB; otherwise its DR6 stays as it was.
 */
int svm_exit_excp_db(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	if (svm->step_rflags & X86_EFLAGS_TF) {
		hv_x86_queue_exception(vcpu, HV_DB_VECTOR, false, 0);
		return 1;
	}
	vcpu->x86.dr[6] = svm->step_dr6;
	return 1;
}

/* What an event cut off by the exit was (APM vol 2, 15.7.2). */
static void svm_requeue_event(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_int_info;
	unsigned int vector = info & SVM_EVT_VECTOR;

	if (!(info & SVM_EVT_VALID))
		return;
	switch (info & SVM_EVT_TYPE_MASK) {
	case SVM_EVT_TYPE_INTR:
		hv_x86_event_cut_off(vcpu, HV_EVENT_IRQ, vector, false, 0);
		break;
	case SVM_EVT_TYPE_NMI:
		hv_x86_event_cut_off(vcpu, HV_EVENT_NMI, vector, false, 0);
		break;
	case SVM_EVT_TYPE_EXCEPTION:
		hv_x86_event_cut_off(vcpu, HV_EVENT_EXCEPTION, vector,
				     info & SVM_EVT_ERROR_VALID, info >> 32);
		break;
	default:
		/* INT n: RIP is still at the instruction, which runs again. */
		break;
	}
}

/*
 * After every exit, before its handler: the windows were for the entry
 * just made, and an event the exit cut off goes in again.
 */
void svm_events_after_exit(struct hv_vcpu *vcpu, struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	struct vmcb_save *save = &svm->vmcb->save;

	if (c->int_ctl & SVM_INT_CTL_V_IRQ) {
		c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
				SVM_INT_CTL_V_INTR_PRIO);
		c->intercept_misc1 &= ~SVM_INTERCEPT1_VINTR;
	}
	if (svm->singlestep) {
		svm->singlestep = false;
		save->rflags &= ~((X86_EFLAGS_TF | X86_EFLAGS_RF) &
				  ~svm->step_rflags);
		c->intercept_exceptions &= ~BIT(HV_DB_VECTOR);
	}
	if (svm->awaiting_iret && save->rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->nmi_masked = false;
	}
	svm_requeue_event(vcpu, svm);
}
