/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: VMX capability reporting, from the Intel SDM volume 3, appendix A
 * ("VMX Capability Reporting Facility").
 */
#ifndef HV_VMX_CAPS_H
#define HV_VMX_CAPS_H

#include <linux/bits.h>

/* CPUID.1:ECX */
#define HV_CPUID1_ECX_VMX			BIT(5)

/* IA32_VMX_BASIC (SDM A.1) */
#define HV_VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define HV_VMX_BASIC_REGION_SIZE(b)	(((b) >> 32) & 0x1fff)
#define HV_VMX_BASIC_32BIT_ADDRESSES	BIT_ULL(48)
#define HV_VMX_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)
#define HV_VMX_BASIC_TRUE_CTLS		BIT_ULL(55)
#define HV_VMX_MEMTYPE_WB			6

/* Primary processor-based controls (SDM 25.6.2, table 25-6) */
#define HV_CPU_BASED_ACTIVATE_SECONDARY	BIT(31)

/* Secondary processor-based controls (SDM 25.6.2, table 25-7) */
#define HV_SECONDARY_ENABLE_EPT		BIT(1)
#define HV_SECONDARY_ENABLE_VPID		BIT(5)
#define HV_SECONDARY_UNRESTRICTED_GUEST	BIT(7)

/* IA32_VMX_EPT_VPID_CAP (SDM A.10) */
#define HV_EPT_CAP_WALK_4			BIT_ULL(6)
#define HV_EPT_CAP_WB			BIT_ULL(14)
#define HV_EPT_CAP_INVEPT			BIT_ULL(20)
#define HV_EPT_CAP_INVEPT_SINGLE		BIT_ULL(25)
#define HV_EPT_CAP_INVEPT_ALL		BIT_ULL(26)
#define HV_VPID_CAP_INVVPID		BIT_ULL(32)

#endif /* HV_VMX_CAPS_H */
