// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the in-kernel PIT (HV_CREATE_PIT2), an Intel 8254 at ports
 * 0x40-0x43, and, with HV_PIT_SPEAKER_DUMMY, port 0x61 (channel 2's
 * gate, the speaker data bit, channel 2's output and the refresh toggle).
 *
 * Each channel counts down at 1.193182 MHz from the count loaded, in the
 * 8254's modes 0-5 (modes 6 and 7 are 2 and 3), read as LSB, MSB or both
 * through its write and read state machines, with the counter-latch and
 * read-back commands.  As on KVM, the count is not stored as it runs: it
 * is computed from the time since it was loaded (channel 0: from its
 * hrtimer), and only channel 0 interrupts: its output raises GSI 0 (the
 * PIC's IRQ 0 and the I/O APIC's pin 0 by default) at each expiry of an
 * hrtimer, one-shot in modes 0, 1 and 4, periodic in 2 and 3 (no shorter
 * than 200 us, KVM's limit), and only while the I/O APIC is in the kernel
 * and the HPET has not taken over (HV_PIT_FLAGS_HPET_LEGACY), all as
 * KVM's i8254.c does.
 *
 * Ticks the guest did not take in time are re-injected, as KVM's default
 * (HV_REINJECT_CONTROL turns it off and on): each expiry counts in
 * @pending, and the line rises again only once the guest has ended the
 * last tick's interrupt (@irq_ack): the PIC's EOI or auto-EOI of the pin
 * GSI 0 drives, or the local APIC's EOI of the I/O APIC pin's vector,
 * which hv_irq.c passes here (hv_pit_acked()), and which makes the next
 * pending tick go at once.  Unmasking GSI 0's pin on either chip forgets
 * the ticks pending, as KVM's mask notifier does; so does loading a count
 * into channel 0.  With re-injection off each expiry is one edge.  As on
 * KVM, each tick that raises the line also fires LVT0 on every vCPU while
 * some APIC has LVT0 in NMI mode (hv_lapic_nmi_watchdog()): the NMI
 * watchdog's virtual wire.
 *
 * @lock (a mutex) guards the channels, @flags, @reinject's changes and
 * the timer's settings.  It is taken by the vCPUs' port I/O and the PIT
 * ioctls, in process context: reprogramming the timer waits for the work
 * as KVM does, so that no tick of the old count is raised after it.  The
 * hrtimer's callback only counts and queues @irq_work, which raises the
 * line from a workqueue (the routing takes a mutex); @pending and
 * @irq_ack are atomics, which the chips' EOIs change under their own
 * spinlocks, the PIC's with interrupts disabled.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"

#define PIT_FREQ		1193182		/* Hz */
#define PIT_PORT_FIRST		0x40
#define PIT_PORT_CONTROL	0x43
#define SPEAKER_PORT		0x61
#define PIT_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)

/* The read and write state machines (rw_mode, read_state, write_state). */
enum {
	RW_LSB = 1,
	RW_MSB = 2,
	RW_WORD0 = 3,	/* both, LSB next */
	RW_WORD1 = 4,	/* both, MSB next */
};

/**
 * struct hv_pit - the in-kernel PIT
 * @vm:		[I] its VM
 * @lock:	the lock above
 * @ch:		[lock] the three channels
 * @flags:	[lock] HV_PIT_FLAGS_*
 * @speaker:	[I] port 0x61 is the PIT's (HV_PIT_SPEAKER_DUMMY)
 * @reinject:	[lock to write; READ_ONCE] missed ticks are re-injected
 * @pending:	[atomic] with @reinject: expiries whose interrupt the guest
 *		has not ended, the one on the line included
 * @irq_ack:	[atomic] with @reinject: 1 when the line may rise again
 * @timer:	channel 0's; [lock, timer stopped] @period and @periodic
 * @irq_work:	raises GSI 0
 */
struct hv_pit {
	struct hv_vm *vm;
	struct mutex lock;
	struct hv_pit_channel_state ch[3];
	u32 flags;
	bool speaker;
	bool reinject;
	atomic_t pending;
	atomic_t irq_ack;
	struct hrtimer timer;
	s64 period;
	bool periodic;
	struct work_struct irq_work;
};

static u32 pit_mod(u64 a, u32 b)
{
	u32 rem;

	div_u64_rem(a, b, &rem);
	return rem;
}

/* Nanoseconds the channel has counted since its count was loaded. */
static s64 pit_elapsed(struct hv_pit *pit, int channel)
{
	if (channel)
		return ktime_get_ns() - pit->ch[channel].count_load_time;
	/* Channel 0 counts with its timer, and not without one. */
	if (!pit->period)
		return 0;
	return pit->period - ktime_to_ns(hrtimer_get_remaining(&pit->timer));
}

static u64 pit_ticks(struct hv_pit *pit, int channel)
{
	s64 t = pit_elapsed(pit, channel);

	return t > 0 ? mul_u64_u32_div(t, PIT_FREQ, NSEC_PER_SEC) : 0;
}

/*
 * The count now: modes 0, 1, 4, 5 count down through 0 and wrap at 16
 * bits; 2 reloads at 0; 3 counts down by two, twice per period.
 */
static u32 pit_count(struct hv_pit *pit, int channel)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];
	u64 d = pit_ticks(pit, channel);

	switch (c->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (c->count - d) & 0xffff;
	case 3:
		return c->count - pit_mod(2 * d, c->count);
	default:
		return c->count - pit_mod(d, c->count);
	}
}

