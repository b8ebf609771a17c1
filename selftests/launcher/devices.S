/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devices: checks hv-run's devices from inside a 32-bit guest and prints
 * one line per check on the UART; launcher_test.sh compares the output
 * byte for byte and expects exit status (0x2a << 1) | 1 = 85.
 *
 * Standard input must hold a line; the guest echoes it upper-cased.
 */
#define COM1		0x3f8
#define UART_IER	(COM1 + 1)
#define UART_IIR	(COM1 + 2)
#define UART_LCR	(COM1 + 3)
#define UART_MCR	(COM1 + 4)
#define UART_LSR	(COM1 + 5)
#define UART_MSR	(COM1 + 6)
#define UART_SCR	(COM1 + 7)
#define COM2		0x2f8
#define DEBUGCON	0xe9
#define DEBUG_EXIT	0xf4
#define NO_RAM		0xd0000000	/* no memory there: MMIO to hv-run */

	.code32
	.text
	.globl _start
_start:
	/*
	 * Loopback: what is sent comes back to the receiver.  First, before
	 * anything reads the line status and so takes in standard input.
	 */
	mov	$UART_MCR, %dx
	mov	$0x10, %al
	out	%al, %dx
	mov	$COM1, %dx
	mov	$'L', %al
	out	%al, %dx
	mov	$UART_LSR, %dx
	in	%dx, %al
	and	$0x01, %al
	mov	%al, %bl
	mov	$COM1, %dx
	in	%dx, %al
	mov	%al, %bh
	mov	$UART_MCR, %dx
	mov	$0x03, %al
	out	%al, %dx
	cmp	$0x4c01, %bx
	call	report
	.asciz	"loopback"

	/* The scratch register keeps what is written to it. */
	mov	$UART_SCR, %dx
	mov	$0x5a, %al
	out	%al, %dx
	in	%dx, %al
	cmp	$0x5a, %al
	call	report
	.asciz	"scratch register"

	/* With DLAB set, offsets 0 and 1 are the divisor latch. */
	mov	$UART_LCR, %dx
	mov	$0x83, %al
	out	%al, %dx
	mov	$COM1, %dx
	mov	$1, %al			/* 115200 baud */
	out	%al, %dx
	mov	$UART_IER, %dx
	mov	$0, %al
	out	%al, %dx
	mov	$COM1, %dx
	in	%dx, %al
	mov	%al, %bl
	mov	$UART_LCR, %dx
	mov	$0x03, %al
	out	%al, %dx
	cmp	$1, %bl
	call	report
	.asciz	"divisor latch"

	/* No interrupt pending; FIFOs off until FCR enables them. */
	mov	$UART_IIR, %dx
	in	%dx, %al
	cmp	$0x01, %al
	call	report
	.asciz	"IIR without FIFO"

	/* Modem status: carrier, DSR and CTS up. */
	mov	$UART_MSR, %dx
	in	%dx, %al
	cmp	$0xb0, %al
	call	report
	.asciz	"modem status"

	/* The debug console reads back 0xe9 and prints what it is sent. */
	mov	$DEBUGCON, %dx
	in	%dx, %al
	cmp	$0xe9, %al
	call	report
	.asciz	"debugcon present"
	mov	$debugcon_text, %esi
	mov	$DEBUGCON, %dx
	mov	$debugcon_len, %ecx
	rep outsb

	/* A string OUT to the UART: one exit, many bytes. */
	mov	$outs_text, %esi
	mov	$COM1, %dx
	mov	$outs_len, %ecx
	rep outsb

	/* Nobody at COM2: reads see all ones. */
	mov	$COM2, %dx
	in	%dx, %al
	cmp	$0xff, %al
	call	report
	.asciz	"unassigned port"

	/* Outside RAM: writes vanish, reads see all ones. */
	movl	$0x12345678, NO_RAM
	mov	NO_RAM, %eax
	cmp	$0xffffffff, %eax
	call	report
	.asciz	"memory outside RAM"

	/* Echo one line of input, upper-cased. */
	mov	$echo_label, %esi
	call	puts
1:	mov	$UART_LSR, %dx
	in	%dx, %al
	test	$0x01, %al
	jz	1b
	mov	$COM1, %dx
	in	%dx, %al
	cmp	$'a', %al
	jb	2f
	cmp	$'z', %al
	ja	2f
	sub	$0x20, %al
2:	call	putc
	cmp	$'\n', %al
	jne	1b

	/* A word-sized write to the exit port: status (0x2a << 1) | 1. */
	mov	$0x2a, %ax
	mov	$DEBUG_EXIT, %dx
	out	%ax, %dx
	mov	$late, %esi		/* never printed */
	call	puts
	hlt

/*
 * Print "ok NAME" or "FAIL NAME" by the flags of the last compare; NAME is
 * the string after the call, and the return skips it.
 */
report:
	pushf
	mov	4(%esp), %esi
	popf
	mov	$ok, %edi
	je	1f
	mov	$failed, %edi
1:	xchg	%esi, %edi
	call	puts
	xchg	%esi, %edi
	call	puts		/* leaves ESI after the NUL */
	mov	%esi, (%esp)
	mov	$'\n', %al
	jmp	putc

puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

putc:
	push	%eax
	mov	$UART_LSR, %dx
1:	in	%dx, %al
	test	$0x20, %al
	jz	1b
	pop	%eax
	mov	$COM1, %dx
	out	%al, %dx
	ret

	.section .rodata
ok:	.asciz	"ok "
failed:	.asciz	"FAIL "
debugcon_text:
	.ascii	"debugcon output\n"
	debugcon_len = . - debugcon_text
outs_text:
	.ascii	"rep outsb to the UART\n"
	outs_len = . - outs_text
echo_label:
	.asciz	"echo: "
late:	.asciz	"FAIL still running after the debug exit\n"
