/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: objects shared by the arch-neutral core and the backends.
 *
 * The core (module/) owns the device, the file descriptors and the per-CPU
 * bookkeeping.  Everything that touches virtualization hardware sits behind
 * struct hv_arch_ops, filled by exactly one backend (arch/x86/vmx or
 * arch/x86/svm) chosen at load time by hv_arch_probe().
 */
#ifndef HV_INTERNAL_H
#define HV_INTERNAL_H

#include <linux/types.h>

#define HV_NAME "hv"

/**
 * struct hv_arch_ops - what a hardware backend provides to the core
 * @name:		short name for messages ("vmx", "svm")
 * @hardware_setup:	allocate what every CPU needs (called once, may sleep)
 * @hardware_unsetup:	free what hardware_setup allocated
 * @cpu_enable:		turn virtualization on for the calling CPU.  Called
 *			with interrupts disabled; returns 0 or a negative
 *			errno (-EBUSY: another hypervisor owns the CPU).
 * @cpu_disable:	turn it off again on the calling CPU.  Interrupts
 *			disabled; may run from an IPI on reboot.
 */
struct hv_arch_ops {
	const char *name;
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
};

/*
 * Returns the backend for this CPU, or an ERR_PTR: -EOPNOTSUPP when the CPU
 * lacks a feature hv needs (a message names it), -EBUSY when another
 * hypervisor already owns the hardware.
 */
const struct hv_arch_ops *hv_arch_probe(void);

#endif /* HV_INTERNAL_H */
