/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-protected: a 32-bit guest.  As an ELF32 executable, hv-run loads
 * it at 1 MiB (its link address) and enters it in flat 32-bit protected
 * mode; the flat binary made from it runs with --entry protected.  It
 * prints a line and the value of CR0 on the UART, then halts.
 *
 *	hv-run hello-protected.elf
 *	hv-run --entry protected hello-protected.bin
 */
#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

	.code32
	.text
	.globl _start
_start:
	mov	$message, %esi
	call	puts
	mov	%cr0, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	hlt

/* Print the NUL-terminated string at ESI. */
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
	mov	hexdigits(%eax), %al
	call	putc
	loop	1b
	ret

/* Send AL to the UART once it can take it. */
putc:
	push	%eax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$LSR_THRE, %al
	jz	1b
	pop	%eax
	mov	$COM1, %dx
	out	%al, %dx
	ret

	.section .rodata
message:
	.asciz	"Hello from protected mode! CR0=0x"
newline:
	.asciz	"\n"
hexdigits:
	.ascii	"0123456789abcdef"
