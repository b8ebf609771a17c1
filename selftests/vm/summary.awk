# SPDX-License-Identifier: GPL-2.0
#
# summary.awk: turn the R/E lines of results.awk for every machine into a
# table, list what failed, and end with "N passed, N failed, N skipped".
#
# Every test result counts once per machine and device.  A test whose
# result on hv differs from its result on KVM on the same machine counts
# one more failure, unless the file named by -v known lists it as an
# intentional difference: "suite.test  reason" lines, where the test may
# end in "*" (every test of that prefix) and may be followed by
# "@machine-prefix" to hold on those machines only.  Every E line (a
# kernel splat, a suite that crashed or timed out, a run that did not
# finish) counts one failure.  Machines named in -v hvonly (spaces between)
# ran hv alone: nothing is compared there.  Exit status 1 when anything
# failed.

# Whether known-differences allows test t to differ on machine m.
function intentional(m, t,    i, p) {
	for (i = 1; i <= nk; i++) {
		if (kmach[i] != "" && index(m, kmach[i]) != 1)
			continue
		p = kpat[i]
		if (p == t)
			return 1
		if (p ~ /\*$/ && index(t, substr(p, 1, length(p) - 1)) == 1)
			return 1
	}
	return 0
}

function pfs(m, dev) {
	return (count[m, dev, "pass"] + 0) "/" (count[m, dev, "fail"] + 0) "/" (count[m, dev, "skip"] + 0)
}

BEGIN {
	if (known != "") {
		while ((getline line < known) > 0) {
			if (line ~ /^[ \t]*(#|$)/)
				continue
			split(line, f, /[ \t]+/)
			nk++
			kpat[nk] = f[1]
			kmach[nk] = ""
			if (split(f[1], at, "@") == 2) {
				kpat[nk] = at[1]
				kmach[nk] = at[2]
			}
		}
	}
}

$1 == "R" {
	m = $2; dev = $3; t = $4; st = $5
	if (!(m in seen_machine)) {
		seen_machine[m] = 1
		order[++nm] = m
	}
	count[m, dev, st]++
	result[m, dev, t] = st
	tests[m, t] = 1
	if (st == "pass") passed++
	else if (st == "skip") skipped++
	else {
		failed++
		problems[++np] = m ": " dev " " t " failed"
		failkey[np] = m " " dev " " t
	}
	next
}

# What a failed test said, shown under its FAIL line.
$1 == "D" {
	msg = $0
	sub(/^D [^ ]+ [^ ]+ [^ ]+ /, "", msg)
	said[$2 " " $3 " " $4] = said[$2 " " $3 " " $4] "\n     " msg
	next
}

$1 == "E" {
	m = $2
	if (!(m in seen_machine)) {
		seen_machine[m] = 1
		order[++nm] = m
	}
	msg = $0
	sub(/^E [^ ]+ /, "", msg)
	errs[m]++
	failed++
	problems[++np] = m ": " msg
}

END {
	for (key in tests) {
		split(key, k, SUBSEP)
		m = k[1]; t = k[2]
		if (!((m, "hv", t) in result) && !((m, "kvm", t) in result))
			continue	# a host-wide test: nothing to compare
		if (index(" " hvonly " ", " " m " "))
			continue	# hv alone on this machine
		h = ((m, "hv", t) in result) ? result[m, "hv", t] : "missing"
		v = ((m, "kvm", t) in result) ? result[m, "kvm", t] : "missing"
		if (h == v || intentional(m, t))
			continue
		differ[m]++
		failed++
		problems[++np] = m ": " t ": hv " h ", kvm " v
	}

	printf "\n%-16s %-12s %-12s %-8s %-12s %s\n", "machine", "hv p/f/s", "kvm p/f/s", "hv=kvm", "host p/f/s", "run"
	for (i = 1; i <= nm; i++) {
		m = order[i]
		same = differ[m] ? "no (" differ[m] ")" : "yes"
		if (index(" " hvonly " ", " " m " "))
			same = "hv only"
		printf "%-16s %-12s %-12s %-8s %-12s %s\n", m,
			pfs(m, "hv"), pfs(m, "kvm"), same,
			pfs(m, "host"),
			errs[m] ? errs[m] " error(s)" : "clean"
	}
	if (np) {
		print ""
		for (i = 1; i <= np; i++)
			print "FAIL " problems[i] said[failkey[i]]
	}
	print ""
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit failed ? 1 : 0
}
