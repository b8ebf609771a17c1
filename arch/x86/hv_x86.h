/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: what the shared x86 code and the two vendor backends tell each other.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <linux/types.h>

struct hv_arch_ops;

/* CPUID answers straight from the CPU, whatever the kernel has masked. */
bool vmx_cpu_has_vmx(void);
bool svm_cpu_has_svm(void);

/*
 * Check that this CPU has everything the backend needs, naming the missing
 * feature in a message otherwise.  Return the backend's ops or an ERR_PTR.
 */
const struct hv_arch_ops *vmx_probe(void);
const struct hv_arch_ops *svm_probe(void);

#endif /* HV_X86_H */
