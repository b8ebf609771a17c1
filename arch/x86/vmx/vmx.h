/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the files of the VMX backend share.
 */
#ifndef HV_VMX_H
#define HV_VMX_H

#include <linux/types.h>
#include <asm/desc_defs.h>

#include "../../../module/hv_internal.h"

/**
 * struct vmx_host_state - what a VM exit does not restore by itself
 * @fs_sel, @gs_sel, @ds_sel, @es_sel, @ldt_sel: selectors before entry
 * @gdt:	GDTR (a VM exit sets its limit to 0xffff, SDM 28.5.2)
 * @debugctl:	IA32_DEBUGCTL (a VM exit clears it, SDM 28.5.1)
 * @cr3, @cr4:	values last written to HOST_CR3/HOST_CR4
 */
struct vmx_host_state {
	u16 fs_sel, gs_sel, ds_sel, es_sel, ldt_sel;
	struct desc_ptr gdt;
	u64 debugctl;
	unsigned long cr3, cr4;
};

/**
 * struct vmx_vcpu - the VMX backend's part of a vCPU
 * @vmcs:	its VMCS (4 KiB, revision identifier in the first word)
 * @vmcs_pa:	[I] physical address of @vmcs
 * @launched:	[cpu] VMLAUNCH done since the VMCS was last loaded
 * @cr0:	[vcpu] CR0 as the guest sees it (GUEST_CR0 carries the bits
 *		VMX forces on)
 * @cr2:	[vcpu] CR2: VMX neither saves nor loads it
 * @cr4:	[vcpu] CR4 as the guest sees it
 * @efer:	[vcpu] EFER as the guest sees it
 * @entry_ctls:	[vcpu] VM-entry controls (IA-32e mode follows EFER.LMA)
 * @host:	[cpu] host state put back after the guest ran
 * @host_saved:	[cpu] @host holds this CPU's state (guest ran since load)
 * @vpid:	[I] the VPID tagging the guest's TLB entries (0: none, every
 *		VM entry and exit flushes them)
 * @last_cpu:	[vcpu] the CPU the VMCS was last loaded on (-1: none yet)
 * @flush_vpid:	[vcpu] invalidate @vpid's TLB entries before the next entry
 * @windows:	[vcpu] the interrupt- and NMI-window exiting controls set
 *		for the current entry (vmx_events.c)
 */
struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	bool launched;
	u64 cr0;
	unsigned long cr2;
	u64 cr4;
	u64 efer;
	u32 entry_ctls;
	struct vmx_host_state host;
	bool host_saved;
	u16 vpid;
	int last_cpu;
	bool flush_vpid;
	u32 windows;
};

/* The controls hv runs guests with, fixed at probe time (vmx.c). */
struct vmx_config {
	u32 pin;
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
	bool invept_all;
	u8 invvpid_type;
};

static inline struct vmx_vcpu *to_vmx(struct hv_vcpu *vcpu)
{
	return vcpu->arch;
}

/* vmx.c */
extern struct vmx_config vmx_config;
extern u32 vmx_revision_id;
extern u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;

/* vmcs.c */
void vmcs_load(u64 pa);
void vmcs_clear(u64 pa);

/* vmenter.S */
int vmx_enter_guest(u64 *regs, unsigned long *cr2, bool launched);

/* vmx_run.c */
int vmx_run(struct hv_vcpu *vcpu);
void vmx_flush_guest_tlbs(struct hv_vm *vm);
void vmx_invvpid(u16 vpid);
void vmx_set_constant_host_state(void);
void vmx_put_host_state(struct hv_vcpu *vcpu);

/* vmx_events.c */
void vmx_inject_exception(struct hv_vcpu *vcpu, unsigned int vector,
			  bool has_error, u32 error);
void vmx_inject_nmi(struct hv_vcpu *vcpu);
void vmx_inject_irq(struct hv_vcpu *vcpu, unsigned int vector);
void vmx_enable_nmi_window(struct hv_vcpu *vcpu);
void vmx_enable_irq_window(struct hv_vcpu *vcpu);
bool vmx_interrupt_allowed(struct hv_vcpu *vcpu);
bool vmx_nmi_allowed(struct hv_vcpu *vcpu);
bool vmx_get_nmi_mask(struct hv_vcpu *vcpu);
void vmx_set_nmi_mask(struct hv_vcpu *vcpu, bool masked);
unsigned int vmx_get_interrupt_shadow(struct hv_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct hv_vcpu *vcpu, unsigned int mask);
void vmx_events_after_exit(struct hv_vcpu *vcpu, u32 reason,
			   unsigned long qual);

/* vmx_vcpu.c */
int vmx_vcpu_create(struct hv_vcpu *vcpu);
void vmx_vcpu_init_event(struct hv_vcpu *vcpu);
void vmx_vcpu_free(struct hv_vcpu *vcpu);
void vmx_vcpu_load(struct hv_vcpu *vcpu);
void vmx_vcpu_put(struct hv_vcpu *vcpu);
void vmx_get_segment(struct hv_vcpu *vcpu, struct hv_segment *var,
		     enum hv_seg seg);
void vmx_set_segment(struct hv_vcpu *vcpu, const struct hv_segment *var,
		     enum hv_seg seg);
void vmx_get_dtable(struct hv_vcpu *vcpu, struct hv_dtable *dt, bool gdt);
void vmx_set_dtable(struct hv_vcpu *vcpu, const struct hv_dtable *dt,
		    bool gdt);
void vmx_get_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 *rsp, u64 *rip,
			    u64 *rflags);
void vmx_set_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 rsp, u64 rip,
			    u64 rflags);
void vmx_get_sys(struct hv_vcpu *vcpu, struct hv_sregs *sregs);
void vmx_set_sys(struct hv_vcpu *vcpu, const struct hv_sregs *sregs);
void vmx_set_cr0(struct hv_vcpu *vcpu, u64 cr0);
void vmx_set_cr4(struct hv_vcpu *vcpu, u64 cr4);
void vmx_set_efer(struct hv_vcpu *vcpu, u64 efer);
u64 vmx_get_rip(struct hv_vcpu *vcpu);
void vmx_set_rip(struct hv_vcpu *vcpu, u64 rip);
u64 vmx_get_rflags(struct hv_vcpu *vcpu);
void vmx_set_rflags(struct hv_vcpu *vcpu, u64 rflags);
u64 vmx_get_dr7(struct hv_vcpu *vcpu);
void vmx_set_dr7(struct hv_vcpu *vcpu, u64 dr7);
void vmx_intercept_dr(struct hv_vcpu *vcpu, bool on);
int vmx_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val);
int vmx_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val);
void vmx_write_tsc_offset(struct hv_vcpu *vcpu, u64 offset);
void vmx_load_pdptrs(struct hv_vcpu *vcpu, const u64 *pdptrs);

#endif /* HV_VMX_H */
