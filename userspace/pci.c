// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: a PCI host with nothing on it.  Configuration mechanism #1 is
 * there (the address register at 0xcf8 keeps what a 32-bit write puts in
 * it, so the guest finds the mechanism), and every configuration read
 * through 0xcfc-0xcff is all ones: no device at any address, as on a bus
 * with every slot empty.  The byte at 0xcf9 is the chipset's reset
 * control register: a write with RST_CPU (bit 2) set resets the machine,
 * which ends hv-run (the FADT names it as the ACPI reset register).
 */
#include "hv-run.h"

#define PCI_CONFIG_ADDR	0xcf8
#define RESET_CONTROL	0xcf9
#define RST_CPU		0x04

static uint32_t config_addr;

static uint32_t pci_in(struct io_device *dev, uint16_t offset, int size)
{
	if (offset == 0 && size == 4)
		return config_addr;
	if (offset == RESET_CONTROL - PCI_CONFIG_ADDR && size == 1)
		return 0;
	return size == 4 ? 0xffffffff : (1U << (8 * size)) - 1;
}

static void pci_out(struct io_device *dev, uint16_t offset, int size,
		    uint32_t value)
{
	if (offset == 0 && size == 4)
		config_addr = value & 0x80fffffc;
	else if (offset == RESET_CONTROL - PCI_CONFIG_ADDR && size == 1 &&
		 (value & RST_CPU))
		guest_stop(STATUS_REBOOT);
}

static struct io_device pci = {
	.name = "pci",
	.base = PCI_CONFIG_ADDR,
	.len = 8,
	.in = pci_in,
	.out = pci_out,
};

void pci_init(void)
{
	io_register(&pci);
}
