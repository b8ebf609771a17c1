#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux_test.sh [--device PATH] [--only cpus_N,cpus_M...]: hv-run boots an
# unmodified Linux kernel (Debian's, from the test machine's initramfs)
# with a small busybox initramfs (selftests/linux/init) on the device, once
# per vCPU count (default 1 and 2), and checks what the guest reports: it
# reached userspace, saw its CPUs, slept on its timer, counted the timer's
# and the serial line's interrupts, read a line typed on its serial input,
# powered off (hv-run's status 0) on one vCPU and reset (12) on more, and
# its kernel said nothing of a bug.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/ktap.sh"

device=/dev/hv
cpus_list="1 2"
while [ $# -gt 0 ]; do
	case $1 in
	--device) device=$2; shift ;;
	--only) cpus_list=$(echo "$2" | tr , ' ' | sed 's/cpus_//g'); shift ;;
	esac
	shift
done
run=$here/../userspace/hv-run
kernel=$here/../linux/vmlinuz
initrd=$here/../linux/initrd.gz
limit=${HV_LINUX_TIMEOUT:-600}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Stopped from outside (the suite's limit): hv-run goes too, or it would
# keep the device open (and the module loaded) after the suite.
run_pid=
trap '[ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null && wait "$run_pid"; exit 143' TERM INT

# end_of C: how the boot on C vCPUs ends: one vCPU powers off (hv-run's
# status 0), more reset the machine (12; "hvreboot" on its command line).
end_of()
{
	if [ "$1" = 1 ]; then
		end=poweroff end_status=0 end_arg=
	else
		end=reboot end_status=12 end_arg=" hvreboot"
	fi
}

# skip_boot C WHY: the eight checks of the boot on C vCPUs, skipped.
skip_boot()
{
	end_of "$1"
	for t in userspace cpus sleep timer_interrupts serial_interrupts \
		 serial_input $end clean_console; do
		ktap_skip "cpus_$1.$t" "$2"
	done
}

n=0
for c in $cpus_list; do n=$((n + 8)); done
ktap_begin $n
if [ "${HV_SKIP_LINUX_TESTS:-}" = 1 ]; then
	for c in $cpus_list; do
		skip_boot "$c" "HV_SKIP_LINUX_TESTS=1: a nested Linux guest does not boot in this emulator"
	done
	ktap_end
	exit 0
fi

# expect NAME PATTERN: a line of the guest's output matches PATTERN.
expect()
{
	if grep -qx "$2" "$tmp/out"; then
		ktap_pass "$1"
	else
		ktap_fail "$1" "no line '$2'; the guest said: $(grep '^@@L2' "$tmp/out" | tr '\n' '|' | cut -c 1-300)"
	fi
}

for c in $cpus_list; do
	# kvm_amd under QEMU's SVM: 2 of 9 boots on 2 vCPUs crashed the guest
	# ("BUG: ENTRY_TRAMPOLINE stack guard page was hit", then a panic;
	# hv's boots passed): skipped on KVM there (HV_SKIP_KVM_SMP_LINUX).
	if [ "$c" != 1 ] && [ "${HV_SKIP_KVM_SMP_LINUX:-}" = 1 ] &&
	   [ "${device#*kvm}" != "$device" ]; then
		skip_boot "$c" "HV_SKIP_KVM_SMP_LINUX=1: KVM's guest on more vCPUs crashes in this emulator"
		continue
	fi
	printf 'typed on the serial line\n' >"$tmp/in"
	end_of "$c"
	start=$(date +%s)
	timeout "$limit" "$run" --device "$device" -c "$c" -m 256M \
		--initrd "$initrd" \
		-a "console=ttyS0 panic=-1 loglevel=5$end_arg" "$kernel" \
		<"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
	run_pid=$!
	wait "$run_pid"
	status=$?
	run_pid=
	tr -d '\r' <"$tmp/out" >"$tmp/out.unix" && mv "$tmp/out.unix" "$tmp/out"
	echo "# $c vCPU(s): hv-run ended with status $status after $(($(date +%s) - start)) s"
	if grep -q '^@@L2 userspace$' "$tmp/out"; then
		ktap_pass "cpus_$c.userspace"
	else
		ktap_fail "cpus_$c.userspace" "status $status; stderr: $(head -c 300 "$tmp/err"); the console ended: $(tail -n 5 "$tmp/out" | tr '\n' '|' | cut -c 1-400)"
	fi
	expect "cpus_$c.cpus" "@@L2 cpus $c"
	expect "cpus_$c.sleep" "@@L2 sleep ok"
	expect "cpus_$c.timer_interrupts" "@@L2 timer interrupts counted"
	expect "cpus_$c.serial_interrupts" "@@L2 serial interrupts counted"
	expect "cpus_$c.serial_input" "@@L2 read typed on the serial line"
	if [ "$status" -eq "$end_status" ] && grep -q "^@@L2 $end\$" "$tmp/out"; then
		ktap_pass "cpus_$c.$end"
	else
		ktap_fail "cpus_$c.$end" "status $status ($end_status is the guest's $end); stderr: $(head -c 300 "$tmp/err")"
	fi
	# A splat, not a line that happens to say "WARNING:" (RETBleed's).
	# (loglevel=5: the console shows KERN_WARNING.)  Where the emulator
	# runs the guest's XSETBV itself (HV_SKIP_XSETBV_TESTS), KVM's next
	# entry undoes it and its guest warns "XSAVE consistency problem"
	# (Documentation/testing.rst): that one splat is left out on KVM.
	splats=$tmp/out
	if [ "${HV_SKIP_XSETBV_TESTS:-}" = 1 ] && [ "${device#*kvm}" != "$device" ]; then
		awk '/cut here/ { held = $0 "\n"; inside = 1; next }
		     inside { held = held $0 "\n"
			      if ($0 ~ /end trace/) {
				      if (held !~ /XSAVE consistency problem/)
					      printf "%s", held
				      inside = 0
			      }
			      next }
		     { print }
		     END { if (inside) printf "%s", held }' "$tmp/out" >"$tmp/splats"
		splats=$tmp/splats
	fi
	bad=$(grep -E 'WARNING: CPU:|BUG:|Oops|general protection fault|Call Trace:|Kernel panic|UBSAN|KASAN' "$splats" | head -n 3 | tr '\n' '|')
	if [ -z "$bad" ]; then
		ktap_pass "cpus_$c.clean_console"
	else
		ktap_fail "cpus_$c.clean_console" "$bad"
	fi
	# The guest's console, for whoever reads the machine's log, with its
	# timestamps changed so that the machine's own check for kernel
	# warnings (results.awk) does not take the guest's lines for its own.
	sed 's/\[ *\([0-9][0-9]*\.[0-9]*\)\]/<\1>/g; s/^/# L2: /' "$tmp/out" |
		head -n 200
done
ktap_end
