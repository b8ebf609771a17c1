#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# launcher_test.sh [--device PATH]: hv-run against a device (default
# /dev/hv): every image format and entry mode with its output compared
# byte for byte, the exit statuses, the devices, and every error message
# a user can meet, with bad images refused.  Runs from the source tree
# (after make) and in the test machines, which mirror its layout.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/ktap.sh"

device=/dev/hv
[ "${1:-}" = --device ] && device=$2
run=$here/../userspace/hv-run
examples=$here/../userspace/examples
images=$here/launcher
expected=$here/launcher/expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# hv_run ARGS...: run hv-run on $device with standard input from
# $tmp/stdin; output in $tmp/out and $tmp/err, exit status in $status.
hv_run()
{
	[ -f "$tmp/stdin" ] || : >"$tmp/stdin"
	timeout 60 "$run" --device "$device" "$@" \
		<"$tmp/stdin" >"$tmp/out" 2>"$tmp/err"
	status=$?
	rm -f "$tmp/stdin"
}

# expect NAME STATUS FILE: the last run ended with STATUS, its standard
# output is byte for byte FILE, and it said nothing on standard error.
expect()
{
	if [ "$status" -ne "$2" ]; then
		ktap_fail "$1" "exit status $status, expected $2; stderr: $(head -c 300 "$tmp/err")"
	elif ! cmp -s "$tmp/out" "$3"; then
		ktap_fail "$1" "output differs from $(basename "$3"): $(head -c 300 "$tmp/out" | od -c | head -n 4)"
	elif [ -s "$tmp/err" ]; then
		ktap_fail "$1" "unexpected stderr: $(head -c 300 "$tmp/err")"
	else
		ktap_pass "$1"
	fi
}

# expect_error NAME STATUS MESSAGE: the last run ended with STATUS, printed
# nothing on standard output, and one line matching MESSAGE on stderr (a
# shell pattern: '*' stands for sizes that change with the build).
expect_error()
{
	if [ "$status" -ne "$2" ]; then
		ktap_fail "$1" "exit status $status, expected $2; stderr: $(head -c 300 "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		ktap_fail "$1" "unexpected output: $(head -c 200 "$tmp/out")"
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		ktap_fail "$1" "said '$(head -c 300 "$tmp/err")', expected one line"
	else
		# shellcheck disable=SC2254
		case "$(cat "$tmp/err")" in
		$3) ktap_pass "$1" ;;
		*) ktap_fail "$1" "said '$(head -c 300 "$tmp/err")', expected '$3'" ;;
		esac
	fi
}

