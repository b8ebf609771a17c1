/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the files of the VMX backend share.
 */
#ifndef HV_VMX_H
#define HV_VMX_H

#include <linux/types.h>

#include "../../../module/hv_internal.h"

/**
 * struct vmx_vcpu - the VMX backend's part of a vCPU
 * @vmcs:	its VMCS (4 KiB, revision identifier in the first word)
 * @vmcs_pa:	[I] physical address of @vmcs
 * @launched:	[vcpu] VMLAUNCH done since the last VMCLEAR
 * @cr0:	[vcpu] CR0 as the guest sees it (GUEST_CR0 carries the bits
 *		VMX forces on)
 * @cr2:	[vcpu] CR2: VMX neither saves nor loads it
 * @cr4:	[vcpu] CR4 as the guest sees it
 * @efer:	[vcpu] EFER as the guest sees it
 */
struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	bool launched;
	u64 cr0;
	u64 cr2;
	u64 cr4;
	u64 efer;
};

static inline struct vmx_vcpu *to_vmx(struct hv_vcpu *vcpu)
{
	return vcpu->arch;
}

/* vmx.c */
extern u32 vmx_revision_id;
extern u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;

/* vmcs.c */
void vmcs_load(u64 pa);
void vmcs_clear(u64 pa);

/* vmx_vcpu.c */
int vmx_vcpu_create(struct hv_vcpu *vcpu);
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

#endif /* HV_VMX_H */
