#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: what 'make bench' runs.  Boots each emulated machine once with
# clocks that count instructions (run-machine.sh, HV_DETERMINISTIC=1), runs
# hv_bench there on hv and then on KVM, and prints one table per machine:
# metric, hv, KVM, hv/KVM.  In these machines a nanosecond is one emulated
# instruction, so the time rows count the instructions of each software
# path, not cycles (Documentation/performance.rst).
#
# Environment:
#   HV_MACHINES  machines to run, names or prefixes (default: all three)
#   HV_LOGDIR    where console logs go (default build/bench)
#   HV_BENCH     more hv_bench options, e.g. "--runs 11"
# Exit status 1 when a machine did not give both columns in full or its
# console shows a kernel warning.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
logdir=${HV_LOGDIR:-$top/build/bench}
mkdir -p "$logdir"

. selftests/vm/kernels.sh

# name emulator cpu what(~ for spaces) timeout(s) linux
# (linux: 1 when a nested Linux boots there, as check.sh's column: the
# Linux rows are measured only there)
machines="
qemu-svm-6.1	qemu	max			QEMU~TCG~-cpu~max:~AMD~SVM+NPT	900	1
bochs-vmx-6.1	bochs	corei7_skylake_x	Bochs~corei7_skylake_x:~Intel~VMX+EPT	2400	1
bochs-svm-6.1	bochs	trinity_apu		Bochs~trinity_apu:~AMD~SVM+NPT~with~next-RIP	2400	0
"
echo "bench: building hv.ko for $k61, hv_bench and the initramfs"
selftests/vm/build-images.sh "$k61" || exit 1

status=0
out=$logdir/bench.txt
: >"$out"
echo "$machines" | while read -r name emu cpu what limit linux; do
	[ -n "$name" ] || continue
	hv_wanted "$name" || continue
	log=$logdir/$name.log
	echo "bench: booting $name"
	args="hv.mode=bench hv.linux=$linux"
	[ -n "${HV_BENCH:-}" ] && args="$args hv.bench=$(echo "$HV_BENCH" | tr ' ' ,)"
	HV_DETERMINISTIC=1 HV_SMP=1 selftests/vm/run-machine.sh "$emu" "$k61" \
		"$cpu" "build/initrd-$k61.gz" "$log" "$limit" "$args"
	echo
	awk -v machine="$name" -v what="$(echo "$what" | tr '~' ' ')" \
	    -v kver="$k61" -f selftests/vm/bench.awk "$log" | tee -a "$out"
	# A kernel warning, or a run that did not finish, as make check sees it.
	awk -v machine="$name" -f selftests/vm/results.awk "$log" |
		sed -n 's/^E \([^ ]*\) /bench: FAILED \1: /p' | tee -a "$out"
done
echo
echo "bench: tables in $out, consoles in $logdir"
grep -q '^bench: FAILED' "$out" && status=1
exit $status
