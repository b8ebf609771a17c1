// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: what is left of the PC's keyboard controller: its reset line.
 * The ACPI tables tell the guest there is no 8042 (acpi.c), so Linux does
 * not probe it, but its reboot still tries the old way: wait for the
 * input buffer to empty (the status port reads 0: always), then command
 * 0xfe, which pulses the CPU's reset line and ends hv-run.
 */
#include "hv-run.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define CMD_RESET	0xfe

static uint32_t i8042_in(struct io_device *dev, uint16_t offset, int size)
{
	return 0;
}

static void i8042_out(struct io_device *dev, uint16_t offset, int size,
		      uint32_t value)
{
	if (offset == I8042_CMD - I8042_DATA && (value & 0xff) == CMD_RESET)
		guest_stop(STATUS_REBOOT);
}

static struct io_device i8042 = {
	.name = "i8042",
	.base = I8042_DATA,
	.len = 5,
	.bytewise = true,
	.in = i8042_in,
	.out = i8042_out,
};

void i8042_init(void)
{
	io_register(&i8042);
}
