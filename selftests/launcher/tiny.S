/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tiny: a 32-bit guest that halts, placed by the linker scripts beside it
 * where hv-run must refuse to load it.
 */
	.code32
	.text
	.globl _start
_start:
	hlt

	.section .other, "a"
	.long	0x12345678, 0x9abcdef0
