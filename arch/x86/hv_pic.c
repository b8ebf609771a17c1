// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the in-kernel PIC pair, two cascaded 8259As as a PC has them
 * (master at ports 0x20-0x21, slave at 0xa0-0xa1 on the master's IRQ 2,
 * PIIX's edge/level control registers at 0x4d0-0x4d1).
 *
 * It follows the Intel 8259A data sheet: the ICW1-ICW4 initialization,
 * OCW2's end-of-interrupt commands (non-specific, specific, with or
 * without rotation), OCW3's register select, poll mode and special mask,
 * auto-EOI, the special fully nested mode, and KVM's choices where a PC
 * differs or KVM does: edge detection per pin with ELCR for level
 * triggering, only byte accesses, a state that starts all zero (IMR too,
 * as on KVM) with ELCR masks 0xf8 and 0xde.
 *
 * The master's INT output goes to the local APIC's LINT0 of the vCPUs;
 * a vCPU whose LINT0 takes ExtINT (or whose APIC is off) acknowledges it
 * just before it enters the guest (hv_pic_ack()), which gives the vector.
 * The end of a pin's interrupt (an EOI command, auto-EOI, a poll, ICW1's
 * reset of edge requests) and a change of a pin's mask bit go back to the
 * pin's GSI (hv_irq_acked(), hv_irq_mask_changed()), as KVM's ack and mask
 * notifiers hear them: the PIT's re-injection waits for them.
 *
 * @lock guards all of it.  It is taken by vCPU threads (port I/O exits,
 * the acknowledgement with interrupts disabled) and by HV_IRQ_LINE, never
 * in hard interrupt context; nothing under it sleeps, and vCPUs are
 * kicked only after it is dropped.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"

struct hv_pic {
	struct hv_vm *vm;
	spinlock_t lock;
	struct hv_pic_state chip[2];
	bool output;
	bool wakeup;
};

/* A vCPU whose LINT0 takes the PIC's interrupts, or NULL. */
static struct hv_vcpu *pic_target(struct hv_vm *vm)
{
	int i;

	for (i = 0; i < HV_MAX_VCPUS; i++) {
		/* Pairs with hv_vcpu_create()'s release store. */
		struct hv_vcpu *v = smp_load_acquire(&vm->vcpus[i]);

		if (v && v->x86.apic && hv_lapic_accepts_extint(v))
			return v;
	}
	return NULL;
}

static struct hv_pic *to_pic(struct hv_vm *vm)
{
	return vm->x86.pic;
}

/* A pin's new level; returns KVM's status: 1 new, 0 coalesced, -1 masked. */
static int pic_chip_set(struct hv_pic_state *c, int pin, int level)
{
	u8 bit = 1 << pin;
	int r = 1;

	if (c->elcr & bit) {
		/* Level-triggered: IRR follows the line. */
		if (level) {
			r = !(c->irr & bit);
			c->irr |= bit;
			c->last_irr |= bit;
		} else {
			c->irr &= ~bit;
			c->last_irr &= ~bit;
		}
	} else if (level) {
		/* Edge-triggered: a rising edge sets IRR. */
		if (!(c->last_irr & bit)) {
			r = !(c->irr & bit);
			c->irr |= bit;
		}
		c->last_irr |= bit;
	} else {
		c->last_irr &= ~bit;
	}
	return (c->imr & bit) ? -1 : r;
}

/* The highest priority (0 highest) among @mask's pins; 8 if none. */
static int pic_priority(const struct hv_pic_state *c, u8 mask)
{
	int p;

	if (!mask)
		return 8;
	for (p = 0; !(mask & (1 << ((p + c->priority_add) & 7))); p++)
		;
	return p;
}

/* The pin the chip would interrupt for, or -1. */
static int pic_chip_irq(struct hv_pic *pic, struct hv_pic_state *c)
{
	int p = pic_priority(c, c->irr & ~c->imr), cur;
	u8 in_service = c->isr;

	if (p == 8)
		return -1;
	/*
	 * In the special fully nested mode the master lets a slave's
	 * request through while another of the slave's is in service.
	 */
	if (c->special_fully_nested_mode && c == &pic->chip[0])
		in_service &= ~(1 << 2);
	cur = pic_priority(c, in_service);
	return p < cur ? (p + c->priority_add) & 7 : -1;
}

/* Recompute the cascade and the master's output; note a rising edge. */
static void pic_update(struct hv_pic *pic)
{
	bool out;

	if (pic_chip_irq(pic, &pic->chip[1]) >= 0) {
		/* The slave's INT is a pulse on the master's pin 2. */
		pic_chip_set(&pic->chip[0], 2, 1);
		pic_chip_set(&pic->chip[0], 2, 0);
	}
	out = pic_chip_irq(pic, &pic->chip[0]) >= 0;
	if (out && !pic->output)
		pic->wakeup = true;
	pic->output = out;
}

static void pic_lock(struct hv_pic *pic)
	__acquires(&pic->lock)
{
	spin_lock(&pic->lock);
}

/* Drop the lock; then kick a vCPU that takes the PIC's interrupts. */
static void pic_unlock(struct hv_vm *vm)
	__releases(&to_pic(vm)->lock)
{
	struct hv_pic *pic = to_pic(vm);
	bool wake = pic->wakeup;
	struct hv_vcpu *v;

	pic->wakeup = false;
	spin_unlock(&pic->lock);
	if (!wake)
		return;
	/* The output before the vCPU's mode (hv_vcpu_kick()). */
	smp_mb();
	v = pic_target(vm);
	if (v)
		hv_vcpu_kick(v);
}

/* HV_IRQCHIP_PIC_MASTER or HV_IRQCHIP_PIC_SLAVE. */
static u32 pic_chip_id(struct hv_pic *pic, struct hv_pic_state *c)
{
	return c == &pic->chip[0] ? HV_IRQCHIP_PIC_MASTER :
				    HV_IRQCHIP_PIC_SLAVE;
}

/*
 * @pin's interrupt ends (an EOI, auto-EOI, a poll or ICW1): its ISR bit
 * goes and its GSI hears of it, as KVM's pic_clear_isr() says it, even
 * for a bit that was not set.
 */
static void pic_clear_isr(struct hv_pic *pic, struct hv_pic_state *c,
			  int pin)
{
	c->isr &= ~(1 << pin);
	hv_irq_acked(pic->vm, pic_chip_id(pic, c), pin);
}

int hv_pic_set_irq(struct hv_vm *vm, int pin, int level)
{
	struct hv_pic *pic = to_pic(vm);
	int r;

	pic_lock(pic);
	r = pic_chip_set(&pic->chip[pin >> 3], pin & 7, level);
	pic_update(pic);
	pic_unlock(vm);
	return r;
}

static void pic_intack(struct hv_pic *pic, struct hv_pic_state *c, int pin)
{
	c->isr |= 1 << pin;
	/* A level-triggered request stays until the line drops. */
	if (!(c->elcr & (1 << pin)))
		c->irr &= ~(1 << pin);
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (pin + 1) & 7;
		pic_clear_isr(pic, c, pin);
	}
}

bool hv_pic_output(struct hv_vm *vm)
{
	return READ_ONCE(to_pic(vm)->output);
}

/*
 * The CPU's interrupt acknowledge cycle: the vector of the highest
 * request, IRQ 7's (spurious) if there is none any more.
 */
int hv_pic_ack(struct hv_vm *vm)
{
	struct hv_pic *pic = to_pic(vm);
	struct hv_pic_state *m = &pic->chip[0], *s = &pic->chip[1];
	int pin, pin2, vec;

	pic_lock(pic);
	pic->output = false;
	pin = pic_chip_irq(pic, m);
	if (pin < 0) {
		vec = m->irq_base + 7;
	} else {
		pic_intack(pic, m, pin);
		if (pin == 2) {
			pin2 = pic_chip_irq(pic, s);
			if (pin2 >= 0)
				pic_intack(pic, s, pin2);
			else
				pin2 = 7;
			vec = s->irq_base + pin2;
		} else {
			vec = m->irq_base + pin;
		}
	}
	pic_update(pic);
	pic_unlock(vm);
	return vec;
}

/*
 * ICW1: start the initialization sequence (8259A data sheet).  As KVM's
 * kvm_pic_reset(), a pending edge request is dropped, and where a vCPU
 * takes the PIC's interrupts its in-service bit goes too.
 */
static void pic_icw1(struct hv_pic *pic, struct hv_pic_state *c, u8 val)
{
	u8 edge_irr = c->irr & ~c->elcr;
	bool target = pic_target(pic->vm);
	int pin;

	c->init4 = val & 1;
	c->last_irr = 0;
	c->irr &= c->elcr;
	c->imr = 0;
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	if (!c->init4) {
		c->special_fully_nested_mode = 0;
		c->auto_eoi = 0;
	}
	c->init_state = 1;
	for (pin = 0; target && pin < 8; pin++)
		if (edge_irr & (1 << pin))
			pic_clear_isr(pic, c, pin);
}

static void pic_eoi_pin(struct hv_pic *pic, struct hv_pic_state *c, int pin)
{
	pic_clear_isr(pic, c, pin);
	pic_update(pic);
}

/* OCW2: end of interrupt and rotation commands (bits 7:5). */
static void pic_ocw2(struct hv_pic *pic, struct hv_pic_state *c, u8 val)
{
	int cmd = val >> 5, p, pin;

	switch (cmd) {
	case 0:		/* rotate in auto-EOI mode: clear */
	case 4:		/* set */
		c->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* and rotate */
		p = pic_priority(c, c->isr);
		if (p == 8)
			break;
		pin = (p + c->priority_add) & 7;
		if (cmd == 5)
			c->priority_add = (pin + 1) & 7;
		pic_eoi_pin(pic, c, pin);
		break;
	case 3:		/* specific EOI */
		pic_eoi_pin(pic, c, val & 7);
		break;
	case 6:		/* set priority */
		c->priority_add = (val + 1) & 7;
		pic_update(pic);
		break;
	case 7:		/* specific EOI and rotate */
		pin = val & 7;
		c->priority_add = (pin + 1) & 7;
		pic_eoi_pin(pic, c, pin);
		break;
	}
}

static void pic_write(struct hv_pic *pic, struct hv_pic_state *c, int a0,
		      u8 val)
{
	u8 changed;
	int pin;

	if (!a0) {
		if (val & 0x10) {
			pic_icw1(pic, c, val);
		} else if (val & 0x08) {
			/* OCW3 */
			if (val & 0x04)
				c->poll = 1;
			if (val & 0x02)
				c->read_reg_select = val & 1;
			if (val & 0x40)
				c->special_mask = (val >> 5) & 1;
		} else {
			pic_ocw2(pic, c, val);
		}
		return;
	}
	switch (c->init_state) {
	case 0:		/* OCW1: the mask; a changed bit is heard of */
		changed = c->imr ^ val;
		c->imr = val;
		for (pin = 0; pin < 8; pin++)
			if (changed & (1 << pin))
				hv_irq_mask_changed(pic->vm, pic_chip_id(pic, c),
						    pin, val & (1 << pin));
		pic_update(pic);
		break;
	case 1:		/* ICW2: the vector base */
		c->irq_base = val & 0xf8;
		c->init_state = 2;
		break;
	case 2:		/* ICW3: the cascade wiring, fixed on a PC */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:		/* ICW4 */
		c->special_fully_nested_mode = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

/* A read in poll mode acknowledges the highest request (OCW3 poll). */
static u8 pic_poll(struct hv_pic *pic, struct hv_pic_state *c)
{
	bool slave = c == &pic->chip[1];
	int pin = pic_chip_irq(pic, c);

	if (pin < 0) {
		pic_update(pic);
		return 0x07;
	}
	if (slave) {
		pic->chip[0].isr &= ~(1 << 2);
		pic->chip[0].irr &= ~(1 << 2);
	}
	c->irr &= ~(1 << pin);
	pic_clear_isr(pic, c, pin);
	if (slave || pin != 2)
		pic_update(pic);
	return pin;
}

static u8 pic_read(struct hv_pic *pic, struct hv_pic_state *c, int a0)
{
	if (c->poll) {
		c->poll = 0;
		return pic_poll(pic, c);
	}
	if (a0)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

/*
 * A port access from the guest: true if it is the PIC's (the ports in
 * full, as KVM's I/O bus matches them).  Only bytes do anything: a wider
 * write is ignored and a wider read gives 0, as on KVM.
 */
bool hv_pic_pio(struct hv_vm *vm, u16 port, unsigned int size, bool in,
		u32 *val)
{
	struct hv_pic *pic = to_pic(vm);
	u16 base = port & ~1;
	struct hv_pic_state *c;

	if (!pic || (base != 0x20 && base != 0xa0 && base != 0x4d0) ||
	    (port & 1) + size > 2)
		return false;
	if (size != 1) {
		if (in)
			*val = 0;
		return true;
	}
	c = &pic->chip[base == 0x4d0 ? port & 1 : base == 0xa0];
	pic_lock(pic);
	if (base == 0x4d0) {
		if (in)
			*val = c->elcr;
		else
			c->elcr = *val & c->elcr_mask;
	} else if (in) {
		*val = pic_read(pic, c, port & 1);
	} else {
		pic_write(pic, c, port & 1, *val);
	}
	pic_unlock(vm);
	return true;
}

void hv_pic_get_state(struct hv_vm *vm, int chip, struct hv_pic_state *s)
{
	struct hv_pic *pic = to_pic(vm);

	pic_lock(pic);
	*s = pic->chip[chip];
	pic_unlock(vm);
}

void hv_pic_set_state(struct hv_vm *vm, int chip,
		      const struct hv_pic_state *s)
{
	struct hv_pic *pic = to_pic(vm);

	pic_lock(pic);
	pic->chip[chip] = *s;
	pic_update(pic);
	pic_unlock(vm);
}

int hv_pic_create(struct hv_vm *vm)
{
	struct hv_pic *pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);

	if (!pic)
		return -ENOMEM;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
	vm->x86.pic = pic;
	return 0;
}

void hv_pic_free(struct hv_vm *vm)
{
	kfree(vm->x86.pic);
	vm->x86.pic = NULL;
}
