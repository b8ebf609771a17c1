// SPDX-License-Identifier: GPL-2.0
/*
 * hv: a VMX vCPU's state in its VMCS.
 *
 * A vCPU's VMCS is current on a CPU only while a vCPU ioctl runs there with
 * preemption disabled: vmx_vcpu_load() makes it current (VMPTRLD) and
 * vmx_vcpu_put() flushes it back to memory (VMCLEAR).  So a VMCS is never
 * left cached on a CPU the thread has left, and a CPU going offline never
 * holds one.
 *
 * Registers are reported as KVM's VMX backend reports them (KVM_GET_SREGS
 * on kvm_intel), so that clients see the same values on hv and KVM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>

#include "../hv_x86.h"
#include "vmcs.h"
#include "vmx.h"
#include "vmx_caps.h"

/* Access rights at reset (SDM vol 3, table 10-1; KVM's vmx_vcpu_reset). */
#define AR_CODE_RESET	0x9b	/* present, code, execute/read, accessed */
#define AR_DATA_RESET	0x93	/* present, data, read/write, accessed */
#define AR_TSS_BUSY	0x8b	/* present, busy 32-bit TSS */
#define AR_LDT		0x82	/* present, LDT */

/* The PAT value at reset (SDM vol 3, 13.12.4). */
#define PAT_RESET	0x0007040600070406ULL

/*
 * The host state a VM exit loads that differs between CPUs or threads
 * (SDM vol 3, 27.2.3 and 28.5): the TSS, GDT and IDT of this CPU, its
 * per-CPU GS base and SYSENTER stack, the thread's FS base.
 */
static void vmx_set_cpu_host_state(void)
{
	struct desc_ptr gdt, idt;
	struct ldttss_desc *tss;
	unsigned long fs_base, gs_base;
	u64 sysenter_esp;
	u16 tr;

	native_store_gdt(&gdt);
	store_idt(&idt);
	asm volatile("str %0" : "=r" (tr));
	tss = (struct ldttss_desc *)(gdt.address + (tr & ~7));
	vmcs_writel(HOST_TR_BASE, tss->base0 | ((u64)tss->base1 << 16) |
		    ((u64)tss->base2 << 24) | ((u64)tss->base3 << 32));
	vmcs_writel(HOST_GDTR_BASE, gdt.address);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_FS_BASE, fs_base);
	rdmsrl(MSR_GS_BASE, gs_base);
	vmcs_writel(HOST_FS_BASE, fs_base);
	vmcs_writel(HOST_GS_BASE, gs_base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, sysenter_esp);
}

/*
 * VPIDs in use (1..65535; 0 is the host's).  A vCPU's TLB entries stay on
 * each CPU it ran on, tagged with its VPID: vmx_vcpu_load() flushes them
 * whenever the vCPU arrives on a CPU other than the one it last ran on, so
 * neither its own stale entries (from an earlier stay) nor those of a
 * freed vCPU whose VPID it inherited are ever used.
 */
static DEFINE_IDA(vmx_vpids);

void vmx_vcpu_load(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int cpu = smp_processor_id();

	if (vmx->vpid && vmx->last_cpu != cpu)
		vmx->flush_vpid = true;
	vmx->last_cpu = cpu;
	vmcs_load(vmx->vmcs_pa);
	vmx->launched = false;
	vmx->host_saved = false;
	vmx->host.cr3 = 0;
	vmx->host.cr4 = 0;
	vmx_set_cpu_host_state();
}

void vmx_vcpu_put(struct hv_vcpu *vcpu)
{
	vmx_put_host_state(vcpu);
	hv_x86_put_guest_msrs(vcpu);
	vmcs_clear(to_vmx(vcpu)->vmcs_pa);
}

void vmx_get_segment(struct hv_vcpu *vcpu, struct hv_segment *var,
		     enum hv_seg seg)
{
	u32 ar = vmcs_read32(GUEST_SEG_AR_BYTES(seg));

	var->base = vmcs_readl(GUEST_SEG_BASE(seg));
	var->limit = vmcs_read32(GUEST_SEG_LIMIT(seg));
	var->selector = vmcs_read16(GUEST_SEG_SELECTOR(seg));
	var->unusable = !!(ar & VMX_AR_UNUSABLE);
	var->type = ar & 15;
	var->s = (ar >> 4) & 1;
	var->dpl = (ar >> 5) & 3;
	/* A usable segment is present (SDM 27.3.1.2), so KVM derives it. */
	var->present = !var->unusable;
	var->avl = (ar >> 12) & 1;
	var->l = (ar >> 13) & 1;
	var->db = (ar >> 14) & 1;
	var->g = (ar >> 15) & 1;
	var->padding = 0;
}

