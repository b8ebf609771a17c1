// SPDX-License-Identifier: GPL-2.0
/*
 * hv: shared x86 code, used unchanged by both backends: choosing the
 * backend, the reset state, and the register ioctls with KVM's validation.
 * Registers held in hardware state (segments, RIP, CR0...) are reached
 * through the backend's accessors, which report them as KVM's backend for
 * the same vendor does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/stddef.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>
#include <asm/processor-flags.h>

#include "../../module/hv_internal.h"
#include "hv_irq.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/*
 * The CPU's features decide, not its vendor string: Intel, Zhaoxin and
 * Centaur CPUs implement VMX; AMD and Hygon CPUs implement SVM.
 */
const struct hv_arch_ops *hv_arch_probe(void)
{
	if (vmx_cpu_has_vmx())
		return vmx_probe();
	if (svm_cpu_has_svm())
		return svm_probe();

	pr_err("no hardware virtualization: this CPU has neither VMX (Intel VT-x) nor SVM (AMD-V)\n");
	return ERR_PTR(-EOPNOTSUPP);
}


/*
 * Physical address bits beyond the guest's width (its CPUID, else 36).
 * Userspace may claim any width up to 255 bits: from 64 on, none is
 * reserved, as KVM's rsvd_bits() makes it.
 */
static u64 hv_guest_phys_reserved(struct hv_vcpu *vcpu)
{
	unsigned int bits = hv_cpuid_maxphyaddr(vcpu);

	if (bits >= 64)
		return 0;
	return ~GENMASK_ULL(bits - 1, 0);
}

/* The CR4 bits KVM knows; every other bit is reserved. */
#define CR4_KNOWN							\
	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |		\
	 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |	\
	 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		\
	 X86_CR4_PCIDE | X86_CR4_OSXSAVE | X86_CR4_SMEP |		\
	 X86_CR4_FSGSBASE | X86_CR4_LA57 | X86_CR4_SMAP |		\
	 X86_CR4_PKE | X86_CR4_UMIP | X86_CR4_VMXE)

/*
 * CR4 bits the guest may set, as KVM decides (kvm_is_valid_cr4): the known
 * bits whose feature hv offers (the host has it and HV_GET_SUPPORTED_CPUID
 * lists it: KVM's kvm_cpu_caps) and, once userspace has set the guest's
 * CPUID, the guest's CPUID offers too.  So PKE, which hv does not offer,
 * and VMXE, which KVM offers only with nested virtualization, are
 * reserved (KVM's set_sregs_test checks exactly this).
 */
static const struct {
	u64 bit;
	u16 feature;		/* X86_FEATURE_*, for the host */
	u32 leaf;		/* the guest's CPUID leaf, register and bit */
	u8 reg, nr;
} hv_cr4_features[] = {
	{ X86_CR4_OSXSAVE, X86_FEATURE_XSAVE, 1, HV_ECX, 26 },
	{ X86_CR4_SMEP, X86_FEATURE_SMEP, 7, HV_EBX, 7 },
	{ X86_CR4_SMAP, X86_FEATURE_SMAP, 7, HV_EBX, 20 },
	{ X86_CR4_FSGSBASE, X86_FEATURE_FSGSBASE, 7, HV_EBX, 0 },
	{ X86_CR4_PKE, X86_FEATURE_PKU, 7, HV_ECX, 3 },
	{ X86_CR4_LA57, X86_FEATURE_LA57, 7, HV_ECX, 16 },
	{ X86_CR4_UMIP, X86_FEATURE_UMIP, 7, HV_ECX, 2 },
	{ X86_CR4_PCIDE, X86_FEATURE_PCID, 1, HV_ECX, 17 },
	{ X86_CR4_VMXE, X86_FEATURE_VMX, 1, HV_ECX, 5 },
};

bool hv_x86_cr4_valid(struct hv_vcpu *vcpu, u64 cr4)
{
	u64 reserved = ~(u64)CR4_KNOWN;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_cr4_features); i++) {
		if (!boot_cpu_has(hv_cr4_features[i].feature) ||
		    !hv_cpuid_offered(hv_cr4_features[i].leaf,
				      hv_cr4_features[i].reg,
				      hv_cr4_features[i].nr) ||
		    (vcpu->x86.cpuid_nent &&
		     !hv_cpuid_has(vcpu, hv_cr4_features[i].leaf,
				   hv_cr4_features[i].reg,
				   hv_cr4_features[i].nr)))
			reserved |= hv_cr4_features[i].bit;
	}
	return !(cr4 & reserved);
}

