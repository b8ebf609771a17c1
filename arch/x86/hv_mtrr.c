// SPDX-License-Identifier: GPL-2.0
/*
 * hv: the guest's memory type range registers (SDM vol 3, 12.11).
 *
 * The guest gets what KVM gives it: IA32_MTRRCAP says 8 variable ranges,
 * the fixed ranges and write-combining (no SMRR), and every MTRR can be
 * read and written with the architectural checks, whatever CPUID says
 * (KVM does not look at CPUID.1:EDX.MTRR either).  Like KVM without
 * assigned devices, hv does not apply them: guest memory is write-back
 * and the guest's PAT alone picks the memory type, so the MTRRs are state
 * that the guest, a firmware and a migration read back as written.
 */
#include <linux/kernel.h>
#include <asm/msr-index.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"
#include "hv_x86_int.h"

/* 8 variable ranges, fixed ranges, WC; no SMRR (SDM 12.11.2.1). */
#define MTRRCAP_VALUE		0x508
#define MTRR_VAR_FIRST		0x200
#define MTRR_VAR_COUNT		16	/* base/mask pairs */

/* The fixed-range MTRRs, in the order of struct hv_mtrrs.fixed. */
static const u32 hv_mtrr_fixed_msrs[] = {
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
	MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
	MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
};

/* UC, WC, WT, WP, WB (SDM table 12-8); 2, 3 and 7 up are reserved. */
static bool hv_mtrr_type_valid(u64 type)
{
	return type < 8 && (BIT(type) & 0x73);
}

static u64 *hv_mtrr_slot(struct hv_vcpu *vcpu, u32 index)
{
	struct hv_mtrrs *m = &vcpu->x86.mtrr;
	unsigned int i;

	if (index >= MTRR_VAR_FIRST && index < MTRR_VAR_FIRST + MTRR_VAR_COUNT)
		return &m->var[index - MTRR_VAR_FIRST];
	if (index == MSR_MTRRdefType)
		return &m->deftype;
	for (i = 0; i < ARRAY_SIZE(hv_mtrr_fixed_msrs); i++)
		if (hv_mtrr_fixed_msrs[i] == index)
			return &m->fixed[i];
	return NULL;
}

/*
 * hv_mtrr_get() and hv_mtrr_set() return 0, -EINVAL (a #GP for the guest,
 * a failed entry for HV_GET/SET_MSRS), or 1 when INDEX is not an MTRR.
 */
int hv_mtrr_get(struct hv_vcpu *vcpu, u32 index, u64 *val)
{
	u64 *slot;

	if (index == MSR_MTRRcap) {
		*val = MTRRCAP_VALUE;
		return 0;
	}
	slot = hv_mtrr_slot(vcpu, index);
	if (!slot)
		return 1;
	*val = *slot;
	return 0;
}

/* The checks of SDM 12.11.2 and 12.11.3, as KVM makes them. */
static bool hv_mtrr_valid(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	u64 reserved;
	unsigned int i;

	if (index == MSR_MTRRdefType)
		/* Type in 7:0, FE (10) and E (11); the rest is reserved. */
		return !(val & ~0xcffULL) && hv_mtrr_type_valid(val & 0xff);
	if (index < MTRR_VAR_FIRST || index >= MTRR_VAR_FIRST + MTRR_VAR_COUNT) {
		/* A fixed range: eight types, one per byte. */
		for (i = 0; i < 8; i++)
			if (!hv_mtrr_type_valid((val >> (8 * i)) & 0xff))
				return false;
		return true;
	}
	/* Address bits at and above the guest's MAXPHYADDR are reserved. */
	reserved = ~0ULL << hv_cpuid_maxphyaddr(vcpu);
	if (!(index & 1)) {
		/* PHYSBASE: type in 7:0, 11:8 reserved. */
		if (!hv_mtrr_type_valid(val & 0xff))
			return false;
		reserved |= 0xf00;
	} else {
		/* PHYSMASK: 10:0 reserved, V in 11. */
		reserved |= 0x7ff;
	}
	return !(val & reserved);
}

/* MTRRCAP is read-only: writing it is a #GP, as any invalid value. */
int hv_mtrr_set(struct hv_vcpu *vcpu, u32 index, u64 val)
{
	u64 *slot = hv_mtrr_slot(vcpu, index);

	if (index == MSR_MTRRcap)
		return -EINVAL;
	if (!slot)
		return 1;
	if (!hv_mtrr_valid(vcpu, index, val))
		return -EINVAL;
	*slot = val;
	return 0;
}
