// SPDX-License-Identifier: GPL-2.0
/*
 * hv: kvmclock, KVM's paravirtual clock, for Linux guests.
 *
 * The guest finds it in CPUID 0x40000000 ("KVMKVMKVM", hv_cpuid.c) and
 * 0x40000001 (CLOCKSOURCE, CLOCKSOURCE2 and their STABLE bit), writes the
 * guest physical address of a struct pvclock_vcpu_time_info (bit 0:
 * enable) to MSR_KVM_SYSTEM_TIME_NEW (or the old MSR_KVM_SYSTEM_TIME),
 * and reads its clock as
 *
 *	system_time + scale(TSC - tsc_timestamp, tsc_to_system_mul, tsc_shift)
 *
 * without exits.  The VM's clock is what HV_GET_CLOCK returns: the
 * host's boot-time clock plus @kvmclock_offset, 0 when the VM is created.
 *
 * Where the host's clocksource is the TSC, hv does as KVM's "master
 * clock": one pair (@master_ns, @master_tsc) of the boot-time clock and
 * the host TSC taken together, at VM creation and at each HV_SET_CLOCK,
 * defines the clock of every vCPU from then on as a linear function of
 * the TSC.  The guest's time information then never changes (except when
 * its TSC offset does), every vCPU computes the same time from the same
 * TSC, PVCLOCK_TSC_STABLE_BIT tells the guest so, and HV_GET_CLOCK gives
 * the same function's value with the host TSC and wall-clock time it
 * read (KVM_CLOCK_HOST_TSC, KVM_CLOCK_REALTIME).  On another clocksource
 * (the QEMU machines of 6.1: hpet) each update takes the boot-time clock
 * and the TSC anew, without the stable bit, and HV_GET_CLOCK reads the
 * boot-time clock, with no flags: KVM's behaviour without a master clock.
 *
 * The time information is written by the vCPU's own thread before an
 * entry (hv_kvmclock_update()), when the MSR was written, the VM's clock
 * set or the vCPU's TSC offset moved (@kvmclock_dirty).  A vCPU's clock
 * follows the host TSC and ignores the host's NTP adjustments in between
 * (as KVM's master clock does); hv assumes the host TSCs agree on every
 * CPU, as the rest of hv_tsc.c does.
 *
 * MSR_KVM_WALL_CLOCK_NEW (and MSR_KVM_WALL_CLOCK) make hv write the
 * host's wall-clock time at which the VM's clock was 0 into a struct
 * pvclock_wall_clock at the address written, once per write.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/*
 * The pvclock scale for a counter of HZ ticks a second: ns =
 * ((ticks << shift, or >> -shift) * mul) >> 32, with mul in [2^31, 2^32)
 * for the most precision (the guest's pvclock_scale_delta()).  shift is
 * the power of two that brings HZ into (1e9, 2e9]; then mul is
 * 1e9 * 2^32 / (HZ * 2^shift).
 */
static void hv_kvmclock_scale_for(u64 hz, s8 *shift, u32 *mul)
{
	u64 scaled = hz;	/* HZ * 2^shift */
	s8 s = 0;

	if (!hz) {
		*shift = 0;
		*mul = 0;
		return;
	}
	while (scaled <= NSEC_PER_SEC) {
		scaled <<= 1;
		s++;
	}
	while (scaled > 2 * NSEC_PER_SEC) {
		scaled >>= 1;
		s--;
	}
	*shift = s;
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, scaled);
}

static u64 hv_kvmclock_scale(u64 delta, s8 shift, u32 mul)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

/*
 * A snapshot of the host's clocks, and whether its clocksource is the TSC:
 * the counter value the snapshot read is then the TSC of that moment,
 * between two reads of the TSC around it.  (6.1 has no clocksource id
 * for the TSC; another counter's value falls in that window by no
 * chance: HPET and ACPI PM counters are 32 bits, the TSC is past that a
 * second after boot.)
 */
static bool hv_host_snapshot(struct system_time_snapshot *snap)
{
	u64 t1 = rdtsc_ordered(), t2;

	ktime_get_snapshot(snap);
	t2 = rdtsc_ordered();
	return snap->cycles >= t1 && snap->cycles <= t2;
}

/*
 * Take the master clock anew (VM creation and HV_SET_CLOCK, under
 * tsc_lock).  The TSC is read on both sides of the boot-time clock: the
 * pair is off by half that window at most.
 */
static void hv_kvmclock_master(struct hv_x86_vm *xv)
{
	struct system_time_snapshot snap;
	u64 t1, t2;

	xv->kvmclock_master = hv_host_snapshot(&snap);
	t1 = rdtsc_ordered();
	xv->master_ns = ktime_get_boottime_ns();
	t2 = rdtsc_ordered();
	xv->master_tsc = t1 + (t2 - t1) / 2;
}

