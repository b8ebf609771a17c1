#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-guest.sh OUT: the initramfs of the Linux guest that linux_test.sh
# boots with hv-run inside the test machines (static busybox and
# selftests/linux/init), as OUT.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$top/selftests/linux/init" "$root/init"
find "$root" -exec touch -h -d @1767225600 {} +
(cd "$root" && find . | LC_ALL=C sort |
	cpio -o -H newc --quiet --reproducible | gzip -n -9) >"$out.tmp"
mv "$out.tmp" "$out"
