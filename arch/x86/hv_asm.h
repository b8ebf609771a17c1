/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: catching faults on virtualization instructions.
 *
 * VMX and SVM instructions fault (#UD, #GP) when the CPU is not in the state
 * they need, e.g. after an emergency reboot turned virtualization off.  hv
 * never lets such a fault oops the host: the instruction gets an exception
 * table entry and the fault lands on a C label, reported as an error.
 *
 * Use inside asm goto, on an instruction at local label 1, with a C label
 * named "fault" in the goto list:
 *
 *	asm goto("1: vmxoff\n\t"
 *		 HV_ASM_ON_FAULT
 *		 : : : "cc", "memory" : fault);
 *
 * A fault resumes at local label 2, which jumps to the C label; the normal
 * path skips over it.
 */
#ifndef HV_ASM_H
#define HV_ASM_H

#include <asm/asm.h>

#define HV_ASM_ON_FAULT					\
	"jmp 3f\n\t"					\
	"2: jmp %l[fault]\n\t"				\
	"3:\n\t"					\
	_ASM_EXTABLE(1b, 2b)

#endif /* HV_ASM_H */
