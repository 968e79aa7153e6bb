# Sockets held by tend and the drain before a stop (tend.ini(5) listen,
# listen_backlog, [tend] drain; tend(8) SIGNALS) on the real binary, as PID 1 of a PID
# namespace. Sourced by run.sh: uses its helpers, and suite_health.sh's
# h_get and h_port (tend's API on its unix socket, free loopback ports).
# The program is build/helpers/sockets: it writes what it got (LISTEN_*
# variables, its fds, what each socket is) to a report file, answers each
# connection on fd 3 with its pid and uid, and records when SIGTERM came.

SOCKETS=$HELPERS/sockets
if [ ! -x "$SOCKETS" ]; then
	echo "suite_listen.sh: $SOCKETS is missing (\`make integration\` builds it)" >&2
	exit 2
fi

# l_block FILE PID: the report block of process PID (pid=PID up to end=PID).
l_block() { awk -v p="$2" '$0 == "pid=" p { on = 1 } on { print } $0 == "end=" p { exit }' "$1"; }
# l_first_pid FILE: the pid of the first complete report in FILE.
l_first_pid() { sed -n 's/^end=//p' "$1" 2>/dev/null | head -n1; }
l_reported() { [ -n "$(l_first_pid "$1")" ]; }
# l_ask PORT: one connection to 127.0.0.1:PORT; prints the answer line.
l_ask() {
	local line=""
	{ exec 5<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	read -r -t 5 line <&5
	exec 5<&-
	[ -n "$line" ] && echo "$line"
}
l_answers() { l_ask "$1" >/dev/null 2>&1; }
# l_block_has FILE PID LINE...: the block of PID has every LINE.
l_block_has() {
	local file=$1 pid=$2 t block
	shift 2
	block=$(l_block "$file" "$pid")
	for t in "$@"; do
		grep -qxF -- "$t" <<<"$block" ||
			{ fail "process $pid's report lacks \"$t\": $(tr '\n' '|' <<<"$block")"; return 1; }
	done
}
# l_cloexec FDINFO: fdinfo's flags (octal) have O_CLOEXEC (02000000).
l_cloexec() { awk '/^flags:/ { exit !(substr($2, length($2) - 6, 1) ~ /[2367]/) }' "$1"; }

# A program with listen gets its sockets as fds 3, 4 (in the order written,
# blocking, not close-on-exec, listening) with LISTEN_FDS, its own pid in
# LISTEN_PID and the names in LISTEN_FDNAMES, and no other fd; a program
# without listen and the exec probe of the first get none of it, even with
# LISTEN_* in tend's own environment; tend's own copies are close-on-exec.
t_listen_fds_and_names() {
	h_begin
	local p pid other
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[tend]
log_prefix = true

[program:web]
command = $SOCKETS $T/web.report
listen = tcp://127.0.0.1:$p, admin=unix:$T/admin.sock
healthcheck = exec:$SOCKETS $T/probe.report --once
healthcheck_interval = 0.2

[program:plain]
command = $SOCKETS $T/plain.report
EOF
	LISTEN_FDS=5 LISTEN_PID=1 LISTEN_FDNAMES=a:b:c:d:e start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_reported "$T/web.report" || { fail "web wrote no report"; return 1; }
	wait_until 10 l_reported "$T/plain.report" || { fail "plain wrote no report"; return 1; }
	wait_until 10 l_reported "$T/probe.report" || { fail "the exec probe wrote no report"; return 1; }
	pid=$(l_first_pid "$T/web.report")
	l_block_has "$T/web.report" "$pid" "LISTEN_FDS=2" "LISTEN_PID=$pid" "LISTEN_FDNAMES=web:admin" "fds=0 1 2 3 4" \
		"fd3=tcp 127.0.0.1:$p listening=1 cloexec=0 nonblock=0" \
		"fd4=unix $T/admin.sock listening=1 cloexec=0 nonblock=0" || return 1
	for other in plain probe; do
		pid=$(l_first_pid "$T/$other.report")
		l_block_has "$T/$other.report" "$pid" "LISTEN_FDS=(unset)" "LISTEN_PID=(unset)" \
			"LISTEN_FDNAMES=(unset)" "fds=0 1 2" || return 1
	done
	# it answers on the socket tend made
	pid=$(l_first_pid "$T/web.report")
	[ "$(l_ask "$p")" = "pid=$pid uid=0" ] || { fail "no answer from web on port $p"; return 1; }
	# tend holds both, close-on-exec
	local inodes fd link held=0
	inodes="$(awk -v path="$T/admin.sock" '$8 == path { print $7 }' /proc/net/unix)"
	inodes="$inodes $(awk -v port="$(printf '%04X' "$p")" '$2 == "0100007F:" port && $4 == "0A" { print $10 }' /proc/net/tcp)"
	for fd in /proc/"$TEND_PID"/fd/*; do
		link=$(readlink "$fd") || continue
		case $link in socket:*) ;; *) continue ;; esac
		link=${link//[^0-9]/}
		case " $inodes " in *" $link "*) ;; *) continue ;; esac
		held=$((held + 1))
		l_cloexec "/proc/$TEND_PID/fdinfo/${fd##*/}" || { fail "tend's fd ${fd##*/} is not close-on-exec"; return 1; }
	done
	[ "$held" = 2 ] || { fail "tend holds $held of the two sockets (inodes: $inodes)"; return 1; }
}