/* The channel's OUT pin now, as the 8254 data sheet's mode diagrams. */
static int pit_out(struct hv_pit *pit, int channel)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];
	u64 d = pit_ticks(pit, channel);

	switch (c->mode) {
	default:
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return d && !pit_mod(d, c->count);
	case 3:
		return pit_mod(d, c->count) < (c->count + 1) / 2;
	case 4:
	case 5:
		return d == c->count;
	}
}

/* No tick pending, and the line free to rise (KVM's reset state). */
static void pit_reset_reinject(struct hv_pit *pit)
{
	atomic_set(&pit->pending, 0);
	atomic_set(&pit->irq_ack, 1);
}

static void pit_irq_work(struct work_struct *work)
{
	struct hv_pit *pit = container_of(work, struct hv_pit, irq_work);

	/* Re-injecting, the line waits for the end of the last tick. */
	if (READ_ONCE(pit->reinject) && !atomic_xchg(&pit->irq_ack, 0))
		return;
	/* An edge on GSI 0. */
	hv_irq_set_gsi(pit->vm, 0, 1, false);
	hv_irq_set_gsi(pit->vm, 0, 0, false);
	hv_lapic_nmi_watchdog(pit->vm);
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *t)
{
	struct hv_pit *pit = container_of(t, struct hv_pit, timer);

	if (READ_ONCE(pit->reinject))
		atomic_inc(&pit->pending);
	queue_work(system_highpri_wq, &pit->irq_work);
	if (!pit->periodic)
		return HRTIMER_NORESTART;
	hrtimer_add_expires_ns(t, pit->period);
	return HRTIMER_RESTART;
}

/* Channel 0's timer for a count of VAL (under @lock). */
static void pit_start_timer(struct hv_pit *pit, u32 val, bool periodic)
{
	s64 interval = mul_u64_u32_div(val, NSEC_PER_SEC, PIT_FREQ);

	if (!hv_irqchip_full(pit->vm) ||
	    (pit->flags & HV_PIT_FLAGS_HPET_LEGACY))
		return;
	/*
	 * The callback and the work take no lock of the PIT: waiting for
	 * them here is safe, and the ticks of the old count are done.
	 */
	hrtimer_cancel(&pit->timer);
	flush_work(&pit->irq_work);
	pit->periodic = periodic;
	pit->period = interval;
	pit_reset_reinject(pit);
	/* A guest cannot make the host fire timers back to back. */
	if (periodic && pit->period < PIT_MIN_PERIOD_NS)
		pit->period = PIT_MIN_PERIOD_NS;
	hrtimer_start(&pit->timer, ktime_add_ns(ktime_get(), interval),
		      HRTIMER_MODE_ABS);
}

static void pit_stop_timer(struct hv_pit *pit)
{
	hrtimer_cancel(&pit->timer);
	flush_work(&pit->irq_work);
}

