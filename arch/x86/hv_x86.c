// SPDX-License-Identifier: GPL-2.0
/*
 * hv: shared x86 code.  For now: choosing the backend at load time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/printk.h>

#include "../../module/hv_internal.h"
#include "hv_x86.h"

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
