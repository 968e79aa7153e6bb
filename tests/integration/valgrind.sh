#!/usr/bin/env bash
# tend under valgrind's memcheck, as PID 1 of a PID namespace, through
# crash-restarts, health probes and HTTP traffic, then a SIGTERM: no memory
# error, no leak (definite or indirect), exit 0.
# Usage: bash tests/integration/valgrind.sh PATH/TO/tend (not an ASan build).
set -u
export LC_ALL=C
TEND=$(realpath -- "$1") || exit 2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HTTPC=$ROOT/build/helpers/httpc
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is missing (make deps installs it)" >&2; exit 2; }
[ -x "$HTTPC" ] || { echo "valgrind.sh: $HTTPC is missing (make integration builds it)" >&2; exit 2; }

T=$(mktemp -d /tmp/tend-vg.XXXXXX) || exit 2
MAIN_PID=""
cleanup() {
	# our unshare, and through it the namespace, if still there
	[ -n "$MAIN_PID" ] && kill -KILL "$MAIN_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}
count_at_least() { local n; n=$(cat "$T/count" 2>/dev/null); [ "${n:-0}" -ge "$1" ]; }
socket_up() { [ -S "$T/tend.sock" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

cat >"$T/tend.ini" <<EOF
[tend]
socket = $T/tend.sock

[program:crasher]
command = /bin/sh -c 'n=\$\$(cat count 2>/dev/null || echo 0); echo \$\$((n + 1)) >count; [ \$\$n -ge 50 ] && exec sleep 1000; exit 1'
directory = $T
startsecs = 0
autorestart = true

[program:web]
command = /bin/sleep 1000
startsecs = 0
healthcheck = tcp://127.0.0.1:1
healthcheck_interval = 0.2
EOF
for ((i = 0; i < 250; i++)); do
	printf 'GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n'
	printf 'GET /health/web HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n'
done >"$T/requests"

unshare --pid --fork --mount-proc valgrind --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$TEND" -c "$T/tend.ini" \
	</dev/null >"$T/stdout" 2>"$T/valgrind.log" &
MAIN_PID=$!
failed=""
if ! wait_until 60 count_at_least 51 || ! wait_until 30 socket_up; then
	failed="tend did not run the crasher 50 times or open its socket"
else
	for ((i = 0; i < 5; i++)); do
		"$HTTPC" send "$T/tend.sock" -n 1000 -w 0 -t 60 <"$T/requests" >/dev/null 2>&1 || failed="HTTP requests failed"
	done
	tend_pid=$(cat "/proc/$MAIN_PID/task/$MAIN_PID/children" 2>/dev/null)
	tend_pid=${tend_pid%% *}
	[ -n "$tend_pid" ] && kill -TERM "$tend_pid"
	wait_until 60 gone "$MAIN_PID" || failed="tend did not exit on SIGTERM under valgrind"
fi
wait "$MAIN_PID"
rc=$?
MAIN_PID=""
[ -n "$failed" ] || [ "$rc" = 0 ] || failed="tend under valgrind exited with $rc"
grep -q "ERROR SUMMARY: 0 errors" "$T/valgrind.log" || failed="${failed:-valgrind reported errors}"
if [ -n "$failed" ]; then
	echo "FAIL valgrind: $failed"
	grep -E "^==[0-9]+==" "$T/valgrind.log" | tail -40
	echo "0 passed, 1 failed"
	exit 1
fi
grep -E "in use at exit|total heap usage|ERROR SUMMARY" "$T/valgrind.log" | sed 's/^==[0-9]*== */  /'
echo "PASS valgrind: 50 restarts, probes and 5 000 requests, no error, no leak"
echo "1 passed, 0 failed"
