// SPDX-License-Identifier: GPL-2.0
/*
 * hv: an SVM vCPU's state in its VMCB.
 *
 * The VMCB is ordinary memory, so no CPU needs to load it for its fields to
 * be read or written.  Registers are reported as KVM's SVM backend reports
 * them (KVM_GET_SREGS on kvm_amd), quirks included, so that clients see the
 * same values on hv and KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../hv_x86.h"
#include "svm.h"

/* Segment types at reset (APM vol 2, table 14-1; KVM's init_vmcb). */
#define SEG_TYPE_DATA_RW	0x2
#define SEG_TYPE_CODE_RX	0xa
#define SEG_TYPE_LDT		0x2
#define SEG_TYPE_BUSY_TSS16	0x3

#define PAT_RESET		0x0007040600070406ULL

static struct vmcb_seg *svm_seg(struct svm_vcpu *svm, enum hv_seg seg)
{
	struct vmcb_save *save = &svm->vmcb->save;

	switch (seg) {
	case HV_ES: return &save->es;
	case HV_CS: return &save->cs;
	case HV_SS: return &save->ss;
	case HV_DS: return &save->ds;
	case HV_FS: return &save->fs;
	case HV_GS: return &save->gs;
	case HV_LDTR: return &save->ldtr;
	case HV_TR: return &save->tr;
	}
	return &save->es;
}

void svm_vcpu_load(struct hv_vcpu *vcpu)
{
}

void svm_vcpu_put(struct hv_vcpu *vcpu)
{
}

void svm_get_segment(struct hv_vcpu *vcpu, struct hv_segment *var,
		     enum hv_seg seg)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_seg *s = svm_seg(svm, seg);

	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->selector;
	var->type = s->attrib & SVM_ATTR_TYPE_MASK;
	var->s = (s->attrib >> SVM_ATTR_S_SHIFT) & 1;
	var->dpl = (s->attrib >> SVM_ATTR_DPL_SHIFT) & 3;
	var->present = (s->attrib >> SVM_ATTR_P_SHIFT) & 1;
	var->avl = (s->attrib >> SVM_ATTR_AVL_SHIFT) & 1;
	var->l = (s->attrib >> SVM_ATTR_L_SHIFT) & 1;
	var->db = (s->attrib >> SVM_ATTR_DB_SHIFT) & 1;
	var->padding = 0;
	/*
	 * SVM ignores G (APM vol 2, 15.5.1), so a legal value is derived from
	 * the limit, and "unusable" (which SVM lacks) from P, as KVM does for
	 * clients that move state between vendors.
	 */
	var->g = s->limit > 0xfffff;
	var->unusable = !var->present;

	switch (seg) {
	case HV_TR:
		/* Report the TSS as busy, whatever the VMCB holds. */
		var->type |= 2;
		break;
	case HV_DS:
	case HV_ES:
	case HV_FS:
	case HV_GS:
		/* A loaded data segment is always marked accessed. */
		if (!var->unusable)
			var->type |= 1;
		break;
	case HV_SS:
		if (var->unusable)
			var->db = 0;
		/* SS.DPL is the CPL, which the VMCB keeps apart. */
		var->dpl = svm->vmcb->save.cpl;
		break;
	default:
		break;
	}
}

void svm_set_segment(struct hv_vcpu *vcpu, const struct hv_segment *var,
		     enum hv_seg seg)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_seg *s = svm_seg(svm, seg);

	s->base = var->base;
	s->limit = var->limit;
	s->selector = var->selector;
	s->attrib = (var->type & SVM_ATTR_TYPE_MASK) |
		    (var->s & 1) << SVM_ATTR_S_SHIFT |
		    (var->dpl & 3) << SVM_ATTR_DPL_SHIFT |
		    ((var->present & 1) && !var->unusable) << SVM_ATTR_P_SHIFT |
		    (var->avl & 1) << SVM_ATTR_AVL_SHIFT |
		    (var->l & 1) << SVM_ATTR_L_SHIFT |
		    (var->db & 1) << SVM_ATTR_DB_SHIFT |
		    (var->g & 1) << SVM_ATTR_G_SHIFT;
	if (seg == HV_SS)
		svm->vmcb->save.cpl = var->dpl & 3;
}

