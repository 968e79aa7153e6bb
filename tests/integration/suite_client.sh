# shellcheck shell=bash
# The client commands (tend status, health, start, stop, restart, signal)
# against a real tend. Sourced by run.sh; every test runs with
# TEND_SOCKET=$T/tend.sock, which the tend under test serves too.

# client ARGS...: runs `tend ARGS` as a client. Its stdout lands in $T/out,
# its stderr in $T/err (and in $T/client.log, where run.sh looks for
# sanitizer reports), its exit status in CRC.
client() {
	"$TEND" "$@" </dev/null >"$T/out" 2>"$T/err"
	CRC=$?
	{ echo "\$ tend $*"; cat "$T/err"; } >>"$T/client.log"
}
# expect_client RC ARGS...: runs the client and checks its exit status.
expect_client() {
	local want=$1
	shift
	client "$@"
	[ "$CRC" = "$want" ] ||
		fail "tend $* exited with $CRC, expected $want" \
			"(stdout: $(head -c 300 "$T/out"); stderr: $(head -c 300 "$T/err"))"
}
# client_ok ARGS...: polls until `tend ARGS` exits 0.
client_ok() { wait_until 10 client_quiet_ok "$@" || fail "tend $* never exited 0 (last: $CRC, $(cat "$T/err"))"; }
client_quiet_ok() {
	client "$@"
	[ "$CRC" = 0 ]
}
# The row of NAME in the output of the last `tend status`.
status_row() { awk -v n="$1" '$1 == n' "$T/out"; }
# Field N of that row (1 NAME, 2 STATE, 3 HEALTH, 4 PID, 5 UPTIME, 6 RESTARTS, ...).
status_field() { status_row "$1" | awk -v f="$2" '{ print $f }'; }
# The pid sigrec recorded at the Nth start of NAME (1 = first).
start_pid() { awk -v n="$1" '$1 == n && $2 == "start" { if (++k == '"${2:-1}"') print $3 }' "$T/events"; }
state_is() {
	client status
	[ "$(status_field "$1" 2)" = "$2" ]
}
wait_state() { wait_until 10 state_is "$1" "$2" || fail "$1 never became $2 in tend status: $(status_row "$1")"; }

# a program that runs, one in BACKOFF (not required), and one held back by it
client_status_config() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:bad]
command = sh -c "exit 3"
startsecs = 1
backoff = 30
required = false

[program:dep]
command = $SIGREC $T/events dep
depends_on = bad
required = false
EOF
}

t_client_status() {
	client_status_config
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	wait_log "bad: exited with code 3" || return 1
	expect_client 0 status || return 1
	local header
	header=$(head -n1 "$T/out")
	case $header in "status ready, up "*", 3 programs") ;; *) fail "header: $header"; return 1 ;; esac
	assert_eq "table head" "$(sed -n 2p "$T/out")" \
		"NAME  STATE    HEALTH  PID  UPTIME  RESTARTS  LAST EXIT  WAITING FOR" || return 1
	assert_lines "$T/out" 5 || return 1
	assert_eq "web's state" "$(status_field web 2)" RUNNING || return 1
	assert_eq "web's health" "$(status_field web 3)" none || return 1
	assert_eq "web's pid" "$(status_field web 4)" "$(start_pid web)" || return 1
	status_field web 5 | grep -qE '^[0-9]+\.[0-9]s$' || { fail "web's uptime: $(status_row web)"; return 1; }
	assert_eq "web's restarts" "$(status_field web 6)" 0 || return 1
	assert_eq "bad's row" "$(status_row bad | tr -s ' ')" "bad BACKOFF none - - 0 code 3 -" || return 1
	assert_eq "dep's row" "$(status_row dep | tr -s ' ')" "dep STOPPED none - - 0 - bad" || return 1
	# columns line up: each starts at the same offset on every line
	local col offsets
	for col in 2 3 4 5 6; do
		offsets=$(awk -v c=$col 'NR > 1 {
			p = 1; s = $0
			for (i = 1; i < c; i++) { m = match(substr(s, p), /[^ ]+ +/); p += RLENGTH }
			print p }' "$T/out" | sort -u | wc -l)
		assert_eq "distinct offsets of column $col" "$offsets" 1 || return 1
	done
	# without a last exit or a waiting program, those columns go
	sig TERM
	wait_exit || return 1
	cat >"$T/tend.ini" <<EOF
