// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: SMBIOS (DMI) tables, version 2.8 with a 32-bit entry point at
 * 0xf0000, where a guest looks for "_SM_" (the DMTF's SMBIOS reference
 * specification, DSP0134): the BIOS (type 0), the system (type 1) and
 * the end (type 127).  Linux prints the system in its "DMI:" line and
 * reads the BIOS date to decide what it may assume of the machine: a
 * date from 2001 on lets it use PCI configuration mechanism #1 on a bus
 * with nothing on it (pci.c) without looking for a host bridge first.
 */
#include <string.h>

#include "hv-run.h"

#define SMBIOS_ADDR	0xf0000ULL
#define SMBIOS_TABLES	(SMBIOS_ADDR + 0x20)

struct smbios_entry {
	char anchor[4];		/* "_SM_" */
	uint8_t checksum;
	uint8_t length;		/* 0x1f */
	uint8_t major, minor;
	uint16_t max_structure;
	uint8_t revision;
	uint8_t formatted[5];
	char dmi_anchor[5];	/* "_DMI_" */
	uint8_t dmi_checksum;
	uint16_t table_length;
	uint32_t table_address;
	uint16_t structures;
	uint8_t bcd_revision;
} __packed;

/*
 * The structures, each its formatted part then its strings (1-based,
 * each NUL-terminated, a second NUL after the last).
 */
static const uint8_t tables[] = {
	/* Type 0, BIOS information: 24 bytes, handle 0 */
	0, 24, 0x00, 0x00,
	1, 2,			/* vendor, version */
	0x00, 0xe8,		/* starting segment 0xe800 */
	3,			/* release date */
	0,			/* ROM size: 64 KiB */
	0x08, 0, 0, 0, 0, 0, 0, 0,	/* characteristics not supported */
	0x00, 0x10,		/* extension: a virtual machine (byte 2 bit 4) */
	0, 1,			/* BIOS release 0.1 */
	0xff, 0xff,		/* no embedded controller */
	'h', 'v', '-', 'r', 'u', 'n', 0,
	'0', '.', '1', 0,
	'0', '1', '/', '0', '1', '/', '2', '0', '2', '6', 0,
	0,
	/* Type 1, system information: 27 bytes, handle 1 */
	1, 27, 0x01, 0x00,
	1, 2, 0, 0,		/* manufacturer, product, no version, serial */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* UUID: none */
	0x06,			/* wake-up type: power switch */
	0, 0,			/* no SKU, no family */
	'h', 'v', 0,
	'h', 'v', '-', 'r', 'u', 'n', ' ', 'P', 'C', 0,
	0,
	/* Type 127, end of table, handle 2 */
	127, 4, 0x02, 0x00, 0, 0,
};

void smbios_setup(struct guest *g)
{
	struct smbios_entry *e;

	vm_claim(g, SMBIOS_ADDR, SMBIOS_TABLES + sizeof(tables) - SMBIOS_ADDR,
		 "the SMBIOS tables");
	e = (struct smbios_entry *)(g->mem + SMBIOS_ADDR);
	memset(e, 0, sizeof(*e));
	memcpy(g->mem + SMBIOS_TABLES, tables, sizeof(tables));
	memcpy(e->anchor, "_SM_", 4);
	e->length = sizeof(*e);
	e->major = 2;
	e->minor = 8;
	e->max_structure = 47;	/* the type 0 structure with its strings */
	memcpy(e->dmi_anchor, "_DMI_", 5);
	e->table_length = sizeof(tables);
	e->table_address = SMBIOS_TABLES;
	e->structures = 3;
	e->bcd_revision = 0x28;
	e->dmi_checksum = table_checksum(e->dmi_anchor, 15);
	e->checksum = table_checksum(e, sizeof(*e));
}
