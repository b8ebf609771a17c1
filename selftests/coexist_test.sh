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

# hv-run on an idle KVM while hv owns the CPUs: KVM_CREATE_VM fails with
# EBUSY, and hv-run says that another hypervisor holds VMX/SVM.
test_hv_run_says_busy()
{
	run=$here/../userspace/hv-run
	image=$here/../userspace/examples/hello-real.bin
	want="hv-run: /dev/kvm could not turn on VMX/SVM: another hypervisor (hv.ko, KVM, VirtualBox, VMware) is using it; unload it first"

	[ -x "$run" ] || { ktap_skip hv_run_says_busy "hv-run is not built"; return; }
	kvm_load || { ktap_fail hv_run_says_busy "kvm does not load"; return; }
	if kvm_enables_at_load; then
		kvm_unload
		ktap_skip hv_run_says_busy "this KVM owns the CPUs from load; hv cannot load beside it"
		return
	fi
	if ! insmod "$HV_KO"; then
		kvm_unload
		ktap_fail hv_run_says_busy "hv refused to load beside idle KVM"
		return
	fi
	said=$("$run" --device /dev/kvm "$image" 2>&1 </dev/null)
	status=$?
	rmmod hv
	kvm_unload
	if [ $status -ne 2 ] || [ "$said" != "$want" ]; then
		ktap_fail hv_run_says_busy "status $status, said: $said"
		return
	fi
	ktap_pass hv_run_says_busy
}

if hv_loaded || grep -q "^kvm_$vendor " /proc/modules; then
	echo "# unload hv and kvm_$vendor first" >&2
	exit 2
fi
ktap_begin 4
test_hv_beside_idle_kvm
test_hv_refused_while_kvm_owns_cpus
test_kvm_refused_while_hv_owns_cpus
test_hv_run_says_busy
ktap_end
