#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER HV_KO OUT: build the test machine's initramfs for
# kernel KVER: static busybox, /init, hv.ko built for KVER, Debian's own KVM
# modules for KVER (the oracle) with their load order, and the selftests.
set -eu

kver=$1 hv_ko=$2 out=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"	# mktemp's 0700 would keep other users out of /

mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
	 "$root/lib/hv/tests" "$root/lib/hv/kvm"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$top/selftests/vm/init" "$root/init"
cp "$hv_ko" "$root/lib/hv/hv.ko"

# KVM for this kernel, in dependency order, decompressed for busybox insmod.
# A kernel built here (the debug kernel) has its modules under build/kernels.
moddir=/
[ -d "$top/build/kernels/$kver/mods" ] && moddir=$top/build/kernels/$kver/mods
for vendor in intel amd; do
	order=
	for m in $(modprobe -d "$moddir" -S "$kver" --show-depends "kvm_$vendor" |
		   awk '$1 == "insmod" { print $2 }'); do
		name=$(basename "$m")
		name=${name%.xz}
		name=${name%.zst}
		case "$m" in
		*.xz) xz -dc "$m" >"$root/lib/hv/kvm/$name" ;;
		*.zst) zstd -qdc "$m" >"$root/lib/hv/kvm/$name" ;;
		*) cp "$m" "$root/lib/hv/kvm/$name" ;;
		esac
		order="$order /lib/hv/kvm/$name"
	done
	echo $order >"$root/lib/hv/kvm-$vendor.order"
done

cp "$top"/selftests/*_test "$top"/selftests/guest_once "$top"/selftests/hv_cap \
   "$top"/selftests/hv_bench \
   "$top"/selftests/*.sh "$root/lib/hv/tests/"
[ ! -x "$top/selftests/hv_fuzz" ] || cp "$top/selftests/hv_fuzz" "$root/lib/hv/tests/"
# The launcher and its images, laid out as in the source tree so that
# launcher_test.sh finds them the same way in both places.
mkdir -p "$root/lib/hv/tests/launcher/expected" \
	 "$root/lib/hv/userspace/examples"
cp "$top"/selftests/launcher/*.elf "$top"/selftests/launcher/*.bin \
   "$root/lib/hv/tests/launcher/"
cp "$top"/selftests/launcher/expected/* "$root/lib/hv/tests/launcher/expected/"
cp "$top/userspace/hv-run" "$root/lib/hv/userspace/"
cp "$top"/userspace/examples/*.elf "$top"/userspace/examples/*.bin \
   "$top"/userspace/examples/tiny-launcher \
   "$root/lib/hv/userspace/examples/"
# KVM's own selftests: those kvm-selftests.list names, or all of them with
# HV_KVM_SELFTESTS=all (make check-full).
mkdir -p "$root/lib/hv/kvm-selftests"
cp "$top/selftests/vm/kvm-selftests.list" "$top/selftests/vm/slices" \
   "$root/lib/hv/tests/"
if [ "${HV_KVM_SELFTESTS:-list}" = all ]; then
	cp "$top"/build/kvm-selftests/bin/* "$root/lib/hv/kvm-selftests/"
else
	# One that did not build is reported "not built" by the suite.
	for t in $(sed -e 's/#.*//' "$top/selftests/vm/kvm-selftests.list"); do
		[ ! -e "$top/build/kvm-selftests/bin/$t" ] ||
			cp "$top/build/kvm-selftests/bin/$t" "$root/lib/hv/kvm-selftests/"
	done
fi
# The Linux guest of linux_test.sh: a distribution kernel and its initramfs.
mkdir -p "$root/lib/hv/linux"
cp "$HV_LINUX_KERNEL" "$root/lib/hv/linux/vmlinuz"
cp "$top/build/linux-guest.gz" "$root/lib/hv/linux/initrd.gz"
ln -s ../userspace/hv-run "$root/lib/hv/linux/hv-run"
if [ -d "$top/build/guest-extra" ]; then
	cp -r "$top/build/guest-extra/." "$root/lib/hv/"
fi

# The same inputs give the same bytes (fixed times and order), so that a
# make bench boot repeats the one before it instruction for instruction.
find "$root" -exec touch -h -d @1767225600 {} +
(cd "$root" && find . | LC_ALL=C sort |
	cpio -o -H newc --quiet --reproducible | gzip -n -1) >"$out"
