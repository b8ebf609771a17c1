# SPDX-License-Identifier: GPL-2.0
# Sourced by the runner scripts: the test kernels, newest of each series,
# and which machines to boot.
# Sets k61 and k612 (release names, as in /boot/vmlinuz-RELEASE).

hv_newest_kernel()
{
	ls -d $1 2>/dev/null | sort -V | tail -n 1 | sed 's|^/boot/vmlinuz-||'
}

k61=$(hv_newest_kernel '/boot/vmlinuz-6.1.*-amd64')
k612=$(hv_newest_kernel '/boot/vmlinuz-6.12.*+deb12-amd64')
if [ -z "$k61" ] || [ -z "$k612" ] ||
   [ ! -d "/usr/src/linux-headers-$k61" ] ||
   [ ! -d "/usr/src/linux-headers-$k612" ]; then
	echo "hv: 6.1 and 6.12 kernels and headers are needed: run 'make deps'" >&2
	exit 1
fi

# hv_wanted NAME: whether to boot machine NAME: HV_MACHINES, a
# space-separated list of names or prefixes ("qemu" is every QEMU
# machine), chooses; empty or unset means every machine.
hv_wanted()
{
	[ -z "${HV_MACHINES:-}" ] && return 0
	for w in $HV_MACHINES; do
		case "$1" in "$w"*) return 0 ;; esac
	done
	return 1
}
