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
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>

#include "vmcs.h"
#include "vmx.h"

/* Access rights at reset (SDM vol 3, table 10-1; KVM's vmx_vcpu_reset). */
#define AR_CODE_RESET	0x9b	/* present, code, execute/read, accessed */
#define AR_DATA_RESET	0x93	/* present, data, read/write, accessed */
#define AR_TSS_BUSY	0x8b	/* present, busy 32-bit TSS */
#define AR_LDT		0x82	/* present, LDT */

/* The PAT value at reset (SDM vol 3, 13.12.4). */
#define PAT_RESET	0x0007040600070406ULL

void vmx_vcpu_load(struct hv_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_load(vmx->vmcs_pa);
	vmx->launched = false;
}

void vmx_vcpu_put(struct hv_vcpu *vcpu)
{
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

	vmx->cr0 = cr0;
	vmcs_writel(GUEST_CR0, hw);
	vmcs_writel(CR0_READ_SHADOW, cr0);
}

static void vmx_write_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmx->cr4 = cr4;
	vmcs_writel(GUEST_CR4, (cr4 | vmx_cr4_fixed0) & vmx_cr4_fixed1);
	vmcs_writel(CR4_READ_SHADOW, cr4);
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
	vmx->efer = sregs->efer;
	vmcs_write64(GUEST_IA32_EFER, sregs->efer);
	vmx_write_cr0(vmx, sregs->cr0);
	vmx_write_cr4(vmx, sregs->cr4);
}

static void vmx_reset_segment(enum hv_seg seg, u16 selector, u64 base,
			      u32 ar)
{
	vmcs_write16(GUEST_SEG_SELECTOR(seg), selector);
	vmcs_writel(GUEST_SEG_BASE(seg), base);
	vmcs_write32(GUEST_SEG_LIMIT(seg), 0xffff);
	vmcs_write32(GUEST_SEG_AR_BYTES(seg), ar);
}

/* The VMCS guest state after RESET, as KVM's vmx_vcpu_reset sets it. */
static void vmx_vcpu_reset(struct vmx_vcpu *vmx)
{
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
	vmx->efer = 0;
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmx_write_cr0(vmx, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	vmx_write_cr4(vmx, 0);

	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write64(GUEST_IA32_PAT, PAT_RESET);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	/* No shadow VMCS: the link pointer must be all ones (SDM 27.3.1.5). */
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
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
	vcpu->arch = vmx;

	preempt_disable();
	errors = this_cpu_read(vmx_insn_errors);
	/* VMCLEAR first: it initializes a new VMCS (SDM 25.11.3). */
	vmcs_clear(vmx->vmcs_pa);
	vmx_vcpu_load(vcpu);
	vmx_vcpu_reset(vmx);
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

	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
	vcpu->arch = NULL;
}