/*
 * The architectural state after RESET that is the same on both vendors
 * (SDM vol 3, 10.1.1; KVM's kvm_vcpu_reset).  The backend's vcpu_create
 * has already set segments and control registers as its KVM counterpart
 * does.
 */
int hv_x86_vcpu_init(struct hv_vcpu *vcpu)
{
	int r;

	if (!fpu_alloc_guest_fpstate(&vcpu->x86.guest_fpu))
		return -ENOMEM;
	/* Fixed before the first vCPU was counted (hv_x86_enable_cap()). */
	if (READ_ONCE(vcpu->vm->x86.irqchip) != HV_IRQCHIP_NONE) {
		r = hv_lapic_create(vcpu);
		if (r) {
			fpu_free_guest_fpstate(&vcpu->x86.guest_fpu);
			return r;
		}
	}
	return 0;
}

void hv_x86_vcpu_uninit(struct hv_vcpu *vcpu)
{
	hv_lapic_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->x86.guest_fpu);
	kfree(vcpu->x86.cpuid);
	hv_mmu_cache_free(vcpu);
}

void hv_x86_vcpu_reset(struct hv_vcpu *vcpu)
{
	vcpu->x86.xcr0 = XFEATURE_MASK_FP;
	hv_x86_msr_reset(vcpu);
	vcpu->cr8 = 0;
	vcpu->apic_base = HV_APIC_BASE_DEFAULT | HV_APIC_BASE_ENABLE;
	/* Stable: HV_SET_BOOT_CPU_ID fails once a vCPU is being created. */
	if (vcpu->id == READ_ONCE(vcpu->vm->bsp_vcpu_id))
		vcpu->apic_base |= HV_APIC_BASE_BSP;
	/*
	 * With an in-kernel APIC the other processors wait for INIT and
	 * SIPI, as on KVM (kvm_arch_vcpu_create()).
	 */
	vcpu->x86.mp_state = HV_MP_STATE_RUNNABLE;
	if (vcpu->x86.apic && !(vcpu->apic_base & HV_APIC_BASE_BSP))
		vcpu->x86.mp_state = HV_MP_STATE_UNINITIALIZED;
	vcpu->x86.extint = -1;
	hv_x86_vcpu_init_event(vcpu);
	hv_lapic_reset(vcpu, false);
}

/*
 * An INIT signal from another processor's APIC (SDM vol 3, 9.1): the
 * backend puts segments and control registers in their INIT state, the
 * shared code the rest; the APIC keeps its ID and base.
 */
void hv_x86_vcpu_init_signal(struct hv_vcpu *vcpu)
{
	hv_arch->vcpu_init_event(vcpu);
	hv_x86_vcpu_init_event(vcpu);
	vcpu->x86.extint = -1;
	hv_lapic_reset(vcpu, true);
}

/*
 * A SIPI in wait-for-SIPI state: the processor starts in real mode at
 * vector * 4096 (SDM vol 3, 9.4.4.1): CS selector vector << 8, base
 * vector << 12, IP 0.
 */
void hv_x86_deliver_sipi(struct hv_vcpu *vcpu, u8 vector)
{
	struct hv_segment cs;

	hv_arch->get_segment(vcpu, &cs, HV_CS);
	cs.selector = vector << 8;
	cs.base = (u64)vector << 12;
	hv_arch->set_segment(vcpu, &cs, HV_CS);
	hv_arch->set_rip(vcpu, 0);
}

/* CR8 from the guest or userspace: the APIC's task priority if it has one. */
void hv_x86_set_cr8(struct hv_vcpu *vcpu, u64 cr8)
{
	if (vcpu->x86.apic)
		hv_lapic_set_cr8(vcpu, cr8);
	else
		vcpu->cr8 = cr8;
}

/*
 * INIT (SDM 10.1.1, table 10-1 "IA-32 and Intel 64 Processor States
 * Following Power-up, Reset, or INIT"): the general-purpose and debug
 * registers, RIP and RFLAGS take their power-up values; MSRs, XCR0 and the
 * APIC base keep theirs; pending events are dropped.  EDX holds the processor signature: the vCPU's
 * CPUID leaf 1 EAX once userspace has set one, else KVM's default 0x600.
 * The backend resets segments and control registers.
 */