/*
 * Load a count (0 is 65536); for channel 0 that (re)starts or stops its
 * timer by mode; NO_TIMER loads it and stops the timer whatever the mode
 * (the HPET's legacy mode taking over, as KVM's kvm_pit_load_count(),
 * which loads it as mode 0xff).
 */
static void pit_load_count(struct hv_pit *pit, int channel, u32 val,
			   bool no_timer)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];

	if (!val)
		val = 0x10000;
	c->count = val;
	if (channel) {
		c->count_load_time = ktime_get_ns();
		return;
	}
	if (no_timer) {
		pit_stop_timer(pit);
		return;
	}
	switch (c->mode) {
	case 0:
	case 1:
	case 4:
		pit_start_timer(pit, val, false);
		break;
	case 2:
	case 3:
		pit_start_timer(pit, val, true);
		break;
	default:
		pit_stop_timer(pit);
	}
}

static void pit_latch_count(struct hv_pit *pit, int channel)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];

	if (!c->count_latched) {
		c->latched_count = pit_count(pit, channel);
		c->count_latched = c->rw_mode;
	}
}

static void pit_latch_status(struct hv_pit *pit, int channel)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];

	if (!c->status_latched) {
		c->status = pit_out(pit, channel) << 7 | c->rw_mode << 4 |
			    c->mode << 1 | c->bcd;
		c->status_latched = 1;
	}
}

/* A rising gate restarts counting in modes 1, 2, 3 and 5. */
static void pit_set_gate(struct hv_pit *pit, int channel, u8 val)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];

	switch (c->mode) {
	case 1:
	case 2:
	case 3:
	case 5:
		if (c->gate < val)
			c->count_load_time = ktime_get_ns();
		break;
	}
	c->gate = val;
}

static void pit_write_control(struct hv_pit *pit, u8 val)
{
	int channel = val >> 6, access = (val >> 4) & 3;
	struct hv_pit_channel_state *c;

	if (channel == 3) {
		/* Read-back: bits 1-3 pick channels; 5 count, 4 status. */
		for (channel = 0; channel < 3; channel++) {
			if (!(val & (2 << channel)))
				continue;
			if (!(val & 0x20))
				pit_latch_count(pit, channel);
			if (!(val & 0x10))
				pit_latch_status(pit, channel);
		}
		return;
	}
	if (!access) {
		pit_latch_count(pit, channel);
		return;
	}
	c = &pit->ch[channel];
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
}

static void pit_write_count(struct hv_pit *pit, int channel, u8 val)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];

	switch (c->write_state) {
	default:
	case RW_LSB:
		pit_load_count(pit, channel, val, false);
		break;
	case RW_MSB:
		pit_load_count(pit, channel, val << 8, false);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		pit_load_count(pit, channel, c->write_latch | val << 8, false);
		c->write_state = RW_WORD0;
		break;
	}
}

static u8 pit_read_count(struct hv_pit *pit, int channel)
{
	struct hv_pit_channel_state *c = &pit->ch[channel];
	u8 ret;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		default:
		case RW_LSB:
			c->count_latched = 0;
			return c->latched_count & 0xff;
		case RW_MSB:
			c->count_latched = 0;
			return c->latched_count >> 8;
		case RW_WORD0:
			c->count_latched = RW_MSB;
			return c->latched_count & 0xff;
		}
	}
	switch (c->read_state) {
	default:
	case RW_LSB:
		return pit_count(pit, channel) & 0xff;
	case RW_MSB:
		return pit_count(pit, channel) >> 8;
	case RW_WORD0:
		ret = pit_count(pit, channel) & 0xff;
		c->read_state = RW_WORD1;
		return ret;
	case RW_WORD1:
		ret = pit_count(pit, channel) >> 8;
		c->read_state = RW_WORD0;
		return ret;
	}
}

static u8 pit_read_speaker(struct hv_pit *pit)
{
	/* The refresh request toggles about every 15 us: every 2^14 ns. */
	u8 refresh = (ktime_get_ns() >> 14) & 1;

	return !!(pit->flags & HV_PIT_FLAGS_SPEAKER_DATA_ON) << 1 |
	       pit->ch[2].gate | pit_out(pit, 2) << 5 | refresh << 4;
}