void vmx_set_segment(struct hv_vcpu *vcpu, const struct hv_segment *var,
		     enum hv_seg seg)
{
	u8 type = var->type;
	u32 ar;

	/*
	 * With unrestricted guest, VM entry requires the accessed bit in
	 * every usable segment but LDTR (SDM 27.3.1.2); KVM sets it for
	 * clients that leave it clear, and so does hv.
	 */
	if (seg != HV_LDTR)
		type |= 1;
	if (var->unusable || !var->present)
		ar = VMX_AR_UNUSABLE;
	else
		ar = (type & 15) | (var->s & 1) << 4 | (var->dpl & 3) << 5 |
		     1 << 7 | (var->avl & 1) << 12 | (var->l & 1) << 13 |
		     (var->db & 1) << 14 | (var->g & 1) << 15;

	vmcs_writel(GUEST_SEG_BASE(seg), var->base);
	vmcs_write32(GUEST_SEG_LIMIT(seg), var->limit);
	vmcs_write16(GUEST_SEG_SELECTOR(seg), var->selector);
	vmcs_write32(GUEST_SEG_AR_BYTES(seg), ar);
}

void vmx_get_dtable(struct hv_vcpu *vcpu, struct hv_dtable *dt, bool gdt)
{
	dt->base = vmcs_readl(gdt ? GUEST_GDTR_BASE : GUEST_IDTR_BASE);
	dt->limit = vmcs_read32(gdt ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT);
}

void vmx_set_dtable(struct hv_vcpu *vcpu, const struct hv_dtable *dt,
		    bool gdt)
{
	vmcs_writel(gdt ? GUEST_GDTR_BASE : GUEST_IDTR_BASE, dt->base);
	vmcs_write32(gdt ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT, dt->limit);
}

void vmx_get_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 *rsp, u64 *rip,
			    u64 *rflags)
{
	*rsp = vmcs_readl(GUEST_RSP);
	*rip = vmcs_readl(GUEST_RIP);
	*rflags = vmcs_readl(GUEST_RFLAGS);
}

void vmx_set_rsp_rip_rflags(struct hv_vcpu *vcpu, u64 rsp, u64 rip,
			    u64 rflags)
{
	vmcs_writel(GUEST_RSP, rsp);
	vmcs_writel(GUEST_RIP, rip);
	vmcs_writel(GUEST_RFLAGS, rflags);
}

/*
 * The guest's CR0 and CR4 are what it wrote (kept here and in the read
 * shadows); the VMCS fields carry them adjusted to what VMX operation
 * requires (SDM 24.8, A.7, A.8): the bits fixed to 1 (but PE and PG, which
 * unrestricted guest frees), and never CD or NW, so a guest cannot turn
 * caching off for the host's memory.
 */
static void vmx_write_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 hw = (cr0 | (vmx_cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG))) &
		 vmx_cr0_fixed1 & ~(u64)(X86_CR0_CD | X86_CR0_NW);

	/*
	 * A MOV to CR0 that exits to hv does not flush the TLB as the
	 * instruction would (PG, WP, CD changes): hv flushes the VPID.
	 */
	vmx->flush_vpid = true;
	vmx->cr0 = cr0;
	vmcs_writel(GUEST_CR0, hw);
	vmcs_writel(CR0_READ_SHADOW, cr0);
}

static void vmx_write_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmx->flush_vpid = true;	/* PGE, PAE, PSE, PCIDE, SMEP... */
	vmx->cr4 = cr4;
	vmcs_writel(GUEST_CR4, (cr4 | vmx_cr4_fixed0) & vmx_cr4_fixed1);
	vmcs_writel(CR4_READ_SHADOW, cr4);
}

/* VM entry runs the guest in IA-32e mode exactly when EFER.LMA is set. */
static void vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmx->efer = efer;
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmx->entry_ctls |= HV_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctls &= ~HV_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, vmx->entry_ctls);
}

void vmx_get_sys(struct hv_vcpu *vcpu, struct hv_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	sregs->cr0 = vmx->cr0;
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmcs_readl(GUEST_CR3);
	sregs->cr4 = vmx->cr4;
	sregs->efer = vmx->efer;
}