[program:only]
command = $SIGREC $T/events only
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "only: started" || return 1
	expect_client 0 status || return 1
	assert_eq "table head" "$(sed -n 2p "$T/out")" "NAME  STATE    HEALTH  PID  UPTIME  RESTARTS" || return 1
	assert_eq "row" "$(sed -n 3p "$T/out" | awk '{ print $1, $2, $3, $4, $6 }')" \
		"only RUNNING none $(start_pid only) 0" || return 1
	sig TERM
	wait_exit || return 1
	# no tend: 2, naming the socket
	expect_client 2 status || return 1
	assert_has "$T/err" "tend: cannot reach tend at $T/tend.sock: No such file or directory" || return 1
	[ ! -s "$T/out" ] || fail "stdout when unreachable: $(cat "$T/out")"
}

t_client_health() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:flaky]
command = sh -c "exit 3"
startsecs = 1
backoff = 30
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	wait_log "flaky: exited with code 3" || return 1
	# a required program in BACKOFF: not ready
	expect_client 1 health || return 1
	assert_has "$T/out" "not_ready; not ready: flaky (BACKOFF)" || return 1
	expect_client 0 health web || return 1
	assert_has "$T/out" "web: ok (RUNNING)" || return 1
	expect_client 1 health flaky || return 1
	assert_has "$T/out" "flaky: not ready (BACKOFF)" || return 1
	expect_client 1 health nosuch || return 1
	assert_has "$T/err" "tend: nosuch: no such program" || return 1
	# a name that is no program name at all still gets an answer
	expect_client 1 health "a/b c" || return 1
	assert_has "$T/err" "tend: a/b c: no such program" || return 1
	# a program stopped on request no longer counts
	expect_client 0 stop flaky || return 1
	assert_has "$T/out" "flaky: stop requested" || return 1
	client_ok health || return 1
	assert_eq "health's output" "$(cat "$T/out")" ready || return 1
	expect_client 1 health flaky || return 1
	assert_has "$T/out" "flaky: not ready (STOPPED)" || return 1
	# a wedged tend: no answer within the time limit, 2
	sig STOP
	local t0=$(now_us)
	expect_client 2 health || { sig CONT; return 1; }
	sig CONT
	assert_has "$T/err" "tend: tend at $T/tend.sock did not answer within 5s" || return 1
	[ $(($(now_us) - t0)) -lt 8000000 ] || { fail "health took $(($(now_us) - t0))us with tend stopped"; return 1; }
	client_ok health || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	# nothing there: 2
	expect_client 2 health || return 1
	assert_has "$T/err" "tend: cannot reach tend at $T/tend.sock: No such file or directory" || return 1
	expect_client 2 health web || return 1
	# a file that is no socket
	: >"$T/plain-file"
	expect_client 2 health -s "$T/plain-file" || return 1
	assert_has "$T/err" "tend: cannot reach tend at $T/plain-file: Connection refused"
}

t_client_restart() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:sleeper]
command = sleep 1000
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	local pid1 pid2
	pid1=$(start_pid web 1)
	expect_client 0 restart web || return 1
	assert_eq "restart's output" "$(cat "$T/out")" "web: restart requested" || return 1
	wait_has "$T/events" "web TERM" || return 1
	wait_until 10 eval '[ -n "$(start_pid web 2)" ]' || { fail "web did not start again"; return 1; }
	pid2=$(start_pid web 2)
	[ "$pid1" != "$pid2" ] || { fail "same pid $pid1 after the restart"; return 1; }
	assert_before "$T/events" "web TERM" "web start $pid2" || return 1
	wait_state web RUNNING || return 1
	assert_eq "pid in tend status" "$(status_field web 4)" "$pid2" || return 1
	assert_eq "restarts in tend status" "$(status_field web 6)" 1 || return 1
	assert_eq "last exit in tend status" "$(status_row web | awk '{ print $7, $8 }')" "code 0" || return 1
	assert_log "web: restart requested" || return 1
	# sigrec exits 0 on its TERM; sleep dies of it
	expect_client 0 restart sleeper || return 1
	wait_log "sleeper: stopped (killed by signal TERM)" || return 1
	wait_state sleeper RUNNING || return 1
	assert_eq "sleeper's restarts and last exit" "$(status_row sleeper | awk '{ print $6, $7, $8 }')" \
		"1 signal TERM" || return 1
	# options after or before the name
	expect_client 0 restart -s "$T/tend.sock" web || return 1
	expect_client 0 restart web --socket="$T/tend.sock" || return 1
	expect_client 1 restart nosuch || return 1
	assert_eq "stderr" "$(cat "$T/err")" "tend: nosuch: no such program"
}

