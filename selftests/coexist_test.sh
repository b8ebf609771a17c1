#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hv beside KVM on the same host.  Only one hypervisor can own VMX/SVM on a
# CPU.  KVM before Linux 6.12 turns it on only while a VM exists; from 6.12
# it turns it on when kvm_intel/kvm_amd loads (module parameter
# kvm.enable_virt_at_load).  So:
#   - KVM idle (old behaviour): hv loads beside it;
#   - KVM holding the CPUs: hv's load fails with EBUSY and says why;
#   - hv holding the CPUs: a KVM that enables at load fails to load.
# Uses the same module variables as module_test.sh ($HV_KO,
# $HV_KVM_MODULES).  Neither module may be loaded when it starts.

here=$(dirname "$0")
. "$here/ktap.sh"

if grep -qw vmx /proc/cpuinfo; then vendor=intel; else vendor=amd; fi
HV_KO=${HV_KO:-./hv.ko}

kvm_load()
{
	if [ -n "${HV_KVM_MODULES:-}" ]; then
		for m in $HV_KVM_MODULES; do
			name=$(basename "$m" .ko | tr - _)
			grep -q "^$name " /proc/modules || insmod "$m" || return 1
		done
	else
		modprobe "kvm_$vendor"
	fi
}

kvm_unload()
{
	for name in kvm_$vendor ccp kvm irqbypass; do
		grep -q "^$name " /proc/modules && rmmod "$name"
	done
	return 0
}

hv_loaded() { grep -q "^hv " /proc/modules; }

# Y when the loaded KVM enables virtualization at load time.
kvm_enables_at_load()
{
	[ "$(cat /sys/module/kvm/parameters/enable_virt_at_load 2>/dev/null)" = Y ]
}

test_hv_beside_idle_kvm()
{
	kvm_load || { ktap_fail hv_beside_idle_kvm "kvm does not load"; return; }
	if kvm_enables_at_load; then
		kvm_unload
		ktap_skip hv_beside_idle_kvm "this KVM enables virtualization at load"
		return
	fi
	if ! insmod "$HV_KO"; then
		kvm_unload
		ktap_fail hv_beside_idle_kvm "hv refused to load beside idle KVM"
		return
	fi
	rmmod hv
	kvm_unload
	ktap_pass hv_beside_idle_kvm
}

test_hv_refused_while_kvm_owns_cpus()
{
	kvm_load || { ktap_fail hv_refused_while_kvm_owns_cpus "kvm does not load"; return; }
	if ! kvm_enables_at_load; then
		kvm_unload
		ktap_skip hv_refused_while_kvm_owns_cpus "this KVM enables virtualization only while a VM exists"
		return
	fi
	before=$(dmesg | wc -l)
	if err=$(insmod "$HV_KO" 2>&1); then
		rmmod hv
		kvm_unload
		ktap_fail hv_refused_while_kvm_owns_cpus "hv loaded while KVM owns the CPUs"
		return
	fi
	said=$(dmesg | tail -n +$((before + 1)) | grep -c 'hv: .*already in use.*kvm_')
	kvm_unload
	case "$err" in
	*"Device or resource busy"*) ;;
	*) ktap_fail hv_refused_while_kvm_owns_cpus "insmod said: $err"; return ;;
	esac
	if hv_loaded || [ -e /dev/hv ] || [ "$said" -eq 0 ]; then
		ktap_fail hv_refused_while_kvm_owns_cpus "module left behind or no message naming KVM"
		return
	fi
	# With KVM gone, hv loads.
	if ! insmod "$HV_KO"; then
		ktap_fail hv_refused_while_kvm_owns_cpus "hv does not load after KVM left"
		return
	fi
	rmmod hv
	ktap_pass hv_refused_while_kvm_owns_cpus
}

test_kvm_refused_while_hv_owns_cpus()
{
	insmod "$HV_KO" || { ktap_fail kvm_refused_while_hv_owns_cpus "hv does not load"; return; }
	if kvm_load 2>/dev/null; then
		if kvm_enables_at_load; then
			kvm_unload; rmmod hv
			ktap_fail kvm_refused_while_hv_owns_cpus "KVM enabled virtualization on CPUs hv owns"
			return
		fi
		kvm_unload; rmmod hv
		ktap_skip kvm_refused_while_hv_owns_cpus "this KVM enables virtualization only while a VM exists"
		return
	fi
	kvm_unload
	rmmod hv
	ktap_pass kvm_refused_while_hv_owns_cpus
}

if hv_loaded || grep -q "^kvm_$vendor " /proc/modules; then
	echo "# unload hv and kvm_$vendor first" >&2
	exit 2
fi
ktap_begin 3
test_hv_beside_idle_kvm
test_hv_refused_while_kvm_owns_cpus
test_kvm_refused_while_hv_owns_cpus
ktap_end
