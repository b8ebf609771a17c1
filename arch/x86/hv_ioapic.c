// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the in-kernel I/O APIC, an 82093AA-style chip with 24 pins at
 * 0xfec00000: IOREGSEL at offset 0, IOWIN at 0x10; the indirect registers
 * ID (0), version (1: 0x170011, KVM's), arbitration (2) and the
 * redirection table (0x10 + 2 * pin, low then high half).
 *
 * A pin's request is delivered to the local APICs its entry names as an
 * interrupt message (hv_lapic_deliver_ioapic()).  Edge pins deliver on a
 * rising edge; a level pin delivers while asserted, sets Remote IRR once
 * an APIC took it, and delivers again after the EOI for its vector if
 * still asserted (SDM vol 3, 11.8.5: the local APIC broadcasts the EOI of
 * a level-triggered vector to the I/O APIC).  As on KVM, writing an entry
 * keeps its read-only bits (delivery status, Remote IRR), and making it
 * edge-triggered clears Remote IRR.  An EOI of a pin's vector, and a
 * change of its mask bit, go back to the pin's GSI (hv_irq_acked(),
 * hv_irq_mask_changed()); an edge vector's EOI is heard only where that
 * matters (the PIT re-injecting on GSI 0), as KVM's handled vectors.
 *
 * @lock guards the chip.  It is taken by HV_IRQ_LINE, the guest's MMIO
 * accesses and EOIs, all in process context with interrupts enabled;
 * delivery under it only sets IRR bits and kicks vCPUs.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"

#define IOAPIC_VERSION		0x11
#define IOAPIC_NUM_PINS		HV_IOAPIC_NUM_PINS
#define RTC_GSI			8	/* the PC's RTC: KVM tracks its EOIs */

/* Redirection entry bits (82093AA data sheet, 3.2.4). */
#define RTE_VECTOR		0xffULL
#define RTE_DM_SHIFT		8
#define RTE_LOGICAL		BIT_ULL(11)
#define RTE_DELIVS		BIT_ULL(12)
#define RTE_REMOTE_IRR		BIT_ULL(14)
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST_SHIFT		56

struct hv_ioapic {
	spinlock_t lock;
	u64 base;		/* HV_SET_IRQCHIP's; the page stays put */
	u32 pad;		/* HV_SET_IRQCHIP's too, given back */
	u32 ioregsel;
	u32 id;
	u32 irr;		/* pins asserted (level) or edges pending */
	u32 irr_delivered;	/* edge requests the APICs took */
	u64 rte[IOAPIC_NUM_PINS];
	struct hv_vm *vm;
	/*
	 * The RTC pin, as KVM's rtc_status: the APICs that took its last
	 * interrupt sent with HV_IRQ_LINE_STATUS and have not ended it (a
	 * bit and the vector for each), and how many.  Until they all have,
	 * HV_IRQ_LINE_STATUS raising the pin is coalesced (0), so that
	 * userspace can make up for lost ticks.
	 */
	int rtc_pending;
	DECLARE_BITMAP(rtc_map, HV_MAX_VCPUS);
	u8 rtc_vector[HV_MAX_VCPUS];
};

static struct hv_ioapic *to_ioapic(struct hv_vm *vm)
{
	return vm->x86.ioapic;
}

/*
 * Send pin @pin's interrupt: the number of APICs that took it, or -1.
 * @line_status: from HV_IRQ_LINE_STATUS, where the RTC pin notes them.
 */
static int ioapic_service(struct hv_ioapic *io, int pin, bool line_status)
{
	u64 e = io->rte[pin];
	bool level = e & RTE_LEVEL;
	bool rtc = pin == RTC_GSI && line_status;
	int r, i, mode = (e >> RTE_DM_SHIFT) & 7;

	if ((e & RTE_MASKED) || (level && (e & RTE_REMOTE_IRR)))
		return -1;
	if (!level)
		io->irr_delivered |= BIT(pin);
	/* As KVM, only fixed and lowest-priority ones are noted per APIC. */
	r = hv_lapic_deliver_ioapic(io->vm, e >> RTE_DEST_SHIFT,
				    e & RTE_LOGICAL, mode, e & RTE_VECTOR, level,
				    rtc && mode <= 1 ? io->rtc_map : NULL);
	if (rtc) {
		for_each_set_bit(i, io->rtc_map, HV_MAX_VCPUS)
			io->rtc_vector[i] = e & RTE_VECTOR;
		io->rtc_pending = r < 0 ? 0 : r;
	}
	if (r && level)
		io->rte[pin] |= RTE_REMOTE_IRR;
	return r;
}

