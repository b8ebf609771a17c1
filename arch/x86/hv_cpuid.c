// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's CPUID.
 *
 * As on KVM, userspace decides what the guest sees: HV_GET_SUPPORTED_CPUID
 * offers the host's CPUID filtered through an allow-list of what hv
 * virtualizes (no VMX/SVM, no PMU, no MONITOR, no RDTSCP...; the
 * "hypervisor" bit set), the client edits it and hands it to each vCPU
 * with HV_SET_CPUID2.  A guest CPUID instruction is answered from that
 * table, with KVM's rules for leaves it lacks and for the bits that follow
 * the guest's state (OSXSAVE, OSPKE, APIC).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>

#include "../../module/hv_internal.h"
#include "hv_lapic.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* What hv passes through of each register of a leaf; the rest reads 0. */
struct hv_cpuid_mask {
	u32 function;
	u32 eax, ebx, ecx, edx;
};

/*
 * Leaf 1 ECX: SSE3, PCLMULQDQ, SSSE3, FMA, CX16, SSE4.1/4.2, MOVBE,
 * POPCNT, AES, XSAVE, AVX, F16C, RDRAND, and x2APIC whatever the host
 * has, as KVM (hv_lapic.c emulates it) (not VMX, SMX, EST, TM2, MONITOR,
 * PDCM, PCID, OSXSAVE, nor TSC-deadline, which KVM and hv leave to
 * userspace to set: HV_CAP_TSC_DEADLINE_TIMER); EDX: the classic features
 * with MTRR (hv_mtrr.c) and MCA (hv_mce.c), without DS, ACPI, TM, PBE,
 * HTT.  Leaf 7 EBX: FSGSBASE, TSC_ADJUST (hv_tsc.c, set
 * whatever the host has, as KVM does), BMI1/2, AVX2, SMEP, SMAP,
 * ERMS, RDSEED, ADX, CLFLUSHOPT, CLWB, SHA (no RTM/HLE, MPX, PT, INVPCID,
 * AVX-512); ECX: UMIP, LA57 (5-level paging, where the host has it, as
 * KVM); EDX: FSRM, and ARCH_CAPABILITIES, set as KVM sets
 * it (hv_msr.c emulates the MSR); no speculation-control MSRs.
 * 0x80000001: LAHF, ABM, SSE4A, PREFETCHW; SYSCALL, NX, 1-GiB pages, LM
 * (no RDTSCP, SVM).
 */
static const struct hv_cpuid_mask hv_cpuid_masks[] = {
	{ 0x00000001, ~0U, 0x0000ffff, 0x76d83203, 0x078bfbff },
	{ 0x00000007, 0, 0x219c03ab, 0x00010004, 0x00000010 },
	{ 0x0000000d, ~0U, ~0U, ~0U, ~0U },
	{ 0x80000001, ~0U, 0, 0x000001e1, 0x24100800 },
	{ 0x80000007, 0, 0, 0, BIT(8) },
	{ 0x80000008, 0x0000ffff, 0, 0, 0 },
};

/*
 * KVM's paravirtual leaves: the signature "KVMKVMKVM\0\0\0" with the
 * highest leaf, and the features: kvmclock (hv_kvmclock.c) through both
 * MSR pairs, its stable bit, and no need for I/O-port delays.
 */
#define HV_CPUID_SIGNATURE	0x40000000
#define HV_CPUID_FEATURES	0x40000001
#define HV_PV_FEATURES		(BIT(KVM_FEATURE_CLOCKSOURCE) |		\
				 BIT(KVM_FEATURE_NOP_IO_DELAY) |		\
				 BIT(KVM_FEATURE_CLOCKSOURCE2) |		\
				 BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT))

/* Leaves offered at all; leaf 0 and 0x80000000 give the maximum. */
static const u32 hv_cpuid_leaves[] = {
	0x00000000, 0x00000001, 0x00000007, 0x0000000d,
	HV_CPUID_SIGNATURE, HV_CPUID_FEATURES,
	0x80000000, 0x80000001, 0x80000007, 0x80000008,
};

#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_XSAVE	BIT(26)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_EDX_APIC		BIT(9)
#define CPUID7_ECX_OSPKE	BIT(4)
#define CPUID7_EBX_TSC_ADJUST	BIT(1)
#define CPUID7_EDX_ARCH_CAP	BIT(29)

