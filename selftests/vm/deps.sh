#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install from Debian's packages everything hv's build and tests
# need.  Quiet and quick when all is there; otherwise installs what is
# missing (as root) or says what to run.
set -u

# Always wanted, by package name.
pkgs="gcc make libc6-dev kmod xz-utils zstd cpio busybox-static
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 bochs bochsbios vgabios
	xorriso isolinux syslinux-common sparse
	bc flex bison libelf-dev"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing="$missing $p"
done
# A 6.12 kernel from bookworm's updates, image and headers, any release.
have612=0
for v in /boot/vmlinuz-6.12.*+deb12-amd64; do
	[ -e "$v" ] && [ -d "/usr/src/linux-headers-${v#/boot/vmlinuz-}" ] &&
		have612=1
done

[ -z "$missing" ] && [ $have612 -eq 1 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "hv: missing packages:$missing$([ $have612 -eq 0 ] && echo ' linux-image-6.12 (+headers)')" >&2
	echo "hv: run 'sudo make deps' to install them" >&2
	exit 1
fi

echo "hv: installing build and test dependencies from Debian (once)..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! apt-get update -q >"$log" 2>&1; then
	cat "$log" >&2
	echo "hv: 'apt-get update' failed: is the machine offline?" >&2
	exit 1
fi
if [ $have612 -eq 0 ]; then
	img=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
	      awk '{ print $1 }' | sort -V | tail -n 1)
	if [ -z "$img" ]; then
		echo "hv: no linux-image-6.12.*+deb12-amd64 package is known to apt" >&2
		exit 1
	fi
	missing="$missing $img $(echo "$img" | sed 's/image/headers/')"
fi
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "hv: installing$missing failed (see above)" >&2
	exit 1
fi
rm -f "$log"
echo "hv: dependencies installed"
