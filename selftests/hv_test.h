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

#include "hv_util.h"

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
