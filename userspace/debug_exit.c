// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: isa-debug-exit at port 0xf4, as QEMU's device of that name with
 * iobase=0xf4: writing V (any width) ends hv-run with status (V << 1) | 1,
 * so a guest's own exit status is always odd and never collides with
 * hv-run's even ones.  The shell sees the low 8 bits.  Test suites such as
 * kvm-unit-tests write 0 for success, giving status 1.
 */
#include "hv-run.h"

#define DEBUG_EXIT_PORT	0xf4

int debug_exit_status = -1;

static void debug_exit_out(struct io_device *dev, uint16_t offset, int size,
			   uint32_t value)
{
	debug_exit_status = ((value << 1) | 1) & 0xff;
}

static struct io_device debug_exit = {
	.name = "isa-debug-exit",
	.base = DEBUG_EXIT_PORT,
	.len = 1,
	.out = debug_exit_out,
};

void debug_exit_init(void)
{
	io_register(&debug_exit);
}
