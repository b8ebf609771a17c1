#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: 'make demo' for a machine without VT-x or AMD-V.  Boots an
# emulated AMD PC (QEMU TCG, SVM with nested paging), loads hv.ko inside it
# and shows on this terminal what hv does, then powers the PC off.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. selftests/vm/kernels.sh

echo "demo: building hv.ko for $k61 and the initramfs..."
selftests/vm/build-images.sh "$k61" || exit 1

log=$(mktemp)
trap 'rm -f "$log" "$log.qemu"' EXIT
echo "demo: booting an emulated PC (QEMU, -cpu max: AMD SVM + NPT)..."
HV_SMP=2 selftests/vm/run-machine.sh qemu "$k61" max "build/initrd-$k61.gz" \
	"$log" 300 hv.mode=demo &
pid=$!
# Show what the machine prints, without the firmware's and kernel's noise.
tail -n +1 -f --pid=$pid "$log" 2>/dev/null |
	sed -un '/@@HV-DMESG-BEGIN/q; /^=== /,$p' | grep -v '^@@' | uniq
wait $pid
