// SPDX-License-Identifier: GPL-2.0
/*
 * hv-run: the CPU state a guest starts in, for each entry mode.
 *
 * real       CS = DS = ES = FS = GS = SS, IP and SP as image.c chose them
 * protected  flat 32-bit code and data segments from hv-run's GDT, paging
 *            off (the state Multiboot requires)
 * long       64-bit code segment, PAE paging with the first 4 GiB
 *            identity-mapped by 2 MiB pages, SSE usable (as UEFI firmware
 *            leaves the CPU, so compiled 64-bit code runs at once)
 * linux      Linux's 32-bit boot protocol: protected mode as above but
 *            with code at selector 0x10 and data at 0x18, ESI the
 *            boot_params, EBX, EBP and EDI 0, interrupts off
 *
 * Only vCPU 0 is set up: with the in-kernel local APICs of a Linux guest
 * the others wait for the guest's INIT and SIPI, as on a PC.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv-run.h"

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

const char *entry_mode_name(enum entry_mode mode)
{
	switch (mode) {
	case ENTRY_REAL:
		return "real";
	case ENTRY_PROTECTED:
		return "protected";
	case ENTRY_LONG:
		return "long";
	case ENTRY_LINUX:
		return "Linux 32-bit boot protocol";
	default:
		return "none";
	}
}

/* Protected and long mode need hv-run's boot data in guest memory. */
void boot_reserve(struct guest *g)
{
	if (g->mode != ENTRY_REAL)
		vm_claim(g, BOOT_DATA_START, BOOT_DATA_END - BOOT_DATA_START,
			 g->mode == ENTRY_LINUX ?
			 "hv-run's boot data (GDT, boot_params, command line)" :
			 "hv-run's boot data (GDT, page tables, Multiboot information)");
}

/* GDT entries: base 0, limit 4 GiB (G set), present, DPL 0. */
static const uint64_t gdt[] = {
	[0] = 0,
	[SEL_CODE32 / 8] = 0x00cf9b000000ffffULL,	/* code, 32-bit */
	[SEL_DATA / 8] = 0x00cf93000000ffffULL,		/* data, read/write */
	[SEL_CODE64 / 8] = 0x00af9b000000ffffULL,	/* code, 64-bit (L) */
};

/* Linux's: __BOOT_CS and __BOOT_DS */
static const uint64_t linux_gdt[] = {
	[0] = 0,
	[1] = 0,
	[SEL_BOOT_CS / 8] = 0x00cf9b000000ffffULL,	/* code, 32-bit */
	[SEL_BOOT_DS / 8] = 0x00cf93000000ffffULL,	/* data, read/write */
};

enum seg_kind { SEG_DATA, SEG_CODE32, SEG_CODE64 };

static void flat_segment(struct hv_segment *s, uint16_t sel,
			 enum seg_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	if (kind == SEG_DATA) {
		s->type = 3;		/* read/write, accessed */
		s->db = 1;
	} else {
		s->type = 11;		/* execute/read, accessed */
		s->db = kind == SEG_CODE32;
		s->l = kind == SEG_CODE64;
	}
}

static void write_page_tables(struct guest *g)
{
	uint64_t *pml4 = (uint64_t *)(g->mem + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(g->mem + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(g->mem + PD_ADDR);
	int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_ADDR | PTE_P | PTE_W;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | PTE_P | PTE_W;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
}

static void setup_sregs(struct guest *g, struct hv_sregs *sregs)
{
	uint16_t seg;

	if (g->mode == ENTRY_REAL) {
		/* Keep the reset state's attributes; move every segment. */
		seg = g->entry > 0xffff ? g->entry >> 4 : 0;
		sregs->cs.selector = sregs->ds.selector = sregs->es.selector =
			sregs->fs.selector = sregs->gs.selector =
			sregs->ss.selector = seg;
		sregs->cs.base = sregs->ds.base = sregs->es.base =
			sregs->fs.base = sregs->gs.base = sregs->ss.base =
			(uint64_t)seg << 4;
		return;
	}

	sregs->gdt.base = GDT_ADDR;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	if (g->mode == ENTRY_LINUX) {
		memcpy(g->mem + GDT_ADDR, linux_gdt, sizeof(linux_gdt));
		sregs->gdt.limit = sizeof(linux_gdt) - 1;
		flat_segment(&sregs->cs, SEL_BOOT_CS, SEG_CODE32);
		flat_segment(&sregs->ds, SEL_BOOT_DS, SEG_DATA);
	} else {
		memcpy(g->mem + GDT_ADDR, gdt, sizeof(gdt));
		sregs->gdt.limit = sizeof(gdt) - 1;
		if (g->mode == ENTRY_LONG)
			flat_segment(&sregs->cs, SEL_CODE64, SEG_CODE64);
		else
			flat_segment(&sregs->cs, SEL_CODE32, SEG_CODE32);
		flat_segment(&sregs->ds, SEL_DATA, SEG_DATA);
	}
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->cr0 = CR0_PE | CR0_ET;

	if (g->mode == ENTRY_LONG) {
		write_page_tables(g);
		sregs->cr3 = PML4_ADDR;
		sregs->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		sregs->cr0 |= CR0_PG | CR0_MP | CR0_NE;
		sregs->efer = EFER_LME | EFER_LMA;
	}
}

void boot_setup(struct guest *g)
{
	struct hv_sregs sregs;
	struct hv_regs regs;

	if (ioctl(g->vcpu_fd, HV_GET_SREGS, &sregs) < 0)
		fail("KVM_GET_SREGS on %s failed: %s", g->device, strerror(errno));
	setup_sregs(g, &sregs);
	if (ioctl(g->vcpu_fd, HV_SET_SREGS, &sregs) < 0)
		fail("KVM_SET_SREGS on %s failed (%s mode): %s", g->device,
		     entry_mode_name(g->mode), strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = g->entry;
	regs.rsp = g->stack;
	regs.rax = g->eax;
	regs.rbx = g->ebx;
	regs.rsi = g->esi;
	if (g->mode == ENTRY_REAL) {
		regs.rip = g->entry > 0xffff ? g->entry & 0xf : g->entry;
		regs.rsp = g->entry > 0xffff ? 0 : g->stack;
	}
	if (ioctl(g->vcpu_fd, HV_SET_REGS, &regs) < 0)
		fail("KVM_SET_REGS on %s failed: %s", g->device, strerror(errno));
}