void hv_x86_vcpu_init_event(struct hv_vcpu *vcpu)
{
	const struct hv_cpuid_entry2 *leaf1 = hv_cpuid_find(vcpu, 1, 0);

	hv_x86_events_reset(vcpu);
	/* kvmclock stops at INIT as at RESET (KVM's kvmclock_reset()). */
	vcpu->x86.kvmclock_msr = 0;
	memset(vcpu->x86.dr, 0, sizeof(vcpu->x86.dr));
	vcpu->x86.dr[6] = 0xffff0ff0;
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs[HV_RDX] = leaf1 ? leaf1->eax : 0x600;
	hv_arch->set_rsp_rip_rflags(vcpu, 0, 0xfff0, X86_EFLAGS_FIXED);
}

/* Where each general-purpose register but RSP sits in struct hv_regs. */
static const struct {
	size_t offset;
	enum hv_gpr gpr;
} hv_x86_gprs[] = {
	{ offsetof(struct hv_regs, rax), HV_RAX },
	{ offsetof(struct hv_regs, rbx), HV_RBX },
	{ offsetof(struct hv_regs, rcx), HV_RCX },
	{ offsetof(struct hv_regs, rdx), HV_RDX },
	{ offsetof(struct hv_regs, rsi), HV_RSI },
	{ offsetof(struct hv_regs, rdi), HV_RDI },
	{ offsetof(struct hv_regs, rbp), HV_RBP },
	{ offsetof(struct hv_regs, r8), HV_R8 },
	{ offsetof(struct hv_regs, r9), HV_R9 },
	{ offsetof(struct hv_regs, r10), HV_R10 },
	{ offsetof(struct hv_regs, r11), HV_R11 },
	{ offsetof(struct hv_regs, r12), HV_R12 },
	{ offsetof(struct hv_regs, r13), HV_R13 },
	{ offsetof(struct hv_regs, r14), HV_R14 },
	{ offsetof(struct hv_regs, r15), HV_R15 },
};

static void hv_x86_get_regs(struct hv_vcpu *vcpu, struct hv_regs *r)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_x86_gprs); i++)
		*(u64 *)((char *)r + hv_x86_gprs[i].offset) =
			vcpu->regs[hv_x86_gprs[i].gpr];

	hv_arch->get_rsp_rip_rflags(vcpu, &r->rsp, &r->rip, &r->rflags);
}

static void hv_x86_set_regs(struct hv_vcpu *vcpu, const struct hv_regs *r)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_x86_gprs); i++)
		vcpu->regs[hv_x86_gprs[i].gpr] =
			*(const u64 *)((const char *)r + hv_x86_gprs[i].offset);

	/* Bit 1 of RFLAGS always reads as 1; KVM sets it for the caller. */
	hv_arch->set_rsp_rip_rflags(vcpu, r->rsp, r->rip,
				    r->rflags | X86_EFLAGS_FIXED);
}

/* Where each segment register sits in struct hv_sregs. */
static const struct {
	size_t offset;
	enum hv_seg seg;
} hv_x86_segs[] = {
	{ offsetof(struct hv_sregs, cs), HV_CS },
	{ offsetof(struct hv_sregs, ds), HV_DS },
	{ offsetof(struct hv_sregs, es), HV_ES },
	{ offsetof(struct hv_sregs, fs), HV_FS },
	{ offsetof(struct hv_sregs, gs), HV_GS },
	{ offsetof(struct hv_sregs, ss), HV_SS },
	{ offsetof(struct hv_sregs, tr), HV_TR },
	{ offsetof(struct hv_sregs, ldt), HV_LDTR },
};

static void hv_x86_get_sregs(struct hv_vcpu *vcpu, struct hv_sregs *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(hv_x86_segs); i++)
		hv_arch->get_segment(vcpu, (void *)((char *)s +
				     hv_x86_segs[i].offset), hv_x86_segs[i].seg);
	hv_arch->get_dtable(vcpu, &s->gdt, true);
	hv_arch->get_dtable(vcpu, &s->idt, false);
	hv_arch->get_sys(vcpu, s);

	s->cr8 = vcpu->cr8;
	s->apic_base = vcpu->apic_base;
	/* An external interrupt not yet delivered, as KVM reports it. */
	if (vcpu->x86.ev.irq_injected)
		__set_bit(vcpu->x86.ev.irq_vector,
			  (unsigned long *)s->interrupt_bitmap);
}

