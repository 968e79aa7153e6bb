#!/usr/bin/env bash
# Integration tests for tend: usage `bash tests/integration/run.sh PATH/TO/tend`.
#
# Each test runs the real binary, as PID 1 of a new PID namespace
# (`unshare --pid --fork --mount-proc`) unless it is about the other modes, in
# a temp dir of its own, with small shell scripts and the helpers of
# tests/helpers (built into build/helpers by make) as its programs. Programs
# record what happens to them in files of that dir, and the assertions read
# those files and tend's log (its stderr), never timings. Every wait polls a
# condition with a deadline. Only processes started here are signalled, by
# PID; killing the namespace's PID 1 ends everything in it.
#
# Prints one line per test and ends with "N passed, N failed"; exits 0 only
# if none failed. Set KEEP=1 to keep the temp dirs, or pass test names after
# the binary to run only those.

set -u
export LC_ALL=C

if [ $# -lt 1 ]; then
	echo "usage: $0 PATH/TO/tend [TEST...]" >&2
	exit 2
fi
TEND=$(realpath -- "$1") || exit 2
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HELPERS=$ROOT/build/helpers
SIGREC=$HELPERS/sigrec
INSPECT=$HELPERS/inspect
ORPHANS=$HELPERS/orphans

for f in "$TEND" "$SIGREC" "$INSPECT" "$ORPHANS"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing (run \`make\` and build the helpers: \`make integration\` does both)" >&2
		exit 2
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: these tests need root (PID namespaces, user = nobody)" >&2
	exit 2
fi
if ! unshare --pid --fork --mount-proc true </dev/null; then
	echo "run.sh: unshare --pid --fork --mount-proc does not work here" >&2
	exit 2
fi

# What the tests make must be reachable by the other users they run
# programs as (user = nobody), whatever the umask of whoever runs them.
umask 022
TMPROOT=$(mktemp -d /tmp/tend-it.XXXXXX) || exit 2
chmod 755 "$TMPROOT"	# user = nobody must reach its test dir
# The helpers run from a copy there: the build directory may be in a
# clone that only its owner can enter (a 0700 home, a mktemp -d).
mkdir "$TMPROOT/helpers" && cp "$HELPERS"/* "$TMPROOT/helpers/" && chmod 755 "$TMPROOT/helpers"/* ||
	{ rm -rf "$TMPROOT"; exit 2; }
HELPERS=$TMPROOT/helpers
SIGREC=$HELPERS/sigrec
INSPECT=$HELPERS/inspect
ORPHANS=$HELPERS/orphans

# ---- state of the current test ----
T=""		# the test's temp dir
LOG=""		# tend's stderr
REASON=""	# why it failed
OWNED=()	# "PID:PARENT" of what this test started (unshare, tend), for teardown
DIRECT=()	# tends run without a namespace: their descendants are killed too
MAIN_PID=""	# our child: unshare, or tend itself when run directly
TEND_PID=""	# tend as seen from here: what gets signalled
TEND_RC=""	# tend's exit status, once wait_exit has seen it

# ---- small utilities ----

now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_until SECONDS COMMAND...: polls COMMAND (run in this shell) until it
# succeeds; fails after SECONDS.
wait_until() {
	local secs=$1
	shift
	local deadline=$(($(now_us) + secs * 1000000))
	while :; do
		"$@" && return 0
		[ "$(now_us)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# A process that exists and is not a zombie.
alive() {
	local pid=$1 stat
	[ -n "$pid" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}
gone() { ! alive "$1"; }

# Parent PID of a process, empty when it does not exist.
ppid_of() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	stat=${stat#* }
	echo "${stat%% *}"
}

# State letter (R, S, Z, ...) of a process, empty when it does not exist.
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

# Every descendant of a PID (by parent links), nearest first.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			want[root] = 1
			do {
				added = 0
				for (i = 1; i <= NR; i++) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; order[++n] = p; added = 1 }
				}
			} while (added)
			for (i = 1; i <= n; i++) print order[i]
		}'
}

fail() {
	[ -n "$REASON" ] || REASON="$*"
	return 1
}

# ---- running tend ----

# start_ns ARGS...: tend ARGS as PID 1 of a new PID namespace. Sets MAIN_PID
# (unshare) and TEND_PID (its child, tend). Extra redirections of the caller
# (e.g. an open fd 7) are inherited.
start_ns() { start_ns_with "$T/stdout" "$LOG" "$@"; }

# start_ns_with OUT ERR ARGS...: the same, with tend's stdout appended to OUT
# and its stderr written to ERR (a FIFO, /dev/null, ...).
start_ns_with() {
	local out=$1 err=$2
	shift 2
	unshare --pid --fork --mount-proc "$TEND" "$@" </dev/null >>"$out" 2>"$err" &
	MAIN_PID=$!
	OWNED+=("$MAIN_PID:$$")
	TEND_PID=""
	wait_until 10 find_tend || { fail "no tend process appeared under unshare"; return 1; }
	[ -z "$TEND_PID" ] || OWNED+=("$TEND_PID:$MAIN_PID")
}
find_tend() {
	local children
	children=$(cat "/proc/$MAIN_PID/task/$MAIN_PID/children" 2>/dev/null)
	children=${children%% *}
	if [ -n "$children" ]; then
		TEND_PID=$children
		return 0
	fi
	gone "$MAIN_PID"	# it exited already (bad config): nothing to find
}

# start_direct ARGS...: tend ARGS as a plain child of this script (not PID 1).
start_direct() {
	"$TEND" "$@" </dev/null >>"$T/stdout" 2>"$LOG" &
	MAIN_PID=$!
	TEND_PID=$MAIN_PID
	OWNED+=("$MAIN_PID:$$")
	DIRECT+=("$MAIN_PID")
}

sig() { kill -s "$1" "$TEND_PID"; }

# wait_exit [SECONDS]: waits for tend to exit; sets TEND_RC.
wait_exit() {
	local secs=${1:-10}
	if ! wait_until "$secs" gone "$MAIN_PID"; then
		fail "tend did not exit within ${secs}s"
		return 1
	fi
	wait "$MAIN_PID"
	TEND_RC=$?
	# gone, and tend with it (unshare waits for it): nothing to kill later
	local e keep=()
	for e in "${OWNED[@]}"; do
		case ${e%%:*} in "$MAIN_PID" | "$TEND_PID") ;; *) keep+=("$e") ;; esac
	done
	OWNED=("${keep[@]}")
}

# run_ns_to_exit SECONDS ARGS...: runs tend ARGS in a namespace until it exits.
run_ns_to_exit() {
	local secs=$1
	shift
	start_ns "$@" || return 1
	wait_exit "$secs"
}

# ---- assertions: each sets REASON and returns 1 when it does not hold ----

assert_rc() {
	[ "$TEND_RC" = "$1" ] || fail "tend exited with status $TEND_RC, expected $1"
}
assert_alive() {
	alive "$TEND_PID" || fail "tend is not running any more${1:+ ($1)}"
}
has() { grep -qF -- "$2" "$1" 2>/dev/null; }
assert_has() { has "$1" "$2" || fail "$(basename "$1") lacks: $2"; }
assert_lacks() { ! has "$1" "$2" || fail "$(basename "$1") has: $2"; }
assert_log() { assert_has "$LOG" "$1"; }
assert_no_log() { assert_lacks "$LOG" "$1"; }
# wait_has FILE TEXT [SECONDS]
wait_has() {
	wait_until "${3:-10}" has "$1" "$2" || fail "$(basename "$1") still lacks after ${3:-10}s: $2"
}
wait_log() { wait_has "$LOG" "$1" "${2:-10}"; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
at_least_lines() { [ "$(lines "$1")" -ge "$2" ]; }
# wait_lines FILE N [SECONDS]: FILE has at least N lines
wait_lines() {
	wait_until "${3:-10}" at_least_lines "$1" "$2" ||
		fail "$(basename "$1") has $(lines "$1") lines after ${3:-10}s, expected at least $2"
}
assert_lines() {
	local n
	n=$(lines "$1")
	[ "$n" = "$2" ] || fail "$(basename "$1") has $n lines, expected $2"
}
count_of() { grep -cF -- "$2" "$1" 2>/dev/null; }
# assert_before FILE A B: the first line with A comes before the first with B
assert_before() {
	local a b
	a=$(grep -nF -- "$2" "$1" | head -n1 | cut -d: -f1)
	b=$(grep -nF -- "$3" "$1" | head -n1 | cut -d: -f1)
	[ -n "$a" ] || { fail "$(basename "$1") lacks: $2"; return 1; }
	[ -n "$b" ] || { fail "$(basename "$1") lacks: $3"; return 1; }
	[ "$a" -lt "$b" ] || fail "in $(basename "$1"), \"$2\" (line $a) is not before \"$3\" (line $b)"
}
# assert_eq WHAT GOT WANT
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: got \"$2\", expected \"$3\""
}
# kv FILE KEY: the value of KEY=... in FILE
kv() { sed -n "s/^$2=//p" "$1" | head -n1; }

# ---- one test ----

# Kills what the test started and left running: each PID only while its
# parent is still the recorded one (so never a reused PID), last started
# first (tend, the namespace's PID 1, before its unshare), and for a tend
# outside a namespace, its descendants first.
teardown() {
	local i pid parent d e
	{
		for ((i = ${#OWNED[@]} - 1; i >= 0; i--)); do
			pid=${OWNED[i]%%:*}
			parent=${OWNED[i]#*:}
			[ "$(ppid_of "$pid")" = "$parent" ] && alive "$pid" || continue
			for d in "${DIRECT[@]}"; do
				[ "$d" = "$pid" ] || continue
				for d in $(descendants "$pid"); do kill -KILL "$d"; done
				break
			done
			kill -KILL "$pid"
		done
		for e in "${OWNED[@]}"; do	# reap our own children
			[ "${e#*:}" = "$$" ] || continue
			wait_until 5 gone "${e%%:*}"
			wait "${e%%:*}"
		done
	} 2>/dev/null	# bash's "Killed" job notices
	# daemons that escaped a tend run outside a namespace, by their recorded PID
	# (only if that PID still runs one of our helpers for this test)
	if [ -n "$T" ] && [ -f "$T/host_pids" ]; then
		local cmd
		while read -r pid; do
			cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
			case $cmd in *"$T/"*) kill -KILL "$pid" 2>/dev/null ;; esac
		done <"$T/host_pids"
	fi
	OWNED=()
	DIRECT=()
}

PASSED=0
FAILED=0
FAILED_NAMES=()

run_test() {
	local name=$1
	T=$TMPROOT/$name
	mkdir -p "$T"
	chmod 755 "$T"
	LOG=$T/tend.log
	# each test's tend serves its own API socket (the default reads it too)
	export TEND_SOCKET=$T/tend.sock
	REASON=""
	MAIN_PID=""
	TEND_PID=""
	TEND_RC=""
	local t0 ok=0
	t0=$(now_us)
	if "t_$name"; then ok=1; fi
	teardown
	# a sanitizer report anywhere in tend's logs fails the test
	if [ "$ok" = 1 ] && grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T"/*.log >/dev/null 2>&1; then
		ok=0
		REASON="sanitizer report in $(grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T"/*.log | head -n1)"
	fi
	local secs
	secs=$(awk -v us=$(($(now_us) - t0)) 'BEGIN { printf "%.1f", us / 1e6 }')
	if [ "$ok" = 1 ]; then
		PASSED=$((PASSED + 1))
		echo "PASS $name (${secs}s)"
	else
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$name")
		echo "FAIL $name (${secs}s): ${REASON:-no reason given}"
		if [ -s "$LOG" ]; then
			echo "  --- last lines of tend's log ($LOG):"
			tail -n 20 "$LOG" | sed 's/^/  | /'
		fi
	fi
	T=""
}

cleanup() {
	teardown
	if [ "${KEEP:-0}" = 1 ]; then
		echo "temp files kept in $TMPROOT" >&2
	else
		rm -rf "$TMPROOT"
	fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

# ---- configs used by more than one test ----

# Programs that start in the order b a d c e: b, a, d are free at once
# (priority 5, 10, 30); c (priority 1) waits for d, e for c and b.
write_order_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:a]
command = $SIGREC $T/events a
priority = 10
startsecs = 0.2

[program:b]
command = $SIGREC $T/events b
priority = 5
startsecs = 0.2

[program:c]
command = $SIGREC $T/events c
priority = 1
depends_on = d
startsecs = 0.2

[program:d]
command = $SIGREC $T/events d
priority = 30
startsecs = 0.5

[program:e]
command = $SIGREC $T/events e
priority = 20
depends_on = c, b
startsecs = 0.2
EOF
}

# ======================================================================
# The tests. Each is a function t_NAME returning 0 when it passes.
# ======================================================================

# priority orders the starts; depends_on waits until the dependency is RUNNING
t_start_order() {
	write_order_config
	start_ns -c "$T/tend.ini" || return 1
	wait_log "e: running" || return 1
	local order
	order=$(sed -n 's/^tend: \([a-z]\): started with pid.*/\1/p' "$LOG" | tr -d '\n')
	assert_eq "order of the starts in the log" "$order" "badce" || return 1
	# a dependent is spawned only once its dependency is RUNNING (startsecs over)
	assert_before "$LOG" "d: running" "c: started" || return 1
	assert_before "$LOG" "c: running" "e: started" || return 1
	assert_before "$LOG" "b: running" "e: started" || return 1
	assert_before "$T/events" "d start" "c start" || return 1
	assert_before "$T/events" "c start" "e start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# depends_on is also satisfied by a one-shot task that EXITED with an
# expected code, not by one that EXITED with an unexpected one. (A one-shot
# needs startsecs = 0, else its exit is a failed start, and then it is
# RUNNING at once: here the dependents also wait for a slow program, so the
# tasks have exited when the dependents are looked at.)
t_depends_on_oneshot() {
	cat >"$T/tend.ini" <<EOF
[program:migrate]
command = sh -c "echo migrate >>$T/order"
startsecs = 0

[program:badtask]
command = sh -c "exit 1"
startsecs = 0
autorestart = false
required = false

[program:slow]
command = $SIGREC $T/events slow
startsecs = 0.5

[program:app]
command = $SIGREC $T/events app
depends_on = migrate, slow
startsecs = 0.1

[program:app2]
command = $SIGREC $T/events app2
depends_on = badtask, slow
startsecs = 0.1
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "app: running" || return 1
	assert_before "$LOG" "migrate: exited with code 0 (expected); not restarted" "app: started" || return 1
	assert_before "$LOG" "badtask: exited with code 1 (unexpected); not restarted" "app: started" || return 1
	assert_before "$LOG" "slow: running" "app: started" || return 1
	assert_no_log "app2: started" || return 1
	assert_lacks "$T/events" "app2 start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# tend check: the programs in start order, exit 0
t_check_good() {
	write_order_config
	"$TEND" check -c "$T/tend.ini" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 0 || return 1
	local names
	names=$(awk '$1 ~ /^[0-9]+$/ { printf "%s", $2 }' "$T/check.out")
	assert_eq "programs listed by tend check" "$names" "badce" || return 1
	assert_has "$T/check.out" "$SIGREC $T/events c" || return 1
	[ ! -e "$T/events" ] || fail "tend check started a program"
}

# tend check on bad configs: "tend: FILE:LINE: ..." and exit 2
t_check_bad() {
	local f=$T/bad1.ini
	cat >"$f" <<EOF
[program:web]
command = sleep 100
startsecs = 0.2
stopsignal = TERMM
EOF
	"$TEND" check -c "$f" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 2 || return 1
	assert_log "tend: $f:4: [program:web] stopsignal: unknown signal \"TERMM\"" || return 1

	f=$T/bad2.ini
	cat >"$f" <<EOF
; a dependency cycle is reported at the header of a program in it
[program:one]
command = sleep 100
depends_on = two

[program:two]
command = sleep 100
depends_on = one
EOF
	"$TEND" check -c "$f" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 2 || return 1
	grep -qE "^tend: $f:(2|6): \[program:(one|two)\] depends_on: dependency cycle" "$LOG" ||
		{ fail "no dependency cycle error naming a [program] header line"; return 1; }

	f=$T/bad3.ini
	cat >"$f" <<EOF
[program:x]
comand = sleep 100
EOF
	"$TEND" check -c "$f" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 2 || return 1
	assert_log "tend: $f:2: [program:x] unknown key \"comand\" (did you mean \"command\"?)" || return 1

	f=$T/bad4.ini
	cat >"$f" <<EOF
[program:x]
command = sleep \${TEND_IT_SURELY_UNSET_VARIABLE}
EOF
	"$TEND" check -c "$f" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 2 || return 1
	grep -qE "^tend: $f:2: .*TEND_IT_SURELY_UNSET_VARIABLE" "$LOG" || { fail "no error at line 2 naming the unset variable"; return 1; }
	[ ! -s "$T/check.out" ] || fail "tend check printed programs for a bad config"
}

# a bad config: exit 2, and nothing was started
t_bad_config_exit_2() {
	cat >"$T/tend.ini" <<EOF
[program:fine]
command = sh -c "echo ran >$T/ran"
startsecs = 0

[program:web]
command = sleep 100
stopsignal = TERMM
EOF
	run_ns_to_exit 10 -c "$T/tend.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/tend.ini:7: [program:web] stopsignal: unknown signal \"TERMM\"" || return 1
	[ ! -e "$T/ran" ] || { fail "a program of the bad config was run"; return 1; }
	assert_no_log "started with pid"
}

# TERM, INT and QUIT each shut tend down with status 0
t_exit_0_on_term_int_quit() {
	cat >"$T/tend.ini" <<EOF
[program:p]
command = $SIGREC $T/events p
startsecs = 0
EOF
	local s n=0
	for s in TERM INT QUIT; do
		n=$((n + 1))
		LOG=$T/tend-$s.log
		start_ns -c "$T/tend.ini" || return 1
		wait_lines "$T/events" $((n * 2 - 1)) || return 1
		sig "$s"
		wait_exit || return 1
		assert_rc 0 || return 1
		assert_log "shutting down (SIG$s)" || return 1
		assert_log "exiting with status 0" || return 1
	done
	# the program got its stopsignal (TERM) each time
	[ "$(count_of "$T/events" "p TERM")" = 3 ] || fail "the program did not get TERM three times"
}

# a program that exits after its start counted (startsecs) is restarted
t_restart_after_crash() {
	cat >"$T/code.sh" <<EOF
echo start >>$T/code.starts
sleep 0.4
exit 2
EOF
	cat >"$T/signal.sh" <<EOF
echo start >>$T/signal.starts
sleep 0.4
kill -USR1 \$\$
EOF
	cat >"$T/tend.ini" <<EOF
[program:code]
command = sh $T/code.sh
startsecs = 0.2
backoff = 0.1

[program:signal]
command = sh $T/signal.sh
startsecs = 0.2
backoff = 0.1
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_lines "$T/code.starts" 3 || return 1
	wait_lines "$T/signal.starts" 3 || return 1
	assert_log "code: exited with code 2; restarting" || return 1
	assert_log "signal: killed by signal USR1; restarting" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# no restart after an expected exit (exitcodes), nor with autorestart = false;
# autorestart = true restarts even an expected exit
t_no_restart_after_expected_exit() {
	local p
	for p in oneshot norestart always; do
		cat >"$T/$p.sh" <<EOF
echo start >>$T/$p.starts
sleep 0.3
exit \${1:-0}
EOF
	done
	cat >"$T/tend.ini" <<EOF
[program:oneshot]
command = sh $T/oneshot.sh 3
exitcodes = 0,3
startsecs = 0.1

[program:norestart]
command = sh $T/norestart.sh 1
autorestart = false
startsecs = 0.1
; required, its unexpected exit for good would end tend (exit_on_fatal)
required = false

[program:always]
command = sh $T/always.sh 0
autorestart = true
startsecs = 0.1
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "oneshot: exited with code 3 (expected); not restarted" || return 1
	wait_log "norestart: exited with code 1 (unexpected); not restarted" || return 1
	wait_lines "$T/always.starts" 3 || return 1
	assert_log "always: exited with code 0; restarting" || return 1
	assert_lines "$T/oneshot.starts" 1 || return 1
	assert_lines "$T/norestart.starts" 1 || return 1
	assert_alive "with two programs EXITED" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# failed starts: BACKOFF with a doubling delay, then FATAL; a required
# program FATAL makes tend stop the others and exit 1, naming it
t_backoff_then_fatal_exit_1() {
	cat >"$T/bad.sh" <<EOF
echo try >>$T/bad.tries
exit 4
EOF
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:other]
command = $SIGREC $T/events other
startsecs = 0

[program:bad]
command = sh $T/bad.sh
startsecs = 1
startretries = 2
backoff = 0.1
EOF
	run_ns_to_exit 15 -c "$T/tend.ini" || return 1
	assert_rc 1 || return 1
	assert_lines "$T/bad.tries" 3 || return 1
	assert_log "bad: exited with code 4; restart 1 of 2 in 0.1s" || return 1
	assert_log "bad: exited with code 4; restart 2 of 2 in 0.2s" || return 1
	assert_log "bad: exited with code 4; giving up after 3 failed starts (FATAL)" || return 1
	assert_log "shutting down (required program bad is FATAL, last exit code 4)" || return 1
	assert_has "$T/events" "other TERM" || return 1
	assert_log "exiting with status 1"
}

# required = false: its FATAL does not stop tend; its dependents stay unstarted
t_fatal_not_required_keeps_running() {
	cat >"$T/tend.ini" <<EOF
[program:keeper]
command = $SIGREC $T/events keeper
startsecs = 0

[program:bad]
command = sh -c "exit 4"
required = false
startsecs = 1
startretries = 1
backoff = 0.1

[program:dependent]
command = $SIGREC $T/events dependent
depends_on = bad
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "bad: exited with code 4; giving up after 2 failed starts (FATAL)" || return 1
	wait_log "dependent: not started: its dependency bad is FATAL" || return 1
	sleep 0.3
	assert_alive "after a FATAL program with required = false" || return 1
	assert_no_log "shutting down" || return 1
	assert_lacks "$T/events" "dependent start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# exit_on_fatal = false: a required program's FATAL does not stop tend
t_fatal_exit_on_fatal_false() {
	cat >"$T/tend.ini" <<EOF
[tend]
exit_on_fatal = false

[program:keeper]
command = $SIGREC $T/events keeper
startsecs = 0

[program:bad]
command = sh -c "exit 4"
startsecs = 1
startretries = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "bad: exited with code 4; giving up after 1 failed start (FATAL)" || return 1
	sleep 0.3
	assert_alive "after a FATAL program with exit_on_fatal = false" || return 1
	assert_no_log "shutting down" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# restart_limit within restart_window: the restart that would exceed it is
# not done, the program is FATAL (and tend exits 1: it is required)
t_restart_limit_fatal() {
	cat >"$T/loop.sh" <<EOF
echo start >>$T/loop.starts
sleep 0.3
exit 1
EOF
	cat >"$T/tend.ini" <<EOF
[program:loop]
command = sh $T/loop.sh
startsecs = 0.1
restart_limit = 2
restart_window = 60
EOF
	run_ns_to_exit 15 -c "$T/tend.ini" || return 1
	assert_rc 1 || return 1
	assert_lines "$T/loop.starts" 3 || return 1
	assert_log "loop: exited with code 1; restart limit reached (2 in 60s), giving up (FATAL)" || return 1
	[ "$(count_of "$LOG" "loop: exited with code 1; restarting")" = 2 ] || fail "expected exactly 2 restarts in the log"
}

# SIGTERM: programs stop in reverse start order, each with its stopsignal
t_stop_order_and_stopsignals() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 8

[program:db]
command = $SIGREC $T/events db QUIT
priority = 10
stopsignal = QUIT
startsecs = 0.2

[program:api]
command = $SIGREC $T/events api TERM
priority = 20
depends_on = db
startsecs = 0.2

[program:web]
command = $SIGREC $T/events web INT
priority = 30
depends_on = api
stopsignal = INT
startsecs = 0.2

[program:worker]
command = $SIGREC $T/events worker USR2
priority = 40
stopsignal = USR2
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	assert_before "$T/events" "db start" "api start" || return 1
	assert_before "$T/events" "api start" "web start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	local stops
	stops=$(grep -v ' start ' "$T/events" | tr '\n' ' ')
	assert_eq "stop signals in the order received" "$stops" "worker USR2 web INT api TERM db QUIT " || return 1
	assert_log "db: stopping with signal QUIT" || return 1
	assert_log "web: stopping with signal INT"
}

# a program that ignores its stopsignal is SIGKILLed after stopwaitsecs;
# tend still exits 0, with a warning
t_stopwaitsecs_sigkill() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 8

[program:stubborn]
command = $SIGREC $T/events stubborn -
startsecs = 0
stopwaitsecs = 0.5
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/events" "stubborn start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	assert_has "$T/events" "stubborn TERM" || return 1
	assert_log "stubborn: still running 0.5s after TERM; sending SIGKILL" || return 1
	assert_log "stubborn: stopped (killed by signal KILL)" || return 1
	assert_no_log "shutdown_timeout"
}

# shutdown_timeout caps the whole shutdown: SIGKILL to what is left then
t_shutdown_timeout_cap() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 0.5

[program:stubborn]
command = $SIGREC $T/events stubborn -
startsecs = 0
stopwaitsecs = 30
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/events" "stubborn start" || return 1
	assert_log "stopwaitsecs (30s) is not under shutdown_timeout (0.5s)" || return 1
	sig TERM
	# stopwaitsecs is 30 s: an exit within 10 s is shutdown_timeout's doing
	wait_exit 10 || return 1
	assert_rc 0 || return 1
	assert_has "$T/events" "stubborn TERM" || return 1
	assert_log "shutdown_timeout (0.5s) reached; killing everything left" || return 1
	assert_log "stubborn: stopped (killed by signal KILL)"
}

# a second TERM during the shutdown SIGKILLs what is left at once
t_second_term_kills_now() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 60

[program:stubborn]
command = $SIGREC $T/events stubborn -
startsecs = 0
stopwaitsecs = 30
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/events" "stubborn start" || return 1
	sig TERM
	wait_has "$T/events" "stubborn TERM" || return 1
	wait_log "stubborn: stopping with signal TERM" || return 1
	assert_alive "after the first TERM" || return 1
	sig TERM
	# stopwaitsecs is 30 s: an exit within 10 s is the second TERM's doing
	wait_exit 10 || return 1
	assert_rc 0 || return 1
	assert_log "second SIGTERM: killing every program now" || return 1
	assert_log "stubborn: sending SIGKILL" || return 1
	assert_no_log "still running"
}

# HUP, USR1, USR2 go only to the programs whose forward_signals list them
t_forward_signals() {
	cat >"$T/tend.ini" <<EOF
[program:a]
command = $SIGREC $T/a a
forward_signals = HUP
startsecs = 0

[program:b]
command = $SIGREC $T/b b
forward_signals = USR1
startsecs = 0

[program:c]
command = $SIGREC $T/c c
forward_signals = USR2
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/a" "a start" || return 1
	wait_has "$T/b" "b start" || return 1
	wait_has "$T/c" "c start" || return 1
	sig HUP
	wait_has "$T/a" "a HUP" || return 1
	wait_log "SIGHUP forwarded to a" || return 1
	sig USR1
	wait_has "$T/b" "b USR1" || return 1
	sig USR2
	wait_has "$T/c" "c USR2" || return 1
	sig TSTP	# ignored: tend does not stop, nor passes it on
	sig WINCH
	wait_log "SIGWINCH received; no running program takes it" || return 1
	[ "$(proc_state "$TEND_PID")" != T ] || { fail "tend was stopped by SIGTSTP"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	# a signal sent earlier to a program would have been delivered before the
	# later ones (and before TERM, a higher number): absence is conclusive
	assert_eq "signals a received" "$(grep -v start "$T/a" | tr '\n' ' ')" "a HUP a TERM " || return 1
	assert_eq "signals b received" "$(grep -v start "$T/b" | tr '\n' ' ')" "b USR1 b TERM " || return 1
	assert_eq "signals c received" "$(grep -v start "$T/c" | tr '\n' ' ')" "c USR2 c TERM " || return 1
	assert_log "SIGUSR1 forwarded to b" || return 1
	assert_log "SIGUSR2 forwarded to c"
}

# 1000 double-forked orphans: every zombie is reaped by tend (PID 1)
t_reap_1000_orphans() {
	cat >"$T/tend.ini" <<EOF
[program:forker]
command = $ORPHANS 1000 $T/orphans
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/orphans" "created=" 30 || return 1
	local r
	r=$(cat "$T/orphans")
	assert_eq "orphans report" "$r" "created=1000 failed=0 zombies_of_parent=0 zombies_total=0" || return 1
	# they were orphans indeed: re-parented to tend, PID 1 of the namespace
	assert_has "$T/orphans.orphan" "new_parent=1" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# programs start with an empty signal mask, default dispositions, only fds
# 0-2 and a process group of their own, whatever tend inherited
t_child_process_state() {
	cat >"$T/tend.ini" <<EOF
[program:probe]
command = $INSPECT $T/probe
startsecs = 0
EOF
	# tend gets fd 7 open (not close-on-exec); as a background job it also
	# starts with SIGINT and SIGQUIT ignored
	start_ns -c "$T/tend.ini" 7>"$T/extra-fd" || return 1
	wait_until 10 test -e "$T/probe" || { fail "the probe wrote nothing"; return 1; }
	assert_eq "open fds" "$(kv "$T/probe" fds)" "0,1,2" || return 1
	assert_eq "SigBlk" "$(kv "$T/probe" sigblk)" "0000000000000000" || return 1
	assert_eq "SigIgn" "$(kv "$T/probe" sigign)" "0000000000000000" ||
		{ REASON="$REASON (tend's own: $(grep -E '^Sig(Ign|Blk)' /proc/$TEND_PID/status 2>&1 | tr '\n\t' '  '))"; return 1; }
	assert_eq "process group" "$(kv "$T/probe" pgid)" "$(kv "$T/probe" pid)" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# user, directory, environment (quoted comma, ${VAR:-default}, ${VAR}, $$), umask
t_user_directory_environment_umask() {
	mkdir -p "$T/work"
	chmod 777 "$T/work"
	cat >"$T/tend.ini" <<EOF
[program:probe]
command = $INSPECT $T/work/probe GREETING FROMDEF FROMENV LITERAL TEND_IT_VAR
user = nobody
directory = $T/work
environment = GREETING="hello, world",FROMDEF=\${TEND_IT_SURELY_UNSET:-fallback},FROMENV=\${TEND_IT_VAR},LITERAL=a\$\$b
umask = 027
startsecs = 0
EOF
	TEND_IT_VAR=from-tend start_ns -c "$T/tend.ini" || return 1
	wait_until 10 test -e "$T/work/probe" || { fail "the probe wrote nothing"; return 1; }
	local p=$T/work/probe
	assert_eq "uid" "$(kv "$p" uid)" "$(id -u nobody)" || return 1
	assert_eq "euid" "$(kv "$p" euid)" "$(id -u nobody)" || return 1
	assert_eq "gid" "$(kv "$p" gid)" "$(id -g nobody)" || return 1
	assert_eq "groups" "$(kv "$p" groups)" "$(id -G nobody | tr ' ' ',')" || return 1
	assert_eq "cwd" "$(kv "$p" cwd)" "$T/work" || return 1
	assert_eq "umask" "$(kv "$p" umask)" "0027" || return 1
	assert_eq "GREETING" "$(kv "$p" env.GREETING)" "hello, world" || return 1
	assert_eq "FROMDEF" "$(kv "$p" env.FROMDEF)" "fallback" || return 1
	assert_eq "FROMENV" "$(kv "$p" env.FROMENV)" "from-tend" || return 1
	assert_eq "LITERAL" "$(kv "$p" env.LITERAL)" 'a$b' || return 1
	assert_eq "inherited TEND_IT_VAR" "$(kv "$p" env.TEND_IT_VAR)" "from-tend" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# a missing executable: the OS error is logged, it is a failed start
# (BACKOFF, then FATAL)
t_missing_executable() {
	cat >"$T/tend.ini" <<EOF
[program:ghost]
command = /nonexistent/tend-it/ghost --flag
startsecs = 0.2
startretries = 1
backoff = 0.1
EOF
	run_ns_to_exit 10 -c "$T/tend.ini" || return 1
	assert_rc 1 || return 1
	assert_log "ghost: cannot execute \"/nonexistent/tend-it/ghost\": No such file or directory" || return 1
	assert_log "; restart 1 of 1 in 0.1s" || return 1
	assert_log "giving up after 2 failed starts (FATAL)" || return 1
	[ "$(count_of "$LOG" "ghost: cannot execute")" = 2 ] || fail "expected two failed exec attempts in the log"
}

# the same with startsecs = 0 (at once RUNNING) and a name searched on PATH
t_missing_executable_startsecs_0() {
	cat >"$T/tend.ini" <<EOF
[program:keeper]
command = $SIGREC $T/events keeper
startsecs = 0

[program:ghost]
command = tend-it-no-such-command
startsecs = 0
startretries = 1
backoff = 0.1
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "giving up after 2 failed starts (FATAL)" || return 1
	assert_log "ghost: cannot execute \"tend-it-no-such-command\": No such file or directory" || return 1
	assert_log "; restart 1 of 1 in 0.1s" || return 1
	assert_no_log "ghost: exited with code 127; restarting" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# tend -- COMMAND: its exit code, 128+N for a signal, 127 when missing
t_single_command_exit_codes() {
	LOG=$T/tend-3.log
	run_ns_to_exit 10 -- sh -c 'exit 3' || return 1
	assert_rc 3 || return 1
	LOG=$T/tend-0.log
	run_ns_to_exit 10 -- true || return 1
	assert_rc 0 || return 1
	LOG=$T/tend-kill.log
	run_ns_to_exit 10 -- sh -c 'kill -KILL $$' || return 1
	assert_rc 137 || return 1
	LOG=$T/tend-missing.log
	run_ns_to_exit 10 -- /nonexistent/tend-it/cmd arg || return 1
	assert_rc 127 || return 1
	assert_log "No such file or directory"
}

# tend -- COMMAND forwards signals: USR1 reaches it; TERM reaches it and
# tend exits with the command's status
t_single_command_signals() {
	LOG=$T/tend-sigrec.log
	start_ns -- "$SIGREC" "$T/events" cmd TERM 7 || return 1
	wait_has "$T/events" "cmd start" || return 1
	sig USR1
	wait_has "$T/events" "cmd USR1" || return 1
	sig HUP
	wait_has "$T/events" "cmd HUP" || return 1
	# TTIN and TTOU are not passed on (tend(8) SIGNALS). WINCH, passed on, is sent
	# after them and has a higher number: however they are batched, tend
	# handles it last, so they were handled by the time it arrives
	sig TTIN
	sig TTOU
	sig WINCH
	wait_has "$T/events" "cmd WINCH" || return 1
	assert_lacks "$T/events" "cmd TTIN" || return 1
	assert_lacks "$T/events" "cmd TTOU" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_has "$T/events" "cmd TERM" || return 1
	assert_rc 7 || return 1

	# a command that dies of the TERM: 128 + 15
	cat >"$T/sleeper.sh" <<EOF
echo started >$T/sleeper.started
exec sleep 100
EOF
	LOG=$T/tend-sleep.log
	start_ns -- sh "$T/sleeper.sh" || return 1
	wait_has "$T/sleeper.started" "started" || return 1
	sleep 0.1	# let sh exec sleep (either way TERM kills it)
	sig TERM
	wait_exit || return 1
	assert_rc 143
}

# not PID 1: tend makes itself the child subreaper, so orphans come to it
# and are reaped; it shuts down cleanly
t_not_pid1_subreaper() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:forker]
command = $ORPHANS 20 $T/orphans
startsecs = 0
EOF
	start_direct -c "$T/tend.ini"
	wait_has "$T/orphans" "created=" 20 || return 1
	local r orphan parent
	r=$(cat "$T/orphans")
	case $r in
	"created=20 failed=0 zombies_of_parent=0 "*) ;;
	*) fail "orphans report: $r"; return 1 ;;
	esac
	orphan=$(sed -n 's/^orphan=\([0-9]*\) .*/\1/p' "$T/orphans.orphan")
	parent=$(sed -n 's/.* new_parent=\([0-9]*\)$/\1/p' "$T/orphans.orphan")
	assert_eq "parent of the orphan" "$parent" "$TEND_PID" || return 1
	[ -n "$orphan" ] || { fail "no orphan pid recorded"; return 1; }
	# the orphan's zombie does not linger
	wait_until 5 test "$(proc_state "$orphan")" != Z || { fail "orphan $orphan is still a zombie"; return 1; }
	assert_no_log "as PID 1" || return 1
	assert_no_log "subreaper" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	assert_log "forker: stopped (killed by signal TERM)"
}

# processes left over after the programs stopped (a daemon that escaped
# into its own session) get SIGTERM, then SIGKILL if they ignore it
leftovers_config() {
	cat >"$T/main.sh" <<EOF
setsid -f $SIGREC $T/daemons polite TERM
setsid -f $SIGREC $T/daemons stubborn -
exec $SIGREC $T/events main TERM
EOF
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:main]
command = sh $T/main.sh
startsecs = 0
EOF
}
t_leftovers_pid1() {
	leftovers_config
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/daemons" "polite start" || return 1
	wait_has "$T/daemons" "stubborn start" || return 1
	wait_has "$T/events" "main start" || return 1
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0 || return 1
	assert_has "$T/events" "main TERM" || return 1
	assert_has "$T/daemons" "polite TERM" || return 1
	assert_has "$T/daemons" "stubborn TERM" || return 1
	assert_before "$LOG" "main: stopped" "sending SIGTERM to the processes left over" || return 1
	assert_log "leftover processes did not exit after SIGTERM; sent SIGKILL"
}
t_leftovers_not_pid1() {
	leftovers_config
	start_direct -c "$T/tend.ini"
	wait_has "$T/daemons" "polite start" || return 1
	wait_has "$T/daemons" "stubborn start" || return 1
	wait_has "$T/events" "main start" || return 1
	# host PIDs here: note them so that teardown can kill them if tend does not
	sed -n 's/.* start //p' "$T/daemons" >"$T/host_pids"
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0 || return 1
	assert_has "$T/daemons" "polite TERM" || return 1
	assert_has "$T/daemons" "stubborn TERM" || return 1
	assert_log "leftover processes did not exit after SIGTERM; sent SIGKILL" || return 1
	local pid
	for pid in $(cat "$T/host_pids"); do
		wait_until 5 gone "$pid" || { fail "leftover $pid survived tend"; return 1; }
	done
}

# as PID 1, a process of the container that is not tend's child (what
# `docker exec` starts: here nsenter into the PID namespace) is a leftover
# too: it gets SIGTERM before tend exits, not the kernel's SIGKILL after
t_leftovers_outsider_pid1() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:main]
command = $SIGREC $T/events main TERM
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/events" "main start" || return 1
	nsenter --target "$TEND_PID" --pid -- "$SIGREC" "$T/outsider" outsider TERM &
	local nsenter_pid=$!
	echo "$nsenter_pid" >>"$T/host_pids"
	wait_has "$T/outsider" "outsider start" || return 1
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0 || return 1
	assert_has "$T/outsider" "outsider TERM" || return 1
	assert_before "$LOG" "main: stopped" "sending SIGTERM to the processes left over" || return 1
	assert_lacks "$LOG" "sent SIGKILL" || return 1
	wait_until 5 gone "$nsenter_pid" || { fail "nsenter ($nsenter_pid) still there"; return 1; }
}

# log_format = json: one JSON object per line
t_json_log() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_format = json
shutdown_timeout = 5

[program:ok]
command = $SIGREC $T/events ok
startsecs = 0

[program:stubborn]
command = $SIGREC $T/events stubborn -
startsecs = 0
stopwaitsecs = 0.3

[program:ghost]
command = "/nonexistent/quote\"d path"
startsecs = 0
startretries = 1
backoff = 0.1
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$LOG" '"event":"fatal"' || return 1
	wait_has "$T/events" "stubborn start" || return 1
	sig HUP
	wait_log '"signal":"HUP"' || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	local n
	n=$(lines "$LOG")
	[ "$n" -ge 8 ] || { fail "only $n log lines"; return 1; }
	if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then
		python3 - "$LOG" >"$T/json-check.out" 2>&1 <<'EOF' || { fail "JSON check: $(tail -n1 "$T/json-check.out")"; return 1; }
import json, sys
seen = set()
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not JSON: %s: %r" % (n, e, line))
    if not isinstance(o, dict):
        sys.exit("line %d is not an object" % n)
    for k in ("ts", "level", "event", "msg"):
        if k not in o:
            sys.exit("line %d lacks %s" % (n, k))
    if o["level"] not in ("error", "warn", "info", "debug"):
        sys.exit("line %d: level %r" % (n, o["level"]))
    seen.add((o.get("program"), o["event"], o["level"]))
for want in [("stubborn", "kill", "warn"), ("ghost", "fatal", "error"), ("ghost", "exec_failed", "error"),
             ("ok", "start", "info"), (None, "exit", "info")]:
    if want not in seen:
        sys.exit("no line with program, event, level = %r" % (want,))
EOF
	else
		local bad
		bad=$(grep -vcE '^\{"ts":"[0-9T:.-]+Z","level":"(error|warn|info|debug)",.*"event":"[a-z_]+".*"msg":".*"\}$' "$LOG")
		[ "$bad" = 0 ] || { fail "$bad log lines are not shaped like JSON objects"; return 1; }
	fi
	assert_log '"program":"stubborn","event":"kill"' || return 1
	assert_log 'quote\"d path'
}

# ======================================================================

ALL_TESTS=(
	start_order
	depends_on_oneshot
	check_good
	check_bad
	bad_config_exit_2
	exit_0_on_term_int_quit
	restart_after_crash
	no_restart_after_expected_exit
	backoff_then_fatal_exit_1
	fatal_not_required_keeps_running
	fatal_exit_on_fatal_false
	restart_limit_fatal
	stop_order_and_stopsignals
	stopwaitsecs_sigkill
	shutdown_timeout_cap
	second_term_kills_now
	forward_signals
	reap_1000_orphans
	child_process_state
	user_directory_environment_umask
	missing_executable
	missing_executable_startsecs_0
	single_command_exit_codes
	single_command_signals
	not_pid1_subreaper
	leftovers_pid1
	leftovers_not_pid1
	leftovers_outsider_pid1
	json_log
)

# More suites live in tests/integration/suite_*.sh: each defines t_NAME
# functions and appends their names to ALL_TESTS.
for suite in "$ROOT"/tests/integration/suite_*.sh; do
	[ -e "$suite" ] || continue
	# shellcheck source=/dev/null
	. "$suite"
done

if [ $# -gt 0 ]; then
	TESTS=("$@")
else
	TESTS=("${ALL_TESTS[@]}")
fi

echo "tend integration tests: $TEND"
START=$(now_us)
for t in "${TESTS[@]}"; do
	if ! declare -F "t_$t" >/dev/null; then
		echo "FAIL $t: no such test"
		FAILED=$((FAILED + 1))
		continue
	fi
	run_test "$t"
done
echo "total time: $(awk -v us=$(($(now_us) - START)) 'BEGIN { printf "%.1f", us / 1e6 }')s"
[ "$FAILED" = 0 ] || echo "failed: ${FAILED_NAMES[*]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
