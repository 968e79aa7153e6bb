# Health checks, readiness and sd_notify (tend.ini(5) healthcheck*, notify,
# watchdog_sec, restart_on_unhealthy, depends_on; tend(8) on health and readiness)
# on the real binary, as PID 1 of a PID namespace. Sourced by run.sh: uses
# its helpers (start_ns, wait_until, fail, ...). The probes reach real
# loopback servers (build/helpers/miniserver: 200, 500 or silent on
# 127.0.0.1:PORT, PORT picked free below the ephemeral range); sd_notify is
# spoken by build/helpers/notifier. Intervals are short (0.2-0.3 s) and
# every wait polls a condition with a deadline.

MINISERVER=$HELPERS/miniserver
NOTIFIER=$HELPERS/notifier
for f in "$MINISERVER" "$NOTIFIER"; do
	if [ ! -x "$f" ]; then
		echo "suite_health.sh: $f is missing (\`make integration\` builds it)" >&2
		exit 2
	fi
done
if ! command -v curl >/dev/null 2>&1; then
	echo "suite_health.sh: curl is missing (\`make deps\` installs it)" >&2
	exit 2
fi

# ---- requests (h_ names: suite_http.sh has its own) ----

# h_get PATH: GET PATH on tend's unix socket. Sets HCODE (000: no answer);
# the body is in $T/hbody.
h_get() {
	: >"$T/hbody"
	HCODE=$(curl -s -g --max-time 5 -o "$T/hbody" -w '%{http_code}' --unix-socket "$TEND_SOCKET" \
		"http://tend$1" 2>/dev/null)
	[ -n "$HCODE" ] || HCODE=000
}
# h_is NAME TEXT...: /health/NAME answers, and its body has every TEXT.
h_is() {
	local name=$1 t
	shift
	h_get "/health/$name"
	[ "$HCODE" != 000 ] || return 1
	for t in "$@"; do has "$T/hbody" "$t" || return 1; done
}
# h_wait NAME SECS TEXT...: waits until h_is NAME TEXT...
h_wait() {
	local name=$1 secs=$2
	shift 2
	wait_until "$secs" h_is "$name" "$@" ||
		fail "/health/$name lacks $* after ${secs}s; last answer ($HCODE): $(head -c 400 "$T/hbody")"
}
# h_expect NAME CODE TEXT...: /health/NAME answers CODE with every TEXT, now.
h_expect() {
	local name=$1 code=$2 t
	shift 2
	h_get "/health/$name"
	[ "$HCODE" = "$code" ] || { fail "/health/$name: status $HCODE, expected $code; body: $(head -c 400 "$T/hbody")"; return 1; }
	for t in "$@"; do
		has "$T/hbody" "$t" || { fail "/health/$name lacks $t; body: $(head -c 400 "$T/hbody")"; return 1; }
	done
}
# h_field KEY: the value of "KEY": in $T/hbody (one program's JSON).
h_field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$T/hbody" | head -n1; }
# h_pid NAME: its pid (in the namespace) per /health/NAME.
h_pid() {
	h_get "/health/$1"
	h_field pid
}
# h_metric SERIES: the value of one /metrics series, e.g.
# 'tend_program_restarts_total{program="web"}'.
h_metric() {
	h_get /metrics
	awk -v s="$1" '$1 == s { print $2 }' "$T/hbody"
}
h_status_is() {
	h_get /health
	[ "$HCODE" = "$1" ]
}

# h_port: a TCP port nothing listens on, below the ephemeral range, and not
# one handed out before in this test.
H_PORTS=""
h_port() {
	local i p
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12000))
		case " $H_PORTS " in *" $p "*) continue ;; esac
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			H_PORTS="$H_PORTS $p"
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Lines of tend's log with TEXT before the first line with UNTIL.
count_before() {
	awk -v a="$2" -v b="$3" 'index($0, b) { exit } index($0, a) { n++ } END { print n + 0 }' "$1"
}

# The processes in tend's namespace other than tend (host pids), one
# "PID STATE CMDLINE" per line.
ns_processes() {
	local p
	for p in $(descendants "$TEND_PID"); do
		echo "$p $(proc_state "$p") $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
}

# Tests that start a server pick their ports first; H_PORTS is per test.
h_begin() { H_PORTS=""; }

# ======================================================================