/*
 * A guest's IN or OUT to the PIT's ports: true if the PIT took it.  Only
 * the low byte of an OUT counts, and an IN returns one byte, as on KVM.
 */
bool hv_pit_pio(struct hv_vm *vm, u16 port, bool in, u32 *val)
{
	struct hv_pit *pit = vm->x86.pit;

	if (!pit)
		return false;
	if (port == SPEAKER_PORT) {
		if (!pit->speaker)
			return false;
		mutex_lock(&pit->lock);
		if (in) {
			*val = pit_read_speaker(pit);
		} else {
			if (*val & 2)
				pit->flags |= HV_PIT_FLAGS_SPEAKER_DATA_ON;
			else
				pit->flags &= ~HV_PIT_FLAGS_SPEAKER_DATA_ON;
			pit_set_gate(pit, 2, *val & 1);
		}
		mutex_unlock(&pit->lock);
		return true;
	}
	if (port < PIT_PORT_FIRST || port > PIT_PORT_CONTROL)
		return false;
	mutex_lock(&pit->lock);
	if (port == PIT_PORT_CONTROL) {
		if (in)
			*val = 0;
		else
			pit_write_control(pit, *val);
	} else if (in) {
		*val = pit_read_count(pit, port - PIT_PORT_FIRST);
	} else {
		pit_write_count(pit, port - PIT_PORT_FIRST, *val);
	}
	mutex_unlock(&pit->lock);
	return true;
}

static void pit_reset(struct hv_pit *pit)
{
	int i;

	pit->flags = 0;
	for (i = 0; i < 3; i++) {
		pit->ch[i].mode = 0xff;
		pit->ch[i].gate = i != 2;
		pit_load_count(pit, i, 0, false);
	}
	pit_reset_reinject(pit);
}

/*
 * HV_REINJECT_CONTROL (KVM's kvm_pit_set_reinject()): turning it on
 * starts from no tick pending; off, the count stays as it was.
 */
static void pit_set_reinject(struct hv_pit *pit, bool reinject)
{
	lockdep_assert_held(&pit->lock);
	if (pit->reinject == reinject)
		return;
	if (reinject)
		pit_reset_reinject(pit);
	WRITE_ONCE(pit->reinject, reinject);
}

/* The VM's PIT, or NULL: from any context. */
static struct hv_pit *pit_of(struct hv_vm *vm)
{
	/* Pairs with hv_pit_create()'s release store. */
	return smp_load_acquire(&vm->x86.pit);
}

/* Whether GSI 0's EOIs matter: the PIT is there and re-injects. */
bool hv_pit_reinjects(struct hv_vm *vm)
{
	struct hv_pit *pit = pit_of(vm);

	return pit && READ_ONCE(pit->reinject);
}

/*
 * The guest ended GSI 0's interrupt (hv_irq_acked(), KVM's
 * kvm_pit_ack_irq()): the line may rise again, at once if another tick is
 * pending.  From any context, a chip's spinlock held; the vCPUs that EOI
 * are gone before hv_pit_free().
 */
void hv_pit_acked(struct hv_vm *vm)
{
	struct hv_pit *pit = pit_of(vm);

	if (!pit || !READ_ONCE(pit->reinject))
		return;
	atomic_set(&pit->irq_ack, 1);
	/*
	 * @irq_ack before @pending is read: the timer's increment and the
	 * work's exchange are full barriers, so a tick counted after this
	 * read finds @irq_ack set when its work runs.
	 */
	smp_mb();
	if (atomic_dec_if_positive(&pit->pending) > 0)
		queue_work(system_highpri_wq, &pit->irq_work);
}

/* GSI 0's pin was masked or unmasked (KVM's pit_mask_notifer()). */
void hv_pit_mask_changed(struct hv_vm *vm, bool masked)
{
	struct hv_pit *pit = pit_of(vm);

	if (pit && READ_ONCE(pit->reinject) && !masked)
		pit_reset_reinject(pit);
}

