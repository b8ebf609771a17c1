// SPDX-License-Identifier: GPL-2.0
/*
 * hv_cap [--device PATH] CAP: print what KVM_CHECK_EXTENSION says of
 * capability number CAP on the device's system fd (0 when it lacks it).
 * For shell scripts (kvm_selftests.sh).  Exit status 1 if the device
 * cannot be opened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../uapi/linux/hv.h"
#include "hv_util.h"

int main(int argc, char **argv)
{
	int dev, r;

	hv_test_parse_args(&argc, argv);
	if (argc != 2) {
		fprintf(stderr, "usage: hv_cap [--device PATH] CAP\n");
		return 2;
	}
	dev = hv_open_device();
	if (dev < 0) {
		fprintf(stderr, "hv_cap: %s\n", strerror(errno));
		return 1;
	}
	r = ioctl(dev, HV_CHECK_EXTENSION, atoi(argv[1]));
	printf("%d\n", r < 0 ? 0 : r);
	close(dev);
	return 0;
}