/*
 * IA32_APIC_BASE as KVM accepts it (kvm_set_apic_base()): no bits beyond
 * the guest's physical address width, none of the reserved low bits, and
 * x2APIC mode only if the guest's CPUID offers it.  hv_lapic_set_base()
 * checks the mode changes.
 */
bool hv_x86_apic_base_valid(struct hv_vcpu *vcpu, u64 apic_base)
{
	u64 reserved = hv_guest_phys_reserved(vcpu) | 0x2ff;

	if (!hv_cpuid_has(vcpu, 1, HV_ECX, 21))
		reserved |= HV_APIC_BASE_X2APIC;
	return !(apic_base & reserved);
}

/*
 * The consistency rules KVM applies to HV_SET_SREGS (kvm_is_valid_sregs
 * and what __set_sregs_common refuses): long mode needs CR4.PAE and
 * EFER.LMA and a CR3 within the physical address width; outside long mode
 * neither EFER.LMA nor a 64-bit code segment; CR0 and CR4 without
 * reserved or contradictory bits.
 */
static bool hv_x86_sregs_valid(struct hv_vcpu *vcpu, const struct hv_sregs *s)
{
	/* Long mode needs CPUID.80000001H:EDX.LM (Linux 6.12's rule). */
	if ((s->efer & (EFER_LME | EFER_LMA)) &&
	    !hv_cpuid_has(vcpu, 0x80000001, HV_EDX, 29))
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		if (s->cr3 & hv_guest_phys_reserved(vcpu))
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if (!hv_x86_cr4_valid(vcpu, s->cr4))
		return false;
	if (s->cr0 >> 32)
		return false;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return false;
	if ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE))
		return false;
	return hv_x86_apic_base_valid(vcpu, s->apic_base);
}

static int hv_x86_set_sregs(struct hv_vcpu *vcpu, const struct hv_sregs *s)
{
	unsigned int i;
	int irq;

	if (!hv_x86_sregs_valid(vcpu, s))
		return -EINVAL;

	if (hv_lapic_set_base(vcpu, s->apic_base, true))
		return -EINVAL;
	/* KVM ignores a CR8 with reserved bits here, without an error. */
	if (!(s->cr8 & ~0xfULL))
		hv_x86_set_cr8(vcpu, s->cr8);

	hv_arch->set_dtable(vcpu, &s->gdt, true);
	hv_arch->set_dtable(vcpu, &s->idt, false);
	hv_arch->set_sys(vcpu, s);
	for (i = 0; i < ARRAY_SIZE(hv_x86_segs); i++)
		hv_arch->set_segment(vcpu, (const void *)((const char *)s +
				     hv_x86_segs[i].offset), hv_x86_segs[i].seg);

	/*
	 * The lowest vector set in the bitmap is delivered at the next
	 * entry, as after HV_INTERRUPT; an empty bitmap changes nothing.
	 */
	irq = find_first_bit((const unsigned long *)s->interrupt_bitmap,
			     HV_NR_INTERRUPTS);
	if (irq < HV_NR_INTERRUPTS)
		hv_x86_ioctl_interrupt(vcpu, irq);
	return 0;
}

/*
 * HV_ENABLE_CAP on a vCPU fd: HV_CAP_ENFORCE_PV_FEATURE_CPUID (args[0]
 * on or off) makes the PV MSRs and hypercalls follow the guest's CPUID
 * 0x40000001; every other capability is EINVAL (after the copy: a bad
 * pointer is EFAULT), as KVM answers for one it lacks.
 */
static long hv_x86_enable_cap(struct hv_vcpu *vcpu, void __user *argp)
{
	struct hv_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags || cap.cap != HV_CAP_ENFORCE_PV_FEATURE_CPUID)
		return -EINVAL;
	vcpu->x86.enforce_pv = cap.args[0];
	return 0;
}

/* The guest may use PV feature BIT (KVM's guest_pv_has()). */
bool hv_x86_pv_has(struct hv_vcpu *vcpu, unsigned int bit)
{
	return !vcpu->x86.enforce_pv ||
	       hv_cpuid_has(vcpu, 0x40000001, HV_EAX, bit);
}

/*
 * HV_RUN's register sharing (HV_CAP_SYNC_REGS; KVM's sync_regs() and
 * store_regs()).  The run page is userspace's and may change under us, so
 * each structure is copied out of it once, then checked and applied as
 * HV_SET_REGS, HV_SET_SREGS and HV_SET_VCPU_EVENTS would.  A bit stays
 * set in kvm_dirty_regs until its structure went in: the first that is
 * refused ends HV_RUN with EINVAL.
 */
