// SPDX-License-Identifier: GPL-2.0
/*
 * hv selftests: small guests (hv_guest.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv_guest.h"

#include "hv_util.h"

#define CR0_PE	(1ULL << 0)
#define CR0_ET	(1ULL << 4)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

void hv_flat_segment(struct hv_segment *s, uint16_t sel, uint8_t type,
		     int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->db = !code64;
	s->l = code64;
}

/* The GDT descriptor of a flat segment. */
static uint64_t descriptor(const struct hv_segment *s)
{
	uint64_t d = 0xffff | (0xfULL << 48);

	d |= (uint64_t)(s->type | s->s << 4 | s->present << 7) << 40;
	d |= (uint64_t)(s->l << 5 | s->db << 6 | s->g << 7) << 48;
	return d;
}

static int setup_sregs(struct hv_guest *g, int vcpu)
{
	struct hv_sregs s;
	uint64_t *gdt = (uint64_t *)(g->mem + GDT_GPA);
	uint64_t *pml4 = (uint64_t *)(g->mem + PML4_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;
	int i;

	if (ioctl(vcpu, HV_GET_SREGS, &s))
		return -1;
	if (g->mode == HV_MODE_REAL) {
		s.cs.selector = 0;
		s.cs.base = 0;
		return ioctl(vcpu, HV_SET_SREGS, &s);
	}

	hv_flat_segment(&s.cs, 0x08, 0xb, g->mode == HV_MODE_LONG);
	hv_flat_segment(&s.ds, 0x10, 0x3, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	/* A busy 32-bit TSS: VM entry wants a usable TR. */
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.selector = 0x18;
	s.tr.limit = 0x67;
	s.tr.type = 11;
	s.tr.present = 1;
	gdt[0] = 0;
	gdt[1] = descriptor(&s.cs);
	gdt[2] = descriptor(&s.ds);
	gdt[3] = 0x67 | (0x8bULL << 40);
	s.gdt.base = GDT_GPA;
	s.gdt.limit = 4 * 8 - 1;
	s.idt.base = IDT_GPA;
	s.idt.limit = g->mode == HV_MODE_LONG ? 256 * 16 - 1 : 256 * 8 - 1;
	s.cr0 = CR0_PE | CR0_ET;
	s.cr4 = 0;
	s.efer = 0;
	if (g->mode == HV_MODE_LONG) {
		/* Identity map of the first GiB with 2-MiB pages. */
		pml4[0] = (PML4_GPA + 0x1000) | 3;
		pdpt[0] = (PML4_GPA + 0x2000) | 3;
		for (i = 0; i < 512; i++)
			pd[i] = ((uint64_t)i << 21) | 0x83;
		s.cr0 |= CR0_PG;
		s.cr3 = PML4_GPA;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
	}
	return ioctl(vcpu, HV_SET_SREGS, &s);
}

/* CPUID, segments, paging and registers of one vCPU, as create() sets them. */
static int setup_vcpu(struct hv_guest *g, int vcpu)
{
	struct hv_regs regs;

	if (hv_set_supported_cpuid(g->dev, vcpu))
		return -1;
	if (setup_sregs(g, vcpu))
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rsp = STACK_TOP;
	regs.rflags = 2;
	return ioctl(vcpu, HV_SET_REGS, &regs);
}

int hv_guest_add_vcpu(struct hv_guest *g, int id, struct hv_run **run)
{
	int vcpu = ioctl(g->vm, HV_CREATE_VCPU, id);

	if (vcpu < 0)
		return -1;
	*run = mmap(NULL, 3 * HV_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vcpu, 0);
	if (*run == MAP_FAILED || setup_vcpu(g, vcpu)) {
		if (*run != MAP_FAILED)
			munmap(*run, 3 * HV_PAGE);
		*run = NULL;
		close(vcpu);
		return -1;
	}
	return vcpu;
}

/* The guest's memory, slot 0, with CODE at CODE_GPA. */
static int setup_memory(struct hv_guest *g, const void *code, size_t len)
{
	struct hv_userspace_memory_region region = { 0 };

	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED)
		return -1;
	memcpy(g->mem + CODE_GPA, code, len);
	region.memory_size = GUEST_MEM_SIZE;
	region.userspace_addr = (unsigned long)g->mem;
	return ioctl(g->vm, HV_SET_USER_MEMORY_REGION, &region);
}

int hv_guest_create_on(struct hv_guest *g, int dev, enum hv_guest_mode mode,
		       const void *code, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->dev = dev;
	g->vm = ioctl(g->dev, HV_CREATE_VM, 0);
	if (g->vm < 0)
		return -1;
	if (setup_memory(g, code, len))
		return -1;
	g->vcpu = hv_guest_add_vcpu(g, 0, &g->run);
	if (g->vcpu < 0)
		return -1;
	return 0;
}

/*
 * A VM with an in-kernel irqchip: SPLIT, KVM_ENABLE_CAP(SPLIT_IRQCHIP) or
 * else KVM_CREATE_IRQCHIP, between KVM_CREATE_VM and the first vCPU.  In
 * long mode the 2 MiB pages at the I/O APIC and the local APIC are mapped
 * (uncached) with a second page directory.
 */
static int create_with_irqchip(struct hv_guest *g, enum hv_guest_mode mode,
			       const void *code, size_t len, bool split)
{
	struct hv_enable_cap cap = {
		.cap = HV_CAP_SPLIT_IRQCHIP,
		.args = { 24 },
	};
	uint64_t *pdpt, *pd;
	int r;

	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->dev = hv_open_device();
	if (g->dev < 0)
		return -1;
	g->vm = ioctl(g->dev, HV_CREATE_VM, 0);
	if (g->vm < 0)
		return -1;
	r = split ? ioctl(g->vm, HV_ENABLE_CAP, &cap) :
		    ioctl(g->vm, HV_CREATE_IRQCHIP, 0);
	if (r || setup_memory(g, code, len))
		return -1;
	g->vcpu = hv_guest_add_vcpu(g, 0, &g->run);
	if (g->vcpu < 0)
		return -1;
	if (mode != HV_MODE_LONG)
		return 0;
	pdpt = (uint64_t *)(g->mem + PML4_GPA + 0x1000);
	pd = (uint64_t *)(g->mem + PML4_GPA + 0x3000);
	pdpt[3] = (PML4_GPA + 0x3000) | 3;
	pd[(APIC_GPA >> 21) & 511] = APIC_GPA | 0x9b;
	pd[(IOAPIC_GPA >> 21) & 511] = IOAPIC_GPA | 0x9b;
	return 0;
}

int hv_guest_create_split(struct hv_guest *g, enum hv_guest_mode mode,
			  const void *code, size_t len)
{
	return create_with_irqchip(g, mode, code, len, true);
}

int hv_guest_create_irqchip(struct hv_guest *g, enum hv_guest_mode mode,
			    const void *code, size_t len)
{
	return create_with_irqchip(g, mode, code, len, false);
}

int hv_guest_create(struct hv_guest *g, enum hv_guest_mode mode,
		    const void *code, size_t len)
{
	int dev = hv_open_device();

	if (dev < 0) {
		memset(g, 0, sizeof(*g));
		return -1;
	}
	return hv_guest_create_on(g, dev, mode, code, len);
}

void hv_guest_destroy(struct hv_guest *g)
{
	if (g->run && g->run != MAP_FAILED)
		munmap(g->run, 3 * HV_PAGE);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, GUEST_MEM_SIZE);
	if (g->vcpu > 0)
		close(g->vcpu);
	if (g->vm > 0)
		close(g->vm);
	if (g->dev > 0)
		close(g->dev);
}