void svm_get_dtable(struct hv_vcpu *vcpu, struct hv_dtable *dt, bool gdt)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	struct vmcb_seg *s = gdt ? &save->gdtr : &save->idtr;

	dt->base = s->base;
	dt->limit = s->limit;
}

void svm_set_dtable(struct hv_vcpu *vcpu, const struct hv_dtable *dt,
		    bool gdt)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	struct vmcb_seg *s = gdt ? &save->gdtr : &save->idtr;

	s->base = dt->base;
	s->limit = dt->limit;
}

void svm_get_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 *rsp, u64 *rip,
			    u64 *rflags)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;

	*rsp = save->rsp;
	*rip = save->rip;
	*rflags = save->rflags;
}

void svm_set_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 rsp, u64 rip,
			    u64 rflags)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;

	save->rsp = rsp;
	save->rip = rip;
	save->rflags = rflags;
}

/*
 * The guest's CR0 and EFER are what it wrote; the VMCB carries them as
 * SVM needs them: EFER.SVME always set (VMRUN requires it, APM 15.5.1),
 * and CR0 without CD and NW so that a guest cannot turn caching off for
 * the host's memory.
 */
static void svm_write_cr0(struct svm_vcpu *svm, u64 cr0)
{
	svm->cr0 = cr0;
	svm->vmcb->save.cr0 = cr0 & ~(u64)(X86_CR0_CD | X86_CR0_NW);
	/* The MOV that exited did not flush the TLB: a fresh ASID does. */
	svm->asid_generation = 0;
}

static void svm_write_cr4(struct svm_vcpu *svm, u64 cr4)
{
	svm->vmcb->save.cr4 = cr4;
	svm->asid_generation = 0;
}

static void svm_write_efer(struct svm_vcpu *svm, u64 efer)
{
	svm->efer = efer;
	svm->vmcb->save.efer = efer | EFER_SVME;
}

void svm_get_sys(struct hv_vcpu *vcpu, struct hv_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	sregs->cr0 = svm->cr0;
	sregs->cr2 = svm->vmcb->save.cr2;
	sregs->cr3 = svm->vmcb->save.cr3;
	sregs->cr4 = svm->vmcb->save.cr4;
	sregs->efer = svm->efer;
}

void svm_set_sys(struct hv_vcpu *vcpu, const struct hv_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->save.cr2 = sregs->cr2;
	svm->vmcb->save.cr3 = sregs->cr3;
	svm_write_cr4(svm, sregs->cr4);
	svm_write_efer(svm, sregs->efer);
	svm_write_cr0(svm, sregs->cr0);
}

/* A guest's MOV to CR0, already checked; EFER.LMA follows (hv_x86.h). */
void svm_set_cr0(struct hv_vcpu *vcpu, u64 cr0)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 efer = hv_efer_after_cr0(svm->efer, svm->cr0, cr0);

	if (efer != svm->efer)
		svm_write_efer(svm, efer);
	svm_write_cr0(svm, cr0);
}

void svm_set_cr4(struct hv_vcpu *vcpu, u64 cr4)
{
	svm_write_cr4(to_svm(vcpu), cr4);
}

void svm_set_efer(struct hv_vcpu *vcpu, u64 efer)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_write_efer(svm, (efer & ~EFER_LMA) | (svm->efer & EFER_LMA));
}

u64 svm_get_rip(struct hv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rip;
}

void svm_set_rip(struct hv_vcpu *vcpu, u64 rip)
{
	to_svm(vcpu)->vmcb->save.rip = rip;
}