t_client_signal() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:off]
command = $SIGREC $T/events off
autostart = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	expect_client 0 signal web HUP || return 1
	assert_eq "signal's output" "$(cat "$T/out")" "web: SIGHUP sent" || return 1
	wait_has "$T/events" "web HUP" || return 1
	expect_client 0 signal web -s "$T/tend.sock" SIGUSR1 || return 1
	wait_has "$T/events" "web USR1" || return 1
	expect_client 0 signal web 12 || return 1	# USR2 by number
	wait_has "$T/events" "web USR2" || return 1
	assert_eq "starts of web" "$(count_of "$T/events" "web start")" 1 || return 1
	expect_client 1 signal web BOGUS || return 1
	assert_eq "stderr" "$(cat "$T/err")" "tend: BOGUS: no such signal" || return 1
	expect_client 1 signal off HUP || return 1
	assert_eq "stderr" "$(cat "$T/err")" "tend: off: the program has no running process" || return 1
	expect_client 1 signal nosuch HUP || return 1
	assert_eq "stderr" "$(cat "$T/err")" "tend: nosuch: no such program" || return 1
	expect_client 2 signal web || return 1
	assert_has "$T/err" "usage: tend signal NAME SIG" || return 1
	assert_log "web: SIGHUP sent on request"
}

t_client_stop_start() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:other]
command = $SIGREC $T/events other -
startsecs = 0.2
stopwaitsecs = 3
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "web: running" || return 1
	wait_log "other: running" || return 1
	expect_client 0 stop web || return 1
	wait_has "$T/events" "web TERM" || return 1
	wait_state web STOPPED || return 1
	assert_eq "web's pid when stopped" "$(status_field web 4)" - || return 1
	assert_eq "other's state" "$(status_field other 2)" RUNNING || return 1
	expect_client 0 health || return 1	# stopped on request: still ready
	expect_client 1 health web || return 1
	expect_client 0 stop web || return 1	# stopping a stopped program is fine
	expect_client 0 start web || return 1
	assert_eq "start's output" "$(cat "$T/out")" "web: start requested" || return 1
	wait_until 10 eval '[ -n "$(start_pid web 2)" ]' || { fail "web did not start again"; return 1; }
	wait_state web RUNNING || return 1
	assert_eq "web's pid" "$(status_field web 4)" "$(start_pid web 2)" || return 1
	expect_client 0 health web || return 1
	# during the shutdown (other ignores its TERM), requests get 409: exit 1
	sig TERM
	wait_has "$T/events" "other TERM" || return 1
	expect_client 1 start web || return 1
	assert_eq "stderr" "$(cat "$T/err")" "tend: web: tend is shutting down" || return 1
	expect_client 0 status || return 1
	case $(head -n1 "$T/out") in "status stopping, "*) ;; *) fail "header: $(head -n1 "$T/out")"; return 1 ;; esac
	expect_client 1 health || return 1
	assert_has "$T/out" "stopping" || return 1
	wait_exit || return 1
	assert_rc 0
}

# start of a FATAL program starts it again with a fresh set of retries
t_client_start_fatal() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:flaky]
command = sh -c "[ -e $T/fixed ] && exec $SIGREC $T/events flaky; exit 4"
startsecs = 0.3
startretries = 1
backoff = 0
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "flaky: " || return 1
	wait_state flaky FATAL || return 1
	assert_eq "flaky's last exit" "$(status_row flaky | awk '{ print $7, $8 }')" "code 4" || return 1
	expect_client 1 signal flaky HUP || return 1
	: >"$T/fixed"
	expect_client 0 start flaky || return 1
	wait_has "$T/events" "flaky start" || return 1
	wait_state flaky RUNNING || return 1
	assert_eq "flaky's pid" "$(status_field flaky 4)" "$(start_pid flaky)" || return 1
	# FATAL again, then started: the retries are fresh each time
	rm -f "$T/fixed"
	expect_client 0 restart flaky || return 1
	wait_state flaky FATAL || return 1
	: >"$T/fixed"
	expect_client 0 start flaky || return 1
	wait_state flaky RUNNING || return 1
	assert_alive
}