void hv_kvmclock_vm_init(struct hv_vm *vm)
{
	struct hv_x86_vm *xv = &vm->x86;

	hv_kvmclock_master(xv);
	xv->kvmclock_offset = -(s64)xv->master_ns;
}

/* The VM's clock at host TSC value TSC, on the master clock. */
static u64 hv_kvmclock_at(struct hv_x86_vm *xv, u64 tsc)
{
	s8 shift;
	u32 mul;

	hv_kvmclock_scale_for(tsc_khz * 1000ULL, &shift, &mul);
	return xv->master_ns + xv->kvmclock_offset +
	       hv_kvmclock_scale(tsc - xv->master_tsc, shift, mul);
}

/* The VM's clock now (KVM's get_kvmclock_ns()), for the wall clock. */
static u64 hv_kvmclock_now(struct hv_x86_vm *xv)
{
	unsigned long flags;
	u64 ns;

	spin_lock_irqsave(&xv->tsc_lock, flags);
	if (xv->kvmclock_master)
		ns = hv_kvmclock_at(xv, rdtsc_ordered());
	else
		ns = ktime_get_boottime_ns() + xv->kvmclock_offset;
	spin_unlock_irqrestore(&xv->tsc_lock, flags);
	return ns;
}

/* Every vCPU rewrites its time information before its next entry. */
static void hv_kvmclock_dirty_all(struct hv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_VCPUS; i++) {
		/* Pairs with the release that publishes a new vCPU. */
		struct hv_vcpu *v = smp_load_acquire(&vm->vcpus[i]);

		if (!v)
			continue;
		WRITE_ONCE(v->x86.kvmclock_dirty, true);
		hv_vcpu_kick(v);
	}
}

/*
 * HV_GET_CLOCK (KVM's kvm_vm_ioctl_get_clock()): on the master clock, the
 * clock at the host TSC and wall-clock time read together, with those two
 * (and TSC_STABLE where the TSC's rate is constant); else the boot-time
 * clock, no flags.
 */
