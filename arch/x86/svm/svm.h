/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the files of the SVM backend share, and the VMCB layout
 * (AMD APM volume 2, appendix B).
 */
#ifndef HV_SVM_H
#define HV_SVM_H

#include <linux/bits.h>
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

/* The control area, at offset 0 of the VMCB (APM vol 2, table B-1). */
struct vmcb_control {
	u32 intercept_cr;	/* bits 15:0 reads of CR0-15, 31:16 writes */
	u32 intercept_dr;	/* the same for DR0-15 */
	u32 intercept_exceptions;
	u32 intercept_misc1;	/* SVM_INTERCEPT1_* */
	u32 intercept_misc2;	/* SVM_INTERCEPT2_* */
	u8 reserved_014[0x03c - 0x014];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_ctl;
	u8 reserved_05d[3];
	u32 int_ctl;
	u32 int_vector;
	u32 int_state;
	u8 reserved_06c[4];
	u64 exit_code;
	u64 exit_info_1;
	u64 exit_info_2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_vapic_bar;
	u64 ghcb_gpa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u32 clean;
	u32 reserved_0c4;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved_0e0[0x400 - 0x0e0];
} __packed;

/* intercept_misc1 */
#define SVM_INTERCEPT1_INTR		BIT(0)
#define SVM_INTERCEPT1_NMI		BIT(1)
#define SVM_INTERCEPT1_VINTR		BIT(4)
#define SVM_INTERCEPT1_RDPMC		BIT(15)
#define SVM_INTERCEPT1_CPUID		BIT(18)
#define SVM_INTERCEPT1_IRET		BIT(20)
#define SVM_INTERCEPT1_INVD		BIT(22)
#define SVM_INTERCEPT1_HLT		BIT(24)
#define SVM_INTERCEPT1_INVLPGA		BIT(26)
#define SVM_INTERCEPT1_IOIO		BIT(27)
#define SVM_INTERCEPT1_MSR		BIT(28)
#define SVM_INTERCEPT1_SHUTDOWN		BIT(31)
/* intercept_misc2 */
#define SVM_INTERCEPT2_VMRUN		BIT(0)
#define SVM_INTERCEPT2_VMMCALL		BIT(1)
#define SVM_INTERCEPT2_VMLOAD		BIT(2)
#define SVM_INTERCEPT2_VMSAVE		BIT(3)
#define SVM_INTERCEPT2_STGI		BIT(4)
#define SVM_INTERCEPT2_CLGI		BIT(5)
#define SVM_INTERCEPT2_SKINIT		BIT(6)
#define SVM_INTERCEPT2_RDTSCP		BIT(7)
#define SVM_INTERCEPT2_MONITOR		BIT(10)
#define SVM_INTERCEPT2_MWAIT		BIT(11)
#define SVM_INTERCEPT2_MWAIT_COND	BIT(12)
#define SVM_INTERCEPT2_XSETBV		BIT(13)

/* tlb_ctl */
#define SVM_TLB_FLUSH_NONE		0
#define SVM_TLB_FLUSH_ALL		1
/* int_ctl */
#define SVM_INT_CTL_V_TPR		0xf
#define SVM_INT_CTL_V_IRQ		BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO		(0xf << 16)
#define SVM_INT_CTL_V_IGN_TPR		BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING	BIT(24)
/* int_state */
#define SVM_INT_STATE_SHADOW		BIT(0)
/* nested_ctl */
#define SVM_NESTED_CTL_NP_ENABLE	BIT_ULL(0)
/* event_inj and exit_int_info (APM vol 2, 15.20) */
#define SVM_EVT_VECTOR			0xff
#define SVM_EVT_TYPE_SHIFT		8
#define SVM_EVT_TYPE_MASK		(7 << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_INTR		(0 << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_NMI		(2 << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_EXCEPTION		(3 << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_SOFT		(4 << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_ERROR_VALID		BIT(11)
#define SVM_EVT_VALID			BIT(31)

/* Exit codes (APM vol 2, appendix C) */
#define SVM_EXIT_READ_CR0		0x000
#define SVM_EXIT_READ_CR15		0x00f
#define SVM_EXIT_WRITE_CR0		0x010
#define SVM_EXIT_WRITE_CR15		0x01f
#define SVM_EXIT_READ_DR0		0x020
#define SVM_EXIT_WRITE_DR0		0x030
#define SVM_EXIT_WRITE_DR15		0x03f
#define SVM_EXIT_EXCP_DB		0x041	/* 0x40 + vector */
#define SVM_EXIT_EXCP_UD		0x046
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_NR_EXIT_CODES		0x08e
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_INVALID		((u64)-1)

/* IOIO exit_info_1 (APM vol 2, 15.10.2) */
#define SVM_IOIO_IN			BIT(0)
#define SVM_IOIO_STR			BIT(2)
#define SVM_IOIO_REP			BIT(3)
#define SVM_IOIO_SIZE_SHIFT		4	/* one-hot: 1, 2, 4 bytes */
#define SVM_IOIO_ADDR_SHIFT		7	/* one-hot: 16, 32, 64 bits */
#define SVM_IOIO_SEG_SHIFT		10
#define SVM_IOIO_PORT_SHIFT		16
/* NPF exit_info_1: the page-fault error code */
#define SVM_NPF_WRITE			BIT_ULL(1)

/*
 * The whole 4-KiB VMCB: the control area, then the state-save area.
 */