u64 svm_get_rflags(struct hv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

void svm_set_rflags(struct hv_vcpu *vcpu, u64 rflags)
{
	to_svm(vcpu)->vmcb->save.rflags = rflags;
}

u64 svm_get_dr7(struct hv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.dr7;
}

void svm_set_dr7(struct hv_vcpu *vcpu, u64 dr7)
{
	to_svm(vcpu)->vmcb->save.dr7 = dr7;
}

void svm_intercept_dr(struct hv_vcpu *vcpu, bool on)
{
	to_svm(vcpu)->vmcb->control.intercept_dr = on ? ~0U : 0;
}

/*
 * The MSRs whose guest values live in the VMCB: VMRUN/#VMEXIT switch some
 * (PAT, DEBUGCTL, FS/GS base), VMLOAD/VMSAVE the others (APM 15.5.2).
 */
static u64 *svm_msr_slot(struct svm_vcpu *svm, u32 index)
{
	struct vmcb_save *save = &svm->vmcb->save;

	switch (index) {
	case MSR_STAR:			return &save->star;
	case MSR_LSTAR:			return &save->lstar;
	case MSR_CSTAR:			return &save->cstar;
	case MSR_SYSCALL_MASK:		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:	return &save->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS:	return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:	return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:	return &save->sysenter_eip;
	case MSR_FS_BASE:		return &save->fs.base;
	case MSR_GS_BASE:		return &save->gs.base;
	case MSR_IA32_CR_PAT:		return &save->g_pat;
	case MSR_IA32_DEBUGCTLMSR:	return &save->dbgctl;
	}
	return NULL;
}

int svm_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 *slot;

	slot = svm_msr_slot(svm, index);
	if (!slot)
		return 1;
	*val = *slot;
	return 0;
}

/* Returns 0, -EINVAL (#GP in the guest) or 1 (not an MSR the VMCB holds). */
int svm_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 *slot;

	slot = svm_msr_slot(svm, index);
	if (!slot)
		return 1;
	switch (index) {
	case MSR_IA32_SYSENTER_CS:
		val = (u32)val;
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		/*
		 * 32 bits wide on AMD (APM vol 2, 6.1.1); as KVM, all 64 are
		 * kept for a guest that does not claim to be an AMD CPU, so
		 * that it can migrate to Intel.
		 */
		val = hv_canonical(val);
		if (hv_cpuid_is_amd_compatible(vcpu))
			val = (u32)val;
		break;
	case MSR_STAR:
	case MSR_SYSCALL_MASK:
		break;
	case MSR_IA32_CR_PAT:
		if (!hv_pat_valid(val))
			return -EINVAL;
		break;
	case MSR_IA32_DEBUGCTLMSR:
		/* hv offers no LBR or BTF: only 0, as on VMX. */
		if (val)
			return -EINVAL;
		break;
	default:
		/* Addresses: LSTAR, CSTAR, KERNEL_GS_BASE, FS/GS base. */
		if (!hv_is_canonical(val))
			return -EINVAL;
	}
	*slot = val;
	return 0;
}

/* The guest's TSC is the host's plus OFFSET (APM 15.30.5). */
void svm_write_tsc_offset(struct hv_vcpu *vcpu, u64 offset)
{
	to_svm(vcpu)->vmcb->control.tsc_offset = offset;
}

static void svm_reset_seg(struct vmcb_seg *s, u16 attrib)
{
	s->selector = 0;
	s->base = 0;
	s->limit = 0xffff;
	s->attrib = attrib;
}

/*
 * The control area, once per vCPU.  Intercepted: physical interrupts and
 * NMIs (the host takes them after #VMEXIT), every port and MSR access
 * (permission maps of all ones), CPUID, HLT, INVD, RDPMC, shutdown, every
 * SVM instruction, RDTSCP, MONITOR/MWAIT, XSETBV; reads and writes of CR0
 * (the guest sees CD/NW as it wrote them, the CPU never has them) and
 * writes of CR4 (and of CR8 with an in-kernel APIC); every debug
 * register access.  CR3 is the guest's own (nested paging), CR8 is the
 * virtual TPR, synchronized around each run.
 * V_INTR_MASKING keeps the guest's RFLAGS.IF from masking the host's
 * interrupts (APM 15.21.1).
 */
