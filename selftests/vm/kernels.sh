# SPDX-License-Identifier: GPL-2.0
# Sourced by the runner scripts: the test kernels, newest of each series.
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