long hv_kvmclock_get_clock(struct hv_vm *vm, struct hv_clock_data __user *p)
{
	struct hv_x86_vm *xv = &vm->x86;
	struct system_time_snapshot snap;
	struct hv_clock_data d = { 0 };
	unsigned long flags;

	spin_lock_irqsave(&xv->tsc_lock, flags);
	if (hv_host_snapshot(&snap) && xv->kvmclock_master) {
		d.clock = hv_kvmclock_at(xv, snap.cycles);
		d.host_tsc = snap.cycles;
		d.realtime = ktime_to_ns(snap.real);
		d.flags = HV_CLOCK_REALTIME | HV_CLOCK_HOST_TSC;
		if (boot_cpu_has(X86_FEATURE_CONSTANT_TSC))
			d.flags |= HV_CLOCK_TSC_STABLE;
	} else {
		d.clock = ktime_get_boottime_ns() + xv->kvmclock_offset;
		d.host_tsc = rdtsc();
	}
	spin_unlock_irqrestore(&xv->tsc_lock, flags);
	return copy_to_user(p, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * HV_SET_CLOCK: CLOCK is the VM's clock now, or, with HV_CLOCK_REALTIME,
 * at host wall-clock time REALTIME (so the time a migration took is not
 * lost; never backwards).  The flags HV_GET_CLOCK may return are allowed
 * too, as KVM allows them, and ignored.  The master clock is taken anew,
 * and every vCPU's time information rewritten.
 */
long hv_kvmclock_set_clock(struct hv_vm *vm, struct hv_clock_data __user *p)
{
	struct hv_x86_vm *xv = &vm->x86;
	struct hv_clock_data d;
	unsigned long flags;
	u64 real;

	if (copy_from_user(&d, p, sizeof(d)))
		return -EFAULT;
	if (d.flags & ~HV_CLOCK_VALID_FLAGS)
		return -EINVAL;
	spin_lock_irqsave(&xv->tsc_lock, flags);
	if (d.flags & HV_CLOCK_REALTIME) {
		real = ktime_get_real_ns();
		if (real > d.realtime)
			d.clock += real - d.realtime;
	}
	hv_kvmclock_master(xv);
	xv->kvmclock_offset = d.clock - xv->master_ns;
	spin_unlock_irqrestore(&xv->tsc_lock, flags);
	hv_kvmclock_dirty_all(vm);
	return 0;
}

/*
 * Write a pvclock structure's body between two version updates: odd while
 * it changes, even after (the guest retries a read that saw an odd or a
 * changed version).  LEN is the whole structure, its first u32 the
 * version.
 */
static int hv_pvclock_write(struct hv_vm *vm, u64 gpa, void *body,
			    unsigned int len)
{
	u32 version;

	if (hv_guest_read(vm, gpa, &version, sizeof(version)))
		return -EFAULT;
	version = (version + 1) | 1;
	*(u32 *)body = version;
	if (hv_guest_write(vm, gpa, &version, sizeof(version)))
		return -EFAULT;
	/* The odd version before the body. */
	smp_wmb();
	if (hv_guest_write(vm, gpa, body, len))
		return -EFAULT;
	/* The body before the even version. */
	smp_wmb();
	version++;
	return hv_guest_write(vm, gpa, &version, sizeof(version));
}

/*
 * Before an entry, on the vCPU's thread: write the guest's time
 * information if the MSR enables it and something changed.  An address
 * whose structure would cross a page, or that is not guest memory, gets
 * nothing (KVM's cache of the page refuses it the same way).
 */
void hv_kvmclock_update(struct hv_vcpu *vcpu)
{
	struct hv_x86_vm *xv = &vcpu->vm->x86;
	struct pvclock_vcpu_time_info t = { 0 };
	u64 msr = vcpu->x86.kvmclock_msr, gpa = msr & ~1ULL, host_tsc, ns;
	unsigned long flags;
	bool stable;

	/* First: a change that comes while this runs is not lost. */
	WRITE_ONCE(vcpu->x86.kvmclock_dirty, false);
	/* Cleared before the state is read; pairs with the setter's lock. */
	smp_mb();
	if (!(msr & 1) || offset_in_page(gpa) + sizeof(t) > PAGE_SIZE)
		return;
	spin_lock_irqsave(&xv->tsc_lock, flags);
	stable = xv->kvmclock_master;
	if (stable) {
		host_tsc = xv->master_tsc;
		ns = xv->master_ns;
	} else {
		host_tsc = rdtsc_ordered();
		ns = ktime_get_boottime_ns();
	}
	ns += xv->kvmclock_offset;
	spin_unlock_irqrestore(&xv->tsc_lock, flags);

	t.tsc_timestamp = host_tsc + vcpu->x86.tsc_offset;
	t.system_time = ns;
	hv_kvmclock_scale_for(tsc_khz * 1000ULL, &t.tsc_shift,
			      &t.tsc_to_system_mul);
	t.flags = stable ? PVCLOCK_TSC_STABLE_BIT : 0;
	hv_pvclock_write(vcpu->vm, gpa, &t, sizeof(t));
}

/*
 * The four kvmclock MSRs (KVM's kvm_set_msr_common()): any value goes in
 * and reads back; the system-time MSR (re)starts the vCPU's clock, the
 * wall-clock MSR writes the wall clock at once.  Returns 1 if INDEX is
 * not one of them, -EINVAL where the guest's PV features are enforced and
 * lack the MSR's (CLOCKSOURCE2 for the new pair, CLOCKSOURCE for the old:
 * then not even userspace has them, as on KVM).
 */
static bool hv_kvmclock_msr_ok(struct hv_vcpu *vcpu, u32 index)
{
	bool new = index == MSR_KVM_SYSTEM_TIME_NEW ||
		   index == MSR_KVM_WALL_CLOCK_NEW;

	return hv_x86_pv_has(vcpu, new ? KVM_FEATURE_CLOCKSOURCE2 :
					 KVM_FEATURE_CLOCKSOURCE);
}

int hv_kvmclock_set_msr(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	struct hv_x86_vm *xv = &vcpu->vm->x86;
	struct pvclock_wall_clock wc = { 0 };
	u64 wall;
	u32 rem;

	switch (index) {
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_SYSTEM_TIME:
		if (!hv_kvmclock_msr_ok(vcpu, index))
			return -EINVAL;
		vcpu->x86.kvmclock_msr = val;
		WRITE_ONCE(vcpu->x86.kvmclock_dirty, true);
		return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_WALL_CLOCK:
		if (!hv_kvmclock_msr_ok(vcpu, index))
			return -EINVAL;
		WRITE_ONCE(xv->wall_clock_msr, val);
		wall = ktime_get_real_ns() - hv_kvmclock_now(xv);
		wc.sec = div_u64_rem(wall, NSEC_PER_SEC, &rem);
		wc.nsec = rem;
		/* Not guest memory: nothing written, as on KVM. */
		hv_pvclock_write(vcpu->vm, val, &wc, sizeof(wc));
		return 0;
	}
	return 1;
}

int hv_kvmclock_get_msr(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	switch (index) {
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_SYSTEM_TIME:
		if (!hv_kvmclock_msr_ok(vcpu, index))
			return -EINVAL;
		*val = vcpu->x86.kvmclock_msr;
		return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_WALL_CLOCK:
		if (!hv_kvmclock_msr_ok(vcpu, index))
			return -EINVAL;
		*val = READ_ONCE(vcpu->vm->x86.wall_clock_msr);
		return 0;
	}
	return 1;
}