/*
 * The XCR0 components hv offers: x87, SSE and AVX, where the host has
 * them enabled.  The others belong to features the masks above hide (MPX,
 * AVX-512, PKU, AMX...), so, as KVM does, leaf 0xD does not offer their
 * state either and XSETBV refuses them.
 */
u64 hv_xcr0_offered(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) &
	       (XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM);
}

/* The standard-format XSAVE area for XCR0's components (SDM vol 1, 13.4). */
u32 hv_xstate_size(u64 xcr0)
{
	u32 size = 512 + 64, eax, ebx, ecx, edx;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, ebx + eax);
	}
	return size;
}

/*
 * Features the CPU has but the host kernel turned off (a kernel built
 * without 5-level paging, UMIP or protection keys, or booted with
 * clearcpuid): not offered, as KVM's kvm_cpu_caps start from the kernel's
 * view.  Their CR4 bits are then reserved (hv_x86_cr4_valid()), and what
 * is offered must be what the guest may turn on (KVM's set_sregs_test
 * checks exactly that).
 */
static const struct {
	u32 function;
	u8 reg, nr;
	u16 feature;
} hv_cpuid_host_features[] = {
	{ 1, HV_ECX, 26, X86_FEATURE_XSAVE },
	{ 7, HV_EBX, 0, X86_FEATURE_FSGSBASE },
	{ 7, HV_EBX, 7, X86_FEATURE_SMEP },
	{ 7, HV_EBX, 20, X86_FEATURE_SMAP },
	{ 7, HV_ECX, 2, X86_FEATURE_UMIP },
	{ 7, HV_ECX, 16, X86_FEATURE_LA57 },
};

static void hv_cpuid_clear_host_off(struct hv_cpuid_entry2 *e)
{
	unsigned int i;

	if (e->index)
		return;
	for (i = 0; i < ARRAY_SIZE(hv_cpuid_host_features); i++) {
		u32 *r;

		if (hv_cpuid_host_features[i].function != e->function ||
		    boot_cpu_has(hv_cpuid_host_features[i].feature))
			continue;
		r = hv_cpuid_host_features[i].reg == HV_EBX ? &e->ebx : &e->ecx;
		*r &= ~BIT(hv_cpuid_host_features[i].nr);
	}
}

static void hv_cpuid_fill(struct hv_cpuid_entry2 *e, u32 function, u32 index)
{
	const struct hv_cpuid_mask *m = NULL;
	unsigned int i;

	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	for (i = 0; i < ARRAY_SIZE(hv_cpuid_masks); i++)
		if (hv_cpuid_masks[i].function == function)
			m = &hv_cpuid_masks[i];
	if (m) {
		e->eax &= m->eax;
		e->ebx &= m->ebx;
		e->ecx &= m->ecx;
		e->edx &= m->edx;
	}
	hv_cpuid_clear_host_off(e);
	switch (function) {
	case 0x00000000:
		e->eax = min_t(u32, e->eax, 0xd);
		break;
	case 0x00000001:
		e->ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC;
		break;
	case 0x00000007:
		e->flags = HV_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (index == 0) {
			e->ebx |= CPUID7_EBX_TSC_ADJUST;
			e->edx |= CPUID7_EDX_ARCH_CAP;
		}
		break;
	case 0x0000000d:
		e->flags = HV_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (index == 0) {
			u64 xcr0 = hv_xcr0_offered();

			e->eax = (u32)xcr0;
			e->edx = xcr0 >> 32;
			/* The area those components need (KVM: the same). */
			e->ebx = e->ecx = hv_xstate_size(xcr0);
		} else if (index == 1) {
			/*
			 * XSAVEOPT, XSAVEC, XGETBV1 where the host kernel
			 * has them (not turned off: clearcpuid), as KVM's
			 * caps; not XSAVES.
			 */
			e->eax &= (boot_cpu_has(X86_FEATURE_XSAVEOPT) ? BIT(0) : 0) |
				  (boot_cpu_has(X86_FEATURE_XSAVEC) ? BIT(1) : 0) |
				  (boot_cpu_has(X86_FEATURE_XGETBV1) ? BIT(2) : 0);
			e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case HV_CPUID_SIGNATURE:
		e->eax = HV_CPUID_FEATURES;
		e->ebx = 0x4b4d564b;	/* "KVMK" */
		e->ecx = 0x564b4d56;	/* "VMKV" */
		e->edx = 0x4d;		/* "M" */
		break;
	case HV_CPUID_FEATURES:
		e->eax = HV_PV_FEATURES;
		e->ebx = e->ecx = e->edx = 0;
		break;
	case 0x80000000:
		e->eax = min_t(u32, e->eax, 0x80000008);
		break;
	}
}

static bool hv_cpuid_leaf_offered(u32 function, u32 max_basic, u32 max_ext)
{
	unsigned int i;

	if (function >= HV_CPUID_SIGNATURE && function <= HV_CPUID_FEATURES)
		return true;
	if (function < 0x80000000 ? function > max_basic : function > max_ext)
		return false;
	for (i = 0; i < ARRAY_SIZE(hv_cpuid_leaves); i++)
		if (hv_cpuid_leaves[i] == function)
			return true;
	return false;
}

/* Build the supported table; returns the number of entries. */
static unsigned int hv_cpuid_supported(struct hv_cpuid_entry2 *out,
				       unsigned int max)
{
	u32 max_basic = min_t(u32, cpuid_eax(0), 0xd);
	u32 max_ext = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	u64 xcr0 = hv_xcr0_offered();
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(hv_cpuid_leaves) && n < max; i++) {
		u32 f = hv_cpuid_leaves[i];
		u32 sub;

		if (!hv_cpuid_leaf_offered(f, max_basic, max_ext))
			continue;
		if (f == 0xd) {
			if (!xcr0)
				continue;
			for (sub = 0; sub < 64 && n < max; sub++)
				if (sub < 2 || (xcr0 & BIT_ULL(sub)))
					hv_cpuid_fill(&out[n++], f, sub);
			continue;
		}
		hv_cpuid_fill(&out[n++], f, 0);
	}
	return n;
}