/* A pin's line; KVM's status: 1 or the APICs reached, 0 coalesced, -1. */
static int ioapic_set_pin(struct hv_ioapic *io, int pin, int level,
			  bool line_status)
{
	u32 bit = BIT(pin), old = io->irr;

	if (!level) {
		io->irr &= ~bit;
		return 1;
	}
	/* The RTC's last interrupt is not ended yet: this one is lost. */
	if (pin == RTC_GSI && line_status && io->rtc_pending > 0)
		return 0;
	io->irr |= bit;
	if (!(io->rte[pin] & RTE_LEVEL)) {
		io->irr_delivered &= ~bit;
		/* An edge that comes while the last one waits is lost. */
		if (old == io->irr)
			return 0;
	}
	return ioapic_service(io, pin, line_status);
}

int hv_ioapic_set_irq(struct hv_vm *vm, int pin, int level, bool line_status)
{
	struct hv_ioapic *io = to_ioapic(vm);
	int r;

	spin_lock(&io->lock);
	r = ioapic_set_pin(io, pin, level, line_status);
	spin_unlock(&io->lock);
	return r;
}

static u32 ioapic_read_indirect(struct hv_ioapic *io)
{
	u32 pin;

	switch (io->ioregsel) {
	case 0:
	case 2:
		return (io->id & 0xf) << 24;
	case 1:
		return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
	}
	pin = (io->ioregsel - 0x10) >> 1;
	if (io->ioregsel < 0x10 || pin >= IOAPIC_NUM_PINS)
		return ~0U;
	return io->ioregsel & 1 ? io->rte[pin] >> 32 : (u32)io->rte[pin];
}

static void ioapic_write_indirect(struct hv_ioapic *io, u32 val)
{
	u64 keep, masked, *e;
	u32 pin;

	switch (io->ioregsel) {
	case 0:
		io->id = (val >> 24) & 0xf;
		return;
	case 1:
	case 2:
		return;
	}
	pin = (io->ioregsel - 0x10) >> 1;
	if (io->ioregsel < 0x10 || pin >= IOAPIC_NUM_PINS)
		return;
	e = &io->rte[pin];
	masked = *e & RTE_MASKED;
	keep = *e & (RTE_DELIVS | RTE_REMOTE_IRR);
	if (io->ioregsel & 1)
		*e = (u32)*e | (u64)val << 32;
	else
		*e = (*e & ~0xffffffffULL) | val;
	*e = (*e & ~(RTE_DELIVS | RTE_REMOTE_IRR)) | keep;
	/* Linux relies on this to end a lost level interrupt (KVM too). */
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR;
	if ((*e & RTE_MASKED) != masked)
		hv_irq_mask_changed(io->vm, HV_IRQCHIP_IOAPIC, pin,
				    *e & RTE_MASKED);
	if ((*e & RTE_LEVEL) && (io->irr & BIT(pin)))
		ioapic_service(io, pin, false);
}

/*
 * The guest's access to the I/O APIC's page; true if @gpa is in it.
 * Reads of other offsets give 0, writes there are ignored.  As on KVM,
 * the chip answers at HV_IOAPIC_BASE only while the base address its
 * state holds is that too (HV_SET_IRQCHIP may change it, but the page
 * does not move: the chip is then gone from the guest's view).
 */
