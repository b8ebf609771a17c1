#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-images.sh KVER...: for each kernel, build hv.ko against its headers
# (in a copy of the sources, so builds for several kernels never share
# object files) and the test machine's initramfs build/initrd-KVER.gz; also
# the selftests, ours and KVM's (selftests/vm/kvm-selftests.sh).  Quiet
# unless something fails.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

make -s selftests userspace || exit 1
selftests/vm/kvm-selftests.sh build/kvm-selftests || exit 1
# The Linux guest hv-run boots in linux_test.sh: $HV_LINUX_KERNEL, else
# the first kernel's own.
# (Made again when its init or its script is newer.)
if ! [ build/linux-guest.gz -nt selftests/linux/init ] ||
   ! [ build/linux-guest.gz -nt selftests/vm/linux-guest.sh ]; then
	selftests/vm/linux-guest.sh build/linux-guest.gz || exit 1
fi
export HV_LINUX_KERNEL="${HV_LINUX_KERNEL:-/boot/vmlinuz-$1}"
for kver in "$@"; do
	src=build/kmod/$kver
	rm -rf "$src"
	mkdir -p "$src"
	cp -r Kbuild module arch uapi "$src/"
	kdir=/usr/src/linux-headers-$kver
	# A kernel built here (the debug kernel) is registered under build/kernels.
	[ -d "build/kernels/$kver/build" ] && kdir=$top/build/kernels/$kver/build
	if ! make -s -C "$kdir" M="$top/$src" modules \
		>"$src/build.log" 2>&1; then
		cat "$src/build.log" >&2
		echo "hv: hv.ko does not build for $kver" >&2
		exit 1
	fi
	selftests/vm/mkinitramfs.sh "$kver" "$src/hv.ko" \
		"build/initrd-$kver.gz" || exit 1
done
