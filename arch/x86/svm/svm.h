/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the files of the SVM backend share, and the VMCB layout
 * (AMD APM volume 2, appendix B).
 */
#ifndef HV_SVM_H
#define HV_SVM_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include "../../../module/hv_internal.h"

/* A segment in the VMCB save area (APM vol 2, B.2). */
struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

/* vmcb_seg.attrib: the descriptor's attribute bits, packed. */
#define SVM_ATTR_TYPE_MASK	0x000f
#define SVM_ATTR_S_SHIFT	4
#define SVM_ATTR_DPL_SHIFT	5
#define SVM_ATTR_P_SHIFT	7
#define SVM_ATTR_AVL_SHIFT	8
#define SVM_ATTR_L_SHIFT	9
#define SVM_ATTR_DB_SHIFT	10
#define SVM_ATTR_G_SHIFT	11

/* The state-save area, at offset 0x400 of the VMCB (APM vol 2, table B-2). */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;
	struct vmcb_seg gdtr, ldtr, idtr, tr;
	u8 reserved_0a0[0x0cb - 0x0a0];
	u8 cpl;
	u32 reserved_0cc;
	u64 efer;
	u8 reserved_0d8[0x148 - 0x0d8];
	u64 cr4;
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;
	u8 reserved_180[0x1d8 - 0x180];
	u64 rsp;
	u8 reserved_1e0[0x1f8 - 0x1e0];
	u64 rax;
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;
	u64 dbgctl;
} __packed;

/*
 * The whole 4-KiB VMCB: the control area (filled in by the run code), then
 * the state-save area.
 */
struct vmcb {
	u8 control[0x400];
	struct vmcb_save save;
	u8 reserved[0x1000 - 0x400 - sizeof(struct vmcb_save)];
} __packed;

static_assert(offsetof(struct vmcb_save, tr) == 0x090);
static_assert(offsetof(struct vmcb_save, cpl) == 0x0cb);
static_assert(offsetof(struct vmcb_save, efer) == 0x0d0);
static_assert(offsetof(struct vmcb_save, cr4) == 0x148);
static_assert(offsetof(struct vmcb_save, rip) == 0x178);
static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8);
static_assert(offsetof(struct vmcb_save, rax) == 0x1f8);
static_assert(offsetof(struct vmcb_save, cr2) == 0x240);
static_assert(offsetof(struct vmcb_save, g_pat) == 0x268);
static_assert(sizeof(struct vmcb) == 0x1000);

/**
 * struct svm_vcpu - the SVM backend's part of a vCPU
 * @vmcb:	its VMCB (one page)
 * @vmcb_pa:	[I] physical address of @vmcb
 * @cr0:	[vcpu] CR0 as the guest sees it (the VMCB's may differ)
 * @efer:	[vcpu] EFER as the guest sees it (the VMCB's has SVME)
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 cr0;
	u64 efer;
};

static inline struct svm_vcpu *to_svm(struct hv_vcpu *vcpu)
{
	return vcpu->arch;
}

/* svm_vcpu.c */
int svm_vcpu_create(struct hv_vcpu *vcpu);
void svm_vcpu_free(struct hv_vcpu *vcpu);
void svm_vcpu_load(struct hv_vcpu *vcpu);
void svm_vcpu_put(struct hv_vcpu *vcpu);
void svm_get_segment(struct hv_vcpu *vcpu, struct hv_segment *var,
		     enum hv_seg seg);
void svm_set_segment(struct hv_vcpu *vcpu, const struct hv_segment *var,
		     enum hv_seg seg);
void svm_get_dtable(struct hv_vcpu *vcpu, struct hv_dtable *dt, bool gdt);
void svm_set_dtable(struct hv_vcpu *vcpu, const struct hv_dtable *dt,
		    bool gdt);
void svm_get_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 *rsp, u64 *rip,
			    u64 *rflags);
void svm_set_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 rsp, u64 rip,
			    u64 rflags);
void svm_get_sys(struct hv_vcpu *vcpu, struct hv_sregs *sregs);
void svm_set_sys(struct hv_vcpu *vcpu, const struct hv_sregs *sregs);

#endif /* HV_SVM_H */
