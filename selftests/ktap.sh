# SPDX-License-Identifier: GPL-2.0
# KTAP output for the shell tests, in the same form as kselftest_harness.h
# prints it, so one parser reads both.  Source it, then:
#   ktap_begin 3; ktap_pass NAME; ktap_fail NAME WHY; ktap_skip NAME WHY; ktap_end

ktap_n=0
ktap_failed=0

ktap_begin()
{
	echo "TAP version 13"
	echo "1..$1"
}

ktap_pass()
{
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1"
}

ktap_fail()
{
	ktap_n=$((ktap_n + 1))
	ktap_failed=$((ktap_failed + 1))
	echo "# $1: $2"
	echo "not ok $ktap_n $1"
}

ktap_skip()
{
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

ktap_end()
{
	echo "# Totals: $ktap_n tests, $ktap_failed failed"
	[ "$ktap_failed" -eq 0 ]
}