static void svm_vcpu_setup(struct hv_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	c->intercept_cr = BIT(0) | BIT(16 + 0) | BIT(16 + 4);
	/*
	 * With an in-kernel local APIC, CR8 writes are its task priority: a
	 * lower one may let a waiting interrupt in, which needs an exit.
	 */
	if (vcpu->x86.apic)
		c->intercept_cr |= BIT(16 + 8);
	c->intercept_dr = ~0U;
	/* #UD: the other vendor's hypercall (hv_x86_handle_ud()). */
	c->intercept_exceptions = BIT(HV_UD_VECTOR);
	c->intercept_misc1 = SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI |
			     SVM_INTERCEPT1_RDPMC | SVM_INTERCEPT1_CPUID |
			     SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_HLT |
			     SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO |
			     SVM_INTERCEPT1_MSR | SVM_INTERCEPT1_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			     SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE |
			     SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
			     SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_RDTSCP |
			     SVM_INTERCEPT2_MONITOR | SVM_INTERCEPT2_MWAIT |
			     SVM_INTERCEPT2_MWAIT_COND | SVM_INTERCEPT2_XSETBV;
	c->iopm_base_pa = svm_config.iopm_pa;
	c->msrpm_base_pa = svm_config.msrpm_pa;
	c->tsc_offset = 0;
	c->asid = 0;		/* given at the first run (svm_new_asid) */
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = vcpu->vm->mmu.root_pa;
	c->clean = 0;		/* the CPU reloads every field at each VMRUN */
}

/* The VMCB state after RESET, as KVM's init_vmcb sets it. */
static void svm_vcpu_reset(struct svm_vcpu *svm)
{
	struct vmcb_save *save = &svm->vmcb->save;
	u16 data = SEG_TYPE_DATA_RW | BIT(SVM_ATTR_S_SHIFT) |
		   BIT(SVM_ATTR_P_SHIFT);

	svm_reset_seg(&save->es, data);
	svm_reset_seg(&save->ss, data);
	svm_reset_seg(&save->ds, data);
	svm_reset_seg(&save->fs, data);
	svm_reset_seg(&save->gs, data);
	svm_reset_seg(&save->cs, SEG_TYPE_CODE_RX | BIT(SVM_ATTR_S_SHIFT) |
				 BIT(SVM_ATTR_P_SHIFT));
	save->cs.selector = 0xf000;
	save->cs.base = 0xffff0000;
	svm_reset_seg(&save->ldtr, SEG_TYPE_LDT | BIT(SVM_ATTR_P_SHIFT));
	svm_reset_seg(&save->tr, SEG_TYPE_BUSY_TSS16 | BIT(SVM_ATTR_P_SHIFT));
	save->gdtr.base = 0;
	save->gdtr.limit = 0xffff;
	save->idtr.base = 0;
	save->idtr.limit = 0xffff;

	save->cpl = 0;
	save->cr2 = 0;
	save->cr3 = 0;
	svm_write_cr4(svm, 0);
	svm_write_efer(svm, 0);
	svm_write_cr0(svm, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->g_pat = PAT_RESET;
}

/*
 * INIT for the VMCB: a fresh control area and the reset state, except that
 * CR0.CD and CR0.NW keep their values (SDM table 10-1, as KVM does).  The
 * vCPU takes a new ASID at its next run.
 */
void svm_vcpu_init(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 cache_bits = svm->cr0 & (X86_CR0_CD | X86_CR0_NW);

	clear_page(svm->vmcb);
	svm_vcpu_setup(vcpu);
	svm_vcpu_reset(svm);
	svm_write_cr0(svm, X86_CR0_ET | cache_bits);
	svm->asid_cpu = -1;
	svm->nmi_masked = false;
	svm->awaiting_iret = false;
	svm->singlestep = false;
}

/*
 * An INIT signal from another processor: as after a shutdown, but PAT and
 * the SYSENTER MSRs keep their values (SDM vol 3, table 10-1) and so does
 * the TSC.
 */
void svm_vcpu_init_event(struct hv_vcpu *vcpu)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	u64 pat = save->g_pat, cs = save->sysenter_cs;
	u64 esp = save->sysenter_esp, eip = save->sysenter_eip;

	svm_vcpu_init(vcpu);
	save->g_pat = pat;
	save->sysenter_cs = cs;
	save->sysenter_esp = esp;
	save->sysenter_eip = eip;
	hv_arch->write_tsc_offset(vcpu, vcpu->x86.tsc_offset);
}

int svm_vcpu_create(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	svm->vmcb = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb_pa = __pa(svm->vmcb);
	svm->asid_cpu = -1;
	vcpu->arch = svm;
	svm_vcpu_setup(vcpu);
	svm_vcpu_reset(svm);
	return 0;
}

void svm_vcpu_free(struct hv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->arch = NULL;
}