bool hv_ioapic_mmio(struct hv_vm *vm, u64 gpa, unsigned int len, bool write,
		    void *data)
{
	struct hv_ioapic *io = to_ioapic(vm);
	u32 off = gpa - HV_IOAPIC_BASE, val = 0;
	u64 base;

	if (!io || gpa < HV_IOAPIC_BASE ||
	    gpa + len > HV_IOAPIC_BASE + HV_IOAPIC_MEM_LENGTH)
		return false;
	base = READ_ONCE(io->base);
	if (gpa < base || gpa >= base + HV_IOAPIC_MEM_LENGTH)
		return false;
	if (write)
		memcpy(&val, data, min(len, 4U));
	spin_lock(&io->lock);
	switch (off) {
	case 0x00:
		if (write)
			io->ioregsel = val & 0xff;
		else
			val = io->ioregsel;
		break;
	case 0x10:
		if (write)
			ioapic_write_indirect(io, val);
		else
			val = ioapic_read_indirect(io);
		break;
	default:
		val = 0;
		break;
	}
	spin_unlock(&io->lock);
	if (!write) {
		memset(data, 0, len);
		memcpy(data, &val, min(len, 4U));
	}
	return true;
}

/*
 * Whether the I/O APIC hears @vcpu's EOI of an edge-triggered @vector:
 * KVM's ioapic_handled_vectors, where a pin whose end is listened to
 * (hv_irq_has_ack_listener()) puts its vector for the APICs it names.
 */
static bool ioapic_hears_edge_eoi(struct hv_ioapic *io, struct hv_vcpu *vcpu,
				  int vector)
{
	int pin;

	for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		u64 e = io->rte[pin];

		if ((e & RTE_VECTOR) == vector &&
		    hv_irq_has_ack_listener(io->vm, HV_IRQCHIP_IOAPIC, pin) &&
		    hv_lapic_is_dest(vcpu, e >> RTE_DEST_SHIFT,
				     e & RTE_LOGICAL))
			return true;
	}
	return false;
}

/*
 * @vcpu's EOI of @vector, level-triggered (its TMR bit set) or not.  Each
 * pin with that vector hears of it (hv_irq_acked()), and a level pin's
 * level EOI drops Remote IRR: still asserted and unmasked, it delivers
 * again.  As on KVM, an edge EOI is heard only where a pin's end is
 * listened to (the PIT re-injecting ticks on GSI 0).
 */
void hv_ioapic_eoi(struct hv_vcpu *vcpu, int vector, bool level)
{
	struct hv_ioapic *io = to_ioapic(vcpu->vm);
	int pin;

	if (!io)
		return;
	spin_lock(&io->lock);
	if (!level && !ioapic_hears_edge_eoi(io, vcpu, vector))
		goto out;
	for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		u64 *e = &io->rte[pin];

		if ((*e & RTE_VECTOR) != vector)
			continue;
		hv_irq_acked(io->vm, HV_IRQCHIP_IOAPIC, pin);
		if (!level || !(*e & RTE_LEVEL))
			continue;
		*e &= ~RTE_REMOTE_IRR;
		if (!(*e & RTE_MASKED) && (io->irr & BIT(pin)))
			ioapic_service(io, pin, false);
	}
out:
	spin_unlock(&io->lock);
}

/*
 * An EOI of @vector on @vcpu: the end of the RTC's interrupt there, if it
 * was its (KVM's rtc_irq_eoi()).
 */
void hv_ioapic_rtc_eoi(struct hv_vcpu *vcpu, int vector)
{
	struct hv_ioapic *io = to_ioapic(vcpu->vm);

	if (!io || !READ_ONCE(io->rtc_pending))
		return;
	spin_lock(&io->lock);
	if (test_bit(vcpu->id, io->rtc_map) &&
	    io->rtc_vector[vcpu->id] == vector) {
		clear_bit(vcpu->id, io->rtc_map);
		io->rtc_pending--;
	}
	spin_unlock(&io->lock);
}