# patch FILE OFFSET OCTAL-BYTES: overwrite bytes of FILE in place.
patch()
{
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# The slow machines' slice (HV_SLICE=1, the Bochs PCs in make check)
# ends after the guests that run: the options' and images' checks that
# follow are hv-run's own, the same on every machine, and each is a
# process start, which Bochs makes slow.
if [ "${HV_SLICE:-}" = 1 ]; then
	ktap_begin 17
else
	ktap_begin 42
fi

# --- Each format and entry mode; output byte for byte, status 0 on HLT.
hv_run "$examples/hello-real.bin"
expect flat_real_mode 0 "$expected/hello-real.out"
hv_run --entry protected "$examples/hello-protected.bin"
expect flat_protected_mode 0 "$expected/hello-protected.out"
hv_run --entry long "$examples/hello-long.bin"
expect flat_long_mode 0 "$expected/hello-long.out"
# hello-long is position-independent: it runs from any load address.
hv_run --entry long --load-addr 0x300000 "$examples/hello-long.bin"
expect flat_load_addr 0 "$expected/hello-long.out"
hv_run "$examples/hello-protected.elf"
expect elf32 0 "$expected/hello-protected.out"
hv_run "$examples/hello-long.elf"
expect elf64 0 "$expected/hello-long.out"
# Multiboot: cmdline, memory map and module as the kernel sees them.
cp "$examples/mbkernel.elf" "$examples/mbkernel-aout.bin" "$tmp/"
printf 'first line of the module\nsecond line\n' >"$tmp/message.txt"
(cd "$tmp" && hv_run -a "hello world" --module "message.txt greeting" \
	--module message.txt mbkernel.elf; echo $status >"$tmp/status")
status=$(cat "$tmp/status")
expect multiboot_elf 0 "$expected/mbkernel.out"
(cd "$tmp" && hv_run -m 64M mbkernel-aout.bin; echo $status >"$tmp/status")
status=$(cat "$tmp/status")
expect multiboot_aout_kludge 0 "$expected/mbkernel-aout.out"
hv_run -m 1M "$examples/hello-real.bin"
expect smallest_memory 0 "$expected/hello-real.out"

# --- The course lab's 100-line launcher (Documentation/lab.rst).
timeout 60 "$examples/tiny-launcher" "$device" >"$tmp/out" 2>"$tmp/err"
status=$?
printf 'Hi!\n' >"$tmp/hi"
expect tiny_launcher 0 "$tmp/hi"

# --- Devices, and the guest's own exit status through port 0xf4.
printf 'hello there\n' >"$tmp/stdin"
hv_run "$images/devices.elf"
expect devices 85 "$expected/devices.out"
printf '\260\000\346\364' >"$tmp/zero.bin"	# mov $0,%al; out %al,$0xf4
hv_run "$tmp/zero.bin"
expect debug_exit_zero 1 /dev/null
hv_run --trace "$examples/hello-real.bin"
if [ $status -eq 0 ] && cmp -s "$tmp/err" "$expected/hello-real.trace"; then
	ktap_pass trace
else
	ktap_fail trace "status $status, trace differs: $(diff "$expected/hello-real.trace" "$tmp/err" | head -n 6)"
fi

# --- How a guest can stop: status and one line naming the exit and RIP.
# The RIP after a shutdown is the faulting instruction's on VMX; kvm_amd
# and hv on SVM put the vCPU through INIT first, leaving 0xfff0
# (run_test.state_after_shutdown holds each to its vendor's rule).
if [ "${HV_SKIP_SHUTDOWN_TESTS:-}" = 1 ]; then
	ktap_skip exit_shutdown "HV_SKIP_SHUTDOWN_TESTS=1: the emulator resets on a triple fault"
else
	printf '\017\013' >"$tmp/ud2.bin"		# ud2 with no IDT
	hv_run --entry protected "$tmp/ud2.bin"
	case "$(cat "$tmp/err")" in
	*"at rip 0xfff0") rip=0xfff0 ;;
	*) rip=0x100000 ;;
	esac
	expect_error exit_shutdown 4 \
		"hv-run: guest stopped: KVM_EXIT_SHUTDOWN (triple fault) at rip $rip"
fi
printf '\270\000\000\000\320\377\340' >"$tmp/jmp.bin"	# jmp to 0xd0000000
hv_run --entry protected "$tmp/jmp.bin"
expect_error exit_internal_error 8 \
	"hv-run: guest stopped: KVM_EXIT_INTERNAL_ERROR (suberror 1: an instruction it could not emulate) at rip 0xd0000000"