void vmx_set_sys(struct hv_vcpu *vcpu, const struct hv_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->cr2 = sregs->cr2;
	vmcs_writel(GUEST_CR3, sregs->cr3);
	vmx_write_efer(vmx, sregs->efer);
	vmx_write_cr0(vmx, sregs->cr0);
	vmx_write_cr4(vmx, sregs->cr4);
}

/* A guest's MOV to CR0, already checked; EFER.LMA follows (hv_x86.h). */
void vmx_set_cr0(struct hv_vcpu *vcpu, u64 cr0)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 efer = hv_efer_after_cr0(vmx->efer, vmx->cr0, cr0);

	if (efer != vmx->efer)
		vmx_write_efer(vmx, efer);
	vmx_write_cr0(vmx, cr0);
}

void vmx_set_cr4(struct hv_vcpu *vcpu, u64 cr4)
{
	vmx_write_cr4(to_vmx(vcpu), cr4);
}

void vmx_set_efer(struct hv_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_write_efer(vmx, (efer & ~EFER_LMA) | (vmx->efer & EFER_LMA));
}

u64 vmx_get_rip(struct hv_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RIP);
}

void vmx_set_rip(struct hv_vcpu *vcpu, u64 rip)
{
	vmcs_writel(GUEST_RIP, rip);
}

u64 vmx_get_rflags(struct hv_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RFLAGS);
}

void vmx_set_rflags(struct hv_vcpu *vcpu, u64 rflags)
{
	vmcs_writel(GUEST_RFLAGS, rflags);
}

u64 vmx_get_dr7(struct hv_vcpu *vcpu)
{
	return vmcs_readl(GUEST_DR7);
}

void vmx_set_dr7(struct hv_vcpu *vcpu, u64 dr7)
{
	vmcs_writel(GUEST_DR7, dr7);
}

/* The vCPU's VMCS is current: called from its run, preemption off. */
void vmx_intercept_dr(struct hv_vcpu *vcpu, bool on)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);

	if (on)
		proc |= HV_CPU_BASED_MOV_DR_EXITING;
	else
		proc &= ~HV_CPU_BASED_MOV_DR_EXITING;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
}

/* PAE paging with EPT: VM entry loads the PDPTEs from the VMCS (26.3.2.4). */
void vmx_load_pdptrs(struct hv_vcpu *vcpu, const u64 *pdptrs)
{
	int i;

	for (i = 0; i < 4; i++)
		vmcs_write64(GUEST_PDPTR0 + 2 * i, pdptrs[i]);
}

/* The MSRs whose guest values live in the VMCS. */
int vmx_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_FS_BASE:
		*val = vmcs_readl(GUEST_SEG_BASE(HV_FS));
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_readl(GUEST_SEG_BASE(HV_GS));
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read64(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*val = vmcs_read64(GUEST_IA32_DEBUGCTL);
		return 0;
	}
	return 1;
}

/* Returns 0, -EINVAL (#GP in the guest) or 1 (not an MSR the VMCS holds). */
int vmx_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	switch (index) {
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(GUEST_SYSENTER_ESP, hv_canonical(val));
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(GUEST_SYSENTER_EIP, hv_canonical(val));
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!hv_is_canonical(val))
			return -EINVAL;
		vmcs_writel(GUEST_SEG_BASE(index == MSR_FS_BASE ? HV_FS : HV_GS),
			    val);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!hv_pat_valid(val))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, val);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* hv offers no branch tracing: only 0 is accepted. */
		return val ? -EINVAL : 0;
	}
	return 1;
}

/* The guest's TSC is the host's plus OFFSET (SDM vol 3, 26.6.5). */
void vmx_write_tsc_offset(struct hv_vcpu *vcpu, u64 offset)
{
	vmcs_write64(TSC_OFFSET, offset);
}

static void vmx_reset_segment(enum hv_seg seg, u16 selector, u64 base,
			      u32 ar)
{
	vmcs_write16(GUEST_SEG_SELECTOR(seg), selector);
	vmcs_writel(GUEST_SEG_BASE(seg), base);
	vmcs_write32(GUEST_SEG_LIMIT(seg), 0xffff);
	vmcs_write32(GUEST_SEG_AR_BYTES(seg), ar);
}

/*
 * The execution controls (SDM 25.6-25.8).  The guest owns no bit of CR0
 * or CR4: every write exits and is checked and applied by hv, and reads
 * come from the read shadows.  Every RDMSR/WRMSR exits (no MSR bitmap),
 * every port access exits (unconditional I/O exiting), no exception does.
 */
