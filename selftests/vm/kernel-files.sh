#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel-files.sh DIR: take from Debian's linux-source-6.1 package the files
# hv uses as they are (never rewritten by hand): the kselftest harness
# headers and checkpatch.pl with its data files.  Puts them under DIR and
# does nothing when they are already there.
set -eu

dir=$1
stamp=$dir/.extracted
[ -f "$stamp" ] && exit 0

tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
if [ -z "$tarball" ]; then
	echo "kernel-files.sh: /usr/src/linux-source-6.1.tar.* not found; run 'make deps'" >&2
	exit 1
fi
mkdir -p "$dir"
tar -xf "$tarball" -C "$dir" --strip-components=1 \
	linux-source-6.1/tools/testing/selftests/kselftest.h \
	linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
	linux-source-6.1/scripts/checkpatch.pl \
	linux-source-6.1/scripts/spelling.txt \
	linux-source-6.1/scripts/const_structs.checkpatch
touch "$stamp"
