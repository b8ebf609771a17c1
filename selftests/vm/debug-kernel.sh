#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh: build the test machines' debug kernel (KASAN, UBSAN,
# lockdep, kmemleak, ...) from Debian's linux-source-6.1 with the
# fragment selftests/vm/debug.config, once.  The result is cached under
# build/debug-kernel/KEY, KEY a hash of the fragment, the source
# package's version and the compiler, and registered as a test kernel in
# build/kernels/RELEASE (see kernels.sh):
#   vmlinuz  the image to boot
#   build    the kernel's build tree, to build hv.ko against (KDIR)
#   mods     INSTALL_MOD_PATH of its modules (KVM, for the oracle)
# Prints one progress line when it builds, nothing when cached; the
# build's output goes to build/debug-kernel/KEY/build.log.
#   HV_JOBS  parallel jobs (default: the number of CPUs)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
frag=$top/selftests/vm/debug.config
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
if [ -z "$tarball" ] || [ -z "$srcver" ]; then
	echo "debug-kernel.sh: linux-source-6.1 is not installed: run 'make deps'" >&2
	exit 1
fi
key=$( (cat "$frag"; echo "$srcver"; gcc --version | head -n 1) |
	sha256sum | cut -c1-12)
out=$top/build/debug-kernel/$key
release=$(cat "$out/release" 2>/dev/null)

register()
{
	reg=$top/build/kernels/$release
	mkdir -p "$reg"
	ln -sfn "$out/obj/arch/x86/boot/bzImage" "$reg/vmlinuz"
	ln -sfn "$out/obj" "$reg/build"
	ln -sfn "$out/mods" "$reg/mods"
	echo "$release" >"$top/build/debug-kernel/current"
}

if [ -f "$out/done" ] && [ -n "$release" ]; then
	register
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/obj"
src=$top/build/debug-kernel/src-$srcver
log=$out/build.log
jobs=${HV_JOBS:-$(nproc)}
start=$(date +%s)
echo "debug kernel: building Linux $srcver with KASAN, UBSAN, lockdep, kmemleak" \
     "(once, about 4 minutes on 2 CPUs; log in ${log#"$top"/})"
{
	if [ ! -f "$src/.extracted" ]; then
		rm -rf "$src" && mkdir -p "$src" &&
		tar -xf "$tarball" -C "$src" --strip-components=1 &&
		touch "$src/.extracted"
	fi &&
	make -C "$src" O="$out/obj" KCONFIG_ALLCONFIG="$frag" allnoconfig &&
	# Every line of the fragment must have survived: an option whose
	# dependency is not met is dropped silently by Kconfig.
	missing=$(grep '^CONFIG_' "$frag" | while read -r line; do
			grep -qx "$line" "$out/obj/.config" || echo "$line"
		  done) &&
	if [ -n "$missing" ]; then
		echo "debug.config: options that did not survive:"
		echo "$missing"
		false
	fi &&
	make -C "$src" O="$out/obj" -j"$jobs" bzImage modules &&
	make -C "$src" O="$out/obj" INSTALL_MOD_PATH="$out/mods" \
		modules_install &&
	make -s -C "$src" O="$out/obj" kernelrelease >"$out/release"
} >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	tail -n 30 "$log" >&2
	echo "debug kernel: the build failed (full log: $log)" >&2
	exit 1
fi
release=$(cat "$out/release")
touch "$out/done"
register
echo "debug kernel: $release built in $(($(date +%s) - start)) s"