# Eight sockets: fds 3 … 10 overlap the numbers of tend's own copies, so
# each must still land at 3 + its place in the list (log_prefix: the output
# pipes are among tend's fds too).
t_listen_many_fds_in_order() {
	local i list="" want=() pid
	# one per line: an indented line continues the value
	for i in 1 2 3 4 5 6 7 8; do list="$list${list:+,
 }s$i=unix:$T/s$i.sock"; done
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SOCKETS $T/web.report
listen = $list
log_prefix = true
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_reported "$T/web.report" || { fail "web wrote no report"; return 1; }
	pid=$(l_first_pid "$T/web.report")
	for i in 1 2 3 4 5 6 7 8; do
		want+=("fd$((i + 2))=unix $T/s$i.sock listening=1 cloexec=0 nonblock=0")
	done
	l_block_has "$T/web.report" "$pid" "LISTEN_FDS=8" "LISTEN_FDNAMES=s1:s2:s3:s4:s5:s6:s7:s8" \
		"fds=0 1 2 3 4 5 6 7 8 9 10" "${want[@]}"
}

# A connection made while the program is stopped waits in the backlog and
# is answered by its next process.
t_listen_connection_waits_for_restart() {
	h_begin
	local p pid1 pid2 client
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SOCKETS $T/web.report
listen = tcp://127.0.0.1:$p
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_answers "$p" || { fail "web never answered on $p"; return 1; }
	pid1=$(l_first_pid "$T/web.report")
	"$TEND" stop web >/dev/null || { fail "tend stop web failed"; return 1; }
	wait_log "web: stopped" || return 1
	# connect now, while no process of web runs
	(
		exec 5<>"/dev/tcp/127.0.0.1/$p" || exit 1
		echo connected >"$T/client"
		read -r -t 20 line <&5
		echo "$line" >>"$T/client"
	) &
	client=$!
	OWNED+=("$client:$$")
	wait_has "$T/client" connected 10 || return 1
	assert_lines "$T/client" 1 || return 1	# no answer yet: nobody accepts
	"$TEND" start web >/dev/null || { fail "tend start web failed"; return 1; }
	wait_lines "$T/client" 2 10 || { fail "the waiting connection got no answer"; return 1; }
	pid2=$(sed -n 2p "$T/client")
	pid2=${pid2#pid=}
	pid2=${pid2%% *}
	[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] || { fail "answered by \"$pid2\", not a new process (first $pid1)"; return 1; }
}

# A port below 1024 for a program that runs as nobody: tend binds it.
t_listen_low_port_as_nobody() {
	local p
	for p in $(seq 900 1000); do [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] && break; done
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SOCKETS $T/web.report
listen = tcp://127.0.0.1:$p
user = nobody
EOF
	touch "$T/web.report"
	chmod 666 "$T/web.report"
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_answers "$p" || { fail "web never answered on port $p"; return 1; }
	case $(l_ask "$p") in
	"pid="*" uid=65534") ;;
	*) fail "the answer is not from uid 65534: $(l_ask "$p")"; return 1 ;;
	esac
}

