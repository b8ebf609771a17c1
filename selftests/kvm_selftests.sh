#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvm_selftests.sh [--device PATH] [--list FILE | --only T1,T2...]
# [--timeout SEC]: KVM's own
# selftests (built by selftests/vm/kvm-selftests.sh from linux-source-6.1)
# against a device, one KTAP line per test: exit status 0 passes, 4
# (KSFT_SKIP) skips, anything else, or running past SEC seconds (default
# 120), fails.  The tests open /dev/kvm, so for another device that path is
# bind-mounted over with it while they run: "KVM_DEV_PATH pointed at the
# device under test" without rebuilding them.  FILE lists the tests to run,
# one per line, # for comments (default: every test built); --only names
# them on the command line instead.
# Runs in the test machines, where the tests are in ../kvm-selftests.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/ktap.sh"

device=/dev/hv
list=
only=
limit=120
while [ $# -gt 0 ]; do
	case "$1" in
	--device) device=$2; shift ;;
	--list) list=$2; shift ;;
	--only) only=$2; shift ;;
	--timeout) limit=$2; shift ;;
	esac
	shift
done
bin=$here/../kvm-selftests
out=$(mktemp)

if [ -n "$only" ]; then
	tests=$(echo "$only" | tr , ' ')
elif [ -n "$list" ]; then
	tests=$(sed -e 's/#.*//' "$list")
else
	tests=$(ls "$bin")
fi

# The node made here must go afterwards: else KVM's module, loaded
# later, could not create its own.
mounted=0 made=0
if [ "$device" != /dev/kvm ]; then
	if [ ! -e /dev/kvm ]; then
		: >/dev/kvm || exit 1
		made=1
	fi
	mount -o bind "$device" /dev/kvm || exit 1
	mounted=1
fi
trap '[ $mounted = 0 ] || umount /dev/kvm; [ $made = 0 ] || rm -f /dev/kvm; rm -f "$out"' EXIT

# shellcheck disable=SC2086
ktap_begin "$(echo $tests | wc -w)"
for t in $tests; do
	if [ ! -x "$bin/$t" ]; then
		ktap_fail "$t" "not built"
		continue
	fi
	# What a test asserts of the machine rather than of the device: on
	# another clocksource kvm_clock_test fails on KVM as on hv.
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	if [ "$t" = kvm_clock_test ] && [ "$cs" != tsc ]; then
		ktap_skip "$t" "the host's clocksource is $cs, the test needs tsc"
		continue
	fi
	# Tests that use a capability without asking for it: where the device
	# says it lacks it, they are skipped, as they would skip themselves
	# had they asked.
	cap=
	case $t in
	smm_test) cap=117 ;;			# KVM_CAP_X86_SMM
	hyperv_clock) cap=167 ;;		# KVM_CAP_HYPERV_CPUID
	hyperv_features) cap=199 ;;		# KVM_CAP_HYPERV_ENFORCE_CPUID
	userspace_msr_exit_test) cap=188 ;;	# KVM_CAP_X86_USER_SPACE_MSR
	esac
	if [ -n "$cap" ] && [ "$("$here/hv_cap" --device "$device" "$cap")" = 0 ]; then
		ktap_skip "$t" "the device lacks capability $cap, which the test uses without checking"
		continue
	fi
	(cd /tmp && timeout "$limit" "$bin/$t") >"$out" 2>&1
	rc=$?
	case $rc in
	0)	ktap_pass "$t" ;;
	4)	ktap_skip "$t" "$(grep -v '^$' "$out" | tail -n 1 | cut -c 1-150)" ;;
	124|143) ktap_fail "$t" "timed out after ${limit}s" ;;
	*)	# What it said last: the assertion that failed.
		grep -v '^$' "$out" | tail -n 4 | cut -c 1-200 | sed 's/^/# /'
		ktap_fail "$t" "exit status $rc" ;;
	esac
done
ktap_end
