// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the ACPI tables a Linux guest reads (ACPI 2.0 layouts, from the
 * ACPI specification), and the fixed hardware they describe.
 *
 * In the BIOS area at 0xe0000, where the guest looks for the RSDP: the
 * RSDP, an RSDT and an XSDT naming the FADT and the MADT; the FADT, with
 * the FACS and a DSDT whose only object is \_S5 (the sleep type of soft
 * off); the MADT, with a local APIC per vCPU, the I/O APIC at 0xfec00000
 * (GSIs 0-23, ISA IRQ n on GSI n, as KVM's default routing wires the
 * in-kernel PIT and devices), the SCI on IRQ 9, level, and LINT1 as NMI.
 *
 * The FADT's fixed registers are ports: the PM1a event block at 0x600,
 * the PM1a control block at 0x604 (SCI_EN always set: there is no SMI
 * command port, so the guest finds ACPI on; writing SLP_EN with the \_S5
 * sleep type powers off, which ends hv-run), the PM timer at 0x608 (24
 * bits at 3.579545 MHz from the host's monotonic clock), and the reset
 * register: port 0xcf9, value 6 (pci.c resets).  The guest has no 8042
 * (IAPC_BOOT_ARCH says so; i8042.c keeps only the reset line).
 */
#include <string.h>
#include <time.h>

#include "hv-run.h"

#define ACPI_ADDR		BIOS_AREA_START
#define PM1A_EVT		0x600
#define PM1A_CNT		0x604
#define PM_TMR			0x608
#define PM_PORTS_LEN		0x0c
#define SCI_IRQ			9
#define S5_SLP_TYP		5

#define PM1_SCI_EN		0x0001
#define PM1_SLP_TYP(v)		(((v) >> 10) & 7)
#define PM1_SLP_EN		0x2000
#define PM_TIMER_HZ		3579545ULL

#define IOAPIC_ADDR		0xfec00000U
#define LAPIC_ADDR		0xfee00000U

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __packed;

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __packed;

/* A Generic Address Structure */
struct gas {
	uint8_t space;		/* 1: system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;	/* 1: byte */
	uint64_t address;
} __packed;

struct fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct gas reset_reg;
	uint8_t reset_value;
	uint8_t reserved2[3];
	uint64_t x_firmware_ctrl, x_dsdt;
	struct gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk;
	struct gas x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk;
	struct gas x_gpe0_blk, x_gpe1_blk;
} __packed;

#define FADT_WBINVD		(1U << 0)
#define FADT_PWR_BUTTON		(1U << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1U << 5)	/* no fixed sleep button */
#define FADT_RESET_REG_SUP	(1U << 10)

struct facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_waking_vector;
	uint8_t version;
	uint8_t reserved[31];
} __packed;

struct madt {
	struct acpi_header h;
	uint32_t lapic_addr;
	uint32_t flags;		/* 1: the PC's dual 8259s are there too */
} __packed;

struct madt_lapic {
	uint8_t type, length;	/* 0, 8 */
	uint8_t processor_id, apic_id;
	uint32_t flags;		/* 1: enabled */
} __packed;

struct madt_ioapic {
	uint8_t type, length;	/* 1, 12 */
	uint8_t id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct madt_override {
	uint8_t type, length;	/* 2, 10 */
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;		/* polarity bits 1:0, trigger 3:2 */
} __packed;

struct madt_lapic_nmi {
	uint8_t type, length;	/* 4, 6 */
	uint8_t processor_id;	/* 0xff: all */
	uint16_t flags;
	uint8_t lint;
} __packed;

/* DSDT body: Name (_S5, Package (4) { 5, 5, 0, 0 }) in AML */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp, NameString */
	0x12, 0x08, 0x04,		/* PackageOp, PkgLength, NumElements */
	0x0a, S5_SLP_TYP, 0x0a, S5_SLP_TYP,	/* BytePrefix 5, twice */
	0x00, 0x00,			/* ZeroOp, ZeroOp */
};

uint8_t table_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return -sum;
}

static void header(struct acpi_header *h, const char *sig, uint32_t len,
		   uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "HVRUN ", 6);
	memcpy(h->oem_table_id, "HVRUNPC ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "HVRN", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	h->checksum = table_checksum(h, len);
}

/* The fixed hardware: PM1a event and control, the PM timer. */
static uint16_t pm1_enable, pm1_status;

static uint32_t pm_in(struct io_device *dev, uint16_t offset, int size)
{
	struct timespec ts;
	uint64_t ticks;

	switch (offset) {
	case PM1A_EVT - PM1A_EVT:
		return pm1_status;
	case PM1A_EVT + 2 - PM1A_EVT:
		return pm1_enable;
	case PM1A_CNT - PM1A_EVT:
		return PM1_SCI_EN;
	case PM_TMR - PM1A_EVT:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ticks = (uint64_t)ts.tv_sec * PM_TIMER_HZ +
			(uint64_t)ts.tv_nsec * PM_TIMER_HZ / 1000000000ULL;
		return ticks & 0xffffff;
	}
	return size == 4 ? 0xffffffff : (1U << (8 * size)) - 1;
}

static void pm_out(struct io_device *dev, uint16_t offset, int size,
		   uint32_t value)
{
	switch (offset) {
	case PM1A_EVT - PM1A_EVT:
		pm1_status &= ~value;	/* write 1 to clear */
		break;
	case PM1A_EVT + 2 - PM1A_EVT:
		pm1_enable = value;
		break;
	case PM1A_CNT - PM1A_EVT:
		if ((value & PM1_SLP_EN) && PM1_SLP_TYP(value) == S5_SLP_TYP)
			guest_stop(STATUS_POWEROFF);
		break;
	}
}

