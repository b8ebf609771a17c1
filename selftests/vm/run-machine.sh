#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-machine.sh EMULATOR KVER CPU INITRD LOG TIMEOUT [KERNEL_ARGS...]
#
# Boots /boot/vmlinuz-KVER with INITRD in an emulated PC and writes its
# serial console to LOG.  The guest powers itself off when done; TIMEOUT
# (seconds) ends a guest that does not.
#   EMULATOR qemu:  QEMU TCG; CPU is a -cpu model ("max" has SVM and NPT).
#                   HV_SMP sets the CPU count (default 2).
#   EMULATOR bochs: Bochs; CPU is a Bochs cpu model (corei7_skylake_x has
#                   VMX with EPT and unrestricted guest).
#   HV_DETERMINISTIC=1: clocks that count instructions, for make bench:
#                   one nanosecond of guest time is one instruction in both
#                   emulators (QEMU -icount shift=0, Bochs ips=1e9 with
#                   clock sync=none), the wall clock starts at a fixed
#                   date, and the kernel gets no randomness it could take
#                   from the host (no RDRAND/RDSEED, no KASLR), so that a
#                   run repeats the one before.
#   HV_BOCHS_LIVE=PORT: Bochs writes its serial console through a TCP
#                   connection to busybox nc on localhost:PORT, which appends
#                   it to LOG as it comes (Bochs' own file output is
#                   buffered: a machine stopped from outside loses its last
#                   few KB, so a hang seems to happen earlier than it did).
# Exit status: 0 when the guest powered off, 124 on timeout.
set -u

emulator=$1 kver=$2 cpu=$3 initrd=$4 log=$5 limit=$6
shift 6
kernel=/boot/vmlinuz-$kver
# A kernel built here (the debug kernel) is registered under build/kernels.
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -e "$top/build/kernels/$kver/vmlinuz" ] && kernel=$top/build/kernels/$kver/vmlinuz
args="console=ttyS0 quiet printk.time=1 panic=-1 $*"

qemu_clock=
clear=
bochs_ips=${HV_BOCHS_IPS:-50000000}
bochs_time0=local
if [ "${HV_DETERMINISTIC:-0}" = 1 ]; then
	qemu_clock="-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm"
	bochs_ips=1000000000
	bochs_time0=1767225600
	args="$args nokaslr"
	clear=rdrand,rdseed
fi

case "$emulator" in
qemu)
	[ -n "$clear" ] && args="$args clearcpuid=$clear"
	# Single-threaded TCG: with one host thread per guest CPU, a CPU can
	# run code another CPU is patching (static keys, via int3) before the
	# patch is visible, and the kernel oopses on the stray int3.
	timeout --foreground -k 5 "$limit" \
		qemu-system-x86_64 -accel tcg,thread=single -cpu "$cpu" -m 512 \
		-smp "${HV_SMP:-2}" $qemu_clock -kernel "$kernel" -initrd "$initrd" \
		-append "$args" -nographic -no-reboot -monitor none \
		-serial "file:$log" </dev/null >"$log.qemu" 2>&1
	rc=$?
	;;
bochs)
	# Bochs' corei7_skylake_x reports AVX-512 XSAVE area sizes that
	# Linux finds inconsistent (a WARNING in fpu__init_system_xstate at
	# boot), and Linux calls its Spectre v2 mitigation insufficient
	# against RETBleed (a line with "WARNING:").  Neither concerns hv;
	# both would fail every run, so the emulated CPU loses AVX-512 and
	# the RETBleed mitigation is left off.  Its CPUID also says more cores
	# than logical processors a package, and detect_ht() then shifts by
	# -1 (a UBSAN report on the debug kernel, before hv is loaded): the
	# CPU loses HT, which a one-CPU machine does not have anyway.
	# Bochs 2.7's XSAVEC and XSAVES (one function, cpu/xsave.cc) store
	# the compacted format's AVX state at 416 instead of 576, over the
	# legacy area's reserved bytes and the header's, and a later XRSTORS
	# of that area faults ("Bad FPU state detected", under hv and
	# kvm_intel alike; Documentation/testing.rst): the kernel loses
	# XSAVES and XSAVEC and keeps its state in the standard format.
	args="$args clearcpuid=avx512f,ht,xsaves,xsavec${clear:+,$clear} retbleed=off"
	work=$(mktemp -d)
	mkdir -p "$work/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin \
	   /usr/lib/syslinux/modules/bios/ldlinux.c32 "$work/iso/isolinux/"
	cp "$kernel" "$work/iso/vmlinuz"
	cp "$initrd" "$work/iso/initrd.gz"
	cat >"$work/iso/isolinux/isolinux.cfg" <<CFG
DEFAULT hv
PROMPT 0
TIMEOUT 0
LABEL hv
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz $args
CFG
	xorriso -as mkisofs -quiet -o "$work/boot.iso" \
		-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
		-boot-load-size 4 -boot-info-table "$work/iso" 2>"$log.bochs"
	# Bochs pitfalls (shared/notes/test-environment.md): no headless
	# display but rfb with a panic that must only be reported, a dummy
	# sound driver, and an internal debugger that wants "c" on its input.
	# Errors are not logged: Bochs logs one line for each fault a nested
	# guest takes (a fuzzer's guest faulting in a loop wrote 3.5 GB in 14
	# minutes and slowed Bochs to a crawl); panics still are.
	serial="mode=file, dev=$log"
	nc_pid=
	if [ -n "${HV_BOCHS_LIVE:-}" ]; then
		: >"$log"
		busybox nc -l -p "$HV_BOCHS_LIVE" >>"$log" &
		nc_pid=$!
		sleep 1
		serial="mode=socket-client, dev=localhost:$HV_BOCHS_LIVE"
	fi
	cat >"$work/bochsrc" <<RC
megs: 512
cpu: model=$cpu, count=${HV_SMP:-1}, ips=$bochs_ips
clock: sync=none, time0=$bochs_time0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$work/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, $serial
display_library: rfb, options="timeout=0"
panic: action=report
error: action=ignore
sound: driver=dummy
speaker: enabled=0
log: $log.bochs
RC
	printf 'c\nquit\n' >"$work/cmds"
	timeout -k 5 "$limit" bochs -q -f "$work/bochsrc" -rc "$work/cmds" \
		</dev/null >>"$log.bochs" 2>&1
	rc=$?
	[ -n "$nc_pid" ] && kill "$nc_pid" 2>/dev/null
	rm -rf "$work"
	;;
*)
	echo "run-machine.sh: unknown emulator $emulator" >&2
	exit 2
	;;
esac
[ $rc -eq 124 ] && exit 124
exit 0
