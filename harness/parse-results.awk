# SPDX-License-Identifier: GPL-2.0
# Turn a guest console log into one line per result:
#   PASS <lane>: <test>
#   FAIL <lane>: <test>: <why>
#   SKIP <lane>: <test>: <why>
# followed, for failures, by indented context lines.
#
# Variables: lane, qemu_rc (exit status of timeout+qemu), limit (seconds).
# Test programs print kselftest TAP (results at column 0) or, for KUnit
# suites, KTAP (cases indented by four spaces) between HARNESS-PROG-*
# markers written by the guest's harness.sh; "plain" programs print no
# TAP and pass or fail by exit status.

function result(kind, name, why) {
	printf "%s %s: %s%s\n", kind, lane, name, why == "" ? "" : ": " why
	if (kind == "FAIL" && nctx) {
		for (i = 1; i <= nctx; i++)
			printf "      | %s\n", ctx[i]
	}
	nctx = 0
}

function remember(line) {
	if (nctx == 12) {
		for (i = 1; i < 12; i++)
			ctx[i] = ctx[i + 1]
		nctx = 11
	}
	ctx[++nctx] = line
}

function tap_line(line, pfx,   ok, name, skip) {
	ok = line !~ "^" pfx "not ok"
	sub("^" pfx "(not )?ok [0-9]+ (- )?", "", line)
	name = line
	skip = ""
	# "name # SKIP why", or "# SKIP why" with no name (ksft_exit_skip)
	if (match(name, /(^|[ ])# [Ss][Kk][Ii][Pp]([ ]|$)/)) {
		skip = substr(name, RSTART + RLENGTH)
		sub(/^ +/, "", skip)
		name = substr(name, 1, RSTART - 1)
		if (skip == "")
			skip = "skipped"
	}
	sub(/ +$/, "", name)
	got++
	if (name == "")
		name = prog
	else if (name != prog)
		name = prog ": " name
	if (skip != "")
		result("SKIP", name, skip)
	else if (ok)
		result("PASS", name, "")
	else
		result("FAIL", name, "test failed")
}

{ sub(/\r$/, "") }

/^HARNESS-BEGIN / { began = 1; next }
/^HARNESS-END / { ended = 1; next }
/^HARNESS-DMESG-BEGIN/ { in_dmesg = 1; next }
/^HARNESS-DMESG-END/ { in_dmesg = 0; next }
/^HARNESS-TAINT / {
	if ($2 != 0)
		result("FAIL", "kernel taint", "the kernel is tainted (" $2 "): see the kernel log")
	next
}
/^HARNESS-NOTESTS / { sub(/^HARNESS-NOTESTS /, ""); notests = $0; next }

/^HARNESS-PROG-BEGIN / {
	if (prog != "")
		result("FAIL", prog, "no end marker (output cut short?)")
	prog = $2
	kind = $3
	sub(/^kind=/, "", kind)
	got = 0
	planned = -1
	nctx = 0
	next
}

/^HARNESS-PROG-END / {
	rc = $3
	sub(/^rc=/, "", rc)
	if (kind == "plain")
		result(rc == 0 ? "PASS" : "FAIL", prog, rc == 0 ? "" : "exited with status " rc)
	else if (planned >= 0 && got < planned)
		result("FAIL", prog, sprintf("%d tests planned, %d reported", planned, got))
	else if (got == 0 && rc == 4)
		result("SKIP", prog, "program skipped itself")
	else if (got == 0 || (rc != 0 && !failed_in_prog))
		result("FAIL", prog, "exited with status " rc)
	prog = ""
	failed_in_prog = 0
	next
}

# A report in the kernel log fails the lane; the lines after it (the
# trace) are shown as its context.
in_dmesg {
	line = $0
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
	if (line ~ /(BUG|WARNING|UBSAN): |kernel BUG at|Oops|invalid opcode:|general protection fault|Unable to handle kernel|Internal error:|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|detected stalls|new suspected memory leaks|list_(add|del) corruption|Kernel panic|blocked for more than/) {
		if (!(line in reported)) {
			reported[line] = 1
			nctx = 0
			result("FAIL", "kernel log", line)
			trace_left = 20
		}
	} else if (trace_left > 0) {
		printf "      | %s\n", line
		trace_left--
	}
	next
}

/Kernel panic - not syncing/ {
	panic = $0
	sub(/.*Kernel panic - not syncing: */, "", panic)
}

# Inside a program: kselftest results sit at column 0, KUnit cases one
# level (four spaces) in, under the suite's own column-0 line.
prog != "" && kind == "plain" {
	remember($0)
	next
}

prog != "" {
	pfx = kind == "ktap" ? "    " : ""
	if ($0 ~ "^" pfx "1\\.\\.[0-9]+") {
		planned = substr($0, length(pfx) + 4) + 0
	} else if ($0 ~ "^" pfx "(not )?ok [0-9]+") {
		if ($0 ~ "^" pfx "not ok")
			failed_in_prog = 1
		tap_line($0, pfx)
	} else if (pfx == "" || $0 !~ /^(not )?ok [0-9]+/) {
		remember($0)
	}
	next
}

{ remember($0) }

END {
	if (prog != "") {
		if (panic != "")
			result("FAIL", prog, "guest panicked during this program: " panic)
		else
			result("FAIL", prog, "did not finish")
	}
	if (!ended) {
		if (qemu_rc == 124 || qemu_rc == 137)
			result("FAIL", "guest", "timed out after " limit "s (hung guest)")
		else if (panic != "")
			result("FAIL", "guest", "kernel panic: " panic)
		else if (!began)
			result("FAIL", "guest", "never reached the test runner (qemu exit " qemu_rc ")")
		else
			result("FAIL", "guest", "stopped before the lane finished (qemu exit " qemu_rc ")")
	} else if (notests != "") {
		result("SKIP", "no tests yet", notests)
	}
}
