/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: VMCS field encodings and typed accessors.
 *
 * Encodings are from the Intel SDM volume 3, appendix B.  Bits 14:13 of an
 * encoding give the field's width (0: 16-bit, 1: 64-bit, 2: 32-bit, 3:
 * natural width); each accessor checks at compile time that it is used on
 * a field of its width.
 *
 * VMREAD and VMWRITE can fail (no current VMCS, a bad field) or fault (not
 * in VMX operation).  Neither is ever ignored: the accessor logs it and
 * counts it in vmx_insn_errors for this CPU, and the code that ran the
 * accessors turns a non-zero count into an error exit.
 */
#ifndef HV_VMCS_H
#define HV_VMCS_H

#include <linux/build_bug.h>
#include <linux/percpu.h>
#include <linux/types.h>

/* 16-bit control fields */
#define VIRTUAL_PROCESSOR_ID		0x0000
/* 16-bit guest-state fields: selectors, ES..TR in enum hv_seg order. */
#define GUEST_ES_SELECTOR		0x0800
/* 16-bit host-state fields */
#define HOST_ES_SELECTOR		0x0c00
#define HOST_CS_SELECTOR		0x0c02
#define HOST_SS_SELECTOR		0x0c04
#define HOST_DS_SELECTOR		0x0c06
#define HOST_FS_SELECTOR		0x0c08
#define HOST_GS_SELECTOR		0x0c0a
#define HOST_TR_SELECTOR		0x0c0c
/* 64-bit control fields */
#define TSC_OFFSET			0x2010
#define EPT_POINTER			0x201a
/* 64-bit read-only data */
#define GUEST_PHYSICAL_ADDRESS		0x2400
/* 64-bit guest-state fields */
#define VMCS_LINK_POINTER		0x2800
#define GUEST_IA32_DEBUGCTL		0x2802
#define GUEST_IA32_PAT			0x2804
#define GUEST_IA32_EFER			0x2806
#define GUEST_PDPTR0			0x280a	/* PDPTR1..3 follow, 2 apart */
/* 64-bit host-state fields */
#define HOST_IA32_PAT			0x2c00
#define HOST_IA32_EFER			0x2c02
/* 32-bit control fields */
#define PIN_BASED_VM_EXEC_CONTROL	0x4000
#define CPU_BASED_VM_EXEC_CONTROL	0x4002
#define EXCEPTION_BITMAP		0x4004
#define PAGE_FAULT_ERROR_CODE_MASK	0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH	0x4008
#define CR3_TARGET_COUNT		0x400a
#define VM_EXIT_CONTROLS		0x400c
#define VM_EXIT_MSR_STORE_COUNT		0x400e
#define VM_EXIT_MSR_LOAD_COUNT		0x4010
#define VM_ENTRY_CONTROLS		0x4012
#define VM_ENTRY_MSR_LOAD_COUNT		0x4014
#define VM_ENTRY_INTR_INFO_FIELD	0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE	0x4018
#define VM_ENTRY_INSTRUCTION_LEN	0x401a
#define SECONDARY_VM_EXEC_CONTROL	0x401e
/* 32-bit read-only data */
#define VM_INSTRUCTION_ERROR		0x4400
#define VM_EXIT_REASON			0x4402
#define VM_EXIT_INTR_INFO		0x4404
#define VM_EXIT_INTR_ERROR_CODE		0x4406
#define IDT_VECTORING_INFO_FIELD	0x4408
#define IDT_VECTORING_ERROR_CODE	0x440a
#define VM_EXIT_INSTRUCTION_LEN		0x440c
#define VMX_INSTRUCTION_INFO		0x440e
/* 32-bit guest-state fields: limits and access rights, enum hv_seg order */
#define GUEST_ES_LIMIT			0x4800
#define GUEST_GDTR_LIMIT		0x4810
#define GUEST_IDTR_LIMIT		0x4812
#define GUEST_ES_AR_BYTES		0x4814
#define GUEST_INTERRUPTIBILITY_INFO	0x4824
#define GUEST_ACTIVITY_STATE		0x4826
#define GUEST_SYSENTER_CS		0x482a
/* 32-bit host-state fields */
#define HOST_IA32_SYSENTER_CS		0x4c00
/* natural-width read-only data */
#define EXIT_QUALIFICATION		0x6400
#define GUEST_LINEAR_ADDRESS		0x640a
/* natural-width control fields */
#define CR0_GUEST_HOST_MASK		0x6000
#define CR4_GUEST_HOST_MASK		0x6002
#define CR0_READ_SHADOW			0x6004
#define CR4_READ_SHADOW			0x6006
/* natural-width guest-state fields */
#define GUEST_CR0			0x6800
#define GUEST_CR3			0x6802
#define GUEST_CR4			0x6804
#define GUEST_ES_BASE			0x6806
#define GUEST_GDTR_BASE			0x6816
#define GUEST_IDTR_BASE			0x6818
#define GUEST_DR7			0x681a
#define GUEST_RSP			0x681c
#define GUEST_RIP			0x681e
#define GUEST_RFLAGS			0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS	0x6822
#define GUEST_SYSENTER_ESP		0x6824
#define GUEST_SYSENTER_EIP		0x6826
/* natural-width host-state fields */
#define HOST_CR0			0x6c00
#define HOST_CR3			0x6c02
#define HOST_CR4			0x6c04
#define HOST_FS_BASE			0x6c06
#define HOST_GS_BASE			0x6c08
#define HOST_TR_BASE			0x6c0a
#define HOST_GDTR_BASE			0x6c0c
#define HOST_IDTR_BASE			0x6c0e
#define HOST_IA32_SYSENTER_ESP		0x6c10
#define HOST_IA32_SYSENTER_EIP		0x6c12
#define HOST_RSP			0x6c14
#define HOST_RIP			0x6c16

/* The per-segment fields are 2 apart, in enum hv_seg order. */
#define GUEST_SEG_SELECTOR(seg)		(GUEST_ES_SELECTOR + 2 * (seg))
#define GUEST_SEG_LIMIT(seg)		(GUEST_ES_LIMIT + 2 * (seg))
#define GUEST_SEG_AR_BYTES(seg)		(GUEST_ES_AR_BYTES + 2 * (seg))
#define GUEST_SEG_BASE(seg)		(GUEST_ES_BASE + 2 * (seg))

/* Segment access rights (SDM 25.4.1, table 25-2) */
#define VMX_AR_UNUSABLE			BIT(16)

#define VMCS_WIDTH(field)		(((field) >> 13) & 3)
#define VMCS_WIDTH_16			0
#define VMCS_WIDTH_64			1
#define VMCS_WIDTH_32			2
#define VMCS_WIDTH_NATURAL		3

#define VMCS_CHECK_WIDTH(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 VMCS_WIDTH(field) != (width),			\
			 "VMCS accessor of the wrong width for the field")

DECLARE_PER_CPU(unsigned int, vmx_insn_errors);

unsigned long __vmcs_read(unsigned long field);
void __vmcs_write(unsigned long field, unsigned long value);

static __always_inline u16 vmcs_read16(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16);
	return __vmcs_read(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32);
	return __vmcs_read(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_writel(unsigned long field,
					unsigned long value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL);
	__vmcs_write(field, value);
}

#endif /* HV_VMCS_H */
