// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the debug console at port 0xe9 (Bochs' "port e9 hack", QEMU's
 * isa-debugcon): every byte written goes to standard output; a read
 * returns 0xe9, which is how a guest tells that the port is there.
 */
#include <unistd.h>

#include "hv-run.h"

#define DEBUGCON_PORT	0xe9

static uint32_t debugcon_in(struct io_device *dev, uint16_t offset, int size)
{
	return DEBUGCON_PORT;
}

static void debugcon_out(struct io_device *dev, uint16_t offset, int size,
			 uint32_t value)
{
	uint8_t c = value;

	/* If standard output is gone, the guest cannot be told. */
	(void)!write(STDOUT_FILENO, &c, 1);
}

static struct io_device debugcon = {
	.name = "debugcon",
	.base = DEBUGCON_PORT,
	.len = 1,
	.bytewise = true,
	.in = debugcon_in,
	.out = debugcon_out,
};

void debugcon_init(void)
{
	io_register(&debugcon);
}
