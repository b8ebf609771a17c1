# SPDX-License-Identifier: GPL-2.0
#
# results.awk: read one test machine's serial console log (see init) and
# print what it says, one line each:
#   R <machine> <device> <suite>.<test> pass|fail|skip
#   D <machine> <device> <suite>.<test> <line>  what a failed test said
#   E <machine> <message>        something that fails the run as a whole
# Usage: awk -v machine=NAME -f results.awk LOG

function error(msg) {
	errors++
	if (errors <= 20)
		printf "E %s %s\n", machine, msg
}

function finish_suite(rc) {
	if (rc == 124)
		error(dev "/" suite " timed out")
	else if (rc != 0 && suite_failed == 0)
		error(dev "/" suite " exited with status " rc " without a failed test")
	if (planned >= 0 && reported != planned)
		error(dev "/" suite " reported " reported " of " planned " tests")
	in_suite = 0
}

BEGIN { booted = 0; done = 0; in_suite = 0; errors = 0 }

# Serial consoles end lines with CR LF: names must not keep the CR.
{ gsub(/\r/, "") }

# The kernel and the suites share the serial console, and a kernel line
# can cut into a line of test output: "ok 4 glo[   71.906709] kvm ...",
# then "bal.name" on the next line.  The kernel part is taken as a kernel
# line of its own (and scanned for splats below); the cut-off start is
# put back in front of the next line that is not a kernel line.
{
	if (held != "" && $0 !~ /^\[ *[0-9]+\.[0-9]+\]/) {
		$0 = held $0
		held = ""
	}
	if (match($0, /\[ *[0-9]+\.[0-9]+\] /) && RSTART > 1) {
		held = held substr($0, 1, RSTART - 1)
		$0 = substr($0, RSTART)
	}
}

# Kernel lines carry a timestamp (printk.time=1); only they are scanned for
# splats, so test output can never be mistaken for one.  Lockdep's reports
# are named by their titles: the debug kernel's boot says "RCU lockdep
# checking is enabled", which is no report.
/^\[ *[0-9]+\.[0-9]+\]/ {
	if ($0 ~ /Oops|BUG:|WARNING:|general protection|soft lockup|hung task|blocked for more than|circular locking|recursive locking|inconsistent lock state|lock inversion|locking correctness validator|suspicious RCU usage|held lock freed|lock held when returning|Call Trace:|kernel BUG|UBSAN|KASAN|kmemleak: [0-9]+ new suspected/) {
		line = $0
		sub(/^\[ *[0-9]+\.[0-9]+\] */, "", line)
		if (!(line in seen)) {
			seen[line] = 1
			error("kernel: " line)
		}
	}
	next
}

/@@HV-BOOT / { booted = 1; next }

/^@@HV-SUITE / {
	if (in_suite)
		finish_suite(-1)
	split($2, a, "="); dev = a[2]
	split($3, a, "="); suite = a[2]
	in_suite = 1; planned = -1; reported = 0; suite_failed = 0
	last_run = "unnamed"
	next
}

/^@@HV-END / {
	rc = $4
	sub(/^rc=/, "", rc)
	if (in_suite)
		finish_suite(rc + 0)
	next
}

/^@@HV-DONE/ { done = 1; next }

# The debug kernel's kmemleak scan (init's kmemleak_check).
/^@@HV-KMEMLEAK / {
	n = $3
	sub(/^objects=/, "", n)
	split($2, a, "=")
	if (n + 0 > 0)
		error("kmemleak: " n " unreferenced object(s) allocated by " a[2])
	next
}

in_suite && /^1\.\.[0-9]+$/ { planned = substr($0, 4) + 0; next }

# The harness names each test as it starts it; its "ok N # SKIP" line for
# a skipped test carries no name of its own.
in_suite && /^#  RUN / { last_run = $3; ndiag = 0; next }

# What the running test says (the harness's assertion messages, TH_LOG):
# kept so that a failure shows its cause, up to 8 lines of it.
in_suite && /^# / && !/^# +(OK|FAIL|SKIP) / {
	if (ndiag < 8)
		diag[++ndiag] = substr($0, 3)
	next
}

in_suite && /^(not )?ok [0-9]+ / {
	status = "pass"
	line = $0
	if (line ~ /^not ok/) {
		status = "fail"
		suite_failed++
		sub(/^not ok [0-9]+ /, "", line)
	} else {
		sub(/^ok [0-9]+ /, "", line)
	}
	if (line ~ /(^| )# SKIP/) {
		if (status == "pass")
			status = "skip"
		sub(/ ?# SKIP.*/, "", line)
		if (line == "")
			line = last_run
	}
	sub(/^- /, "", line)
	gsub(/ /, "_", line)
	reported++
	printf "R %s %s %s.%s %s\n", machine, dev, suite, line, status
	if (status == "fail")
		for (i = 1; i <= ndiag; i++)
			printf "D %s %s %s.%s %s\n", machine, dev, suite, line, diag[i]
	ndiag = 0
	next
}

END {
	if (!booted)
		error("the machine did not reach /init")
	else if (!done) {
		if (in_suite)
			error("the run stopped inside " dev "/" suite)
		else
			error("the run did not complete")
	}
}
