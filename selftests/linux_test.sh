#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux_test.sh [--device PATH] [--only cpus_N,cpus_M...]: hv-run boots an
# unmodified Linux kernel (Debian's, from the test machine's initramfs)
# with a small busybox initramfs (selftests/linux/init) on the device, once
# per vCPU count (default 1 and 2), and checks what the guest reports: it
# reached userspace, saw its CPUs, slept on its timer, counted the timer's
# and the serial line's interrupts, read a line typed on its serial input,
# powered off (hv-run's status 0), and its kernel said nothing of a bug.

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

n=0
for c in $cpus_list; do n=$((n + 8)); done
ktap_begin $n

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
	printf 'typed on the serial line\n' >"$tmp/in"
	start=$(date +%s)
	timeout "$limit" "$run" --device "$device" -c "$c" -m 256M \
		--initrd "$initrd" \
		-a "console=ttyS0 panic=-1 loglevel=4" "$kernel" \
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
	if [ "$status" -eq 0 ] && grep -q '^@@L2 poweroff$' "$tmp/out"; then
		ktap_pass "cpus_$c.poweroff"
	else
		ktap_fail "cpus_$c.poweroff" "status $status (0 is the guest's power-off); stderr: $(head -c 300 "$tmp/err")"
	fi
	# A splat, not a line that happens to say "WARNING:" (RETBleed's).
	bad=$(grep -E 'WARNING: CPU:|BUG:|Oops|general protection fault|Call Trace:|Kernel panic|UBSAN|KASAN' "$tmp/out" | head -n 3 | tr '\n' '|')
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
