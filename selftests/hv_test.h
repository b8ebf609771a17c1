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

#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "hv_guest.h"
#include "hv_util.h"

/*
 * Every test binary ends with
 *
 *	HV_TEST_MAIN
 *
 * which takes the options (--device PATH; --only NAME[,NAME...] to run
 * only the tests named, as NAME or FIXTURE.NAME), names the device in the
 * output and runs the tests.  The 6.1 harness has no filter of its own, so
 * the tests --only leaves out are taken off the harness's list here; a
 * name that matches no test is an error (exit status 2), so that a slice
 * of a suite (selftests/vm/slices) cannot silently shrink.
 */
int hv_test_main(int argc, char **argv, int (*run)(int, char **));

#define HV_TEST_MAIN							\
int main(int argc, char **argv)						\
{									\
	struct __fixture_metadata *f;					\
	struct __test_metadata *t, *next, *kept;			\
									\
	hv_test_parse_args(&argc, argv);				\
	for (f = __fixture_list; f; f = f->next) {			\
		kept = NULL;						\
		for (t = f->tests; t; t = next) {			\
			next = t->next;					\
			if (!hv_test_selected(f->name, t->name))	\
				continue;				\
			/* The harness's list: only prev is circular. */ \
			t->next = NULL;					\
			if (!kept) {					\
				t->prev = t;				\
				kept = t;				\
			} else {					\
				t->prev = kept->prev;			\
				kept->prev->next = t;			\
				kept->prev = t;				\
			}						\
		}							\
		f->tests = kept;					\
	}								\
	if (hv_test_start())						\
		return 2;						\
	return test_harness_run(argc, argv);				\
}

/*
 * Inside a test: set up a guest (hv_guest.h) running the code from START
 * to END in MODE, or fail the test.
 */
static inline void hv_guest_setup(struct __test_metadata *_metadata,
				  struct hv_guest *g, enum hv_guest_mode mode,
				  const unsigned char *start,
				  const unsigned char *end)
{
	ASSERT_EQ(0, hv_guest_create(g, mode, start, end - start))
		TH_LOG("guest setup failed: %s", strerror(errno));
}

/*
 * Inside a test: KVM_RUN G, which must exit with an OUT (or IN) on PORT,
 * or fail the test.
 */
static inline void hv_run_to_port(struct __test_metadata *_metadata,
				  struct hv_guest *g, int port)
{
	ASSERT_EQ(0, hv_guest_run(g)) TH_LOG("KVM_RUN: %s", strerror(errno));
	ASSERT_EQ(HV_EXIT_IO, g->run->exit_reason)
		TH_LOG("expected OUT to port %#x, exit reason %u", port,
		       g->run->exit_reason);
	ASSERT_EQ(port, g->run->io.port);
}

/*
 * Inside a test: KVM_RUN G to its 32-bit OUT to PORT and return the value
 * written, or fail the test.
 */
static inline uint32_t out_value(struct __test_metadata *_metadata,
				 struct hv_guest *g, int port)
{
	uint32_t v;

	hv_run_to_port(_metadata, g, port);
	EXPECT_EQ(4, g->run->io.size);
	memcpy(&v, hv_guest_io_data(g), sizeof(v));
	return v;
}

#endif /* HV_TEST_H */
