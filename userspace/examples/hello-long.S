/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-long: a 64-bit guest.  As an ELF64 executable, hv-run loads it at
 * 1 MiB and enters it in long mode, with paging on and the first 4 GiB
 * identity-mapped; the flat binary made from it runs with --entry long.
 * It prints a line with CR0, CR4 and EFER, writes a byte through the
 * identity map at 2 MiB and reads it back, then halts.
 *
 *	hv-run hello-long.elf
 *	hv-run --entry long hello-long.bin
 */
#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20
#define MSR_EFER	0xc0000080

	.code64
	.text
	.globl _start
_start:
	lea	message(%rip), %rsi
	call	puts
	mov	%cr0, %rax
	call	puthex
	lea	cr4_label(%rip), %rsi
	call	puts
	mov	%cr4, %rax
	call	puthex
	lea	efer_label(%rip), %rsi
	call	puts
	mov	$MSR_EFER, %ecx
	rdmsr
	call	puthex
	lea	mem_label(%rip), %rsi
	call	puts
	movb	$'!', 0x200000		/* memory at 2 MiB, through the page tables */
	movb	0x200000, %al
	call	putc
	mov	$'\n', %al
	call	putc
	hlt

/* Print the NUL-terminated string at RSI. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* Print EAX as 8 hexadecimal digits. */
puthex:
	mov	%eax, %ebx
	mov	$8, %ecx
1:	rol	$4, %ebx
	mov	%ebx, %eax
	and	$0xf, %eax
	lea	hexdigits(%rip), %rdi
	mov	(%rdi,%rax), %al
	call	putc
	loop	1b
	ret

/* Send AL to the UART once it can take it. */
putc:
	push	%rax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	pop	%rax
	mov	$COM1, %dx
	out	%al, %dx
	ret

	.section .rodata
message:
	.asciz	"Hello from long mode! CR0=0x"
cr4_label:
	.asciz	" CR4=0x"
efer_label:
	.asciz	" EFER=0x"
mem_label:
	.asciz	" [2 MiB]="
hexdigits:
	.ascii	"0123456789abcdef"
