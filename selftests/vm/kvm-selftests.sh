#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm-selftests.sh DIR: build KVM's own selftests (tools/testing/selftests/kvm
# of Debian's linux-source-6.1, taken as they are) into DIR/bin, static and
# stripped, for the test machines.  The sources go to DIR/src; the build uses
# the system's kernel headers (linux-libc-dev, 6.1 on Debian 12).  A test
# that does not build with them is left out and named in DIR/unbuilt (6.1's
# dirty_log_test and steal_time use a macro its test_util.h lacks).  Does
# nothing when DIR/bin is already there.
set -eu

# Absolute: the make below runs in another directory.
mkdir -p "$1"
dir=$(cd "$1" && pwd)
[ -f "$dir/bin/.built" ] && exit 0

tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
if [ -z "$tarball" ]; then
	echo "kvm-selftests.sh: /usr/src/linux-source-6.1.tar.* not found; run 'make deps'" >&2
	exit 1
fi
rm -rf "$dir/src" "$dir/bin"
mkdir -p "$dir/src" "$dir/bin"
tar -xf "$tarball" -C "$dir/src" --strip-components=1 \
	linux-source-6.1/tools linux-source-6.1/scripts/subarch.include
kvm=$dir/src/tools/testing/selftests/kvm
# -k: one test that fails to build must not stop the others.  Run from
# 'make check', this make would inherit MAKELEVEL 1, and the kselftest
# lib.mk then leaves OUTPUT empty, which puts the objects and tests in /:
# so a make of its own, and OUTPUT named.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	make -C "$kvm" -k -j"$(nproc)" OUTPUT="$kvm" \
	KHDR_INCLUDES="-isystem /usr/include" INSTALL_HDR_PATH=/usr \
	EXTRA_CFLAGS=-static >"$dir/build.log" 2>&1 || :
: >"$dir/unbuilt"
for src in "$kvm"/*.c "$kvm"/x86_64/*.c; do
	t=${src%.c}
	name=$(basename "$t")
	# Only the tests: the library and helpers have no main().
	grep -q '^int main' "$src" || continue
	if [ -x "$t" ]; then
		cp "$t" "$dir/bin/$name"
		strip "$dir/bin/$name"
	else
		echo "$name" >>"$dir/unbuilt"
	fi
done
if [ "$(ls "$dir/bin" | wc -l)" -eq 0 ]; then
	echo "kvm-selftests.sh: no test built (see $dir/build.log)" >&2
	exit 1
fi
touch "$dir/bin/.built"
echo "kvm-selftests.sh: $(ls "$dir/bin" | wc -l) tests built, $(wc -l <"$dir/unbuilt") not (see $dir/build.log)"
