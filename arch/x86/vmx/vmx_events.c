// SPDX-License-Identifier: GPL-2.0
/*
 * hv: events for a VMX guest (the backend's half of arch/x86/hv_events.c).
 *
 * An event goes in through the VM-entry interruption-information field
 * and is delivered as part of VM entry (SDM vol 3, 27.6); an exit during
 * its delivery leaves it in the IDT-vectoring information (28.2.4).
 *
 * hv runs guests with "virtual NMIs": the guest's NMI blocking lives in
 * the interruptibility state, set by the delivery of an NMI and cleared
 * by the guest's IRET (25.3, 27.6.1.2).  The windows are the
 * "interrupt-window exiting" and "NMI-window exiting" controls: an exit
 * before the first instruction at which the guest can take the event
 * (27.7.5, 27.7.6).
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "../hv_x86.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_caps.h"

/* The interruptibility state (SDM vol 3, table 25-3). */
#define INTR_STATE_STI		BIT(0)
#define INTR_STATE_MOV_SS	BIT(1)
#define INTR_STATE_NMI		BIT(3)

/* "NMI unblocking due to IRET" (SDM vol 3, 28.2.2, 28.2.3). */
#define HV_INTR_INFO_UNBLOCK_NMI	BIT(12)
#define EPT_QUAL_UNBLOCK_NMI		BIT(12)

void vmx_inject_exception(struct hv_vcpu *vcpu, unsigned int vector,
			  bool has_error, u32 error)
{
	u32 info = vector | HV_INTR_TYPE_HW_EXCEPTION | HV_INTR_INFO_VALID;

	/* Real mode delivers no error code (SDM vol 3, 27.3.1.4). */
	if (has_error && (to_vmx(vcpu)->cr0 & X86_CR0_PE)) {
		info |= HV_INTR_INFO_DELIVER_CODE;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

void vmx_inject_nmi(struct hv_vcpu *vcpu)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, HV_NMI_VECTOR |
		     HV_INTR_TYPE_NMI | HV_INTR_INFO_VALID);
}

void vmx_inject_irq(struct hv_vcpu *vcpu, unsigned int vector)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, vector | HV_INTR_TYPE_EXT_INTR |
		     HV_INTR_INFO_VALID);
}

static void vmx_set_window(struct vmx_vcpu *vmx, u32 bit)
{
	if (vmx->windows & bit)
		return;
	vmx->windows |= bit;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) | bit);
}

void vmx_enable_nmi_window(struct hv_vcpu *vcpu)
{
	vmx_set_window(to_vmx(vcpu), HV_CPU_BASED_NMI_WINDOW_EXITING);
}

void vmx_enable_irq_window(struct hv_vcpu *vcpu)
{
	vmx_set_window(to_vmx(vcpu), HV_CPU_BASED_INTR_WINDOW_EXITING);
}

bool vmx_interrupt_allowed(struct hv_vcpu *vcpu)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (INTR_STATE_STI | INTR_STATE_MOV_SS));
}

/* As KVM: STI blocking counts too, since some CPUs refuse the entry. */
bool vmx_nmi_allowed(struct hv_vcpu *vcpu)
{
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (INTR_STATE_STI | INTR_STATE_MOV_SS | INTR_STATE_NMI));
}

bool vmx_get_nmi_mask(struct hv_vcpu *vcpu)
{
	return vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & INTR_STATE_NMI;
}

void vmx_set_nmi_mask(struct hv_vcpu *vcpu, bool masked)
{
	u32 state = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (masked)
		state |= INTR_STATE_NMI;
	else
		state &= ~INTR_STATE_NMI;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, state);
}

unsigned int vmx_get_interrupt_shadow(struct hv_vcpu *vcpu)
{
	u32 state = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	unsigned int mask = 0;

	if (state & INTR_STATE_STI)
		mask |= HV_X86_SHADOW_STI;
	if (state & INTR_STATE_MOV_SS)
		mask |= HV_X86_SHADOW_MOV_SS;
	return mask;
}

void vmx_set_interrupt_shadow(struct hv_vcpu *vcpu, unsigned int mask)
{
	u32 state = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	state &= ~(INTR_STATE_STI | INTR_STATE_MOV_SS);
	if (mask & HV_X86_SHADOW_STI)
		state |= INTR_STATE_STI;
	if (mask & HV_X86_SHADOW_MOV_SS)
		state |= INTR_STATE_MOV_SS;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, state);
}

/*
 * An exit during event delivery (e.g. an EPT violation on the IDT or the
 * stack) must not lose the event: deliver it again on the next entry
 * (SDM vol 3, 28.2.4 and 29.2.1).  An NMI cut off leaves NMIs blocked
 * although the guest never got it: unblock them first (29.2.1.2).
 * A software event goes back in as it is, with its instruction length.
 */
static void vmx_requeue_event(struct hv_vcpu *vcpu, u32 info)
{
	unsigned int vector = info & HV_INTR_INFO_VECTOR;
	bool has_error = info & HV_INTR_INFO_DELIVER_CODE;

	switch (info & HV_INTR_INFO_TYPE) {
	case HV_INTR_TYPE_EXT_INTR:
		hv_x86_event_cut_off(vcpu, HV_EVENT_IRQ, vector, false, 0);
		return;
	case HV_INTR_TYPE_NMI:
		vmx_set_nmi_mask(vcpu, false);
		hv_x86_event_cut_off(vcpu, HV_EVENT_NMI, vector, false, 0);
		return;
	case HV_INTR_TYPE_HW_EXCEPTION:
		hv_x86_event_cut_off(vcpu, HV_EVENT_EXCEPTION, vector,
				     has_error, has_error ?
				     vmcs_read32(IDT_VECTORING_ERROR_CODE) : 0);
		return;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	if (has_error)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
		     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	hv_x86_event_cut_off(vcpu, HV_EVENT_SOFT, vector, false, 0);
}

/*
 * After every successful exit, before its handler: close the windows
 * opened for this entry, and deliver again what the exit cut off.  An
 * IRET that faulted (an EPT violation on the stack) had unblocked NMIs;
 * it runs again, so they must be blocked again (SDM vol 3, 28.2.3).
 */
void vmx_events_after_exit(struct hv_vcpu *vcpu, u32 reason,
			   unsigned long qual)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	bool unblocked = false;

	if (vmx->windows) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
			     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) &
			     ~vmx->windows);
		vmx->windows = 0;
	}
	if (idt & HV_INTR_INFO_VALID) {
		vmx_requeue_event(vcpu, idt);
		return;
	}
	switch ((u16)reason) {
	case HV_VMX_EXIT_EXCEPTION_NMI:
		unblocked = vmcs_read32(VM_EXIT_INTR_INFO) &
			    HV_INTR_INFO_UNBLOCK_NMI;
		break;
	case HV_VMX_EXIT_EPT_VIOLATION:
		unblocked = qual & EPT_QUAL_UNBLOCK_NMI;
		break;
	}
	if (unblocked)
		vmx_set_nmi_mask(vcpu, true);
}