long hv_cpuid_get_supported(struct hv_cpuid2 __user *argp)
{
	struct hv_cpuid_entry2 *entries;
	struct hv_cpuid2 cpuid;
	unsigned int n;
	long r;

	if (copy_from_user(&cpuid, argp, sizeof(cpuid)))
		return -EFAULT;
	/* KVM: at least one entry asked for, and never more than it holds. */
	if (cpuid.nent < 1)
		return -E2BIG;
	cpuid.nent = min_t(u32, cpuid.nent, HV_MAX_CPUID_ENTRIES);

	entries = kcalloc(HV_MAX_CPUID_ENTRIES, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;
	n = hv_cpuid_supported(entries, HV_MAX_CPUID_ENTRIES);
	r = -E2BIG;
	if (n > cpuid.nent)
		goto out;
	r = -EFAULT;
	if (copy_to_user(argp->entries, entries, n * sizeof(*entries)))
		goto out;
	cpuid.nent = n;
	if (copy_to_user(argp, &cpuid, sizeof(cpuid)))
		goto out;
	r = 0;
out:
	kfree(entries);
	return r;
}

const struct hv_cpuid_entry2 *hv_cpuid_find(struct hv_vcpu *vcpu,
					    u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < vcpu->x86.cpuid_nent; i++) {
		const struct hv_cpuid_entry2 *e = &vcpu->x86.cpuid[i];

		if (e->function == function &&
		    (!(e->flags & HV_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

static bool hv_cpuid_entry_has(const struct hv_cpuid_entry2 *e, int reg,
			       int bit)
{
	u32 v = reg == HV_EAX ? e->eax : reg == HV_EBX ? e->ebx :
		reg == HV_ECX ? e->ecx : e->edx;

	return v & BIT(bit);
}

bool hv_cpuid_has(struct hv_vcpu *vcpu, u32 function, int reg, int bit)
{
	const struct hv_cpuid_entry2 *e = hv_cpuid_find(vcpu, function, 0);

	return e && hv_cpuid_entry_has(e, reg, bit);
}

/* HV_GET_SUPPORTED_CPUID offers the bit (index 0 of the leaf). */
bool hv_cpuid_offered(u32 function, int reg, int bit)
{
	struct hv_cpuid_entry2 e;

	hv_cpuid_fill(&e, function, 0);
	return hv_cpuid_entry_has(&e, reg, bit);
}

/*
 * The guest's CPUID vendor is "AuthenticAMD" or "HygonGenuine" (KVM 6.12's
 * guest_cpuid_is_amd_compatible(); a vCPU without CPUID is not).
 */
bool hv_cpuid_is_amd_compatible(struct hv_vcpu *vcpu)
{
	const struct hv_cpuid_entry2 *e = hv_cpuid_find(vcpu, 0, 0);

	return e && ((e->ebx == 0x68747541 && e->ecx == 0x444d4163 &&
		      e->edx == 0x69746e65) ||
		     (e->ebx == 0x6f677948 && e->ecx == 0x656e6975 &&
		      e->edx == 0x6e65476e));
}

/* The guest's physical address width: CPUID 0x80000008, else 36 (KVM). */
unsigned int hv_cpuid_maxphyaddr(struct hv_vcpu *vcpu)
{
	const struct hv_cpuid_entry2 *e = hv_cpuid_find(vcpu, 0x80000008, 0);

	if (!e || !(e->eax & 0xff))
		return 36;
	return e->eax & 0xff;
}

/* The XCR0 bits the guest may set: its CPUID 0xD.0 and what hv offers. */
u64 hv_cpuid_xcr0_allowed(struct hv_vcpu *vcpu)
{
	const struct hv_cpuid_entry2 *e = hv_cpuid_find(vcpu, 0xd, 0);

	if (!boot_cpu_has(X86_FEATURE_XSAVE) || !e)
		return XFEATURE_MASK_FP;
	return (e->eax | ((u64)e->edx << 32)) & hv_xcr0_offered();
}

/* The entries' validity as KVM checks it (kvm_check_cpuid). */
static bool hv_cpuid_valid(const struct hv_cpuid_entry2 *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (e[i].function == 0x80000008) {
			unsigned int vaddr_bits = (e[i].eax >> 8) & 0xff;

			if (vaddr_bits != 0 && vaddr_bits != 48 &&
			    vaddr_bits != 57)
				return false;
		}
	}
	return true;
}

static void hv_cpuid_runtime(struct hv_vcpu *vcpu, struct hv_cpuid_entry2 *e);

/*
 * The table userspace gives equals the vCPU's, with the bits that follow
 * the guest's state as the guest sees them in both (KVM compares after
 * its kvm_update_cpuid_runtime(): a client sets back what KVM_GET_CPUID2
 * gave it).
 */
static bool hv_cpuid_same(struct hv_vcpu *vcpu,
			  const struct hv_cpuid_entry2 *e, unsigned int n)
{
	struct hv_cpuid_entry2 a, b;
	unsigned int i;

	if (n != vcpu->x86.cpuid_nent)
		return false;
	for (i = 0; i < n; i++) {
		a = e[i];
		b = vcpu->x86.cpuid[i];
		hv_cpuid_runtime(vcpu, &a);
		hv_cpuid_runtime(vcpu, &b);
		if (memcmp(&a, &b, sizeof(a)))
			return false;
	}
	return true;
}

long hv_cpuid_set(struct hv_vcpu *vcpu, struct hv_cpuid2 __user *argp)
{
	struct hv_cpuid_entry2 *e = NULL;
	struct hv_cpuid2 cpuid;

	if (copy_from_user(&cpuid, argp, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent > HV_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (cpuid.nent) {
		e = memdup_user(argp->entries, cpuid.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	if (!hv_cpuid_valid(e, cpuid.nent))
		goto invalid;
	/* After the first HV_RUN the CPUID may only be set again unchanged. */
	if (vcpu->x86.ran && !hv_cpuid_same(vcpu, e, cpuid.nent))
		goto invalid;
	kfree(vcpu->x86.cpuid);
	vcpu->x86.cpuid = e;
	vcpu->x86.cpuid_nent = cpuid.nent;
	/* The APIC's version and timer modes follow CPUID, as on KVM. */
	hv_lapic_cpuid_changed(vcpu);
	return 0;
invalid:
	kfree(e);
	return -EINVAL;
}


long hv_cpuid_get(struct hv_vcpu *vcpu, struct hv_cpuid2 __user *argp)
{
	struct hv_cpuid2 cpuid;
	unsigned int i;

	if (copy_from_user(&cpuid, argp, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < vcpu->x86.cpuid_nent)
		return -E2BIG;
	for (i = 0; i < vcpu->x86.cpuid_nent; i++) {
		struct hv_cpuid_entry2 e = vcpu->x86.cpuid[i];

		hv_cpuid_runtime(vcpu, &e);
		if (copy_to_user(&argp->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	cpuid.nent = vcpu->x86.cpuid_nent;
	if (copy_to_user(argp, &cpuid, sizeof(cpuid)))
		return -EFAULT;
	return 0;
}

/* Intel's rule for a leaf past the maximum: the highest basic leaf. */
static const struct hv_cpuid_entry2 *hv_cpuid_out_of_range(struct hv_vcpu *vcpu,
							  u32 function,
							  u32 index)
{
	const struct hv_cpuid_entry2 *basic = hv_cpuid_find(vcpu, 0, 0);
	const struct hv_cpuid_entry2 *ext;

	/* "AuthenticAMD" and "HygonGenuine" CPUs answer zeros instead. */
	if (!basic || basic->ebx == 0x68747541 || basic->ebx == 0x6f677948)
		return NULL;
	if (function >= 0x40000000 && function < 0x50000000) {
		/* The hypervisor range: its own maximum (KVM's class). */
		ext = hv_cpuid_find(vcpu, function & 0xffffff00, 0);
		if (ext && function <= ext->eax)
			return NULL;
	} else if (function < 0x80000000) {
		if (function <= basic->eax)
			return NULL;
	} else {
		ext = hv_cpuid_find(vcpu, 0x80000000, 0);
		if (function < 0xc0000000 && ext && function <= ext->eax)
			return NULL;
	}
	return hv_cpuid_find(vcpu, basic->eax, index);
}

/*
 * The bits of an entry that follow the guest's own state (KVM's
 * kvm_update_cpuid_runtime()): OSXSAVE and OSPKE its CR4, APIC its APIC
 * base, leaf 0xD's EBX the XSAVE area its XCR0 needs (SDM vol 1, 13.2).
 * The guest's CPUID and HV_GET_CPUID2 both show them.
 */
static void hv_cpuid_runtime(struct hv_vcpu *vcpu, struct hv_cpuid_entry2 *e)
{
	struct hv_sregs s;

	hv_arch->get_sys(vcpu, &s);
	if (e->function == 1) {
		e->ecx &= ~CPUID1_ECX_OSXSAVE;
		if ((e->ecx & CPUID1_ECX_XSAVE) && (s.cr4 & X86_CR4_OSXSAVE))
			e->ecx |= CPUID1_ECX_OSXSAVE;
		e->edx &= ~CPUID1_EDX_APIC;
		if (vcpu->apic_base & BIT_ULL(11))
			e->edx |= CPUID1_EDX_APIC;
	}
	if (e->function == 7 && e->index == 0) {
		e->ecx &= ~CPUID7_ECX_OSPKE;
		if (s.cr4 & X86_CR4_PKE)
			e->ecx |= CPUID7_ECX_OSPKE;
	}
	if (e->function == 0xd && e->index == 0)
		e->ebx = hv_xstate_size(vcpu->x86.xcr0);
}

int hv_x86_handle_cpuid(struct hv_vcpu *vcpu, unsigned int insn_len)
{
	u32 function = vcpu->regs[HV_RAX], index = vcpu->regs[HV_RCX];
	const struct hv_cpuid_entry2 *e;
	struct hv_cpuid_entry2 v = { 0 };
	u32 eax, ebx, ecx, edx;
	struct hv_segment ss;

	/* CPUID faulting (MSR_MISC_FEATURES_ENABLES): #GP outside ring 0. */
	if (vcpu->x86.misc_features & MSR_MISC_FEATURES_ENABLES_CPUID_FAULT) {
		hv_arch->get_segment(vcpu, &ss, HV_SS);
		if (ss.dpl)
			return hv_x86_inject_gp(vcpu);
	}

	e = hv_cpuid_find(vcpu, function, index);
	if (!e)
		e = hv_cpuid_out_of_range(vcpu, function, index);
	if (e) {
		v = *e;
		hv_cpuid_runtime(vcpu, &v);
	}
	eax = v.eax;
	ebx = v.ebx;
	ecx = v.ecx;
	edx = v.edx;

	vcpu->regs[HV_RAX] = eax;
	vcpu->regs[HV_RBX] = ebx;
	vcpu->regs[HV_RCX] = ecx;
	vcpu->regs[HV_RDX] = edx;
	hv_skip_insn(vcpu, insn_len);
	return 1;
}