# A socket that cannot be bound: its file, line, address and the OS error,
# exit 2, nothing started (a first tend holds the port).
t_listen_bind_failure() {
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	cat >"$T/first.ini" <<EOF
[tend]
socket = $T/first.sock
[program:holder]
command = $SOCKETS $T/holder.report
listen = tcp://127.0.0.1:$p
EOF
	cat >"$T/tend.ini" <<EOF
[program:fine]
command = sh -c "echo ran >$T/ran"
startsecs = 0
[program:web]
command = $SOCKETS $T/web.report
listen = unix:$T/web.sock, tcp://127.0.0.1:$p
EOF
	local log=$LOG
	LOG=$T/first.log
	start_ns -c "$T/first.ini" || return 1
	LOG=$log
	wait_until 10 l_answers "$p" || { fail "the first tend's program never answered"; return 1; }
	run_ns_to_exit 10 -c "$T/tend.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/tend.ini:6: [program:web] listen tcp://127.0.0.1:$p: Address already in use" || return 1
	[ ! -e "$T/ran" ] || { fail "a program was started"; return 1; }
	[ ! -e "$T/web.report" ] || { fail "web was started"; return 1; }
	assert_no_log "started with pid"
}

# A socket that cannot be made, of a program in an included file: the
# error names that file and the line there, exit 2, nothing started.
t_listen_bind_failure_included() {
	echo data >"$T/plain"
	mkdir -p "$T/conf.d"
	printf '[program:fine]\ncommand = sh -c "echo ran >%s"\nstartsecs = 0\n[include]\nfiles = conf.d/*.conf\n' \
		"$T/ran" >"$T/m.ini"
	printf '; a comment\n[program:l]\ncommand = %s %s\nlisten = unix:%s\n' "$SOCKETS" "$T/l.report" "$T/plain" \
		>"$T/conf.d/l.conf"
	run_ns_to_exit 10 -c "$T/m.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/conf.d/l.conf:4: [program:l] listen unix:$T/plain: a file that is not a socket is there" ||
		return 1
	[ ! -e "$T/ran" ] && [ ! -e "$T/l.report" ] || fail "a program of a refused config started"
}

# A unix socket path: a stale socket file (nobody listens) is replaced; a
# live one (a first tend's) is in use; a file that is not a socket is left
# alone. The last two are errors: exit 2, nothing started.
t_listen_unix_paths() {
	python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$T/stale.sock')" ||
		{ fail "cannot make a stale socket file"; return 1; }
	printf '[program:web]\ncommand = %s %s\nlisten = unix:%s\n' "$SOCKETS" "$T/web.report" "$T/stale.sock" >"$T/tend.ini"
	local log=$LOG
	LOG=$T/first.log
	start_ns -c "$T/tend.ini" || return 1
	LOG=$log
	wait_until 10 l_reported "$T/web.report" || { fail "web did not start over a stale socket file"; return 1; }
	l_block_has "$T/web.report" "$(l_first_pid "$T/web.report")" "fd3=unix $T/stale.sock listening=1 cloexec=0 nonblock=0" ||
		return 1
	# the same path again, while the first tend listens on it
	printf '[tend]\nsocket = %s\n[program:web]\ncommand = %s %s\nlisten = unix:%s\n' "$T/second.sock" "$SOCKETS" \
		"$T/second.report" "$T/stale.sock" >"$T/second.ini"
	run_ns_to_exit 10 -c "$T/second.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/second.ini:5: [program:web] listen unix:$T/stale.sock: Address already in use" || return 1
	[ -S "$T/stale.sock" ] || { fail "the live socket file was removed"; return 1; }
	# a plain file
	echo data >"$T/plain"
	printf '[program:web]\ncommand = %s %s\nlisten = unix:%s\n' "$SOCKETS" "$T/third.report" "$T/plain" >"$T/third.ini"
	LOG=$T/third.log
	run_ns_to_exit 10 -c "$T/third.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/third.ini:3: [program:web] listen unix:$T/plain: a file that is not a socket is there" || return 1
	[ "$(cat "$T/plain")" = data ] || { fail "the plain file was touched"; return 1; }
	[ ! -e "$T/second.report" ] && [ ! -e "$T/third.report" ] || fail "a program of a refused config started"
}

