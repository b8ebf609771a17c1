# SPDX-License-Identifier: GPL-2.0
#
# bench.awk: read one bench machine's console (init, hv.mode=bench) and
# print its table: metric, hv, KVM, hv/KVM, with each device's spread
# (lowest and highest run) beside it.  Ends with "bench: FAILED ..." when a
# device's run is missing or incomplete or the kernel complained.
# Usage: awk -v machine=NAME -v what=TEXT -v kver=KVER [-v unit=TEXT]
#            [-v partial=1] -f bench.awk LOG
# (unit: what the time rows count; partial=1: a device may be absent.)

function fail(msg) {
	failed++
	problems = problems "\nbench: FAILED " machine ": " msg
}

BEGIN {
	n = 0; failed = 0; problems = ""
	if (unit == "")
		unit = "emulated instructions per iteration"
}

{ gsub(/\r/, "") }

/^@@HV-BENCH-BEGIN / { split($2, a, "="); dev = a[2]; next }

/^@@HV-BENCH-END / {
	split($2, a, "="); split($3, b, "=")
	ended[a[2]] = b[2]
	dev = ""
	next
}

/^# metric/ && dev != "" {
	if (runs == "") {
		runs = $0
		sub(/.*\(/, "", runs)
		sub(/\).*/, "", runs)
	}
	next
}

/^#/ && dev != "" { note[dev] = note[dev] "\n  " dev ": " substr($0, 3); next }

dev != "" && NF == 5 {
	if (!($1 in known)) {
		known[$1] = 1
		order[n++] = $1
	}
	med[dev, $1] = $2; lo[dev, $1] = $3; hi[dev, $1] = $4
}

function cell(d, m,	f) {
	if (!((d, m) in med))
		return sprintf("%10s %15s", "-", "")
	f = m ~ /kib$/ ? "%.1f" : "%.0f"
	return sprintf("%10s %15s", sprintf(f, med[d, m]),
		       sprintf("(" f "-" f ")", lo[d, m], hi[d, m]))
}

END {
	for (i = 0; i < 2; i++) {
		d = i ? "kvm" : "hv"
		if (!(d in ended)) {
			if (!partial)
				fail(d " did not finish (console: see the log)")
		}
		else if (ended[d] != "0")
			fail(d " exited with " ended[d] note[d])
	}
	printf "%s: %s, Linux %s, %s\n", machine, what, kver,
	       "median of " (runs != "" ? runs : "?") " (lowest-highest)"
	printf "  time rows: %s; memory rows: KiB each\n", unit
	if (("hv", "linux_boot") in med || ("kvm", "linux_boot") in med)
		printf "  linux rows: per boot of Linux by hv-run (3 boots): linux_boot to its first userspace line, linux_exits* the exits that reached hv-run\n"
	printf "  %-16s %26s %26s %7s\n", "metric", "hv", "KVM", "hv/KVM"
	for (i = 0; i < n; i++) {
		m = order[i]
		ratio = "-"
		if (("hv", m) in med && ("kvm", m) in med && med["kvm", m] > 0)
			ratio = sprintf("%.2f", med["hv", m] / med["kvm", m])
		printf "  %-16s %s %s %7s\n", m, cell("hv", m), cell("kvm", m), ratio
	}
	if (n == 0)
		fail("no figures")
	if (failed)
		print substr(problems, 2)
	print ""
}