static void vmx_vcpu_setup(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_config.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_config.proc);
	if (vmx->vpid) {
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL,
			     vmx_config.proc2 | HV_SECONDARY_ENABLE_VPID);
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	} else {
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL, vmx_config.proc2);
	}
	vmcs_write32(VM_EXIT_CONTROLS, vmx_config.exit);
	vmx->entry_ctls = vmx_config.entry;
	vmcs_write32(VM_ENTRY_CONTROLS, vmx->entry_ctls);
	/* #UD: the other vendor's hypercall (hv_x86_handle_ud()). */
	vmcs_write32(EXCEPTION_BITMAP, BIT(HV_UD_VECTOR));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_writel(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~0UL);
	vmcs_write64(TSC_OFFSET, 0);
	vmcs_write64(EPT_POINTER, vcpu->vm->mmu.root_pa | HV_EPTP_WB_4LEVEL);
	vmx_set_constant_host_state();
}

/*
 * The VMCS guest state after RESET, as KVM's vmx_vcpu_reset sets it, or
 * after INIT (@init), which keeps CR0.CD/NW, PAT, DEBUGCTL and the
 * SYSENTER MSRs (SDM vol 3, table 10-1).
 */
static void vmx_vcpu_reset(struct vmx_vcpu *vmx, bool init)
{
	u64 cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;

	if (init)
		cr0 = X86_CR0_ET | (vmx->cr0 & (X86_CR0_CD | X86_CR0_NW));
	vmx_reset_segment(HV_CS, 0xf000, 0xffff0000, AR_CODE_RESET);
	vmx_reset_segment(HV_DS, 0, 0, AR_DATA_RESET);
	vmx_reset_segment(HV_ES, 0, 0, AR_DATA_RESET);
	vmx_reset_segment(HV_FS, 0, 0, AR_DATA_RESET);
	vmx_reset_segment(HV_GS, 0, 0, AR_DATA_RESET);
	vmx_reset_segment(HV_SS, 0, 0, AR_DATA_RESET);
	vmx_reset_segment(HV_TR, 0, 0, AR_TSS_BUSY);
	vmx_reset_segment(HV_LDTR, 0, 0, AR_LDT);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmx->cr2 = 0;
	vmcs_writel(GUEST_CR3, 0);
	vmx_write_efer(vmx, 0);
	vmx_write_cr0(vmx, cr0);
	vmx_write_cr4(vmx, 0);

	vmcs_writel(GUEST_DR7, 0x400);
	if (!init) {
		vmcs_write64(GUEST_IA32_PAT, PAT_RESET);
		vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
		vmcs_write32(GUEST_SYSENTER_CS, 0);
		vmcs_writel(GUEST_SYSENTER_ESP, 0);
		vmcs_writel(GUEST_SYSENTER_EIP, 0);
	}
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	/* No shadow VMCS: the link pointer must be all ones (SDM 27.3.1.5). */
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
}

/* An INIT signal; the vCPU is loaded. */
void vmx_vcpu_init_event(struct hv_vcpu *vcpu)
{
	vmx_vcpu_reset(to_vmx(vcpu), true);
}

int vmx_vcpu_create(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	unsigned int errors;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	*(u32 *)vmx->vmcs = vmx_revision_id;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->last_cpu = -1;
	/* Out of VPIDs, the vCPU runs without one (flushed at each entry). */
	if (vmx_config.invvpid_type) {
		int vpid = ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);

		if (vpid > 0)
			vmx->vpid = vpid;
	}
	vcpu->arch = vmx;

	preempt_disable();
	errors = this_cpu_read(vmx_insn_errors);
	/* VMCLEAR first: it initializes a new VMCS (SDM 25.11.3). */
	vmcs_clear(vmx->vmcs_pa);
	vmx_vcpu_load(vcpu);
	vmx_vcpu_setup(vcpu);
	vmx_vcpu_reset(vmx, false);
	vmx_vcpu_put(vcpu);
	errors = this_cpu_read(vmx_insn_errors) - errors;
	preempt_enable();

	if (errors) {
		vmx_vcpu_free(vcpu);
		return -EIO;
	}
	return 0;
}

void vmx_vcpu_free(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->vpid)
		ida_free(&vmx_vpids, vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
	vcpu->arch = NULL;
}