/* Whether @vcpu still has the RTC pin's vector to end; @io locked. */
static void ioapic_rtc_restore_one(struct hv_ioapic *io, struct hv_vcpu *vcpu)
{
	u64 e = io->rte[RTC_GSI];
	bool now = hv_lapic_pending_eoi(vcpu, e >> RTE_DEST_SHIFT,
					e & RTE_LOGICAL, e & RTE_VECTOR);

	if (now == test_bit(vcpu->id, io->rtc_map))
		return;
	if (now) {
		set_bit(vcpu->id, io->rtc_map);
		io->rtc_vector[vcpu->id] = e & RTE_VECTOR;
		io->rtc_pending++;
	} else {
		clear_bit(vcpu->id, io->rtc_map);
		io->rtc_pending--;
	}
}

/* HV_SET_LAPIC: the vCPU's part, from its new state (KVM too). */
void hv_ioapic_rtc_restore(struct hv_vcpu *vcpu)
{
	struct hv_ioapic *io = to_ioapic(vcpu->vm);

	if (!io)
		return;
	spin_lock(&io->lock);
	ioapic_rtc_restore_one(io, vcpu);
	spin_unlock(&io->lock);
}

/* All of it again, from the APICs as they are; @io locked. */
static void ioapic_rtc_restore_all(struct hv_ioapic *io)
{
	int i;

	io->rtc_pending = 0;
	bitmap_zero(io->rtc_map, HV_MAX_VCPUS);
	for (i = 0; i < HV_MAX_VCPUS; i++) {
		/* Pairs with hv_vcpu_create()'s release store. */
		struct hv_vcpu *v = smp_load_acquire(&io->vm->vcpus[i]);

		if (v && v->x86.apic)
			ioapic_rtc_restore_one(io, v);
	}
}

/* HV_GET_IRQCHIP: edge requests already delivered are not reported. */
void hv_ioapic_get_state(struct hv_vm *vm, struct hv_ioapic_state *s)
{
	struct hv_ioapic *io = to_ioapic(vm);
	int i;

	memset(s, 0, sizeof(*s));
	spin_lock(&io->lock);
	s->base_address = io->base;
	s->pad = io->pad;
	s->ioregsel = io->ioregsel;
	s->id = io->id;
	s->irr = io->irr & ~io->irr_delivered;
	for (i = 0; i < IOAPIC_NUM_PINS; i++)
		s->redirtbl[i].bits = io->rte[i];
	spin_unlock(&io->lock);
}

/*
 * HV_SET_IRQCHIP: the table and registers as given (the base address and
 * the pad word too: KVM's kvm_set_ioapic() copies the whole struct in);
 * the requests in @s->irr are raised again, as KVM does.
 */
void hv_ioapic_set_state(struct hv_vm *vm, const struct hv_ioapic_state *s)
{
	struct hv_ioapic *io = to_ioapic(vm);
	int i;

	spin_lock(&io->lock);
	WRITE_ONCE(io->base, s->base_address);
	io->pad = s->pad;
	io->ioregsel = s->ioregsel;
	io->id = s->id;
	io->irr = 0;
	io->irr_delivered = 0;
	for (i = 0; i < IOAPIC_NUM_PINS; i++)
		io->rte[i] = s->redirtbl[i].bits;
	/* As KVM's kvm_ioapic_inject_all(): the RTC's tracking anew. */
	io->rtc_pending = 0;
	bitmap_zero(io->rtc_map, HV_MAX_VCPUS);
	for (i = 0; i < IOAPIC_NUM_PINS; i++)
		if (s->irr & BIT(i))
			ioapic_set_pin(io, i, 1, true);
	ioapic_rtc_restore_all(io);
	spin_unlock(&io->lock);
}

int hv_ioapic_create(struct hv_vm *vm)
{
	struct hv_ioapic *io = kzalloc(sizeof(*io), GFP_KERNEL_ACCOUNT);
	int i;

	if (!io)
		return -ENOMEM;
	spin_lock_init(&io->lock);
	io->vm = vm;
	io->base = HV_IOAPIC_BASE;
	/* Reset: every pin masked. */
	for (i = 0; i < IOAPIC_NUM_PINS; i++)
		io->rte[i] = RTE_MASKED;
	vm->x86.ioapic = io;
	return 0;
}

void hv_ioapic_free(struct hv_vm *vm)
{
	kfree(vm->x86.ioapic);
	vm->x86.ioapic = NULL;
}
