#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-host.sh: 'make bench-host', hv_bench on this machine's own VT-x or
# AMD-V, against /dev/hv and /dev/kvm where each is present, in the same
# table as make bench.  Here the time rows are nanoseconds.  Where KVM
# takes the CPU's virtualization at load (Linux 6.12 and later), hv and
# KVM cannot be loaded together: run it once with each loaded, or set
# HV_BENCH_DEVICES to the one you have.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bench=$top/selftests/hv_bench
devices=${HV_BENCH_DEVICES:-/dev/hv /dev/kvm}

[ -x "$bench" ] || make -s -C "$top" selftests || exit 1
found=0
for dev in $devices; do [ -e "$dev" ] && found=1; done
if [ $found = 0 ]; then
	echo "bench-host: none of $devices exists: load hv.ko (sudo insmod hv.ko) or KVM" >&2
	exit 1
fi

for dev in $devices; do
	[ -e "$dev" ] || continue
	name=$(basename "$dev")
	echo "@@HV-BENCH-BEGIN dev=$name"
	# shellcheck disable=SC2086
	"$bench" --device "$dev" ${HV_BENCH:-}
	echo "@@HV-BENCH-END dev=$name rc=$?"
done | awk -v partial=1 -v machine="host" -v kver="$(uname -r)" \
	    -v what="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
	    -v unit="nanoseconds per iteration" -f "$top/selftests/vm/bench.awk"
