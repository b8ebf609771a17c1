// SPDX-License-Identifier: GPL-2.0
/*
 * guest_once [--device PATH]: run one tiny guest (real mode: OUT, then
 * HLT) and check its two exits.  For shell tests that need "a VM has run"
 * (module_test.sh).  Exit status: 0 it ran, 1 it did not (said on
 * stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hv_guest.h"
#include "hv_util.h"

GUEST(once, ".code16", "mov $0x5a, %al; out %al, $0x30; hlt");

int main(int argc, char **argv)
{
	struct hv_guest g;
	int status = 1;

	hv_test_parse_args(&argc, argv);
	if (hv_guest_create(&g, HV_MODE_REAL, once, once_end - once)) {
		fprintf(stderr, "guest_once: setup: %s\n", strerror(errno));
		goto out;
	}
	if (hv_guest_run(&g) || g.run->exit_reason != HV_EXIT_IO ||
	    g.run->io.port != 0x30 || hv_guest_io_data(&g)[0] != 0x5a) {
		fprintf(stderr, "guest_once: no OUT exit\n");
		goto out;
	}
	if (hv_guest_run(&g) || g.run->exit_reason != HV_EXIT_HLT) {
		fprintf(stderr, "guest_once: no HLT exit\n");
		goto out;
	}
	status = 0;
out:
	hv_guest_destroy(&g);
	return status;
}
