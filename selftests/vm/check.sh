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
#   HV_FULL=1    'make check-full': every machine runs every suite whole
#                (no slices, every KVM selftest built), with four times
#                the time limits.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
logdir=${HV_LOGDIR:-$top/build/logs}
mkdir -p "$logdir"

. selftests/vm/kernels.sh

# name emulator kernel cpu mode cpus timeout(s) spin shutdown bp fuzz suites
# devices phases xsetbv nmi2 slice linux
# (spin: 1 when the emulator interrupts a guest spinning in "jmp .": QEMU
# does, Bochs does not; see the shared test-environment notes.
# shutdown: 1 when a guest's triple fault reaches the hypervisor as a
# shutdown exit: Bochs on AMD resets the whole PC instead, for KVM too.
# bp: 1 when the emulator runs a nested guest's breakpoints and single
# steps faithfully: QEMU 7.2 crashes on breakpoints, with KVM as with hv;
# in Bochs' AMD model KVM's guest reads a DR6 without the bits its #DB
# set (hv's reads them).  The tests run in the Bochs VMX machines.
# fuzz: seconds of hv_fuzz on each device, with seed 1, after the suites.
# suites: which suites the machine runs (hv.suites), "-" for all.
# devices: hv,kvm; or hv alone where KVM is no oracle: in Bochs on the
# debug kernel, after nested guests have run, Bochs stores a task's AVX
# state in reserved bytes of its XSAVE area, and the host's XRSTORS then
# faults ("Bad FPU state detected" in fpu_swap_kvm_fpstate()), under
# kvm_intel as under hv; so there hv runs alone and bochs-vmx-6.1
# compares the same suites with kvm_intel.  qemu-svm-debug runs hv
# alone too: the debug kernel is there for hv's bugs, KVM took more than
# half of that machine's time (its 1000 VMs alone 120 s), and qemu-svm-6.1
# compares every suite with kvm_amd on the same kernel version.
# phases: the fuzzer's phases there (hv_fuzz --phase), comma-separated,
# "-" for all; HV_FUZZ runs them all.  bochs-vmx-debug fuzzes only under
# 'make fuzz' (HV_MACHINES=bochs-vmx-debug): Bochs takes some 70 s of
# wall time per emulated second of the fuzzer there, and its 4-second
# slice put make check over 30 minutes once the Linux boots joined it
# (Documentation/testing.rst).
# xsetbv: 1 when a nested guest's XSETBV reaches the hypervisor: Bochs
# does; QEMU 7.2's SVM runs it itself, for KVM as for hv.
# nmi2: 1 when KVM delivers an NMI that had to wait for the guest's IRET:
# kvm_amd under Bochs' AMD model never does (the guest goes on with the
# second NMI lost), while hv does; there the tests that need it skip on
# KVM only, and known-differences lists them.
# slice: 1 where the machine is too slow for every test in 'make check':
# it runs the slice of the suites selftests/vm/slices lists (the rest
# of each suite runs in the QEMU machines; 'make check-full' runs it all
# everywhere).
# linux: 1 when a nested Linux guest boots in the emulator: in Bochs'
# AMD model the host's clock jumps by some 24 s while the guest boots
# (a soft lockup report and "Long readout interval" from the host) and
# the guest never reaches its console, under kvm_amd as under hv; there
# linux_test skips (HV_SKIP_LINUX_TESTS=1).)
# The Bochs AMD machine is there for what QEMU's SVM lacks: next-RIP.
# (No emulated CPU here has decode assists: Documentation/testing.rst.)
first="
bochs-vmx-6.1	bochs	$k61	corei7_skylake_x	tests	1	1800	0	1	1	0	-	hv,kvm	-	1	1	1	1
"
machines="
bochs-svm-6.1	bochs	$k61	trinity_apu		tests	1	1800	0	0	0	0	-	hv,kvm	-	1	0	1	0
qemu-svm-6.1	qemu	$k61	max			tests	2	900	1	1	0	0	-	hv,kvm	-	0	1	0	1
qemu-svm-6.12	qemu	$k612	max			tests	2	900	1	1	0	0	-	hv,kvm	-	0	1	0	1
qemu-nosvm-6.1	qemu	$k61	qemu64,-svm		nohw	1	300	1	1	0	0	-	hv,kvm	-	0	1	0	1
"

# The debug kernel's machines (selftests/vm/debug-kernel.sh: built once,
# about 5 minutes, then cached); HV_DEBUG=0 leaves it out.  Their kernel
# column says "debug": the build is a job of its own, in the first
# machine's time (below), and they wait for it.
debug=0
if [ "${HV_DEBUG:-1}" = 1 ] &&
   { hv_wanted qemu-svm-debug || hv_wanted bochs-vmx-debug; }; then
	debug=1
	# After the longest machine (bochs-vmx-6.1), the next longest.
	machines="
bochs-vmx-debug	bochs	debug	corei7_skylake_x	tests	1	3600	0	1	1	0	run_test,hostile_test	hv	-	1	1	1	1
qemu-svm-debug	qemu	debug	max			tests	2	1800	1	1	0	60	-	hv	-	0	1	0	1
$machines"
fi

