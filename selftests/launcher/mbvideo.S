/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbvideo: a Multiboot kernel that requires a video mode (flag 2), which
 * hv-run cannot give: it must be refused with a message.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 2) | (1 << 16))

	.code32
	.text
	.globl _start
header:
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long	header, header, 0, 0, _start
	.long	0, 640, 480, 32
_start:
	hlt