# --- Stopped from outside: a guest spinning with interrupts enabled
# (the host's timer ends its runs on every emulator; Bochs keeps host
# interrupts away from a guest entered with IF clear until it sets IF:
# Documentation/testing.rst) gets SIGTERM, then SIGHUP; hv-run ends with
# 128+N and one line naming the signal.  (SIGINT, the terminal's Ctrl-C,
# is ignored by a background job of a script.)  A guest polling a port
# instead took minutes of Bochs: every exit is costly there.
# sti; 1: jmp 1b
printf '\373\353\376' >"$tmp/poll.bin"
for sig in TERM:15:Terminated HUP:1:Hangup; do
	name=${sig%%:*} rest=${sig#*:}
	num=${rest%%:*} text=${rest#*:}
	"$run" --device "$device" "$tmp/poll.bin" </dev/null \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# Once a vCPU thread runs, hv-run takes the stop signals (it blocks
	# them before it starts any thread).  A fixed second of sleep instead
	# cost a minute of Bochs, which runs the spinning guest meanwhile.
	i=0
	while [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -lt 2 ] &&
	      [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s "$name" $pid
	# One that does not stop ends with SIGKILL's 137: a failure.
	(sleep 30; kill -s KILL $pid) >/dev/null 2>&1 &
	guard=$!
	wait $pid
	status=$?
	kill $guard 2>/dev/null
	expect_error "stopped_by_sig$(echo "$name" | tr 'A-Z' 'a-z')" \
		$((128 + num)) "hv-run: guest stopped: $text"
done

if [ "${HV_SLICE:-}" = 1 ]; then
	ktap_end
	exit
fi

# --- What a new user can get wrong.
hv_run "$examples/hello-real.bin" --device "$tmp/no-such-device"
expect_error no_device 2 \
	"hv-run: $tmp/no-such-device does not exist: is hv.ko loaded? (sudo insmod hv.ko; see README.md)"
case "$(stat -L -c %a "$device" 2>/dev/null)" in
*[2367]) other_rw=1 ;;
*) other_rw=0 ;;
esac
if [ $other_rw -eq 1 ]; then
	ktap_skip permission_denied "$device is open to every user"
elif grep -q '^nobody:' /etc/passwd 2>/dev/null || ! [ -e /etc/passwd ]; then
	# The test machines have no /etc: give them the one user needed.
	if ! [ -e /etc/passwd ]; then
		mkdir -p /etc
		echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >/etc/passwd
	fi
	chmod 755 "$tmp"
	cp "$examples/hello-real.bin" "$tmp/"
	chmod 644 "$tmp/hello-real.bin"
	su -s /bin/sh nobody -c "$run --device $device $tmp/hello-real.bin" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	expect_error permission_denied 2 \
		"hv-run: no permission to open $device: run hv-run as root, or give your user read and write access to it"
else
	ktap_skip permission_denied "no user 'nobody' to run as"
fi
hv_run "$tmp/missing.bin"
expect_error image_missing 2 \
	"hv-run: cannot open $tmp/missing.bin: No such file or directory"
: >"$tmp/empty.bin"
hv_run "$tmp/empty.bin"
expect_error empty_image 2 \
	"hv-run: $tmp/empty.bin: unknown image format: it is empty"
printf '#!/bin/sh\necho hi\n' >"$tmp/script"
hv_run "$tmp/script"
expect_error script_image 2 \
	"hv-run: $tmp/script: unknown image format: it is a script, not a guest image"
printf '\037\213\010\000' >"$tmp/gz"
hv_run "$tmp/gz"
expect_error gzip_image 2 \
	"hv-run: $tmp/gz: unknown image format: it is gzip-compressed; decompress it first"
hv_run -m 4G "$examples/hello-real.bin"
expect_error memory_too_large 2 \
	"hv-run: --memory 4G: hv-run gives a guest from 1M to 3G (all of it below the 4 GiB line)"
hv_run -m 12X "$examples/hello-real.bin"
expect_error memory_not_a_size 2 \
	"hv-run: --memory '12X': not a size (examples: 64M, 1G, 512K)"
hv_run -m 1M "$examples/hello-long.elf"
expect_error image_does_not_fit 2 \
	"hv-run: $examples/hello-long.elf: segment * (0x100000-0x*) does not fit in the guest's 1024 KiB of memory (see -m)"
hv_run --entry real --load-addr 0xffff0 "$examples/hello-long.bin"
expect_error real_mode_above_1m 2 \
	"hv-run: $examples/hello-long.bin at 0xffff0 ends above 1 MiB, which real mode cannot reach"
hv_run --entry long "$examples/hello-long.elf"
expect_error entry_for_elf 2 \
	"hv-run: --entry and --load-addr are for flat binaries; $examples/hello-long.elf is an ELF executable and says where it goes"
hv_run -a "x" "$examples/hello-long.elf"
expect_error append_without_multiboot 2 \
	"hv-run: --append is for Linux and Multiboot kernels; $examples/hello-long.elf is neither"
hv_run --module "x" "$examples/hello-long.elf"
expect_error module_without_multiboot 2 \
	"hv-run: --module is for Multiboot kernels; $examples/hello-long.elf has no Multiboot header"
hv_run -c 2 "$examples/hello-long.elf"
expect_error cpus_without_linux 2 \
	"hv-run: --cpus and --initrd are for Linux kernels; $examples/hello-long.elf is not a bzImage"

# --- Bad images: refused with a message, nothing run.
head -c 40 "$examples/hello-long.elf" >"$tmp/t1.elf"
hv_run "$tmp/t1.elf"
expect_error truncated_elf_header 2 \
	"hv-run: $tmp/t1.elf: truncated ELF file (40 bytes, shorter than its header)"
head -c 100 "$examples/hello-long.elf" >"$tmp/t2.elf"
hv_run "$tmp/t2.elf"
expect_error truncated_elf_program_headers 2 \
	"hv-run: $tmp/t2.elf: truncated ELF file (its program headers are missing)"
head -c 200 "$examples/hello-long.elf" >"$tmp/t3.elf"
hv_run "$tmp/t3.elf"
expect_error truncated_elf_segment 2 \
	"hv-run: $tmp/t3.elf: truncated ELF file (segment * needs bytes 0x*, the file has 0xc8)"
cp "$examples/hello-long.elf" "$tmp/arm.elf"
patch "$tmp/arm.elf" 18 '\267\000'		# e_machine = EM_AARCH64
hv_run "$tmp/arm.elf"
expect_error elf_wrong_machine 2 \
	"hv-run: $tmp/arm.elf: an ELF64 file for AArch64 (e_machine 183); hv-run boots ELF32 for x86 and ELF64 for x86-64"
cp "$examples/hello-protected.elf" "$tmp/dyn.elf"
patch "$tmp/dyn.elf" 16 '\003\000'		# e_type = ET_DYN
hv_run "$tmp/dyn.elf"
expect_error elf_not_executable 2 \
	"hv-run: $tmp/dyn.elf: not an executable (e_type 3); link the guest at a fixed address (ld without -pie)"
cp "$examples/hello-protected.elf" "$tmp/class.elf"
patch "$tmp/class.elf" 4 '\003'			# EI_CLASS 3
hv_run "$tmp/class.elf"
expect_error elf_unknown_class 2 \
	"hv-run: $tmp/class.elf: unknown image format: it is an ELF file of a class hv-run does not know"
hv_run "$images/overlap.elf"
expect_error elf_overlapping_segments 2 \
	"hv-run: $images/overlap.elf: segment 1 (0x100000-0x100008) overlaps $images/overlap.elf: segment 0 (0x100000-0x100001)"
hv_run "$images/high.elf"
expect_error elf_outside_memory 2 \
	"hv-run: $images/high.elf: segment 0 (0x10000000-0x10000009) does not fit in the guest's 131072 KiB of memory (see -m)"
hv_run "$images/lowboot.elf"
expect_error elf_over_boot_data 2 \
	"hv-run: $images/lowboot.elf: segment 0 (0x2000-0x2009) overlaps hv-run's boot data (GDT, page tables, Multiboot information) (0x1000-0xa000)"
hv_run "$images/mbvideo.bin"
expect_error multiboot_video_mode 2 \
	"hv-run: $images/mbvideo.bin: the Multiboot header asks for a video mode (flag 2); hv-run has no display"
head -c 1000 "$examples/mbkernel-aout.bin" >"$tmp/mbt.bin"
hv_run "$tmp/mbt.bin"
expect_error multiboot_truncated 2 \
	"hv-run: $tmp/mbt.bin: truncated Multiboot kernel (it needs 0x* bytes from file offset 0x0, the file has 0x3e8)"

ktap_end