int hv_guest_run(struct hv_guest *g)
{
	return ioctl(g->vcpu, HV_RUN, 0);
}

void hv_guest_set_idt(struct hv_guest *g, int vector, uint64_t handler)
{
	if (g->mode == HV_MODE_LONG) {
		uint64_t *e = (uint64_t *)(g->mem + IDT_GPA + vector * 16);

		e[0] = (handler & 0xffff) | (0x08ULL << 16) |
		       (0x8eULL << 40) | ((handler >> 16) & 0xffff) << 48;
		e[1] = handler >> 32;
	} else {
		uint64_t *e = (uint64_t *)(g->mem + IDT_GPA + vector * 8);

		*e = (handler & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		     ((handler >> 16) & 0xffff) << 48;
	}
}

void hv_guest_poke(struct hv_guest *g, uint64_t gpa, const void *p, size_t n)
{
	memcpy(g->mem + gpa, p, n);
}

uint64_t hv_guest_rip(struct hv_guest *g)
{
	struct hv_regs regs;

	if (ioctl(g->vcpu, HV_GET_REGS, &regs))
		return ~0ULL;
	return regs.rip;
}

bool hv_machine_says(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

bool hv_kvm_loses_halted_irqs(void)
{
	return hv_machine_says("HV_SKIP_KVM_HALTED_IRQ") &&
	       strstr(hv_device, "kvm");
}

bool hv_kvm_drops_entry_shadow(void)
{
	return hv_machine_says("HV_SKIP_KVM_ENTRY_SHADOW") &&
	       strstr(hv_device, "kvm");
}

int hv_count_0f01(const unsigned char *p, size_t n, unsigned char modrm)
{
	size_t i;
	int c = 0;

	for (i = 0; i + 2 < n; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x01 && p[i + 2] == modrm)
			c++;
	return c;
}