# The longest machine first: with two at a time, that ends soonest
# (in a clean-clone make check bochs-vmx-6.1 took 918 s before its
# slice left out vm_test's 1000 VMs, the two debug machines about 650 s
# each, bochs-svm-6.1 276 s, the QEMU ones 220 s).
machines="$first$machines"

# make check-full: every KVM selftest built goes into the initramfs.
[ "${HV_FULL:-0}" = 1 ] && export HV_KVM_SELFTESTS=all
echo "check: building hv.ko for $k61 and $k612, the selftests and the initramfs"
# The Linux guest's kernel (linux_test.sh) is the first one's own.
export HV_LINUX_KERNEL="/boot/vmlinuz-$k61"
selftests/vm/build-images.sh "$k61" "$k612" || exit 1

# Machines run HV_JOBS at a time (default: one per CPU; each emulator
# keeps one CPU busy), started in the table's order, the longest first.
# A FIFO holds one token per free slot.
jobs=${HV_JOBS:-$(nproc)}
fifo=$(mktemp -u)
mkfifo "$fifo" || exit 1
exec 3<>"$fifo"
rm -f "$fifo"
i=0
while [ $i -lt "$jobs" ]; do
	echo >&3
	i=$((i + 1))
done

# The debug kernel and its image: a job in a slot of its own, beside the
# first machine (the debug machines wait for it); $ready then holds its
# release, or "failed".
ready=$logdir/.debug-kernel
rm -f "$ready"
build_debug()
{
	if selftests/vm/debug-kernel.sh &&
	   kd=$(cat build/debug-kernel/current) &&
	   echo "check: building hv.ko for $kd and its initramfs" &&
	   selftests/vm/build-images.sh "$kd"; then
		echo "$kd" >"$ready.tmp"
	else
		echo failed >"$ready.tmp"
	fi
	mv "$ready.tmp" "$ready"
}
if [ $debug = 1 ]; then
	read -r _ <&3
	(build_debug; echo >&3) </dev/null &
fi

# run_one NAME EMU KVER CPU MODE CPUS LIMIT SPIN SHUTDOWN BP FUZZ SUITES DEVICES
#   PHASES XSETBV NMI2 SLICE LINUX:
# boot one machine; its results go to $logdir/NAME.results.
run_one()
{
	name=$1 emu=$2 kver=$3 cpu=$4 mode=$5 cpus=$6 limit=$7 spin=$8
	shutdown=$9 bp=${10} fuzz=${11} suites=${12} devices=${13}
	phases=${14} xsetbv=${15} nmi2=${16} slice=${17} linux=${18}
	res=$logdir/$name.results
	: >"$res"
	if [ "$kver" = debug ]; then
		while [ ! -f "$ready" ]; do
			sleep 5
		done
		kver=$(cat "$ready")
		if [ "$kver" = failed ]; then
			echo "E $name the debug kernel or its hv.ko did not build" >>"$res"
			return
		fi
	fi
	seed=1
	only=
	[ "$suites" = - ] || only="hv.suites=$suites,fuzz"
	fuzzargs=
	[ "$phases" = - ] ||
		fuzzargs="hv.fuzzargs=$(echo "$phases" | sed 's/,/,--phase,/g; s/^/--phase,/')"
	if [ -n "${HV_FUZZ:-}" ]; then
		fuzz=$HV_FUZZ
		seed=${HV_SEED:-1}
		fuzzargs=
	fi
	whole=
	if [ "${HV_FULL:-0}" = 1 ]; then
		slice=0
		limit=$((limit * 4))
		whole=hv.kvmlist=all
	fi
	# Two devices' fuzzing, with room to spare.
	limit=$((limit + 3 * fuzz))
	log=$logdir/$name.log
	echo "check: booting $name ($emu -cpu $cpu, $kver, $cpus CPU)"
	start=$(date +%s)
	HV_SMP=$cpus selftests/vm/run-machine.sh "$emu" "$kver" "$cpu" \
		"build/initrd-$kver.gz" "$log" "$limit" \
		"hv.mode=$mode hv.timeout=$((limit / 2)) hv.spin=$spin hv.shutdown=$shutdown hv.breakpoints=$bp hv.xsetbv=$xsetbv hv.kvm_nmi2=$nmi2 hv.linux=$linux hv.fuzz=$fuzz hv.seed=$seed hv.devices=$devices hv.slice=$slice $whole $fuzzargs $only ${HV_ARGS:-}"
	rc=$?
	echo "check: $name finished in $(($(date +%s) - start)) s"
	[ $rc -eq 124 ] && echo "E $name the machine was stopped after $limit s" >>"$res"
	awk -v machine="$name" -f selftests/vm/results.awk "$log" >>"$res"
}

names=
hvonly=
while read -r name rest; do
	[ -n "$name" ] || continue
	hv_wanted "$name" || continue
	names="$names $name"
	# shellcheck disable=SC2086
	[ "$(echo $rest | awk '{ print $12 }')" = hv ] && hvonly="$hvonly $name"
	read -r _ <&3
	# shellcheck disable=SC2086
	(run_one "$name" $rest; echo >&3) </dev/null &
done <<MACHINES
$machines
MACHINES
wait
exec 3>&-

results=$logdir/results.txt
: >"$results"
for name in $names; do
	cat "$logdir/$name.results" >>"$results"
done

awk -v known="$top/selftests/vm/known-differences" -v hvonly="$hvonly" \
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
