#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: what 'make check' runs.  Builds hv.ko for each test kernel,
# boots each emulated machine once, runs every suite against hv and against
# the distribution's KVM inside it, compares the two, and ends with one line
# "N passed, N failed, N skipped".  Exit status 1 on any failure.
#
# Environment:
#   HV_MACHINES  which machines to run: a space-separated list of names or
#                of prefixes ("qemu" runs every QEMU machine); default all.
#   HV_LOGDIR    where console logs go (default build/logs).
#   HV_DEBUG=0   without the debug kernel's machine (and without building it)
#   HV_FUZZ=SEC  run the fuzzer SEC seconds on each device of every machine
#                booted (HV_SEED=N its seed, default 1): 'make fuzz'
#   HV_ARGS      more kernel arguments for every machine (selftests/vm/init
#                lists them), e.g. HV_ARGS="hv.devices=hv".
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
logdir=${HV_LOGDIR:-$top/build/logs}
mkdir -p "$logdir"

. selftests/vm/kernels.sh

# name emulator kernel cpu mode cpus timeout(s) spin shutdown bp fuzz
# (spin: 1 when the emulator interrupts a guest spinning in "jmp .": QEMU
# does, Bochs does not; see the shared test-environment notes.
# shutdown: 1 when a guest's triple fault reaches the hypervisor as a
# shutdown exit: Bochs on AMD resets the whole PC instead, for KVM too.
# bp: 1 when the emulator runs a nested guest's hardware breakpoints:
# QEMU 7.2 crashes on them, with KVM as with hv.
# fuzz: seconds of hv_fuzz on each device, with seed 1, after the suites.)
# The Bochs AMD machine is there for what QEMU's SVM lacks: next-RIP.
# (No emulated CPU here has decode assists: Documentation/testing.rst.)
machines="
qemu-svm-6.1	qemu	$k61	max			tests	2	900	1	1	0	0
qemu-svm-6.12	qemu	$k612	max			tests	2	900	1	1	0	0
qemu-nosvm-6.1	qemu	$k61	qemu64,-svm		nohw	1	300	1	1	0	0
bochs-vmx-6.1	bochs	$k61	corei7_skylake_x	tests	1	1800	0	1	1	0
bochs-svm-6.1	bochs	$k61	trinity_apu		tests	1	1800	0	0	1	0
"

# The debug kernel's machine (selftests/vm/debug-kernel.sh: built once,
# about 5 minutes, then cached); HV_DEBUG=0 leaves it out.
kdebug=
if [ "${HV_DEBUG:-1}" = 1 ] && hv_wanted qemu-svm-debug; then
	selftests/vm/debug-kernel.sh || exit 1
	kdebug=$(cat build/debug-kernel/current)
	machines="$machines
qemu-svm-debug	qemu	$kdebug	max			tests	2	1800	1	1	0	60
"
fi

echo "check: building hv.ko for $k61 and $k612${kdebug:+ and $kdebug}, the selftests and the initramfs"
selftests/vm/build-images.sh "$k61" "$k612" $kdebug || exit 1

results=$logdir/results.txt
: >"$results"
echo "$machines" | while read -r name emu kver cpu mode cpus limit spin shutdown bp fuzz; do
	[ -n "$name" ] || continue
	hv_wanted "$name" || continue
	seed=1
	if [ -n "${HV_FUZZ:-}" ]; then
		fuzz=$HV_FUZZ
		seed=${HV_SEED:-1}
	fi
	# Two devices' fuzzing, with room to spare.
	limit=$((limit + 3 * fuzz))
	log=$logdir/$name.log
	echo "check: booting $name ($emu -cpu $cpu, $kver, $cpus CPU)"
	start=$(date +%s)
	HV_SMP=$cpus selftests/vm/run-machine.sh "$emu" "$kver" "$cpu" \
		"build/initrd-$kver.gz" "$log" "$limit" \
		"hv.mode=$mode hv.timeout=$((limit / 2)) hv.spin=$spin hv.shutdown=$shutdown hv.breakpoints=$bp hv.fuzz=$fuzz hv.seed=$seed ${HV_ARGS:-}"
	rc=$?
	echo "check: $name finished in $(($(date +%s) - start)) s"
	[ $rc -eq 124 ] && echo "E $name the machine was stopped after $limit s" >>"$results"
	awk -v machine="$name" -f selftests/vm/results.awk "$log" >>"$results"
done

awk -v known="$top/selftests/vm/known-differences" \
    -f selftests/vm/summary.awk "$results"
status=$?
if [ $status -ne 0 ]; then
	# The end of each console that had a run-level error, to start from.
	for m in $(awk '$1 == "E" { print $2 }' "$results" | sort -u); do
		echo
		echo "--- last lines of $m's console ($logdir/$m.log):"
		grep -v '^@@HV-DMESG' "$logdir/$m.log" 2>/dev/null | tail -n 25
	done
	echo "check: console logs are in $logdir"
fi
exit $status