int hv_x86_sync_regs_in(struct hv_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;
	u64 dirty = READ_ONCE(run->kvm_dirty_regs);
	struct hv_sync_regs *s;
	int r = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	memcpy(s, &run->s.regs, sizeof(*s));
	if (dirty & HV_SYNC_X86_REGS) {
		hv_x86_set_regs(vcpu, &s->regs);
		run->kvm_dirty_regs &= ~HV_SYNC_X86_REGS;
	}
	if (dirty & HV_SYNC_X86_SREGS) {
		r = hv_x86_set_sregs(vcpu, &s->sregs);
		if (r)
			goto out;
		run->kvm_dirty_regs &= ~HV_SYNC_X86_SREGS;
	}
	if (dirty & HV_SYNC_X86_EVENTS) {
		r = hv_x86_set_vcpu_events(vcpu, &s->events);
		if (r)
			goto out;
		run->kvm_dirty_regs &= ~HV_SYNC_X86_EVENTS;
	}
out:
	kfree(s);
	return r ? -EINVAL : 0;
}

/* After HV_RUN: the structures kvm_valid_regs names, as the vCPU has them. */
void hv_x86_sync_regs_out(struct hv_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;
	u64 valid = READ_ONCE(run->kvm_valid_regs);

	if (valid & HV_SYNC_X86_REGS)
		hv_x86_get_regs(vcpu, &run->s.regs.regs);
	if (valid & HV_SYNC_X86_SREGS)
		hv_x86_get_sregs(vcpu, &run->s.regs.sregs);
	if (valid & HV_SYNC_X86_EVENTS)
		hv_x86_get_vcpu_events(vcpu, &run->s.regs.events);
}

/*
 * HV_ENABLE_CAP on a VM fd: HV_CAP_MSR_PLATFORM_INFO lets the guest read
 * that MSR or not, HV_CAP_X86_USER_SPACE_MSR sends its failed MSR accesses
 * to userspace, HV_CAP_MAX_VCPU_ID limits the vCPU ids, and
 * HV_CAP_SPLIT_IRQCHIP gives the VM's vCPUs
 * local APICs in the kernel, with KVM's errors (kvm_vm_ioctl_enable_cap):
 * EINVAL for flags or more pins than routes, EEXIST once an irqchip or a
 * vCPU exists.  Every other capability is EINVAL.
 */
