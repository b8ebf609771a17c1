/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Multiboot header and entry of mbkernel.  A Multiboot loader enters
 * here in 32-bit protected mode, paging off, with EAX = 0x2badb002 and
 * EBX = the physical address of the Multiboot information; the stack is
 * the kernel's own business.
 *
 * Built twice: as an ELF file (the loader reads the program headers), and
 * with -DAOUT_KLUDGE as a flat file whose header carries the load
 * addresses (Multiboot header flag 16).
 */
#define MB_MAGIC	0x1badb002
#define MB_PAGE_ALIGN	(1 << 0)
#define MB_MEMORY_INFO	(1 << 1)
#define MB_AOUT_KLUDGE	(1 << 16)

#ifdef AOUT_KLUDGE
#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE)
#else
#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMORY_INFO)
#endif

	.section .multiboot, "a"
	.balign	4
header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
#ifdef AOUT_KLUDGE
	.long	header		/* header_addr */
	.long	_load_start	/* load_addr */
	.long	_load_end	/* load_end_addr */
	.long	_bss_end	/* bss_end_addr */
	.long	_start		/* entry_addr */
#endif

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	push	%ebx		/* the Multiboot information */
	push	%eax		/* the magic */
	call	kmain
1:	hlt
	jmp	1b

	.bss
	.balign	16
	.skip	8192
stack_top:
