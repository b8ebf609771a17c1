// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the in-kernel irqchip's VM ioctls and the GSI routing.
 *
 * HV_CREATE_IRQCHIP gives a VM, before its first vCPU, the PIC pair
 * (hv_pic.c), the I/O APIC (hv_ioapic.c) and a local APIC per vCPU
 * (hv_lapic.c), with KVM's default routing: GSIs 0-15 drive the PIC pin
 * of the same number and the I/O APIC pin of the same number, GSIs 16-23
 * the I/O APIC only.  HV_SET_GSI_ROUTING replaces the table: each GSI may
 * drive one pin of each chip, or send one MSI.  HV_IRQ_LINE sets a GSI's
 * level on everything it drives, as KVM's kvm_set_irq(); with a split
 * irqchip only MSI routes exist, and those of GSIs below the pins of
 * userspace's I/O APIC also say which vectors' EOIs exit to it
 * (hv_irq_scan_ioapic_routes(), HV_EXIT_IOAPIC_EOI).
 *
 * The table is guarded by hv_x86_vm.irq_lock (a mutex, taken by the VM
 * ioctls, the PIT's work and, for that scan, vCPU threads inside their
 * vCPU's mutex); the chips have their own spinlocks inside it.
 *
 * The chips tell what the guest does back to the GSIs: the end of a pin's
 * interrupt (the PIC's EOI or auto-EOI, the I/O APIC's EOI of the pin's
 * vector) and a pin's mask changing, which KVM hands to its ack and mask
 * notifiers.  The only listener here is the PIT on GSI 0 while it
 * re-injects (hv_pit.c).  The chips call in under their spinlocks, the
 * PIC's acknowledgement with interrupts disabled, so the way back reads
 * the pin's GSI from hv_x86_vm.pin_gsi, a copy of the table's map that
 * changes with it, without the mutex.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"

#define HV_PIC_PINS	16

/**
 * struct hv_irq_route - what one GSI drives
 * @gsi:	the GSI
 * @type:	HV_IRQ_ROUTING_IRQCHIP or HV_IRQ_ROUTING_MSI
 * @chip:	HV_IRQCHIP_* (master and slave count as two chips)
 * @pin:	the chip's pin (0-7 on a PIC, 0-23 on the I/O APIC)
 * @msi:	the message of an MSI route
 */
struct hv_irq_route {
	u32 gsi;
	u32 type;
	u32 chip;
	u32 pin;
	struct hv_msi msi;
};

struct hv_irq_routing_table {
	u32 nr;
	struct hv_irq_route e[];
};

bool hv_irqchip_full(struct hv_vm *vm)
{
	return READ_ONCE(vm->x86.irqchip) == HV_IRQCHIP_KERNEL;
}

/*
 * One route's level: KVM's status for it (kvm_set_pic_irq() and co).
 * @line_status: HV_IRQ_LINE_STATUS, which the I/O APIC's RTC pin tracks.
 */
static int hv_irq_route_set(struct hv_vm *vm, const struct hv_irq_route *r,
			    int level, bool line_status)
{
	if (r->type == HV_IRQ_ROUTING_MSI)
		return level ? hv_lapic_signal_msi(vm, &r->msi) : -1;
	if (r->chip == HV_IRQCHIP_IOAPIC)
		return hv_ioapic_set_irq(vm, r->pin, level, line_status);
	return hv_pic_set_irq(vm, r->pin + (r->chip == HV_IRQCHIP_PIC_SLAVE ?
					    HV_PIC_PINS / 2 : 0), level);
}

/*
 * HV_IRQ_LINE(_STATUS): -1 if nothing took it, else the sum of what the
 * routes that answered (0 or more) said: 0 masked or coalesced, positive
 * delivered.
 */
int hv_irq_set_gsi(struct hv_vm *vm, u32 gsi, int level, bool line_status)
{
	struct hv_irq_routing_table *t;
	int i, r, ret = -1;

	mutex_lock(&vm->x86.irq_lock);
	t = vm->x86.routing;
	for (i = 0; t && i < t->nr; i++) {
		if (t->e[i].gsi != gsi)
			continue;
		r = hv_irq_route_set(vm, &t->e[i], level, line_status);
		if (r < 0)
			continue;
		ret = r + (ret < 0 ? 0 : ret);
	}
	mutex_unlock(&vm->x86.irq_lock);
	return ret;
}

/* KVM's kvm_set_routing_entry() and setup_routing_entry() checks. */
static int hv_irq_route_from_user(struct hv_vm *vm, struct hv_irq_route *r,
				  const struct hv_irq_routing_entry *ue,
				  const struct hv_irq_route *done,
				  unsigned int n)
{
	unsigned int i;

	if (ue->gsi >= HV_MAX_IRQ_ROUTES || (ue->flags & ~HV_MSI_VALID_DEVID))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->gsi = ue->gsi;
	r->type = ue->type;
	switch (ue->type) {
	case HV_IRQ_ROUTING_IRQCHIP:
		if (!hv_irqchip_full(vm) || ue->flags)
			return -EINVAL;
		r->chip = ue->u.irqchip.irqchip;
		r->pin = ue->u.irqchip.pin;
		switch (r->chip) {
		case HV_IRQCHIP_PIC_SLAVE:
		case HV_IRQCHIP_PIC_MASTER:
			if (r->pin >= HV_PIC_PINS / 2)
				return -EINVAL;
			break;
		case HV_IRQCHIP_IOAPIC:
			if (r->pin >= HV_IOAPIC_NUM_PINS)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		break;
	case HV_IRQ_ROUTING_MSI:
		r->msi.address_lo = ue->u.msi.address_lo;
		r->msi.address_hi = ue->u.msi.address_hi;
		r->msi.data = ue->u.msi.data;
		break;
	default:
		return -EINVAL;
	}
	/* One pin per chip per GSI; an MSI GSI drives nothing else. */
	for (i = 0; i < n; i++) {
		if (done[i].gsi != r->gsi)
			continue;
		if (done[i].type != HV_IRQ_ROUTING_IRQCHIP ||
		    r->type != HV_IRQ_ROUTING_IRQCHIP ||
		    done[i].chip == r->chip)
			return -EINVAL;
	}
	return 0;
}

/*
 * The chip map of @t, as KVM's setup_routing_entry(): each pin's GSI is
 * that of the last entry that drives it.  @irq_lock held.
 */
static void hv_irq_set_pin_gsi(struct hv_vm *vm,
			       const struct hv_irq_routing_table *t)
{
	int map[3][HV_IOAPIC_NUM_PINS];
	unsigned int i, chip, pin;

	lockdep_assert_held(&vm->x86.irq_lock);
	memset(map, 0xff, sizeof(map));
	for (i = 0; i < t->nr; i++)
		if (t->e[i].type == HV_IRQ_ROUTING_IRQCHIP)
			map[t->e[i].chip][t->e[i].pin] = t->e[i].gsi;
	for (chip = 0; chip < 3; chip++)
		for (pin = 0; pin < HV_IOAPIC_NUM_PINS; pin++)
			WRITE_ONCE(vm->x86.pin_gsi[chip][pin], map[chip][pin]);
}

static void hv_irq_set_table(struct hv_vm *vm, struct hv_irq_routing_table *t)
{
	struct hv_irq_routing_table *old;

	mutex_lock(&vm->x86.irq_lock);
	old = vm->x86.routing;
	vm->x86.routing = t;
	hv_irq_set_pin_gsi(vm, t);
	mutex_unlock(&vm->x86.irq_lock);
	kvfree(old);
}

/* The GSI of a chip's pin (HV_IRQCHIP_*; 0-7 on a PIC), or -1. */
static int hv_irq_pin_to_gsi(struct hv_vm *vm, u32 chip, u32 pin)
{
	if (chip > HV_IRQCHIP_IOAPIC || pin >= HV_IOAPIC_NUM_PINS)
		return -1;
	return READ_ONCE(vm->x86.pin_gsi[chip][pin]);
}

/*
 * Whether the end of a pin's interrupt is listened to: KVM's
 * kvm_irq_has_notifier(), which makes the I/O APIC hear the EOIs of an
 * edge-triggered pin's vector.  From any context.
 */
bool hv_irq_has_ack_listener(struct hv_vm *vm, u32 chip, u32 pin)
{
	return hv_irq_pin_to_gsi(vm, chip, pin) == 0 && hv_pit_reinjects(vm);
}

/*
 * The guest ended a pin's interrupt (KVM's kvm_notify_acked_irq()).  From
 * any context, the chip's lock held: the listener takes no lock.
 */
void hv_irq_acked(struct hv_vm *vm, u32 chip, u32 pin)
{
	if (hv_irq_pin_to_gsi(vm, chip, pin) == 0)
		hv_pit_acked(vm);
}

/* A pin's mask bit changed (KVM's kvm_fire_mask_notifiers()); as above. */
void hv_irq_mask_changed(struct hv_vm *vm, u32 chip, u32 pin, bool masked)
{
	if (hv_irq_pin_to_gsi(vm, chip, pin) == 0)
		hv_pit_mask_changed(vm, masked);
}

/*
 * HV_SET_GSI_ROUTING.  As KVM, all entries are copied in before any is
 * looked at (an entry it cannot read is EFAULT, whatever came before it),
 * and every GSI is checked against HV_MAX_IRQ_ROUTES before the rest.
 */
static long hv_irq_set_routing(struct hv_vm *vm,
			       struct hv_irq_routing __user *argp)
{
	struct hv_irq_routing_entry *ue = NULL;
	struct hv_irq_routing_table *t;
	struct hv_irq_routing head;
	unsigned int i;
	int r;

	if (copy_from_user(&head, argp, sizeof(head)))
		return -EFAULT;
	if (READ_ONCE(vm->x86.irqchip) == HV_IRQCHIP_NONE)
		return -EINVAL;
	if (head.nr > HV_MAX_IRQ_ROUTES || head.flags)
		return -EINVAL;
	if (head.nr) {
		ue = vmemdup_user(argp->entries,
				  array_size(sizeof(*ue), head.nr));
		if (IS_ERR(ue))
			return PTR_ERR(ue);
	}
	r = -EINVAL;
	for (i = 0; i < head.nr; i++)
		if (ue[i].gsi >= HV_MAX_IRQ_ROUTES)
			goto out;
	r = -ENOMEM;
	t = kvzalloc(struct_size(t, e, head.nr), GFP_KERNEL_ACCOUNT);
	if (!t)
		goto out;
	for (i = 0; i < head.nr; i++) {
		r = hv_irq_route_from_user(vm, &t->e[i], &ue[i], t->e, i);
		if (r) {
			kvfree(t);
			goto out;
		}
	}
	t->nr = head.nr;
	hv_irq_set_table(vm, t);
	if (READ_ONCE(vm->x86.irqchip) == HV_IRQCHIP_SPLIT)
		hv_lapic_routes_changed(vm);
	r = 0;
out:
	kvfree(ue);
	return r;
}

/*
 * KVM's kvm_scan_ioapic_routes(): an MSI route of a GSI below
 * nr_ioapic_pins stands for a pin of userspace's I/O APIC, and if its
 * message is level-triggered and names this vCPU's APIC, the vector's EOI
 * is userspace's to hear of.
 */
void hv_irq_scan_ioapic_routes(struct hv_vcpu *vcpu, unsigned long *vectors)
{
	struct hv_vm *vm = vcpu->vm;
	struct hv_irq_routing_table *t;
	unsigned int i;
	int vec;

	bitmap_zero(vectors, 256);
	if (READ_ONCE(vm->x86.irqchip) != HV_IRQCHIP_SPLIT)
		return;
	mutex_lock(&vm->x86.irq_lock);
	t = vm->x86.routing;
	for (i = 0; t && i < t->nr; i++) {
		if (t->e[i].type != HV_IRQ_ROUTING_MSI ||
		    t->e[i].gsi >= vm->x86.nr_ioapic_pins)
			continue;
		vec = hv_lapic_msi_level_vector(vcpu, &t->e[i].msi);
		if (vec >= 0)
			__set_bit(vec, vectors);
	}
	mutex_unlock(&vm->x86.irq_lock);
}

/* KVM's default_routing[]: the PIC and the I/O APIC, 24 GSIs. */
static int hv_irq_default_routing(struct hv_vm *vm)
{
	struct hv_irq_routing_table *t;
	unsigned int gsi, n = 0;

	t = kvzalloc(struct_size(t, e, HV_PIC_PINS + HV_IOAPIC_NUM_PINS),
		     GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	for (gsi = 0; gsi < HV_IOAPIC_NUM_PINS; gsi++) {
		if (gsi < HV_PIC_PINS) {
			t->e[n].gsi = gsi;
			t->e[n].type = HV_IRQ_ROUTING_IRQCHIP;
			t->e[n].chip = gsi < 8 ? HV_IRQCHIP_PIC_MASTER :
						 HV_IRQCHIP_PIC_SLAVE;
			t->e[n++].pin = gsi % 8;
		}
		t->e[n].gsi = gsi;
		t->e[n].type = HV_IRQ_ROUTING_IRQCHIP;
		t->e[n].chip = HV_IRQCHIP_IOAPIC;
		t->e[n++].pin = gsi;
	}
	t->nr = n;
	hv_irq_set_table(vm, t);
	return 0;
}

/*
 * HV_CREATE_IRQCHIP, with KVM's errors: EEXIST once the VM has one (of
 * either kind), EINVAL once it has a vCPU.
 */
static long hv_irq_create_irqchip(struct hv_vm *vm)
{
	long r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->x86.irqchip != HV_IRQCHIP_NONE)
		goto out;
	r = -EINVAL;
	if (vm->created_vcpus)
		goto out;
	r = hv_pic_create(vm);
	if (r)
		goto out;
	r = hv_ioapic_create(vm);
	if (r)
		goto out_pic;
	r = hv_irq_default_routing(vm);
	if (r)
		goto out_ioapic;
	/* The chips before the mode: senders look at the mode first. */
	smp_store_release(&vm->x86.irqchip, HV_IRQCHIP_KERNEL);
	mutex_unlock(&vm->lock);
	return 0;
out_ioapic:
	hv_ioapic_free(vm);
out_pic:
	hv_pic_free(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long hv_irq_chip_ioctl(struct hv_vm *vm, unsigned int ioctl,
			      void __user *argp)
{
	struct hv_irqchip *chip;
	long r = 0;

	chip = memdup_user(argp, sizeof(*chip));
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	if (!hv_irqchip_full(vm)) {
		r = -ENXIO;
		goto out;
	}
	switch (chip->chip_id) {
	case HV_IRQCHIP_PIC_MASTER:
	case HV_IRQCHIP_PIC_SLAVE:
		if (ioctl == HV_GET_IRQCHIP)
			hv_pic_get_state(vm, chip->chip_id, &chip->chip.pic);
		else
			hv_pic_set_state(vm, chip->chip_id, &chip->chip.pic);
		break;
	case HV_IRQCHIP_IOAPIC:
		if (ioctl == HV_GET_IRQCHIP)
			hv_ioapic_get_state(vm, &chip->chip.ioapic);
		else
			hv_ioapic_set_state(vm, &chip->chip.ioapic);
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (ioctl == HV_GET_IRQCHIP && copy_to_user(argp, chip, sizeof(*chip)))
		r = -EFAULT;
out:
	kfree(chip);
	return r;
}

/* The irqchip's VM ioctls; -ENOIOCTLCMD for others. */
long hv_x86_irq_vm_ioctl(struct hv_vm *vm, unsigned int ioctl,
			 void __user *argp)
{
	struct hv_irq_level lvl;

	switch (ioctl) {
	case HV_CREATE_IRQCHIP:
		return hv_irq_create_irqchip(vm);
	case HV_IRQ_LINE:
	case HV_IRQ_LINE_STATUS:
		if (copy_from_user(&lvl, argp, sizeof(lvl)))
			return -EFAULT;
		/* Either kind of irqchip, as KVM's irqchip_in_kernel(). */
		if (READ_ONCE(vm->x86.irqchip) == HV_IRQCHIP_NONE)
			return -ENXIO;
		lvl.status = hv_irq_set_gsi(vm, lvl.irq, lvl.level,
					    ioctl == HV_IRQ_LINE_STATUS);
		if (ioctl == HV_IRQ_LINE_STATUS &&
		    copy_to_user(argp, &lvl, sizeof(lvl)))
			return -EFAULT;
		return 0;
	case HV_GET_IRQCHIP:
	case HV_SET_IRQCHIP:
		return hv_irq_chip_ioctl(vm, ioctl, argp);
	case HV_SET_GSI_ROUTING:
		return hv_irq_set_routing(vm, argp);
	}
	return -ENOIOCTLCMD;
}

/* The VM goes: no vCPU and no ioctl is left. */
void hv_x86_irq_vm_free(struct hv_vm *vm)
{
	kvfree(vm->x86.routing);
	vm->x86.routing = NULL;
	hv_ioapic_free(vm);
	hv_pic_free(vm);
}
