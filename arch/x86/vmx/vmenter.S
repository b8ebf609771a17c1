/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: entering a VMX guest and coming back.
 *
 * int vmx_enter_guest(u64 *regs, unsigned long *cr2, bool launched)
 *
 * @regs holds the guest's general-purpose registers in encoding order
 * (enum hv_gpr; the RSP slot is unused, RSP lives in the VMCS).  VMLAUNCH
 * when the VMCS is in the clear state, VMRESUME when it is launched.
 * Returns 0 after a VM exit and 1 when VMLAUNCH/VMRESUME (or writing the
 * host RIP/RSP) failed, in which case the VM-instruction error field says
 * why.
 *
 * A VM exit loads RIP and RSP from the VMCS host-state area (SDM vol 3,
 * 28.5.1): HOST_RIP is the instruction right after VMLAUNCH/VMRESUME and
 * HOST_RSP the stack pointer at the moment of entry, so a VM exit and a
 * failed entry arrive at the same place with the same stack.  They differ
 * in RFLAGS: a VM exit clears every flag (28.5.3), a failure sets CF or ZF
 * (30.2).  Every other register holds the guest's value at that point and
 * is saved to @regs, then cleared so that no guest value reaches the host
 * speculatively.
 *
 * The guest's CR2 is loaded just before entry and saved just after exit:
 * VMX neither loads nor saves CR2.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* VMCS fields (SDM appendix B.4.4) */
#define HOST_RSP	0x6c14
#define HOST_RIP	0x6c16

/* Offsets in @regs: 8 bytes per register, encoding order. */
#define R_RAX	(0 * 8)
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

	.text
SYM_FUNC_START(vmx_enter_guest)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* @regs, then @cr2: found again after the exit at 8(%rsp), (%rsp). */
	push	%rdi
	push	%rsi

	/* Where a VM exit lands, and with which stack. */
	lea	.Lexit(%rip), %rax
	mov	$HOST_RIP, %ecx
	vmwrite	%rax, %rcx
	jbe	.Lfail_early
	mov	$HOST_RSP, %ecx
	vmwrite	%rsp, %rcx
	jbe	.Lfail_early

	/* The guest's CR2. */
	mov	(%rsi), %rax
	mov	%rax, %cr2

	/* Choose VMLAUNCH or VMRESUME now: MOVs below keep the flags. */
	test	%dl, %dl

	mov	R_RAX(%rdi), %rax
	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi

	jnz	.Lresume
	vmlaunch
	jmp	.Lexit
.Lresume:
	vmresume
.Lexit:
	/*
	 * VM exit (all flags clear) or failed entry (CF or ZF set).  Save
	 * the guest's registers without touching the flags: MOV and POP
	 * leave them alone.
	 */
	push	%rdi
	mov	16(%rsp), %rdi
	mov	%rax, R_RAX(%rdi)
	mov	%rcx, R_RCX(%rdi)
	mov	%rdx, R_RDX(%rdi)
	mov	%rbx, R_RBX(%rdi)
	mov	%rbp, R_RBP(%rdi)
	mov	%rsi, R_RSI(%rdi)
	mov	%r8, R_R8(%rdi)
	mov	%r9, R_R9(%rdi)
	mov	%r10, R_R10(%rdi)
	mov	%r11, R_R11(%rdi)
	mov	%r12, R_R12(%rdi)
	mov	%r13, R_R13(%rdi)
	mov	%r14, R_R14(%rdi)
	mov	%r15, R_R15(%rdi)
	popq	R_RDI(%rdi)

	/* 1 for a failed entry, 0 for a VM exit. */
	setbe	%bl
	movzbl	%bl, %ebx

	/* The guest's CR2, for the record. */
	mov	(%rsp), %rsi
	mov	%cr2, %rax
	mov	%rax, (%rsi)

	/* No guest value stays in a register the host might use. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the host's first RET (Spectre-RSB).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	mov	%ebx, %eax
	jmp	.Lout

.Lfail_early:
	mov	$1, %eax
.Lout:
	add	$16, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_enter_guest)