static struct io_device pm = {
	.name = "acpi-pm",
	.base = PM1A_EVT,
	.len = PM_PORTS_LEN,
	.in = pm_in,
	.out = pm_out,
};

void acpi_setup(struct guest *g)
{
	uint64_t addr = ACPI_ADDR;
	uint64_t rsdp_a, rsdt_a, xsdt_a, fadt_a, facs_a, dsdt_a, madt_a;
	uint8_t *base;
	struct rsdp *rsdp;
	struct acpi_header *rsdt, *xsdt, *dsdt;
	struct fadt *fadt;
	struct facs *facs;
	struct madt *madt;
	uint8_t *p;
	uint32_t madt_len;
	int i;

	/* Each table 64-byte aligned (the FACS must be). */
	rsdp_a = addr;
	rsdt_a = rsdp_a + 64;
	xsdt_a = rsdt_a + 64;
	fadt_a = xsdt_a + 64;
	facs_a = fadt_a + 256;
	dsdt_a = facs_a + 64;
	madt_a = dsdt_a + 64;
	madt_len = sizeof(*madt) + g->nr_vcpus * sizeof(struct madt_lapic) +
		   sizeof(struct madt_ioapic) + sizeof(struct madt_override) +
		   sizeof(struct madt_lapic_nmi);
	vm_claim(g, addr, madt_a + madt_len - addr, "the ACPI tables");
	base = g->mem;
	memset(base + addr, 0, madt_a + madt_len - addr);

	dsdt = (struct acpi_header *)(base + dsdt_a);
	memcpy(dsdt + 1, dsdt_aml, sizeof(dsdt_aml));
	header(dsdt, "DSDT", sizeof(*dsdt) + sizeof(dsdt_aml), 2);

	facs = (struct facs *)(base + facs_a);
	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 1;

	fadt = (struct fadt *)(base + fadt_a);
	fadt->firmware_ctrl = facs_a;
	fadt->dsdt = dsdt_a;
	fadt->x_firmware_ctrl = facs_a;
	fadt->x_dsdt = dsdt_a;
	fadt->sci_int = SCI_IRQ;
	fadt->pm1a_evt_blk = PM1A_EVT;
	fadt->pm1a_cnt_blk = PM1A_CNT;
	fadt->pm_tmr_blk = PM_TMR;
	fadt->pm1_evt_len = 4;
	fadt->pm1_cnt_len = 2;
	fadt->pm_tmr_len = 4;
	fadt->p_lvl2_lat = 101;		/* > 100: no C2 */
	fadt->p_lvl3_lat = 1001;	/* > 1000: no C3 */
	fadt->century = 0x32;		/* CMOS register (rtc.c) */
	fadt->iapc_boot_arch = 0;	/* no legacy devices, no 8042 */
	fadt->flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		      FADT_RESET_REG_SUP;
	fadt->reset_reg = (struct gas){ .space = 1, .bit_width = 8,
					.access_size = 1, .address = 0xcf9 };
	fadt->reset_value = 6;
	header(&fadt->h, "FACP", sizeof(*fadt), 3);

	madt = (struct madt *)(base + madt_a);
	madt->lapic_addr = LAPIC_ADDR;
	madt->flags = 1;
	p = (uint8_t *)(madt + 1);
	for (i = 0; i < g->nr_vcpus; i++) {
		struct madt_lapic *l = (struct madt_lapic *)p;

		*l = (struct madt_lapic){ .type = 0, .length = sizeof(*l),
					  .processor_id = i, .apic_id = i,
					  .flags = 1 };
		p += sizeof(*l);
	}
	*(struct madt_ioapic *)p = (struct madt_ioapic){
		.type = 1, .length = sizeof(struct madt_ioapic),
		.id = 0, .address = IOAPIC_ADDR, .gsi_base = 0 };
	p += sizeof(struct madt_ioapic);
	/* The SCI: level-triggered, active high (flags 0b1101). */
	*(struct madt_override *)p = (struct madt_override){
		.type = 2, .length = sizeof(struct madt_override),
		.bus = 0, .source = SCI_IRQ, .gsi = SCI_IRQ, .flags = 0xd };
	p += sizeof(struct madt_override);
	*(struct madt_lapic_nmi *)p = (struct madt_lapic_nmi){
		.type = 4, .length = sizeof(struct madt_lapic_nmi),
		.processor_id = 0xff, .flags = 0, .lint = 1 };
	header(&madt->h, "APIC", madt_len, 1);

	rsdt = (struct acpi_header *)(base + rsdt_a);
	((uint32_t *)(rsdt + 1))[0] = fadt_a;
	((uint32_t *)(rsdt + 1))[1] = madt_a;
	header(rsdt, "RSDT", sizeof(*rsdt) + 2 * 4, 1);

	xsdt = (struct acpi_header *)(base + xsdt_a);
	memcpy((uint8_t *)(xsdt + 1), &fadt_a, 8);
	memcpy((uint8_t *)(xsdt + 1) + 8, &madt_a, 8);
	header(xsdt, "XSDT", sizeof(*xsdt) + 2 * 8, 1);

	rsdp = (struct rsdp *)(base + rsdp_a);
	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "HVRUN ", 6);
	rsdp->revision = 2;
	rsdp->rsdt = rsdt_a;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt = xsdt_a;
	rsdp->checksum = table_checksum(rsdp, 20);
	rsdp->ext_checksum = table_checksum(rsdp, sizeof(*rsdp));

	io_register(&pm);
}