/* HV_CREATE_PIT2 (and the old HV_CREATE_PIT, which has the speaker). */
static long hv_pit_create(struct hv_vm *vm, u32 flags)
{
	struct hv_pit *pit;
	long r = 0;

	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		return -ENOMEM;
	pit->vm = vm;
	mutex_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pit->timer.function = pit_timer_fn;
	INIT_WORK(&pit->irq_work, pit_irq_work);
	pit->speaker = flags & HV_PIT_SPEAKER_DUMMY;
	mutex_lock(&pit->lock);
	pit_reset(pit);
	pit_set_reinject(pit, true);
	mutex_unlock(&pit->lock);

	mutex_lock(&vm->lock);
	if (vm->x86.pit)
		r = -EEXIST;
	else
		/* Pairs with the vCPUs' READ_ONCE in hv_x86_pio_kernel(). */
		smp_store_release(&vm->x86.pit, pit);
	mutex_unlock(&vm->lock);
	if (r) {
		mutex_destroy(&pit->lock);
		kfree(pit);
	}
	return r;
}

/* The VM goes: no vCPU runs; the line is not raised again after this. */
void hv_pit_free(struct hv_vm *vm)
{
	struct hv_pit *pit = vm->x86.pit;

	if (!pit)
		return;
	hrtimer_cancel(&pit->timer);
	cancel_work_sync(&pit->irq_work);
	mutex_destroy(&pit->lock);
	kfree(pit);
	vm->x86.pit = NULL;
}

/*
 * HV_SET_PIT(2): the state as given, then each count loaded again (which
 * restarts channel 0's timer by its mode, except while the HPET takes
 * over: KVM's kvm_vm_ioctl_set_pit2()).
 */
static void hv_pit_set(struct hv_pit *pit, const struct hv_pit_state2 *s,
		       bool with_flags)
{
	bool legacy_start;
	int i;

	mutex_lock(&pit->lock);
	legacy_start = with_flags &&
		       !(pit->flags & HV_PIT_FLAGS_HPET_LEGACY) &&
		       (s->flags & HV_PIT_FLAGS_HPET_LEGACY);
	memcpy(pit->ch, s->channels, sizeof(pit->ch));
	if (with_flags)
		pit->flags = s->flags;
	for (i = 0; i < 3; i++)
		pit_load_count(pit, i, pit->ch[i].count,
			       i == 0 && legacy_start);
	mutex_unlock(&pit->lock);
}

long hv_pit_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, void __user *argp)
{
	/* Pairs with hv_pit_create()'s release store. */
	struct hv_pit *pit = smp_load_acquire(&vm->x86.pit);
	struct hv_reinject_control rc;
	struct hv_pit_config cfg;
	struct hv_pit_state2 s;

	switch (ioctl) {
	case HV_CREATE_PIT:
		return hv_pit_create(vm, HV_PIT_SPEAKER_DUMMY);
	case HV_CREATE_PIT2:
		if (copy_from_user(&cfg, argp, sizeof(cfg)))
			return -EFAULT;
		return hv_pit_create(vm, cfg.flags);
	case HV_GET_PIT:
	case HV_GET_PIT2:
		if (!pit)
			return -ENXIO;
		memset(&s, 0, sizeof(s));
		mutex_lock(&pit->lock);
		memcpy(s.channels, pit->ch, sizeof(s.channels));
		s.flags = pit->flags;
		mutex_unlock(&pit->lock);
		if (copy_to_user(argp, &s, ioctl == HV_GET_PIT2 ? sizeof(s) :
				 sizeof(struct hv_pit_state)))
			return -EFAULT;
		return 0;
	case HV_SET_PIT:
	case HV_SET_PIT2:
		memset(&s, 0, sizeof(s));
		if (copy_from_user(&s, argp, ioctl == HV_SET_PIT2 ? sizeof(s) :
				   sizeof(struct hv_pit_state)))
			return -EFAULT;
		if (!pit)
			return -ENXIO;
		hv_pit_set(pit, &s, ioctl == HV_SET_PIT2);
		return 0;
	case HV_REINJECT_CONTROL:
		if (copy_from_user(&rc, argp, sizeof(rc)))
			return -EFAULT;
		if (!pit)
			return -ENXIO;
		mutex_lock(&pit->lock);
		pit_set_reinject(pit, rc.pit_reinject);
		mutex_unlock(&pit->lock);
		return 0;
	}
	return -ENOIOCTLCMD;
}
