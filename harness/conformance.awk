# SPDX-License-Identifier: GPL-2.0
# Hold the conformance suite (programs named upstream_*) to a ratchet.
# Input: the pass list (harness/conformance-pass.txt), then a lane's
# results.  A listed test must pass; an unlisted failure becomes
# "SKIP ... not conformant yet"; an unlisted pass is kept and named so it
# can be added to the list.  Ends with a one-line conformance count.

# The pass list (an empty file must not swallow the results: compare
# file names, not FNR == NR).
FILENAME == ARGV[1] {
	sub(/[ \t\r]+$/, "")
	if ($0 !~ /^(#|$)/)
		want[$0] = 1
	next
}

/^(PASS|FAIL|SKIP) [^:]+: upstream_/ {
	hide = 0
	kind = $1
	name = $0
	sub(/^[A-Z]+ [^:]+: /, "", name)
	lane = $2
	sub(/:$/, "", lane)
	# FAIL and SKIP lines end in ": reason"; test names hold no colon.
	why = ""
	if (kind != "PASS" && match(name, /: [^:]*$/)) {
		why = substr(name, RSTART + 2)
		name = substr(name, 1, RSTART - 1)
	}
	# "prog: test" is a test (kselftest names hold no space); anything
	# else, like "prog: guest panicked during this program", is about the
	# whole program.
	prog = name
	sub(/: .*/, "", prog)
	ran_prog[prog] = 1
	if (name !~ /^[^:]+: [^ :]+$/) {
		print
		next
	}
	total++
	if (kind == "PASS") {
		passed++
		seen_pass[name] = 1
		if (!(name in want))
			fresh[++nfresh] = name
	} else if (kind == "FAIL" && !(name in want) && why == "test failed") {
		print "SKIP " lane ": " name ": not conformant yet"
		hide = 1
		next
	}
	print
	next
}

/^      \|/ && hide { next }
{ hide = 0; print }

END {
	# A listed test must have passed here, not just "not failed": a
	# missing program or a test turned skip breaks the ratchet too.
	# Only for programs that ran here (TEST= may have run just one).
	for (name in want) {
		prog = name
		sub(/: .*/, "", prog)
		if ((prog in ran_prog) && !(name in seen_pass))
			printf "FAIL %s: %s: listed in harness/conformance-pass.txt but did not pass\n", lane, name
	}
	if (total) {
		printf "    conformance (%s lane): %d of %d Linux 6.12 iommufd selftests pass\n", lane, passed, total
		for (i = 1; i <= nfresh; i++)
			printf "    newly passing (add to harness/conformance-pass.txt): %s\n", fresh[i]
	}
}