t_client_socket_discovery() {
	cat >"$T/tend.ini" <<EOF
[tend]
socket = $T/api.sock

[program:web]
command = $SIGREC $T/events web
startsecs = 0
EOF
	printf '[tend]\nsocket = %s/other.sock\nbogus = 1\n' "$T" >"$T/broken.ini"
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 test -S "$T/api.sock" || { fail "no socket $T/api.sock"; return 1; }
	# $TEND_SOCKET ($T/tend.sock) is served by nobody here
	expect_client 2 status || return 1
	assert_has "$T/err" "cannot reach tend at $T/tend.sock" || return 1
	expect_client 0 status -s "$T/api.sock" || return 1
	assert_has "$T/out" "web" || return 1
	expect_client 0 status --socket "$T/api.sock" || return 1
	expect_client 0 status -c "$T/tend.ini" || return 1	# -c before $TEND_SOCKET
	expect_client 0 health --config="$T/tend.ini" web || return 1
	expect_client 0 health web -c "$T/tend.ini" || return 1
	# -s before -c
	expect_client 2 status -c "$T/tend.ini" -s "$T/nope.sock" || return 1
	assert_has "$T/err" "cannot reach tend at $T/nope.sock" || return 1
	# a broken -c FILE is an error, with its diagnostics
	expect_client 2 status -c "$T/broken.ini" || return 1
	assert_has "$T/err" "tend: $T/broken.ini:3: [tend] unknown key \"bogus\"" || return 1
	expect_client 2 status -c "$T/missing.ini" || return 1
	assert_has "$T/err" "tend: $T/missing.ini: cannot read: No such file or directory" || return 1
	# $TEND_SOCKET
	TEND_SOCKET=$T/api.sock expect_client 0 health || return 1
	# $TEND_CONFIG's socket, when $TEND_SOCKET is not set
	TEND_CONFIG=$T/tend.ini expect_client 2 health || return 1	# $TEND_SOCKET comes first
	TEND_SOCKET= TEND_CONFIG=$T/tend.ini expect_client 0 health || return 1
	# a config without a socket key: ${TEND_SOCKET:-/run/tend/tend.sock}
	printf '[program:x]\ncommand = true\n' >"$T/nosocket.ini"
	TEND_SOCKET=$T/api.sock expect_client 0 status -c "$T/nosocket.ini" || return 1
	# the last resorts, seen in a mount namespace of their own: a broken
	# $TEND_CONFIG is reported and skipped; then /run/tend/tend.sock (here a
	# bind mount of the socket under test; /etc/tend/tend.ini hidden)
	cat >"$T/fallback.sh" <<EOF
mount -t tmpfs tmpfs /run || exit 90
if [ -e /etc/tend/tend.ini ]; then mount --bind /dev/null /etc/tend/tend.ini || exit 91; fi
mkdir -p /run/tend && : >/run/tend/tend.sock && mount --bind "$T/api.sock" /run/tend/tend.sock || exit 92
unset TEND_SOCKET TEND_CONFIG
"$TEND" health web >"$T/fb1.out" 2>"$T/fb1.log"; echo "default \$?" >"$T/fb.rc"
TEND_CONFIG=$T/broken.ini "$TEND" health web >"$T/fb2.out" 2>"$T/fb2.log"; echo "broken \$?" >>"$T/fb.rc"
TEND_CONFIG=$T/missing.ini "$TEND" health web >"$T/fb3.out" 2>"$T/fb3.log"; echo "missing \$?" >>"$T/fb.rc"
EOF
	unshare --mount --propagation private bash "$T/fallback.sh" || { fail "fallback.sh failed: $?"; return 1; }
	assert_eq "exit statuses" "$(tr '\n' ' ' <"$T/fb.rc")" "default 0 broken 0 missing 0 " || return 1
	assert_has "$T/fb2.log" \
		"tend: $T/broken.ini has errors (see \`tend check -c $T/broken.ini\`); not reading its socket" || return 1
	[ ! -s "$T/fb3.log" ] || { fail "stderr with an unreadable \$TEND_CONFIG: $(cat "$T/fb3.log")"; return 1; }
	assert_has "$T/fb1.out" "web: ok (RUNNING)"
}

t_client_usage() {
	expect_client 2 start || return 1
	assert_has "$T/err" "tend: start needs a program name" || return 1
	assert_has "$T/err" "usage: tend start NAME [-s SOCKET|-c FILE]" || return 1
	expect_client 2 stop a b || return 1
	assert_has "$T/err" "tend: stop: unexpected argument \"b\"" || return 1
	expect_client 2 status extra || return 1
	expect_client 2 health a b || return 1
	expect_client 2 status --bogus || return 1
	assert_has "$T/err" "tend: status: unknown option \"--bogus\"" || return 1
	expect_client 2 status -s || return 1
	assert_has "$T/err" "tend: -s needs a socket path" || return 1
	expect_client 2 status -c "" || return 1
	expect_client 0 restart --help || return 1
	assert_has "$T/out" "usage: tend restart NAME [-s SOCKET|-c FILE]" || return 1
	expect_client 0 --help || return 1
	assert_has "$T/out" "tend signal NAME SIG" || return 1
	# a socket path too long for a socket address
	expect_client 2 status -s "/$(printf 'x%.0s' {1..200})" || return 1
	assert_has "$T/err" "the path is longer than a socket address allows"
}

ALL_TESTS+=(
	client_status
	client_health
	client_restart
	client_signal
	client_stop_start
	client_start_fatal
	client_socket_discovery
	client_usage
)