# http 2xx and a tcp connect: healthy, hence ready, in /health, /metrics
# and `tend health`
t_health_http_tcp_healthy() {
	h_begin
	local p1 p2
	p1=$(h_port) && p2=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $MINISERVER 200 $p1
healthcheck = http://127.0.0.1:$p1/api/health
healthcheck_interval = 0.3
startsecs = 0.2

[program:db]
command = $MINISERVER 200 $p2
healthcheck = tcp://127.0.0.1:$p2
healthcheck_interval = 0.3
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 h_status_is 200 || { fail "/health never 200 (last $HCODE): $(cat "$T/hbody")"; return 1; }
	h_expect web 200 '"state":"RUNNING"' '"health":"healthy"' '"ready":true' || return 1
	h_expect db 200 '"state":"RUNNING"' '"health":"healthy"' '"ready":true' || return 1
	assert_log "tend: web: healthy" || return 1
	assert_log "tend: db: healthy" || return 1
	assert_no_log "unhealthy" || return 1
	assert_eq "tend_program_ready{web}" "$(h_metric 'tend_program_ready{program="web"}')" 1 || return 1
	assert_eq "tend_program_health{db,healthy}" \
		"$(h_metric 'tend_program_health{program="db",health="healthy"}')" 1 || return 1
	"$TEND" health web >/dev/null 2>&1 || { fail "tend health web did not exit 0"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# http 500: unhealthy after exactly healthcheck_retries failed probes; the
# program keeps running (no restart_on_unhealthy) and is not ready
t_health_http_500_unhealthy() {
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[tend]
log_level = debug

[program:web]
command = $MINISERVER 500 $p
healthcheck = http://127.0.0.1:$p/
healthcheck_interval = 0.2
healthcheck_retries = 3
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: web: unhealthy: answered 500 (3 failed checks in a row)" || return 1
	assert_eq "failed checks before unhealthy" \
		"$(count_before "$LOG" "web: health check failed: answered 500" "web: unhealthy")" 3 || return 1
	assert_no_log "tend: web: healthy" || return 1
	h_expect web 503 '"state":"RUNNING"' '"health":"unhealthy"' '"ready":false' || return 1
	h_get /health
	assert_eq "/health status" "$HCODE" 503 || return 1
	has "$T/hbody" '"status":"not_ready"' || { fail "/health is not not_ready: $(cat "$T/hbody")"; return 1; }
	assert_eq "web starts" "$(count_of "$LOG" "web: started")" 1 || return 1
	assert_eq "tend_program_health{web,unhealthy}" \
		"$(h_metric 'tend_program_health{program="web",health="unhealthy"}')" 1 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# a server that accepts and never answers: the probe times out; a closed
# port: refused. Both unhealthy after the retries.
t_health_silent_and_closed() {
	h_begin
	local p1 p2
	p1=$(h_port) && p2=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:silent]
command = $MINISERVER silent $p1
healthcheck = http://127.0.0.1:$p1/
healthcheck_interval = 0.2
healthcheck_timeout = 0.3
healthcheck_retries = 2
startsecs = 0.2

[program:closed]
command = $SIGREC $T/events closed
healthcheck = tcp://127.0.0.1:$p2
healthcheck_interval = 0.2
healthcheck_retries = 2
startsecs = 0.2

[program:closedhttp]
command = $SIGREC $T/events closedhttp
healthcheck = http://127.0.0.1:$p2/
healthcheck_interval = 0.2
healthcheck_retries = 2
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: silent: unhealthy: timed out (2 failed checks in a row)" || return 1
	wait_log "tend: closed: unhealthy: Connection refused (2 failed checks in a row)" || return 1
	wait_log "tend: closedhttp: unhealthy: Connection refused (2 failed checks in a row)" || return 1
	h_expect silent 503 '"state":"RUNNING"' '"health":"unhealthy"' || return 1
	h_expect closed 503 '"state":"RUNNING"' '"health":"unhealthy"' || return 1
	# connections of timed-out probes are closed: tend's fds do not pile up
	local fds1 fds2
	fds1=$(ls "/proc/$TEND_PID/fd" | wc -l)
	sleep 1.2	# 3 more timed-out probes of "silent"
	fds2=$(ls "/proc/$TEND_PID/fd" | wc -l)
	[ "$fds2" -le $((fds1 + 2)) ] || { fail "tend's fds grew from $fds1 to $fds2"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# exec probes: exit 0 healthy, exit 1 unhealthy, a missing command exits
# 127; the probe runs with the program's environment and directory
t_health_exec_probes() {
	cat >"$T/tend.ini" <<EOF
[program:ok]
command = $SIGREC $T/events ok
healthcheck = exec:sh -c 'test "\$PROBE_VAR" = yes && test "\$PWD" = $T && echo ran >>$T/probes'
environment = PROBE_VAR=yes
directory = $T
healthcheck_interval = 0.2
startsecs = 0.2

[program:bad]
command = $SIGREC $T/events bad
healthcheck = exec:sh -c "exit 1"
healthcheck_interval = 0.2
healthcheck_retries = 2
startsecs = 0.2
required = false

[program:missing]
command = $SIGREC $T/events missing
healthcheck = exec:$T/no-such-probe
healthcheck_interval = 0.2
healthcheck_retries = 1
startsecs = 0.2
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	h_wait ok 10 '"health":"healthy"' '"ready":true' || return 1
	assert_has "$T/probes" "ran" || return 1
	wait_log "tend: bad: unhealthy: exited with code 1 (2 failed checks in a row)" || return 1
	wait_log "tend: missing: unhealthy: exited with code 127 (1 failed checks in a row)" || return 1
	h_expect bad 503 '"health":"unhealthy"' '"ready":false' || return 1
	# required ones ready, the others not: tend is ready
	wait_until 5 h_status_is 200 || { fail "/health not 200: $(cat "$T/hbody")"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# failures during healthcheck_start_period do not count; after it they do;
# an unhealthy program that passes a probe again is healthy again
t_health_start_period_recovery() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_level = debug

[program:a]
command = $SIGREC $T/events a
healthcheck = exec:test -e $T/ok
healthcheck_interval = 0.2
healthcheck_retries = 1
healthcheck_start_period = 30
startsecs = 0.2

[program:b]
command = $SIGREC $T/events b
healthcheck = exec:test -e $T/ok
healthcheck_interval = 0.2
healthcheck_retries = 1
startsecs = 0.2

[program:c]
command = $SIGREC $T/events c
healthcheck = exec:test -e $T/never
healthcheck_interval = 0.2
healthcheck_retries = 1
healthcheck_start_period = 1
startsecs = 0.2
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: b: unhealthy: exited with code 1 (1 failed checks in a row)" || return 1
	wait_log "tend: c: unhealthy" || return 1
	# c's probes ran every 0.2 s: those in its first second did not count
	local n
	n=$(count_before "$LOG" "c: health check failed" "c: unhealthy")
	[ "$n" -ge 3 ] || { fail "c became unhealthy after $n failed checks, expected >= 3 (start period 1 s)"; return 1; }
	n=$(count_of "$LOG" "a: health check failed")
	[ "$n" -ge 3 ] || { fail "a: only $n failed checks logged"; return 1; }
	assert_no_log "a: unhealthy" || return 1
	h_expect a 503 '"state":"RUNNING"' '"health":"starting"' '"ready":false' || return 1
	h_expect b 503 '"state":"RUNNING"' '"health":"unhealthy"' || return 1
	touch "$T/ok"
	wait_log "tend: a: healthy" || return 1
	wait_log "tend: b: healthy" || return 1
	assert_before "$LOG" "tend: b: unhealthy" "tend: b: healthy" || return 1
	h_expect b 200 '"health":"healthy"' '"ready":true' || return 1
	h_expect a 200 '"health":"healthy"' '"ready":true' || return 1
	h_expect c 503 '"health":"unhealthy"' || return 1
	# nothing was restarted
	assert_eq "starts" "$(grep -c ' start ' "$T/events")" 3 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# restart_on_unhealthy: the program gets its stopsignal and a new process;
# the restart is counted in /health and /metrics
t_health_restart_on_unhealthy() {
	cat >"$T/tend.ini" <<EOF
[program:srv]
command = $SIGREC $T/events srv QUIT
stopsignal = QUIT
healthcheck = exec:test ! -e $T/sick
healthcheck_interval = 0.2
healthcheck_retries = 2
restart_on_unhealthy = true
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	h_wait srv 10 '"health":"healthy"' '"ready":true' '"restarts":0' || return 1
	local pid1 pid2
	pid1=$(h_field pid)
	touch "$T/sick"
	wait_has "$T/events" "srv QUIT" || return 1
	rm -f "$T/sick"
	wait_lines "$T/events" 3 || return 1
	h_wait srv 10 '"health":"healthy"' '"ready":true' '"restarts":1' || return 1
	pid2=$(h_field pid)
	[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] || { fail "pid did not change: $pid1 -> $pid2"; return 1; }
	assert_eq "events" "$(awk '{ print $2 }' "$T/events" | tr '\n' ' ')" "start QUIT start " || return 1
	assert_eq "second start's pid" "$(awk '$2 == "start" { p = $3 } END { print p }' "$T/events")" "$pid2" || return 1
	assert_log "tend: srv: unhealthy; restarting" || return 1
	assert_log "tend: srv: stopping with signal QUIT" || return 1
	assert_eq "tend_program_restarts_total{srv}" "$(h_metric 'tend_program_restarts_total{program="srv"}')" 1 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# past restart_limit, an unhealthy program is stopped and becomes FATAL
t_health_restart_limit_fatal() {
	cat >"$T/tend.ini" <<EOF
[tend]
exit_on_fatal = false

[program:srv]
command = $SIGREC $T/events srv
healthcheck = exec:false
healthcheck_interval = 0.2
healthcheck_retries = 1
restart_on_unhealthy = true
restart_limit = 2
restart_window = 60
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "srv: stopped (exited with code 0); unhealthy past restart_limit (FATAL)" || return 1
	assert_eq "restarting lines" "$(count_of "$LOG" "srv: unhealthy; restarting")" 2 || return 1
	assert_log "srv: unhealthy; restart limit reached (2 in 60s), stopping it" || return 1
	h_expect srv 503 '"state":"FATAL"' '"restarts":2' '"pid":null' || return 1
	assert_eq "tend_program_restarts_total{srv}" "$(h_metric 'tend_program_restarts_total{program="srv"}')" 2 || return 1
	assert_eq "tend_program_state{srv,FATAL}" "$(h_metric 'tend_program_state{program="srv",state="FATAL"}')" 1 || return 1
	sleep 0.6	# no probe, no restart any more
	assert_eq "events" "$(awk '{ print $2 }' "$T/events" | tr '\n' ' ')" "start TERM start TERM start TERM " || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# an exec probe that hangs (with a child of its own) is killed at its
# timeout and reaped: nothing of it is left in the namespace
t_health_exec_hang_reaped() {
	cat >"$T/tend.ini" <<EOF
[program:app]
command = $SIGREC $T/events app
healthcheck = exec:sh -c "echo probe >>$T/probes; sleep 100 & exec sleep 101"
healthcheck_interval = 5
healthcheck_timeout = 0.3
healthcheck_retries = 1
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: app: unhealthy: timed out (1 failed checks in a row)" || return 1
	assert_lines "$T/probes" 1 || return 1
	# the next probe is 5 s away: only the program is left, and no zombie
	local app
	only_program_left() { [ "$(ns_processes | wc -l)" = 1 ] && ns_processes | grep -q "sigrec"; }
	wait_until 2 only_program_left || { fail "left in the namespace: $(ns_processes | tr '\n' ';')"; return 1; }
	app=$(ns_processes | awk '{ print $1 }')
	if ns_processes | awk '$2 == "Z"' | grep -q .; then
		fail "zombies: $(ns_processes | awk '$2 == "Z"')"
		return 1
	fi
	# the probe's own child came to tend as an orphan and was reaped
	local orphans
	orphans=$(h_metric tend_orphans_reaped_total)
	[ "${orphans:-0}" -ge 1 ] || { fail "tend_orphans_reaped_total is ${orphans:-none}"; return 1; }
	alive "$app" || { fail "the program died"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# probe commands that flood their output: it goes nowhere (not to tend's
# log), a flood that ends is a success, one that does not times out
t_health_exec_flood() {
	cat >"$T/tend.ini" <<EOF
[program:endless]
command = $SIGREC $T/events endless
healthcheck = exec:yes flood-line
healthcheck_interval = 0.2
healthcheck_timeout = 0.3
healthcheck_retries = 1
startsecs = 0.2
required = false

[program:burst]
command = $SIGREC $T/events burst
healthcheck = exec:sh -c "yes flood-line | head -c 20000000; yes flood-line | head -c 5000000 >&2"
healthcheck_interval = 0.2
healthcheck_timeout = 5
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: endless: unhealthy: timed out" || return 1
	h_wait burst 10 '"health":"healthy"' '"ready":true' || return 1
	sleep 0.5	# a few more rounds of both
	h_get /livez
	assert_eq "/livez" "$HCODE" 200 || return 1
	assert_no_log "flood-line" || return 1
	assert_lacks "$T/stdout" "flood-line" || return 1
	local size
	size=$(($(wc -c <"$LOG") + $(wc -c <"$T/stdout")))
	[ "$size" -lt 20000 ] || { fail "tend wrote $size bytes of log"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# depends_on waits until the dependency's probe passes: the dependency's
# server listens only after 1.5 s, and the dependent starts after that
t_health_depends_on_probe() {
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:backend]
command = $MINISERVER 200 $p --delay 1.5 --record $T/backend
healthcheck = http://127.0.0.1:$p/api/health
healthcheck_interval = 0.2
healthcheck_start_period = 10
startsecs = 0.2

[program:web]
command = $NOTIFIER --record $T/web
depends_on = backend
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	h_wait web 5 '"state":"STOPPED"' '"waiting_for":["backend"]' || return 1
	h_expect backend 503 '"health":"starting"' || return 1
	wait_log "tend: web: started" || return 1
	assert_before "$LOG" "tend: backend: healthy" "tend: web: started" || return 1
	wait_has "$T/web" "time_us=" || return 1
	local started listening web
	started=$(sed -n 's/^start .* time_us=//p' "$T/backend")
	listening=$(sed -n 's/^listening .* time_us=//p' "$T/backend")
	web=$(kv "$T/web" time_us)
	[ -n "$listening" ] && [ -n "$web" ] || { fail "times not recorded"; return 1; }
	[ "$web" -gt "$listening" ] || { fail "web started at $web, before backend listened at $listening"; return 1; }
	[ $((web - started)) -ge 1500000 ] || { fail "web started $((web - started)) us after backend"; return 1; }
	h_wait web 5 '"state":"RUNNING"' '"waiting_for":[]' || return 1
	wait_until 5 h_status_is 200 || { fail "/health not 200: $(cat "$T/hbody")"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# a dependency that is FATAL leaves its dependent unstarted, in the log and
# in /health's waiting_for
t_health_depends_on_fatal() {
	cat >"$T/tend.ini" <<EOF
[program:backend]
command = sh -c "exit 3"
startsecs = 0.5
startretries = 0
required = false

[program:web]
command = $SIGREC $T/events web
depends_on = backend
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: web: not started: its dependency backend is FATAL" || return 1
	h_expect web 503 '"state":"STOPPED"' '"waiting_for":["backend"]' '"pid":null' || return 1
	h_expect backend 503 '"state":"FATAL"' || return 1
	h_get /health
	assert_eq "/health" "$HCODE" 503 || return 1
	has "$T/hbody" '"waiting_for":["backend"]' || { fail "/health lacks waiting_for: $(cat "$T/hbody")"; return 1; }
	sleep 0.3
	assert_no_log "web: started" || return 1
	[ ! -e "$T/events" ] || { fail "web was started"; return 1; }
	assert_eq "blocked lines" "$(count_of "$LOG" "not started: its dependency")" 1 || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# notify: ready only after READY=1; a dependent waits for it; one that never
# sends it is never ready (/health 503); STATUS= shows in /health/NAME
t_health_notify_ready() {
	cat >"$T/tend.ini" <<EOF
[program:svc]
command = $NOTIFIER --ready-after 1.5 --status "warming up" --record $T/svc
notify = true
startsecs = 0.2

[program:web]
command = $SIGREC $T/events web
depends_on = svc
startsecs = 0.2

[program:never]
command = $NOTIFIER --status "still booting" --record $T/never
notify = true
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/svc" "pid=" || return 1
	assert_eq "NOTIFY_SOCKET" "$(kv "$T/svc" NOTIFY_SOCKET)" "$T/notify/svc.sock" || return 1
	assert_eq "WATCHDOG_USEC" "$(kv "$T/svc" WATCHDOG_USEC)" "" || return 1
	[ -S "$T/notify/svc.sock" ] || { fail "$T/notify/svc.sock is not a socket"; return 1; }
	# RUNNING, its status shown, but not ready before READY=1
	h_wait svc 2 '"state":"RUNNING"' '"status_text":"warming up"' '"ready":false' || return 1
	[ "$HCODE" = 503 ] || { fail "/health/svc answered $HCODE before READY=1"; return 1; }
	assert_no_log "svc: READY=1 received" || return 1
	assert_no_log "web: started" || return 1
	wait_log "tend: svc: READY=1 received" || return 1
	wait_log "tend: web: started" || return 1
	assert_before "$LOG" "svc: READY=1 received" "web: started" || return 1
	h_expect svc 200 '"ready":true' '"status_text":"warming up"' || return 1
	# never: running, with its status, never ready; so tend is not ready
	h_wait web 5 '"state":"RUNNING"' '"ready":true' || return 1
	sleep 0.5
	h_expect never 503 '"state":"RUNNING"' '"ready":false' '"status_text":"still booting"' || return 1
	h_get /health
	assert_eq "/health" "$HCODE" 503 || return 1
	"$TEND" health >/dev/null 2>&1
	assert_eq "tend health" "$?" 1 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	[ ! -e "$T/notify/svc.sock" ] || fail "the notify socket is still there after tend exited"
}

# READY=1 from a child in the program's process group counts; from a
# process that left it (setsid) it does not
t_health_notify_child_escaped() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_level = debug

[program:kid]
command = $NOTIFIER --ready-after 0.3 --from-child --record $T/kid
notify = true
startsecs = 0.2

[program:escaped]
command = $NOTIFIER --ready-after 0.3 --from-escaped --record $T/escaped
notify = true
startsecs = 0.2
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: kid: READY=1 received" || return 1
	local kpid cpid
	kpid=$(kv "$T/kid" pid)
	cpid=$(sed -n 's/^child //p' "$T/kid")
	[ -n "$cpid" ] && [ "$cpid" != "$kpid" ] || { fail "kid's child did not send (pid $kpid, child $cpid)"; return 1; }
	h_expect kid 200 '"ready":true' || return 1
	wait_has "$T/escaped" "escaped " || return 1
	local epid
	epid=$(sed -n 's/^escaped //p' "$T/escaped")
	wait_log "tend: escaped: ignored a notify datagram from pid $epid, not one of the program's processes" || return 1
	sleep 0.3
	assert_no_log "escaped: READY=1 received" || return 1
	h_expect escaped 503 '"state":"RUNNING"' '"ready":false' || return 1
	wait_until 5 h_status_is 200 || { fail "/health not 200: $(cat "$T/hbody")"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# watchdog_sec: WATCHDOG_USEC and WATCHDOG_PID are set; pings make a program
# without a healthcheck healthy; when they stop it is unhealthy, and with
# restart_on_unhealthy restarted (within restart_limit, then FATAL)
t_health_watchdog() {
	cat >"$T/tend.ini" <<EOF
[tend]
exit_on_fatal = false

[program:dog]
command = $NOTIFIER --ready-after 0 --ping-every 0.2 --ping-count 6 --record $T/dog
notify = true
watchdog_sec = 0.6
startsecs = 0.2

[program:dog2]
command = $NOTIFIER --ready-after 0 --ping-every 0.2 --ping-count 4 --record $T/dog2
notify = true
watchdog_sec = 0.5
restart_on_unhealthy = true
restart_limit = 1
startsecs = 0.2
required = false

[program:dog3]
command = $NOTIFIER --ready-after 0 --ping-every 0.2 --ping-count 3 --record $T/dog3
notify = true
watchdog_sec = 0.5
healthcheck = exec:true
healthcheck_interval = 0.2
startsecs = 0.2
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/dog" "pid=" || return 1
	assert_eq "WATCHDOG_USEC" "$(kv "$T/dog" WATCHDOG_USEC)" 600000 || return 1
	assert_eq "WATCHDOG_PID" "$(kv "$T/dog" WATCHDOG_PID)" "$(kv "$T/dog" pid)" || return 1
	assert_eq "NOTIFY_SOCKET" "$(kv "$T/dog" NOTIFY_SOCKET)" "$T/notify/dog.sock" || return 1
	h_wait dog 5 '"health":"healthy"' '"ready":true' || return 1
	local pid
	pid=$(h_field pid)
	wait_log "tend: dog: unhealthy: no WATCHDOG=1 for 0.6s" || return 1
	h_expect dog 503 '"state":"RUNNING"' '"health":"unhealthy"' '"ready":false' "\"pid\":$pid" || return 1
	assert_eq "dog starts" "$(grep -c '^start ' "$T/dog")" 1 || return 1
	# dog2: restarted once (TERM, new process), then stopped for good: FATAL
	wait_log "dog2: stopped (exited with code 0); unhealthy past restart_limit (FATAL)" || return 1
	assert_eq "dog2's life" "$(grep -E '^(start|signal)' "$T/dog2" | awk '{ print $1 $2 }' | sed 's/start[0-9]*/start/' | tr '\n' ' ')" \
		"start signalTERM start signalTERM " || return 1
	assert_log "tend: dog2: unhealthy; restarting" || return 1
	h_expect dog2 503 '"state":"FATAL"' '"restarts":1' || return 1
	assert_no_log "has no effect" || return 1
	# dog3 has a probe that passes too: the missed watchdog still stands
	wait_log "tend: dog3: unhealthy: no WATCHDOG=1 for 0.5s" || return 1
	sleep 0.8	# 4 passing probes
	h_expect dog3 503 '"state":"RUNNING"' '"health":"unhealthy"' '"ready":false' || return 1
	assert_eq "dog3 healthy lines" "$(count_of "$LOG" "tend: dog3: healthy")" 1 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# while a probe hangs on a silent server (healthcheck_timeout 10 s), the API
# answers at once
t_health_api_while_probe_hangs() {
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:app]
command = $MINISERVER silent $p
healthcheck = http://127.0.0.1:$p/
healthcheck_interval = 0.2
healthcheck_timeout = 10
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	probe_connected() { [ -n "$(ss -Htn state established "dport = :$p" 2>/dev/null)" ]; }
	wait_until 5 probe_connected || { fail "no probe connection to port $p"; return 1; }
	local i path code
	for i in 1 2 3 4 5; do
		for path in /health /health/app /metrics /livez; do
			code=$(curl -s --max-time 1 -o "$T/hbody" -w '%{http_code}' --unix-socket "$TEND_SOCKET" "http://tend$path")
			# shellcheck disable=SC2181
			[ $? = 0 ] || { fail "GET $path did not answer within 1 s while the probe hangs"; return 1; }
			case $path in
			/health | /health/app) assert_eq "GET $path" "$code" 503 || return 1 ;;
			*) assert_eq "GET $path" "$code" 200 || return 1 ;;
			esac
		done
		sleep 0.1
	done
	h_expect app 503 '"health":"starting"' || return 1
	probe_connected || { fail "the probe is no longer waiting"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# between two probes tend makes no system call at all (strace on tend for
# 1.5 s of a 3 s interval: only the epoll_wait it was in)
t_health_idle_between_probes() {
	if ! command -v strace >/dev/null 2>&1; then
		echo "  (skipped: no strace)"
		return 0
	fi
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:app]
command = $MINISERVER 200 $p
healthcheck = tcp://127.0.0.1:$p
healthcheck_interval = 3
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: app: healthy" || return 1	# the first probe, at 1 s; the next at 4 s
	timeout -s INT 1.5 strace -p "$TEND_PID" -o "$T/strace.out" 2>"$T/strace.err"
	if grep -q "attach: ptrace" "$T/strace.err"; then
		echo "  (skipped: strace cannot attach here: $(head -n1 "$T/strace.err"))"
		sig TERM
		wait_exit
		return 0
	fi
	[ -s "$T/strace.out" ] || { fail "strace wrote nothing: $(cat "$T/strace.err")"; return 1; }
	if grep -v '<detached \.\.\.>' "$T/strace.out" | grep -q .; then
		fail "tend made system calls while idle: $(head -n 5 "$T/strace.out" | tr '\n' ';')"
		return 1
	fi
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

ALL_TESTS+=(
	health_http_tcp_healthy
	health_http_500_unhealthy
	health_silent_and_closed
	health_exec_probes
	health_start_period_recovery
	health_restart_on_unhealthy
	health_restart_limit_fatal
	health_exec_hang_reaped
	health_exec_flood
	health_depends_on_probe
	health_depends_on_fatal
	health_notify_ready
	health_notify_child_escaped
	health_watchdog
	health_api_while_probe_hangs
	health_idle_between_probes
)
