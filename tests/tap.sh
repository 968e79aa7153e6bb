# TAP output for the test scripts that run one long scenario (tests/image,
# tests/deb): numbered "ok N - …" / "not ok N - …" lines and the counts
# their closing "N passed, N failed" line reports. Sourced.
pass=0
fail=0
n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
note() { echo "# $*"; }
# check DESCRIPTION COMMAND...: one test, passed when COMMAND succeeds
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
