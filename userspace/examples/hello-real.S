/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-real: the smallest guest.  hv-run copies it to 0x7c00 (where a
 * PC BIOS puts a boot sector) and starts it in real mode with CS = 0,
 * IP = 0x7c00.  It prints a line on the 16550 UART at 0x3f8 and halts;
 * HLT ends hv-run with status 0.
 *
 *	hv-run hello-real.bin
 */
#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

	.code16
	.text
	.globl _start
_start:
	cld
	mov	$message, %si
next:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %ah
	mov	$COM1_LSR, %dx
wait:	in	%dx, %al		/* wait until the UART takes a byte */
	test	$LSR_THRE, %al
	jz	wait
	mov	%ah, %al
	mov	$COM1, %dx
	out	%al, %dx
	jmp	next
done:
	hlt

message:
	.asciz	"Hello from real mode!\n"
