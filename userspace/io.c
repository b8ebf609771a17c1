// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the port I/O bus.  A KVM_EXIT_IO hands over COUNT items of SIZE
 * bytes (more than one for INS/OUTS with REP); each goes to the device
 * that owns the port.  Ports nobody owns read as all ones and ignore
 * writes, as on a PC.  The caller holds bus_lock.
 */
#include <string.h>

#include "hv-run.h"

#define MAX_DEVICES	16

static struct io_device *devices[MAX_DEVICES];
static int nr_devices;

void io_register(struct io_device *dev)
{
	if (nr_devices == MAX_DEVICES)
		fail("too many devices");
	devices[nr_devices++] = dev;
}

static struct io_device *io_find(uint16_t port)
{
	int i;

	for (i = 0; i < nr_devices; i++)
		if (port >= devices[i]->base &&
		    port - devices[i]->base < devices[i]->len)
			return devices[i];
	return NULL;
}

/* One access of SIZE bytes at PORT; a byte-wide device sees each byte. */
static uint32_t io_access(uint16_t port, int size, bool write, uint32_t value)
{
	struct io_device *dev = io_find(port);
	uint32_t result = 0;
	int i;

	if (dev && dev->bytewise && size > 1) {
		for (i = 0; i < size; i++)
			result |= io_access(port + i, 1, write,
					    value >> (8 * i)) << (8 * i);
		return result;
	}
	if (!dev)
		return write ? 0 : 0xffffffff;
	if (write) {
		if (dev->out)
			dev->out(dev, port - dev->base, size, value);
		return 0;
	}
	return dev->in ? dev->in(dev, port - dev->base, size) : 0xffffffff;
}

void io_exit(struct vcpu *v)
{
	__typeof__(v->run->io) *pio = &v->run->io;
	uint8_t *data = (uint8_t *)v->run + pio->data_offset;
	bool write = pio->direction == HV_EXIT_IO_OUT;
	int size = pio->size;
	uint32_t i, value;

	for (i = 0; i < pio->count; i++, data += size) {
		value = 0;
		if (write)
			memcpy(&value, data, size);
		value = io_access(pio->port, size, write, value);
		if (!write)
			memcpy(data, &value, size);
		if (debug_exit_status >= 0)
			break;
	}
}