# Real nginx with the demo's proxy settings (examples/demo/nginx.conf, its
# ports changed) in front of a backend whose socket tend holds: the backend
# dies with a GET taken and unanswered; nginx sends the GET again, the
# connection waits in the backlog until tend has restarted the backend, and
# the client gets the new process's 200.
t_listen_nginx_retries_a_crash() {
	h_begin
	local pb pn before after
	command -v nginx >/dev/null || { fail "nginx is missing (\`make deps\` installs nginx-light)"; return 1; }
	pb=$(h_port) && pn=$(h_port) || { fail "no free port"; return 1; }
	mkdir -p "$T/html" "$T/tmp"
	sed -e "s/127\.0\.0\.1:3000/127.0.0.1:$pb/g" -e "s/127\.0\.0\.1:8080/127.0.0.1:$pn/g" \
		"$ROOT/examples/demo/nginx.conf" >"$T/nginx.conf"
	grep -q "proxy_next_upstream error" "$T/nginx.conf" || { fail "the demo's nginx.conf does not retry"; return 1; }
	cat >"$T/tend.ini" <<EOF
[program:backend]
command = $SOCKETS $T/backend.report --http $T/crash
listen = tcp://127.0.0.1:$pb
startsecs = 0

[program:nginx]
command = nginx -p $T/ -c $T/nginx.conf -g "daemon off;"
depends_on = backend
stopsignal = QUIT
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 eval 'before=$(curl -sf --max-time 5 "http://127.0.0.1:$pn/api/x")' ||
		{ fail "no answer through nginx"; return 1; }
	touch "$T/crash"
	after=$(curl -s --max-time 10 -w ' %{http_code}' "http://127.0.0.1:$pn/api/x")
	before=${before%% *}
	has "$T/backend.report" "crash ${before#pid=}" ||
		{ fail "the backend did not die with the request (report: $(tr '\n' '|' <"$T/backend.report"))"; return 1; }
	case $after in
	"pid="*" 200") ;;
	*) fail "the client saw \"$after\" when the backend died with its GET"; return 1 ;;
	esac
	[ "${after%% *}" != "${before%% *}" ] || { fail "answered by the process that died: $after"; return 1; }
	assert_log "backend: exited with code 1"
}

# l_term_us FILE: when the first process of the report got SIGTERM (us).
l_term_us() { sed -n 's/^term [0-9]* time_us=//p' "$1" | head -n1; }
l_termed() { [ -n "$(l_term_us "$1")" ]; }
# l_health_is PATH CODE TEXT: PATH answers CODE with TEXT in its body.
l_health_is() { h_get "$1" && [ "$HCODE" = "$2" ] && has "$T/hbody" "$3"; }
l_restarted() { [ "$(grep -c '^end=' "$1" 2>/dev/null)" -ge 2 ]; }
# l_drain_config PORT DRAIN TIMEOUT: web (listen on PORT) and other
l_drain_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
drain = $2
shutdown_timeout = $3

[program:web]
command = $SOCKETS $T/web.report
listen = tcp://127.0.0.1:$1
startsecs = 0.2

[program:other]
command = $SOCKETS $T/other.report
startsecs = 0.2
EOF
}

# TERM with drain: from the TERM on /readyz and /health answer 503
# "stopping" and /livez 200 while the programs still serve; they get their
# stop signal only after drain seconds; then tend exits 0.
t_drain_then_stop() {
	h_begin
	local p t0 answered term
	p=$(h_port) || { fail "no free port"; return 1; }
	l_drain_config "$p" 3 8
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_health_is /readyz 200 '"status":"ready"' || { fail "never ready: $(cat "$T/hbody")"; return 1; }
	t0=$(now_us)
	sig TERM
	wait_until 5 l_health_is /readyz 503 '"status":"stopping"' ||
		{ fail "/readyz not 503 stopping: $HCODE $(cat "$T/hbody")"; return 1; }
	l_health_is /health 503 '"status":"stopping"' || { fail "/health not 503 stopping: $HCODE $(cat "$T/hbody")"; return 1; }
	l_health_is /livez 200 alive || { fail "/livez not 200: $HCODE"; return 1; }
	h_expect web 200 '"state":"RUNNING"' || return 1
	l_answers "$p" || { fail "web did not answer during the drain"; return 1; }
	answered=$(now_us)
	assert_log "draining for 3s" || return 1
	wait_exit 15 || return 1
	assert_rc 0 || return 1
	term=$(l_term_us "$T/web.report")
	[ -n "$term" ] || { fail "web got no SIGTERM"; return 1; }
	[ "$term" -ge "$answered" ] || { fail "web was stopped before it answered during the drain"; return 1; }
	[ $((term - t0)) -ge 3000000 ] ||
		{ fail "web got SIGTERM $((term - t0))us after tend's TERM, within the drain"; return 1; }
	l_termed "$T/other.report" || { fail "other got no SIGTERM"; return 1; }
	assert_before "$LOG" "drain over (3s); stopping the programs" "web: stopping with signal TERM"
}

