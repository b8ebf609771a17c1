/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: entering an SVM guest and coming back.
 *
 * void svm_enter_guest(u64 vmcb_pa, u64 *regs, u64 host_save_pa)
 *
 * Called with interrupts disabled and GIF clear (CLGI).  @regs holds the
 * guest's general-purpose registers in encoding order (enum hv_gpr); RAX
 * and RSP live in the VMCB, which VMRUN loads and #VMEXIT saves.
 *
 * VMRUN saves only part of the host's state (APM vol 2, 15.5.1): the rest
 * (FS, GS, TR and LDTR with their hidden parts, KERNEL_GS_BASE, STAR,
 * LSTAR, CSTAR, SFMASK, SYSENTER_*) is switched here with VMSAVE and
 * VMLOAD: the host's go to @host_save_pa, the guest's come from its VMCB
 * and go back to it after the exit (15.5.2).  Until the host's are loaded
 * again nothing may use the per-CPU area (GS base): GIF is clear, so no
 * interrupt or NMI can arrive.
 *
 * RFLAGS.IF is set around VMRUN so that physical interrupts are
 * intercepted while the guest runs (with V_INTR_MASKING the host's IF,
 * saved by VMRUN, is the one that masks them, 15.21.1); GIF keeps them
 * pending until the caller's STGI.  The STI is not the instruction
 * right before VMRUN: AMD CPUs can carry its shadow into the guest when
 * an event delivered during VMRUN exits (KVM's svm_vcpu_enter_exit()
 * says so), and QEMU's SVM always does, so the guest's first instruction
 * would run in an interrupt shadow it never had.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets in @regs: 8 bytes per register, encoding order. */
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
SYM_FUNC_START(svm_enter_guest)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* Found again after the exit: 16(%rsp) @regs, 8 host save, 0 VMCB. */
	push	%rsi
	push	%rdx
	push	%rdi

	/* The host's FS, GS, TR, LDTR and system-call MSRs. */
	mov	%rdx, %rax
	vmsave	%rax

	/* The guest's, and its registers; RAX is the VMCB's address. */
	mov	%rdi, %rax
	vmload	%rax
	mov	%rsi, %rax
	mov	R_RCX(%rax), %rcx
	mov	R_RDX(%rax), %rdx
	mov	R_RBX(%rax), %rbx
	mov	R_RBP(%rax), %rbp
	mov	R_RSI(%rax), %rsi
	mov	R_RDI(%rax), %rdi
	mov	R_R8(%rax), %r8
	mov	R_R9(%rax), %r9
	mov	R_R10(%rax), %r10
	mov	R_R11(%rax), %r11
	mov	R_R12(%rax), %r12
	mov	R_R13(%rax), %r13
	mov	R_R14(%rax), %r14
	mov	R_R15(%rax), %r15
	/*
	 * Not STI right before VMRUN: the CPU would carry the STI shadow
	 * into the guest (its first instruction could not be interrupted,
	 * and #VMEXIT would report the shadow as the guest's).
	 */
	sti
	mov	(%rsp), %rax
1:	vmrun	%rax
2:	cli

	/* RAX and RSP are the host's again (VMRUN saved them). */
	vmsave	%rax
	mov	16(%rsp), %rax
	mov	%rcx, R_RCX(%rax)
	mov	%rdx, R_RDX(%rax)
	mov	%rbx, R_RBX(%rax)
	mov	%rbp, R_RBP(%rax)
	mov	%rsi, R_RSI(%rax)
	mov	%rdi, R_RDI(%rax)
	mov	%r8, R_R8(%rax)
	mov	%r9, R_R9(%rax)
	mov	%r10, R_R10(%rax)
	mov	%r11, R_R11(%rax)
	mov	%r12, R_R12(%rax)
	mov	%r13, R_R13(%rax)
	mov	%r14, R_R14(%rax)
	mov	%r15, R_R15(%rax)

	mov	8(%rsp), %rax
	vmload	%rax

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

	/* Overwrite the guest's return-stack-buffer entries (Spectre-RSB). */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

	/*
	 * VMRUN faults only if SVM was turned off under us (an emergency
	 * reboot): carry on as after an exit, the exit code is stale.
	 */
	_ASM_EXTABLE(1b, 2b)
SYM_FUNC_END(svm_enter_guest)