static long hv_x86_vm_enable_cap(struct hv_vm *vm, void __user *argp)
{
	struct hv_enable_cap cap;
	long r;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	/*
	 * HV_CAP_MAX_VCPU_ID: ids below args[0] only.  Once set, or once a
	 * vCPU exists (which fixes it at the maximum), only the value it
	 * has is accepted again (kvm_vm_ioctl_enable_cap()).
	 */
	/*
	 * The KVM quirks hv can turn off: only the rewriting of the other
	 * vendor's hypercall instruction (hv_x86_handle_ud()).
	 */
	if (cap.cap == HV_CAP_DISABLE_QUIRKS2) {
		if (cap.args[0] & ~(u64)HV_X86_QUIRK_FIX_HYPERCALL_INSN)
			return -EINVAL;
		WRITE_ONCE(vm->x86.disabled_quirks, cap.args[0]);
		return 0;
	}
	/* Which of the guest's failed MSR accesses exit (hv_msr.c). */
	if (cap.cap == HV_CAP_X86_USER_SPACE_MSR) {
		if (cap.args[0] & ~(u64)(HV_MSR_EXIT_REASON_INVAL |
					 HV_MSR_EXIT_REASON_UNKNOWN |
					 HV_MSR_EXIT_REASON_FILTER))
			return -EINVAL;
		WRITE_ONCE(vm->x86.user_space_msr, cap.args[0]);
		return 0;
	}
	/* Whether the guest may read MSR_PLATFORM_INFO (yes by default). */
	if (cap.cap == HV_CAP_MSR_PLATFORM_INFO) {
		WRITE_ONCE(vm->x86.no_platform_info, !cap.args[0]);
		return 0;
	}
	if (cap.cap == HV_CAP_MAX_VCPU_ID) {
		if (cap.args[0] > HV_MAX_VCPUS)
			return -EINVAL;
		mutex_lock(&vm->lock);
		r = -EINVAL;
		if (!vm->max_vcpu_ids || vm->max_vcpu_ids == cap.args[0]) {
			vm->max_vcpu_ids = cap.args[0];
			r = 0;
		}
		mutex_unlock(&vm->lock);
		return r;
	}
	if (cap.cap != HV_CAP_SPLIT_IRQCHIP)
		return -EINVAL;
	if (cap.args[0] > HV_MAX_IRQ_ROUTES)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->x86.irqchip == HV_IRQCHIP_NONE && !vm->created_vcpus) {
		vm->x86.nr_ioapic_pins = cap.args[0];
		WRITE_ONCE(vm->x86.irqchip, HV_IRQCHIP_SPLIT);
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

static long hv_x86_lapic_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
			       void __user *argp)
{
	struct hv_lapic_state *s;
	long r = 0;

	/* Without an in-kernel APIC, as on KVM. */
	if (!vcpu->x86.apic)
		return -EINVAL;
	if (ioctl == HV_SET_LAPIC) {
		s = memdup_user(argp, sizeof(*s));
		if (IS_ERR(s))
			return PTR_ERR(s);
		r = hv_lapic_set_state(vcpu, s);
		kfree(s);
		return r;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	hv_lapic_get_state(vcpu, s);
	if (copy_to_user(argp, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

long hv_x86_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl,
		       unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	lockdep_assert_held(&vcpu->mutex);

	switch (ioctl) {
	case HV_GET_REGS: {
		struct hv_regs regs;

		hv_x86_get_regs(vcpu, &regs);
		if (copy_to_user(argp, &regs, sizeof(regs)))
			return -EFAULT;
		return 0;
	}
	case HV_SET_REGS: {
		struct hv_regs regs;

		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		hv_x86_set_regs(vcpu, &regs);
		return 0;
	}
	case HV_GET_SREGS: {
		struct hv_sregs sregs;

		hv_x86_get_sregs(vcpu, &sregs);
		if (copy_to_user(argp, &sregs, sizeof(sregs)))
			return -EFAULT;
		return 0;
	}
	case HV_SET_SREGS: {
		struct hv_sregs sregs;

		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		return hv_x86_set_sregs(vcpu, &sregs);
	}
	case HV_RUN:
		/* KVM: the argument must be 0. */
		if (arg)
			return -EINVAL;
		return hv_x86_run(vcpu);
	case HV_INTERRUPT: {
		struct hv_interrupt irq;

		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		return hv_x86_ioctl_interrupt(vcpu, irq.irq);
	}
	case HV_NMI:
		hv_x86_ioctl_nmi(vcpu);
		return 0;
	case HV_GET_VCPU_EVENTS: {
		struct hv_vcpu_events events;

		hv_x86_get_vcpu_events(vcpu, &events);
		if (copy_to_user(argp, &events, sizeof(events)))
			return -EFAULT;
		return 0;
	}
	case HV_SET_VCPU_EVENTS: {
		struct hv_vcpu_events events;

		if (copy_from_user(&events, argp, sizeof(events)))
			return -EFAULT;
		return hv_x86_set_vcpu_events(vcpu, &events);
	}
	case HV_SET_CPUID2:
		return hv_cpuid_set(vcpu, argp);
	case HV_GET_CPUID2:
		return hv_cpuid_get(vcpu, argp);
	case HV_GET_MSRS:
	case HV_SET_MSRS:
		return hv_x86_msr_vcpu_ioctl(vcpu, ioctl, argp);
	case HV_X86_SETUP_MCE:
	case HV_X86_SET_MCE:
		return hv_x86_mce_vcpu_ioctl(vcpu, ioctl, argp);
	case HV_SET_TSC_KHZ:
	case HV_GET_TSC_KHZ:
	case HV_HAS_DEVICE_ATTR:
	case HV_GET_DEVICE_ATTR:
	case HV_SET_DEVICE_ATTR:
		return hv_x86_tsc_vcpu_ioctl(vcpu, ioctl, arg);
	case HV_ENABLE_CAP:
		return hv_x86_enable_cap(vcpu, argp);
	case HV_GET_LAPIC:
	case HV_SET_LAPIC:
		return hv_x86_lapic_ioctl(vcpu, ioctl, argp);
	default: {
		long r = hv_x86_state_ioctl(vcpu, ioctl, argp);

		/* What KVM on x86 answers on a vCPU fd. */
		return r == -ENOIOCTLCMD ? -EINVAL : r;
	}
	}
}

/* A new VM's x86 state (the core's hv_create_vm()). */
void hv_x86_vm_init(struct hv_vm *vm)
{
	hv_tsc_vm_init(vm);
	mutex_init(&vm->x86.irq_lock);
	/* No pin has a GSI till there is a routing table. */
	memset(vm->x86.pin_gsi, 0xff, sizeof(vm->x86.pin_gsi));
}

/*
 * The VM goes, before its vCPUs: the PIT's timer and work reach the vCPUs
 * (the lines they raise kick them), so they stop first, as KVM frees its
 * PIT in kvm_arch_sync_events().
 */
void hv_x86_vm_stop(struct hv_vm *vm)
{
	hv_pit_free(vm);
}

/* The VM goes, after its vCPUs. */
void hv_x86_vm_destroy(struct hv_vm *vm)
{
	hv_x86_irq_vm_free(vm);
	hv_msr_filter_free(vm);
}

/* The capabilities that belong to x86 (HV_CHECK_EXTENSION). */
long hv_x86_check_extension(unsigned long cap)
{
	switch (cap) {
	/* HV_NMI (hv_events.c). */
	case HV_CAP_USER_NMI:
	/*
	 * HV_GET/SET_VCPU_EVENTS.  They carry the interrupt shadow too, but
	 * KVM answers 0 for HV_CAP_INTR_SHADOW, and so does hv.
	 */
	case HV_CAP_VCPU_EVENTS:
	/* hv_vcpu_state.c */
	case HV_CAP_DEBUGREGS:
	case HV_CAP_MP_STATE:
	/* hv_x86_vm_ioctl() */
	case HV_CAP_SET_BOOT_CPU_ID:
	case HV_CAP_SET_IDENTITY_MAP_ADDR:
	/* The system fd's HV_GET_MSRS (hv_msr.c) */
	case HV_CAP_GET_MSR_FEATURES:
		return 1;
	/* HV_ENABLE_CAP exists on both kinds of fd (hv_x86_enable_cap()) */
	case HV_CAP_ENABLE_CAP:
	case HV_CAP_ENABLE_CAP_VM:
		return 1;
	/* hv_tsc.c; no TSC scaling (HV_CAP_TSC_CONTROL, _VM_ 0) */
	case HV_CAP_GET_TSC_KHZ:
		return 1;
	case HV_CAP_ADJUST_CLOCK:
		return HV_CLOCK_VALID_FLAGS;
	/* hv_msr.c: MSR_PLATFORM_INFO, CPUID faulting */
	case HV_CAP_MSR_PLATFORM_INFO:
	/* hv_msr.c, hv_msr_filter.c: exits on MSR accesses, the filter */
	case HV_CAP_X86_USER_SPACE_MSR:
	case HV_CAP_X86_MSR_FILTER:
		return 1;
	/* hv_pit.c: the PIT, its state in both layouts, reinjection */
	case HV_CAP_PIT:
	case HV_CAP_PIT2:
	case HV_CAP_PIT_STATE2:
	case HV_CAP_REINJECT_CONTROL:
		return 1;
	/* HV_*_DEVICE_ATTR on a vCPU: its TSC offset (hv_tsc.c) */
	case HV_CAP_VCPU_ATTRIBUTES:
	/* HV_ENABLE_CAP on a vCPU (hv_x86_enable_cap()) */
	case HV_CAP_ENFORCE_PV_FEATURE_CPUID:
		return 1;
	/* The quirks a VM can turn off (hv_x86_vm_enable_cap()) */
	case HV_CAP_DISABLE_QUIRKS2:
		return HV_X86_QUIRK_FIX_HYPERCALL_INSN;
	/* HV_RUN's register sharing (hv_x86_sync_regs_in()) */
	case HV_CAP_SYNC_REGS:
		return HV_SYNC_X86_VALID_FIELDS;
	/* hv_mce.c: as many banks as KVM offers */
	case HV_CAP_MCE:
		return HV_MAX_MCE_BANKS;
	/* HV_GET/SET_XSAVE (hv_vcpu_state.c): also without XSAVE, as KVM */
	case HV_CAP_XSAVE:
		return 1;
	case HV_CAP_XSAVE2:
		return max_t(u32, sizeof(struct hv_xsave),
			     hv_xstate_size(hv_xcr0_offered()));
	/* HV_GET/SET_XCRS, as KVM: only where the CPU has XSAVE. */
	case HV_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	/* hv_lapic.c, with HV_ENABLE_CAP(HV_CAP_SPLIT_IRQCHIP) */
	case HV_CAP_SPLIT_IRQCHIP:
	case HV_CAP_SIGNAL_MSI:
	case HV_CAP_TSC_DEADLINE_TIMER:
		return 1;
	/* hv_irq.c: HV_CREATE_IRQCHIP, HV_IRQ_LINE(_STATUS), the routing */
	case HV_CAP_IRQCHIP:
	case HV_CAP_IRQ_INJECT_STATUS:
		return 1;
	case HV_CAP_IRQ_ROUTING:
		return HV_MAX_IRQ_ROUTES;
	default:
		return 0;
	}
}

/*
 * The VM ioctls that belong to x86; -ENOIOCTLCMD for the others.  As on
 * KVM, the boot CPU (EBUSY) and the identity map address (EINVAL) can
 * only be set before the first HV_CREATE_VCPU.
 */
long hv_x86_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, unsigned long arg)
{
	long r = hv_x86_irq_vm_ioctl(vm, ioctl, (void __user *)arg);
	u64 addr;

	if (r != -ENOIOCTLCMD)
		return r;
	r = hv_pit_vm_ioctl(vm, ioctl, (void __user *)arg);
	if (r != -ENOIOCTLCMD)
		return r;
	r = 0;
	switch (ioctl) {
	case HV_SET_TSC_KHZ:
	case HV_GET_TSC_KHZ:
	case HV_GET_CLOCK:
	case HV_SET_CLOCK:
		return hv_x86_tsc_vm_ioctl(vm, ioctl, arg);
	case HV_ENABLE_CAP:
		return hv_x86_vm_enable_cap(vm, (void __user *)arg);
	case HV_X86_SET_MSR_FILTER:
		return hv_msr_filter_set(vm, (void __user *)arg);
	case HV_SIGNAL_MSI: {
		struct hv_msi msi;

		if (copy_from_user(&msi, (void __user *)arg, sizeof(msi)))
			return -EFAULT;
		return hv_lapic_signal_msi(vm, &msi);
	}
	case HV_SET_BOOT_CPU_ID:
		mutex_lock(&vm->lock);
		if (vm->created_vcpus)
			r = -EBUSY;
		else
			WRITE_ONCE(vm->bsp_vcpu_id, (u32)arg);
		mutex_unlock(&vm->lock);
		return r;
	/*
	 * KVM's old limit on its shadow page tables: recorded, at least 64
	 * (EINVAL below), and read back; without a value, KVM's default:
	 * one page per 50 of guest memory, at least 64 (0 with none).
	 */
	case HV_SET_NR_MMU_PAGES:
		if (arg < 64)
			return -EINVAL;
		mutex_lock(&vm->lock);
		vm->x86.nr_mmu_pages = arg;
		mutex_unlock(&vm->lock);
		return 0;
	case HV_GET_NR_MMU_PAGES:
		mutex_lock(&vm->lock);
		r = vm->x86.nr_mmu_pages;
		if (!r) {
			unsigned int i;
			u64 pages = 0;

			for (i = 0; i < vm->slots_end; i++)
				pages += vm->slots[i].npages;
			r = pages ? max_t(u64, pages / 50, 64) : 0;
		}
		mutex_unlock(&vm->lock);
		return r;
	case HV_SET_IDENTITY_MAP_ADDR:
		if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		if (vm->created_vcpus)
			r = -EINVAL;
		else
			vm->identity_map_addr = addr;
		mutex_unlock(&vm->lock);
		return r;
	default:
		return -ENOIOCTLCMD;
	}
}

/* The system (/dev/hv) ioctls that belong to x86. */
long hv_x86_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case HV_GET_SUPPORTED_CPUID:
		return hv_cpuid_get_supported((void __user *)arg);
	case HV_GET_MSR_INDEX_LIST:
	case HV_GET_MSR_FEATURE_INDEX_LIST:
	case HV_GET_MSRS:
		return hv_x86_msr_dev_ioctl(ioctl, (void __user *)arg);
	case HV_X86_GET_MCE_CAP_SUPPORTED:
		return hv_x86_mce_get_cap_supported((void __user *)arg);
	default:
		return -EINVAL;
	}
}
