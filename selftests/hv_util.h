/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv selftests: helpers without the harness (hv_test.c), for files that
 * must not include kselftest_harness.h a second time.
 */
#ifndef HV_UTIL_H
#define HV_UTIL_H

#include <stdbool.h>

/* The device the tests run against. */
extern const char *hv_device;

/* Takes --device PATH (or -d PATH) out of argv; exits on bad usage. */
void hv_test_parse_args(int *argc, char **argv);
/*
 * --only: whether FIXTURE.TEST (or TEST) is named; then 0 if every name
 * matched (it prints the device), else 1 (hv_test.h).
 */
bool hv_test_selected(const char *fixture, const char *test);
int hv_test_start(void);

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
 * Give the vCPU the CPUID the device supports (KVM_GET_SUPPORTED_CPUID then
 * KVM_SET_CPUID2), as clients do.  Returns 0 or -1 with errno set.
 */
int hv_set_supported_cpuid(int dev_fd, int vcpu_fd);

/* The entry FUNCTION/INDEX among the first N of C, or NULL. */
const struct hv_cpuid_entry2 *hv_cpuid_entry(const struct hv_cpuid2 *c,
					     unsigned int n,
					     unsigned int function,
					     unsigned int index);

/*
 * The vCPU's CPUID entry FUNCTION/INDEX (KVM_GET_CPUID2); the registers
 * whose pointer is not NULL are filled.  0, or -1 with errno (ENOENT: no
 * such entry).
 */
int hv_vcpu_cpuid(int vcpu_fd, unsigned int function, unsigned int index,
		  unsigned int *eax, unsigned int *ebx, unsigned int *ecx,
		  unsigned int *edx);

/*
 * Free memory in KiB (/proc/zoneinfo), counting the pages the per-CPU
 * lists hold (which MemFree leaves out), so that a page moving between a
 * list and the buddy allocator does not show up as allocated; -1 if
 * unreadable.
 */
long hv_free_kib(void);

/*
 * Free memory in KiB once the kernel has settled, for leak tests: caches
 * dropped, slab caches shrunk (which also empties KASAN's quarantine),
 * two seconds for deferred (RCU) frees, then hv_free_kib().  The most of
 * three such samples: memory the kernel holds for a moment lowers one
 * sample, a leak lowers all three.  Needs root to drop and shrink; -1 if
 * unreadable.
 */
long hv_settled_free_kib(void);

#endif /* HV_UTIL_H */
