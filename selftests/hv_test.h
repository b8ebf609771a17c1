/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv selftests: what every test binary shares.
 *
 * Each binary runs its tests against one device, /dev/hv by default:
 *
 *	./sys_test                    # /dev/hv
 *	./sys_test --device /dev/kvm  # the same tests against KVM
 *
 * HV_DEVICE in the environment sets the default.  The harness
 * (kselftest_harness.h from the kernel's own source) prints KTAP.
 */
#ifndef HV_TEST_H
#define HV_TEST_H

#include "kselftest_harness.h"

/* The device the tests run against. */
extern const char *hv_device;

/* Takes --device PATH (or -d PATH) out of argv; exits on bad usage. */
void hv_test_parse_args(int *argc, char **argv);

/* Opens hv_device read/write; returns the fd or -1 with errno set. */
int hv_open_device(void);

/* The guest page size, and a page-aligned anonymous mapping of n pages. */
#define HV_PAGE 4096UL
void *hv_alloc_pages(unsigned long n);

/* The host's physical address width, from /proc/cpuinfo (0 if unknown). */
unsigned int hv_host_phys_bits(void);

/* Whether /proc/cpuinfo lists the flag (e.g. "vmx") for the first CPU. */
int hv_host_has_cpu_flag(const char *flag);

/*
 * Every test binary ends with
 *
 *	int main(int argc, char **argv)
 *	{
 *		return hv_test_main(argc, argv, test_harness_run);
 *	}
 *
 * which takes the options, names the device in the output and runs the
 * tests.
 */
int hv_test_main(int argc, char **argv, int (*run)(int, char **));

#endif /* HV_TEST_H */