# During a long drain programs are supervised as usual (one killed is
# restarted, a control request is taken); a second TERM, or a QUIT, ends
# the drain at once and the ordered stop begins (SIGTERM, not SIGKILL).
t_drain_second_signal_ends_it() {
	h_begin
	local p s pid1
	for s in TERM QUIT; do
		p=$(h_port) || { fail "no free port"; return 1; }
		rm -f "$T/web.report" "$T/other.report"
		l_drain_config "$p" 60 70
		LOG=$T/tend-$s.log
		start_ns -c "$T/tend.ini" || return 1
		wait_until 10 l_health_is /readyz 200 '"status":"ready"' || { fail "never ready"; return 1; }
		sig TERM
		wait_until 5 l_health_is /readyz 503 '"status":"stopping"' || { fail "/readyz not 503 stopping"; return 1; }
		pid1=$(l_first_pid "$T/web.report")
		"$TEND" signal web KILL >/dev/null || { fail "tend signal web KILL refused during the drain"; return 1; }
		wait_until 10 l_restarted "$T/web.report" || { fail "web not restarted during the drain"; return 1; }
		wait_until 10 l_answers "$p" || { fail "the restarted web does not answer"; return 1; }
		sig "$s"
		wait_until 10 l_termed "$T/web.report" || { fail "second signal $s: web got no SIGTERM within 10s"; return 1; }
		wait_exit 10 || return 1
		assert_rc 0 || return 1
		assert_log "drain ended by SIG$s; stopping the programs" || return 1
		assert_no_log "sending SIGKILL" || return 1
		[ "$(sed -n 's/^term \([0-9]*\) .*/\1/p' "$T/web.report")" != "$pid1" ] ||
			{ fail "the killed web got TERM"; return 1; }
	done
}

# exit_on_fatal's shutdown drains too: a required program FATAL, then 503
# "stopping" while the others serve, then the ordered stop, exit 1.
t_drain_on_fatal() {
	h_begin
	local p
	p=$(h_port) || { fail "no free port"; return 1; }
	l_drain_config "$p" 2 8
	cat >>"$T/tend.ini" <<EOF

[program:bad]
command = sh -c "while [ ! -e $T/fail ]; do sleep 0.05; done; exit 3"
startsecs = 0.5
startretries = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_health_is /readyz 200 '"status":"ready"' || { fail "never ready"; return 1; }
	: >"$T/fail"
	wait_until 10 l_health_is /readyz 503 '"status":"stopping"' || { fail "/readyz not 503 stopping"; return 1; }
	l_answers "$p" || { fail "web did not answer during the drain"; return 1; }
	wait_exit 15 || return 1
	assert_rc 1 || return 1
	l_termed "$T/web.report" || { fail "web got no SIGTERM"; return 1; }
	assert_before "$LOG" "draining for 2s" "web: stopping with signal TERM" || return 1
	assert_before "$LOG" "drain over (2s)" "web: stopping with signal TERM"
}

# a drain with no program at all still ends, and tend exits 0
t_drain_no_programs() {
	printf '[tend]\ndrain = 0.3\n' >"$T/tend.ini"
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 l_health_is /livez 200 alive || { fail "tend never answered"; return 1; }
	sig TERM
	wait_exit 10 || return 1
	assert_rc 0 || return 1
	assert_log "drain over (0.3s)"
}

# drain must be under shutdown_timeout, which counts it
t_drain_not_under_shutdown_timeout() {
	printf '[tend]\nshutdown_timeout = 4\ndrain = 4\n[program:a]\ncommand = sleep 1\n' >"$T/tend.ini"
	"$TEND" check -c "$T/tend.ini" >"$T/check.out" 2>"$LOG"
	TEND_RC=$?
	assert_rc 2 || return 1
	assert_log "tend: $T/tend.ini:3: [tend] drain (4s) must be under shutdown_timeout (4s)"
}

ALL_TESTS+=(
	listen_fds_and_names
	listen_many_fds_in_order
	listen_connection_waits_for_restart
	listen_low_port_as_nobody
	listen_bind_failure
	listen_bind_failure_included
	listen_unix_paths
	listen_nginx_retries_a_crash
	drain_then_stop
	drain_second_signal_ends_it
	drain_on_fatal
	drain_no_programs
	drain_not_under_shutdown_timeout
)