struct vmcb {
	struct vmcb_control control;
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
static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x040);
static_assert(offsetof(struct vmcb_control, asid) == 0x058);
static_assert(offsetof(struct vmcb_control, int_ctl) == 0x060);
static_assert(offsetof(struct vmcb_control, exit_code) == 0x070);
static_assert(offsetof(struct vmcb_control, nested_ctl) == 0x090);
static_assert(offsetof(struct vmcb_control, event_inj) == 0x0a8);
static_assert(offsetof(struct vmcb_control, nested_cr3) == 0x0b0);
static_assert(offsetof(struct vmcb_control, next_rip) == 0x0c8);
static_assert(offsetof(struct vmcb_control, insn_len) == 0x0d0);

/**
 * struct svm_vcpu - the SVM backend's part of a vCPU
 * @vmcb:	its VMCB (one page)
 * @vmcb_pa:	[I] physical address of @vmcb
 * @cr0:	[vcpu] CR0 as the guest sees it (the VMCB's may differ)
 * @efer:	[vcpu] EFER as the guest sees it (the VMCB's has SVME)
 * @asid_cpu:	[vcpu] the CPU whose ASID the VMCB holds (-1: none)
 * @asid_generation: [vcpu] that CPU's ASID generation when it was given
 * @nmi_masked:	[vcpu] the guest handles an NMI: NMIs blocked until its
 *		IRET has run (SVM keeps no such state for a guest)
 * @awaiting_iret: [vcpu] the IRET intercept came, at @iret_rip; the
 *		IRET has run once the guest is past it
 * @singlestep: [vcpu] RFLAGS.TF is set so that the guest exits right
 *		after the instruction that lets an NMI in, or the one in an
 *		interrupt shadow that holds an interrupt back (svm_events.c)
 * @step_rflags: [vcpu] the guest's own TF and RF before that
 * @step_dr6:	[vcpu] the guest's DR6 before that
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 cr0;
	u64 efer;
	int asid_cpu;
	u64 asid_generation;
	bool nmi_masked;
	bool awaiting_iret;
	u64 iret_rip;
	bool singlestep;
	u64 step_rflags;
	u64 step_dr6;
};

typedef int (*svm_exit_handler)(struct hv_vcpu *vcpu, struct svm_vcpu *svm);

/* What the CPU offers, found at probe time (svm.c). */
struct svm_config {
	u32 max_asid;		/* ASIDs 1..max_asid are the guests' */
	bool nrips;		/* next_rip is saved on intercepts */
	bool decode_assists;	/* exit_info_1 names CR/DR operands */
	u64 iopm_pa;		/* intercept every port, every MSR */
	u64 msrpm_pa;
};

static inline struct svm_vcpu *to_svm(struct hv_vcpu *vcpu)
{
	return vcpu->arch;
}

/* svm.c */
extern struct svm_config svm_config;
u64 svm_host_save_pa(void);
void svm_new_asid(struct svm_vcpu *svm);
void svm_retire_asids(void *unused);
bool svm_asid_current(struct svm_vcpu *svm);

/* vmrun.S */
void svm_enter_guest(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

/* svm_run.c */
int svm_run(struct hv_vcpu *vcpu);
void svm_flush_guest_tlbs(struct hv_vm *vm);

/* svm_events.c */
void svm_inject_exception(struct hv_vcpu *vcpu, unsigned int vector,
			  bool has_error, u32 error);
void svm_inject_nmi(struct hv_vcpu *vcpu);
void svm_inject_irq(struct hv_vcpu *vcpu, unsigned int vector);
void svm_enable_nmi_window(struct hv_vcpu *vcpu);
void svm_enable_irq_window(struct hv_vcpu *vcpu);
bool svm_interrupt_allowed(struct hv_vcpu *vcpu);
bool svm_nmi_allowed(struct hv_vcpu *vcpu);
bool svm_get_nmi_mask(struct hv_vcpu *vcpu);
void svm_set_nmi_mask(struct hv_vcpu *vcpu, bool masked);
unsigned int svm_get_interrupt_shadow(struct hv_vcpu *vcpu);
void svm_set_interrupt_shadow(struct hv_vcpu *vcpu, unsigned int mask);
void svm_events_after_exit(struct hv_vcpu *vcpu, struct svm_vcpu *svm);
int svm_exit_iret(struct hv_vcpu *vcpu, struct svm_vcpu *svm);
int svm_exit_excp_db(struct hv_vcpu *vcpu, struct svm_vcpu *svm);

/* svm_vcpu.c */
int svm_vcpu_create(struct hv_vcpu *vcpu);
void svm_vcpu_free(struct hv_vcpu *vcpu);
void svm_vcpu_init(struct hv_vcpu *vcpu);
void svm_vcpu_init_event(struct hv_vcpu *vcpu);
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
void svm_set_cr0(struct hv_vcpu *vcpu, u64 cr0);
void svm_set_cr4(struct hv_vcpu *vcpu, u64 cr4);
void svm_set_efer(struct hv_vcpu *vcpu, u64 efer);
u64 svm_get_rip(struct hv_vcpu *vcpu);
void svm_set_rip(struct hv_vcpu *vcpu, u64 rip);
u64 svm_get_rflags(struct hv_vcpu *vcpu);
void svm_set_rflags(struct hv_vcpu *vcpu, u64 rflags);
u64 svm_get_dr7(struct hv_vcpu *vcpu);
void svm_set_dr7(struct hv_vcpu *vcpu, u64 dr7);
void svm_intercept_dr(struct hv_vcpu *vcpu, bool on);
int svm_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val);
int svm_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val);
void svm_write_tsc_offset(struct hv_vcpu *vcpu, u64 offset);

#endif /* HV_SVM_H */
