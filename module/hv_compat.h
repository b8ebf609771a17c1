/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv: the few kernel interfaces that differ between the kernels hv builds
 * for.  Kbuild detects each difference from the headers (distributions
 * backport changes, so version numbers would lie) and defines HV_HAVE_*.
 */
#ifndef HV_COMPAT_H
#define HV_COMPAT_H

#include <linux/syscore_ops.h>

/*
 * Newer kernels pass a data pointer to syscore callbacks and register a
 * struct syscore that points at the ops.
 */
#ifdef HV_HAVE_SYSCORE_DATA
#define HV_SYSCORE_ARG		void *data
#define HV_DEFINE_SYSCORE(name, sops)					\
	static struct syscore name = { .ops = &(sops) }
#define hv_register_syscore(s)		register_syscore(s)
#define hv_unregister_syscore(s)	unregister_syscore(s)
#else
#define HV_SYSCORE_ARG		void
#define HV_DEFINE_SYSCORE(name, sops)					\
	static struct syscore_ops *name = &(sops)
#define hv_register_syscore(s)		register_syscore_ops(*(s))
#define hv_unregister_syscore(s)	unregister_syscore_ops(*(s))
#endif

#endif /* HV_COMPAT_H */
