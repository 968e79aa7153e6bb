# The HTTP API (tend(8)) of the real binary, as PID 1 of a PID namespace.
# Sourced by run.sh: uses its helpers (start_ns, wait_until, fail, ...).
# Requests go through curl (--unix-socket for the API socket) and, for what
# curl cannot send (pipelining, malformed heads, slow and idle clients),
# through build/helpers/httpc. TCP listeners are on 127.0.0.1 (and [::1])
# only, on a free port picked at random below the ephemeral range.

HTTPC=$HELPERS/httpc
if [ ! -x "$HTTPC" ]; then
	echo "suite_http.sh: $HTTPC is missing (\`make integration\` builds it)" >&2
	exit 2
fi
if ! command -v curl >/dev/null 2>&1; then
	echo "suite_http.sh: curl is missing (\`make deps\` installs it)" >&2
	exit 2
fi

# ---- requests ----

# http METHOD PATH [WHERE]: one request through curl. WHERE is "unix" (the
# default: $TEND_SOCKET) or HOST:PORT. Sets CODE (000 when no answer came);
# the body is in $T/body, the head, without CRs, in $T/head.
http() {
	local method=$1 path=$2 where=${3:-unix}
	local args=(-s -g --max-time 5 -o "$T/body" -D "$T/head.raw" -w '%{http_code}')
	: >"$T/body"
	: >"$T/head.raw"
	case $method in
	GET) ;;
	HEAD) args+=(--head) ;;
	*) args+=(-X "$method") ;;
	esac
	if [ "$where" = unix ]; then
		args+=(--unix-socket "$TEND_SOCKET" "http://tend$path")
	else
		args+=("http://$where$path")
	fi
	CODE=$(curl "${args[@]}" 2>/dev/null)
	[ -n "$CODE" ] || CODE=000
	tr -d '\r' <"$T/head.raw" >"$T/head"
}

# expect_status METHOD PATH STATUS [WHERE]
expect_status() {
	http "$1" "$2" "${4:-unix}"
	[ "$CODE" = "$3" ] ||
		fail "$1 $2 on ${4:-unix}: status $CODE, expected $3; body: $(head -c 300 "$T/body")"
}
body_has() { assert_has "$T/body" "$1"; }
body_lacks() { assert_lacks "$T/body" "$1"; }
head_has() { assert_has "$T/head" "$1"; }
head_lacks() { assert_lacks "$T/head" "$1"; }

# The value of "KEY": in the body (flat JSON of one program).
jfield() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" "$T/body" | head -n1; }

api_up() { http GET /livez && [ "$CODE" = 200 ]; }
health_is() { http GET /health && [ "$CODE" = "$1" ]; }

# raw WHERE ARGS...: stdin sent in one write by httpc; the answers, without
# CRs, in $T/raw, ending with a line [closed], [open] or [timeout].
raw() {
	local where=$1
	shift
	[ "$where" = unix ] && where=$TEND_SOCKET
	"$HTTPC" send "$where" "$@" >"$T/raw.bin" 2>"$T/raw.err" || { fail "httpc send failed: $(cat "$T/raw.err")"; return 1; }
	tr -d '\r' <"$T/raw.bin" >"$T/raw"
}
# The status codes of the answers in $T/raw, space-separated.
raw_statuses() { sed -n 's/^HTTP\/1\.1 \([0-9][0-9][0-9]\) .*/\1/p' "$T/raw" | tr '\n' ' ' | sed 's/ $//'; }
raw_end() { tail -n1 "$T/raw"; }
expect_raw() {
	local got
	got=$(raw_statuses)
	[ "$got" = "$1" ] || { fail "${3:-answers}: statuses \"$got\", expected \"$1\"; got: $(head -c 400 "$T/raw")"; return 1; }
	got=$(raw_end)
	[ "$got" = "$2" ] || fail "${3:-answers}: connection ended $got, expected $2"
}

# ---- a TCP port ----

# A port nothing listens on or uses, below the ephemeral range (so that no
# client connection of the tests takes it meanwhile).
pick_port() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 12000))
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# start_tcp WRITER: picks PORT, calls WRITER (which writes $T/tend.ini using
# $PORT), starts tend and waits for its API; retries with another port when
# the port was taken in between.
start_tcp() {
	local try
	for try in 1 2 3; do
		PORT=$(pick_port) || { fail "no free port found"; return 1; }
		"$1" || return 1
		start_ns -c "$T/tend.ini" || return 1
		wait_until 10 tcp_or_exit || { fail "tend does not answer on 127.0.0.1:$PORT"; return 1; }
		alive "$TEND_PID" && return 0
		wait_exit
		grep -q "cannot listen on" "$LOG" || { fail "tend exited with status $TEND_RC"; return 1; }
		echo "  (port $PORT was taken; trying another)"
	done
	fail "no port could be listened on"
}
tcp_or_exit() {
	gone "$TEND_PID" && return 0
	api_up && http GET /livez "127.0.0.1:$PORT" && [ "$CODE" = 200 ]
}

# Host PID of tend's child whose command line contains TEXT.
child_pid() {
	local p
	for p in $(cat /proc/"$TEND_PID"/task/*/children 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$1"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

fd_count() { ls "/proc/$TEND_PID/fd" 2>/dev/null | wc -l; }
fd_count_is() { [ "$(fd_count)" = "$1" ]; }
fds_settled() {
	local a
	a=$(fd_count)
	sleep 0.2
	fd_count_is "$a"
}

# ======================================================================

write_routes_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
health_listen = 127.0.0.1:$PORT
shutdown_timeout = 3

[program:web]
command = $SIGREC $T/events web
startsecs = 0.2

[program:task]
command = sh -c "exit 0"
startsecs = 0

[program:manual]
command = $SIGREC $T/events manual
autostart = false

[program:optional]
command = sh -c "exit 3"
startsecs = 1
startretries = 0
required = false
EOF
}

# Every row of tend(8) HTTP API, over the unix socket and over TCP (read-only there).
t_http_routes() {
	start_tcp write_routes_config || return 1
	wait_until 10 health_is 200 || { fail "/health not 200 (status $CODE): $(cat "$T/body")"; return 1; }
	local where path m
	for where in unix "127.0.0.1:$PORT"; do
		for path in /health /readyz; do
			expect_status GET $path 200 "$where" || return 1
			head_has "Content-Type: application/json" || return 1
			body_has '{"status":"ready","uptime":' || return 1
			body_has '"programs":[{"name":"web","state":"RUNNING","health":"none","ready":true,"pid":' || return 1
			body_has '"restarts":0,"last_exit":null,"waiting_for":[]}' || return 1
			body_has '{"name":"task","state":"EXITED","health":"none","ready":false,"pid":null,' || return 1
			body_has '"last_exit":{"code":0}' || return 1
			body_has '{"name":"manual","state":"STOPPED","health":"none","ready":false,"pid":null,"uptime":0.0,"restarts":0,"last_exit":null,"waiting_for":[]}' || return 1
			# required = false: FATAL, and tend is ready all the same
			body_has '{"name":"optional","state":"FATAL","health":"none","ready":false,"pid":null,' || return 1
			body_has '"last_exit":{"code":3}' || return 1
			local len
			len=$(sed -n 's/^Content-Length: //p' "$T/head")
			assert_eq "Content-Length of GET $path" "$len" "$(wc -c <"$T/body")" || return 1
			expect_status HEAD $path 200 "$where" || return 1
			head_has "Content-Length: " || return 1
		done
		expect_status GET /health/web 200 "$where" || return 1
		body_has '{"name":"web","state":"RUNNING",' || return 1
		expect_status HEAD /health/web 200 "$where" || return 1
		expect_status GET /health/task 200 "$where" || return 1	# finished
		body_has '"state":"EXITED"' || return 1
		expect_status GET /health/manual 503 "$where" || return 1	# stopped
		body_has '"state":"STOPPED"' || return 1
		expect_status HEAD /health/manual 503 "$where" || return 1
		expect_status GET /health/optional 503 "$where" || return 1
		expect_status GET /health/nosuch 404 "$where" || return 1
		expect_status HEAD /health/nosuch 404 "$where" || return 1
		expect_status GET /livez 200 "$where" || return 1
		body_has '{"status":"alive"}' || return 1
		expect_status HEAD /livez 200 "$where" || return 1
		expect_status GET /metrics 200 "$where" || return 1
		head_has "Content-Type: text/plain; version=0.0.4" || return 1
		body_has 'tend_program_up{program="web"} 1' || return 1
		body_has 'tend_program_state{program="optional",state="FATAL"} 1' || return 1
		expect_status HEAD /metrics 200 "$where" || return 1
		# other methods: 405 with Allow
		for m in POST PUT DELETE; do
			for path in /health /readyz /health/web /livez /metrics; do
				expect_status $m $path 405 "$where" || return 1
				head_has "Allow: GET, HEAD" || return 1
			done
		done
		# other paths
		for path in / /nope /health/ /health/web/x /metricsx /programs; do
			expect_status GET $path 404 "$where" || return 1
		done
		expect_status POST /nope 404 "$where" || return 1
	done
	# control: 405 with Allow: POST on the unix socket, 403 on TCP, whatever
	# the method
	for path in /programs/web/start /programs/web/stop /programs/web/restart /programs/web/signal/HUP; do
		expect_status GET $path 405 || return 1
		head_has "Allow: POST" || return 1
		expect_status HEAD $path 405 || return 1
		for m in POST GET HEAD PUT; do
			expect_status $m $path 403 "127.0.0.1:$PORT" || return 1
			head_lacks "Allow:" || return 1
		done
	done
	expect_status POST /programs/nosuch/stop 403 "127.0.0.1:$PORT" || return 1
	expect_status POST /programs/web/bogus 403 "127.0.0.1:$PORT" || return 1
	# none of them did anything
	assert_lines "$T/events" 1 || return 1
	# control errors on the unix socket
	expect_status POST /programs/nosuch/start 404 || return 1
	body_has "no such program" || return 1
	expect_status POST /programs/nosuch/signal/HUP 404 || return 1
	expect_status POST /programs/web/signal/NOPE 404 || return 1
	body_has "no such signal" || return 1
	expect_status POST /programs/manual/signal/HUP 409 || return 1
	expect_status POST /programs/web/bogus 404 || return 1
	expect_status POST /programs/web 404 || return 1
	expect_status POST /programs/web/signal/ 404 || return 1
	expect_status GET "/health/$(printf 'x%.0s' {1..300})" 404 || return 1
	expect_status POST "/programs/$(printf 'x%.0s' {1..300})/start" 404 || return 1
	assert_lines "$T/events" 1 || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	[ ! -e "$TEND_SOCKET" ] || fail "the socket file is still there after tend exited"
}

write_conn_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
health_listen = 127.0.0.1:$PORT
shutdown_timeout = 3

[program:web]
command = $SIGREC $T/events web
startsecs = 0
EOF
}

# keep-alive, pipelining, Connection: close, HTTP/1.0, HEAD
t_http_connections() {
	start_tcp write_conn_config || return 1
	local where
	for where in unix "127.0.0.1:$PORT"; do
		# two requests on one connection (curl reuses it)
		local curl_where=(--unix-socket "$TEND_SOCKET")
		[ "$where" = unix ] || curl_where=()
		local base=http://tend
		[ "$where" = unix ] || base=http://$where
		curl -s --max-time 5 "${curl_where[@]}" -w '%{http_code} %{num_connects}\n' \
			-o /dev/null "$base/livez" -o /dev/null "$base/health/web" >"$T/ka" 2>&1
		assert_eq "curl keep-alive on $where (status, new connections)" "$(tr '\n' ' ' <"$T/ka")" "200 1 200 0 " || return 1

		# pipelining: four requests in one write, answered in order; a HEAD
		# answer has Content-Length and no body; the connection stays open
		printf 'GET /livez HTTP/1.1\r\nHost: t\r\n\r\nHEAD /livez HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\n\r\nPOST /health HTTP/1.1\r\nContent-Length: 0\r\n\r\n' |
			raw "$where" -n 4 || return 1
		expect_raw "200 200 404 405" "[open]" "pipelined on $where" || return 1
		[ "$(grep -c '^Content-Length: 19$' "$T/raw")" = 2 ] || { fail "pipelined on $where: GET and HEAD /livez lack Content-Length: 19"; return 1; }
		[ "$(grep -c 'status":"alive' "$T/raw")" = 1 ] || { fail "pipelined on $where: the HEAD answer has a body: $(cat "$T/raw")"; return 1; }
		assert_has "$T/raw" "Allow: GET, HEAD" || return 1
		# the HEAD answer is followed at once by the next answer
		awk '/^Content-Length: 19$/ { n++ } n == 2 && /^$/ { getline; print; exit }' "$T/raw" >"$T/after-head"
		assert_eq "line after the HEAD answer on $where" "$(cat "$T/after-head")" "HTTP/1.1 404 Not Found" || return 1

		# 100 pipelined requests in one write
		local i
		for ((i = 0; i < 100; i++)); do printf 'GET /health/web HTTP/1.1\r\n\r\n'; done | raw "$where" -n 100 || return 1
		[ "$(grep -c '^HTTP/1.1 200 OK$' "$T/raw")" = 100 ] || { fail "100 pipelined requests on $where: $(grep -c '^HTTP/1.1 200' "$T/raw") answers"; return 1; }
		assert_eq "after 100 pipelined requests on $where" "$(raw_end)" "[open]" || return 1

		# Connection: close is honoured: answered, then closed; what follows is not answered
		printf 'GET /livez HTTP/1.1\r\nConnection: close\r\n\r\nGET /livez HTTP/1.1\r\n\r\n' | raw "$where" || return 1
		expect_raw "200" "[closed]" "Connection: close on $where" || return 1
		assert_has "$T/raw" "Connection: close" || return 1
		printf 'GET /livez HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n' | raw "$where" || return 1
		expect_raw "200" "[closed]" "Connection: keep-alive, Close on $where" || return 1

		# HTTP/1.0: closed unless keep-alive is asked for
		printf 'GET /livez HTTP/1.0\r\n\r\n' | raw "$where" || return 1
		expect_raw "200" "[closed]" "HTTP/1.0 on $where" || return 1
		printf 'GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' | raw "$where" -n 1 || return 1
		expect_raw "200" "[open]" "HTTP/1.0 keep-alive on $where" || return 1
		assert_has "$T/raw" "Connection: keep-alive" || return 1

		# HEAD of /health: Content-Length of the body it would have, no body
		printf 'HEAD /health HTTP/1.1\r\nConnection: close\r\n\r\n' | raw "$where" || return 1
		expect_raw "200" "[closed]" "HEAD /health on $where" || return 1
		local len
		len=$(sed -n 's/^Content-Length: //p' "$T/raw")
		[ -n "$len" ] && [ "$len" -gt 100 ] || { fail "HEAD /health on $where: Content-Length \"$len\""; return 1; }
		assert_lacks "$T/raw" '"status"' || return 1
		# a request split over several writes is still answered (curl sends
		# whole heads; here the head comes in a second write)
	done
	assert_alive
}

# 400, 431, 413: answered, then the connection is closed; tend serves on
t_http_errors() {
	start_tcp write_conn_config || return 1
	local where big
	big=$(head -c 9000 /dev/zero | tr '\0' a)
	local near=${big:0:8000}
	for where in unix "127.0.0.1:$PORT"; do
		printf 'GARBAGE\r\n\r\n' | raw "$where" || return 1
		expect_raw "400" "[closed]" "garbage on $where" || return 1
		printf 'GET /livez HTTP/2.0\r\n\r\n' | raw "$where" || return 1
		expect_raw "400" "[closed]" "HTTP/2.0 on $where" || return 1
		printf 'GET livez HTTP/1.1\r\n\r\n' | raw "$where" || return 1
		expect_raw "400" "[closed]" "target without / on $where" || return 1
		printf 'GET /livez HTTP/1.1\r\nBad Header: x\r\n\r\n' | raw "$where" || return 1
		expect_raw "400" "[closed]" "bad header name on $where" || return 1
		# a good request, then a bad one: the good one is answered first
		printf 'GET /livez HTTP/1.1\r\n\r\nNOT HTTP\r\n\r\n' | raw "$where" || return 1
		expect_raw "200 400" "[closed]" "good then bad on $where" || return 1
		# a head over 8 KiB: 431
		printf 'GET /livez HTTP/1.1\r\nX-Big: %s\r\n\r\n' "$big" | raw "$where" || return 1
		expect_raw "431" "[closed]" "9 KB head on $where" || return 1
		# ... and no end of head within 8 KiB: 431 as well
		printf 'GET /livez HTTP/1.1\r\nX-Big: %s' "$big" | raw "$where" || return 1
		expect_raw "431" "[closed]" "9 KB unfinished head on $where" || return 1
		# a head under 8 KiB is fine
		printf 'GET /livez HTTP/1.1\r\nX-Big: %s\r\n\r\n' "$near" | raw "$where" -n 1 || return 1
		expect_raw "200" "[open]" "8000-byte head on $where" || return 1
		# a body: 413, and it is not acted on
		printf 'POST /programs/web/restart HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' | raw "$where" || return 1
		expect_raw "413" "[closed]" "body on $where" || return 1
		printf 'GET /livez HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | raw "$where" || return 1
		expect_raw "413" "[closed]" "chunked body on $where" || return 1
		# 404 and 405 keep the connection
		printf 'GET /nope HTTP/1.1\r\n\r\nDELETE /metrics HTTP/1.1\r\n\r\n' | raw "$where" -n 2 || return 1
		expect_raw "404 405" "[open]" "404 and 405 on $where" || return 1
		assert_has "$T/raw" "Allow: GET, HEAD" || return 1
	done
	assert_lines "$T/events" 1 || return 1	# the POST with a body restarted nothing
	expect_status GET /livez 200 || return 1
	expect_status GET /livez 200 "127.0.0.1:$PORT" || return 1
	assert_alive
}

# 503 while a required program is in BACKOFF, 200 once it recovers; a
# program with required = false does not count
t_http_backoff_then_ready() {
	cat >"$T/flaky.sh" <<EOF
n=\$(cat $T/count 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >$T/count
[ \$n -gt 2 ] || exit 1
exec $SIGREC $T/events flaky
EOF
	cat >"$T/tend.ini" <<EOF
[program:flaky]
command = sh $T/flaky.sh
startsecs = 0.3
startretries = 5
backoff = 0.5

[program:optional]
command = sh -c "exit 7"
startsecs = 0.3
startretries = 0
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "the API does not answer"; return 1; }
	# while flaky is in BACKOFF: /health 503 (one answer shows both the 503
	# and the BACKOFF), /health/flaky 503, and /metrics says BACKOFF
	SEEN_HEALTH=0 SEEN_NAME=0 SEEN_METRICS=0
	wait_until 10 watch_backoff ||
		{ fail "not seen in BACKOFF: /health $SEEN_HEALTH, /health/flaky $SEEN_NAME, /metrics $SEEN_METRICS"; return 1; }
	# recovers
	wait_until 15 health_is 200 || { fail "/health not 200 after flaky recovered: $CODE $(cat "$T/body")"; return 1; }
	body_has '"status":"ready"' || return 1
	body_has '{"name":"flaky","state":"RUNNING","health":"none","ready":true,' || return 1
	body_has '"restarts":2,"last_exit":{"code":1}' || return 1
	body_has '{"name":"optional","state":"FATAL"' || return 1
	body_has '"last_exit":{"code":7}' || return 1
	expect_status GET /health/flaky 200 || return 1
	expect_status GET /health/optional 503 || return 1
	expect_status GET /readyz 200 || return 1
	expect_status GET /metrics 200 || return 1
	body_has 'tend_program_state{program="flaky",state="RUNNING"} 1' || return 1
	body_has 'tend_program_state{program="flaky",state="BACKOFF"} 0' || return 1
	body_has 'tend_program_restarts_total{program="flaky"} 2' || return 1
	body_has 'tend_program_ready{program="flaky"} 1' || return 1
	body_has 'tend_program_ready{program="optional"} 0' || return 1
	body_has 'tend_program_state{program="optional",state="FATAL"} 1' || return 1
	assert_alive
}
watch_backoff() {
	if [ "$SEEN_HEALTH" = 0 ] && http GET /health && [ "$CODE" = 503 ] && has "$T/body" '"status":"not_ready"' &&
		has "$T/body" '{"name":"flaky","state":"BACKOFF","health":"none","ready":false,"pid":null,'; then
		SEEN_HEALTH=1
	fi
	if [ "$SEEN_NAME" = 0 ] && http GET /health/flaky && [ "$CODE" = 503 ] && has "$T/body" '"state":"BACKOFF"'; then
		SEEN_NAME=1
	fi
	if [ "$SEEN_METRICS" = 0 ] && http GET /metrics && has "$T/body" 'tend_program_state{program="flaky",state="BACKOFF"} 1' &&
		has "$T/body" 'tend_program_ready{program="flaky"} 0'; then
		SEEN_METRICS=1
	fi
	[ "$SEEN_HEALTH$SEEN_NAME$SEEN_METRICS" = 111 ]
}

# start, stop, restart and signal through the socket, observed for real
t_http_control() {
	cat >"$T/bad.sh" <<EOF
echo try >>$T/bad.tries
[ -e $T/gate ] || exit 1
exec $SIGREC $T/events bad
EOF
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 3

[program:svc]
command = $SIGREC $T/events svc USR1
stopsignal = USR1
startsecs = 0.2

[program:bad]
command = sh $T/bad.sh
startsecs = 0.3
startretries = 1
backoff = 0.1
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 health_is 200 || { fail "/health not 200: $CODE $(cat "$T/body")"; return 1; }
	wait_log "bad: exited with code 1; giving up after 2 failed starts (FATAL)" || return 1
	expect_status GET /health/svc 200 || return 1
	local pid1 pid2
	pid1=$(jfield pid)
	[ -n "$pid1" ] && [ "$pid1" != null ] || { fail "no pid for svc: $(cat "$T/body")"; return 1; }

	# restart: the program gets its stopsignal, and a new process runs
	expect_status POST /programs/svc/restart 202 || return 1
	head_has "Content-Type: application/json" || return 1
	assert_eq "restart answer" "$(cat "$T/body")" '{"program":"svc","accepted":"restart"}' || return 1
	wait_lines "$T/events" 3 || return 1
	# its stopsignal first, then the new process
	assert_eq "events after restart" "$(sed -n '2p;3s/ [0-9]*$//p' "$T/events" | tr '\n' ' ')" "svc USR1 svc start " || return 1
	wait_until 10 health_svc_running || { fail "svc not RUNNING again: $(cat "$T/body")"; return 1; }
	pid2=$(jfield pid)
	[ "$pid2" != "$pid1" ] || { fail "restart kept pid $pid1"; return 1; }
	assert_eq "restarts after a restart" "$(jfield restarts)" 1 || return 1
	assert_has "$T/events" "svc start $pid2" || return 1

	# signal: delivered, and the program keeps running
	expect_status POST /programs/svc/signal/HUP 202 || return 1
	assert_eq "signal answer" "$(cat "$T/body")" '{"program":"svc","accepted":"HUP"}' || return 1
	wait_has "$T/events" "svc HUP" || return 1
	expect_status POST /programs/svc/signal/sigusr2 202 || return 1
	body_has '"accepted":"USR2"' || return 1
	wait_has "$T/events" "svc USR2" || return 1
	expect_status GET /health/svc 200 || return 1
	assert_eq "pid after signals" "$(jfield pid)" "$pid2" || return 1

	# stop: STOPPED, /health/svc 503, and /health 200 again (stopped on request is done)
	expect_status POST /programs/svc/stop 202 || return 1
	wait_until 10 svc_stopped || { fail "svc not STOPPED: $(cat "$T/body")"; return 1; }
	assert_eq "pid of a stopped program" "$(jfield pid)" null || return 1
	[ "$(grep -c '^svc USR1' "$T/events")" = 2 ] || { fail "svc did not get its stopsignal on stop"; return 1; }
	expect_status GET /health 200 || return 1
	expect_status POST /programs/svc/signal/HUP 409 || return 1
	expect_status POST /programs/svc/stop 202 || return 1	# stopping a stopped one is no error

	# start: RUNNING again
	expect_status POST /programs/svc/start 202 || return 1
	wait_until 10 health_svc_running || { fail "svc not RUNNING after start: $(cat "$T/body")"; return 1; }
	[ "$(grep -c '^svc start' "$T/events")" = 3 ] || { fail "svc did not start a third time"; return 1; }

	# start of a FATAL program resets it: startretries again, then FATAL again
	expect_status GET /health/bad 503 || return 1
	body_has '"state":"FATAL"' || return 1
	assert_lines "$T/bad.tries" 2 || return 1
	expect_status POST /programs/bad/start 202 || return 1
	wait_lines "$T/bad.tries" 4 || return 1
	wait_until 10 bad_fatal || { fail "bad not FATAL again: $(cat "$T/body")"; return 1; }
	assert_lines "$T/bad.tries" 4 || return 1
	# and now it can start: RUNNING
	: >"$T/gate"
	expect_status POST /programs/bad/start 202 || return 1
	wait_until 10 bad_running || { fail "bad not RUNNING after start: $(cat "$T/body")"; return 1; }
	expect_status GET /health 200 || return 1

	# control errors
	expect_status POST /programs/nosuch/restart 404 || return 1
	expect_status POST /programs/svc/signal/NOSUCH 404 || return 1
	expect_status POST /programs/svc/signal/0 404 || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}
health_svc_running() { http GET /health/svc && [ "$CODE" = 200 ] && has "$T/body" '"state":"RUNNING"'; }
svc_stopped() { http GET /health/svc && [ "$CODE" = 503 ] && has "$T/body" '"state":"STOPPED"'; }
bad_fatal() { http GET /health/bad && [ "$CODE" = 503 ] && has "$T/body" '"state":"FATAL"'; }
bad_running() { http GET /health/bad && [ "$CODE" = 200 ] && has "$T/body" '"state":"RUNNING"'; }

# the socket file: directory made, mode, stale one replaced, live one kept
t_http_socket_file() {
	# the default: $TEND_SOCKET, mode 0600
	cat >"$T/default.ini" <<EOF
[program:p]
command = $SIGREC $T/events p
startsecs = 0
EOF
	LOG=$T/tend-default.log
	start_ns -c "$T/default.ini" || return 1
	wait_until 10 api_up || { fail "no API on \$TEND_SOCKET ($TEND_SOCKET)"; return 1; }
	[ -S "$TEND_SOCKET" ] || { fail "$TEND_SOCKET is not a socket"; return 1; }
	assert_eq "mode of the default socket" "$(stat -c %a "$TEND_SOCKET")" 600 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	[ ! -e "$TEND_SOCKET" ] || { fail "the socket file is left after a clean exit"; return 1; }

	# socket and socket_mode, in a directory that does not exist yet
	local sock=$T/run/deep/tend.sock
	cat >"$T/tend.ini" <<EOF
[tend]
socket = $sock
socket_mode = 0660

[program:p]
command = $SIGREC $T/events p
startsecs = 0
EOF
	LOG=$T/tend-first.log
	start_ns -c "$T/tend.ini" || return 1
	local first_main=$MAIN_PID first_tend=$TEND_PID
	TEND_SOCKET=$sock wait_until 10 api_up || { fail "no API on $sock"; return 1; }
	[ -d "$T/run/deep" ] || { fail "the socket's directory was not made"; return 1; }
	assert_eq "mode of the socket" "$(stat -c %a "$sock")" 660 || return 1

	# a second tend on the same socket: exit 2, a clear message, nothing started
	cat >"$T/second.ini" <<EOF
[tend]
socket = $sock

[program:second]
command = sh -c "echo ran >$T/second-ran"
startsecs = 0
EOF
	LOG=$T/tend-second.log
	run_ns_to_exit 10 -c "$T/second.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: another tend is already serving $sock" || return 1
	assert_no_log "started with pid" || return 1
	sleep 0.2
	[ ! -e "$T/second-ran" ] || { fail "the second tend started a program"; return 1; }
	# the first one still serves its socket
	MAIN_PID=$first_main TEND_PID=$first_tend
	TEND_SOCKET=$sock wait_until 5 api_up || { fail "the first tend no longer answers on $sock"; return 1; }

	# the first one crashes (SIGKILL): its socket file stays, stale
	LOG=$T/tend-first.log
	kill -KILL "$TEND_PID"
	wait_exit || return 1
	[ -S "$sock" ] || { fail "no stale socket file left by the killed tend"; return 1; }
	# a new tend replaces it
	LOG=$T/tend-third.log
	start_ns -c "$T/tend.ini" || return 1
	TEND_SOCKET=$sock wait_until 10 api_up || { fail "the new tend does not serve $sock: $(cat "$LOG")"; return 1; }
	assert_eq "mode of the replaced socket" "$(stat -c %a "$sock")" 660 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1

	# something that is not a socket is never removed
	echo keep >"$T/notasocket"
	cat >"$T/file.ini" <<EOF
[tend]
socket = $T/notasocket

[program:p]
command = $SIGREC $T/events p
EOF
	LOG=$T/tend-file.log
	run_ns_to_exit 10 -c "$T/file.ini" || return 1
	assert_rc 2 || return 1
	assert_log "$T/notasocket exists and is not a socket" || return 1
	assert_eq "the file in the way" "$(cat "$T/notasocket")" keep
}

# an IPv6 listener, [::1]:PORT
write_v6_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
health_listen = [::1]:$PORT

[program:p]
command = $SIGREC $T/events p
startsecs = 0
EOF
}
t_http_tcp_ipv6() {
	if ! grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null; then
		echo "  SKIP: no ::1 on lo"
		return 0
	fi
	local try
	for try in 1 2 3; do
		PORT=$(pick_port) || { fail "no free port"; return 1; }
		write_v6_config
		start_ns -c "$T/tend.ini" || return 1
		wait_until 10 v6_or_exit || { fail "tend does not answer on [::1]:$PORT"; return 1; }
		alive "$TEND_PID" && break
		wait_exit
		grep -q "cannot listen on" "$LOG" || { fail "tend exited with status $TEND_RC"; return 1; }
	done
	expect_status GET /health 200 "[::1]:$PORT" || return 1
	expect_status HEAD /metrics 200 "[::1]:$PORT" || return 1
	expect_status POST /programs/p/stop 403 "[::1]:$PORT" || return 1
	printf 'GET /livez HTTP/1.1\r\n\r\nGET /health/p HTTP/1.1\r\n\r\n' | raw "[::1]:$PORT" -n 2 || return 1
	expect_raw "200 200" "[open]" "pipelined on [::1]" || return 1
	assert_lines "$T/events" 1
}
v6_or_exit() {
	gone "$TEND_PID" && return 0
	http GET /livez "[::1]:$PORT" && [ "$CODE" = 200 ]
}

# /metrics is valid Prometheus text, per promtool
t_http_metrics_promtool() {
	cat >"$T/tend.ini" <<EOF
[program:web]
command = $SIGREC $T/events web
startsecs = 0

[program:task]
command = sh -c "exit 0"
startsecs = 0

[program:manual]
command = $SIGREC $T/events manual
autostart = false

[program:optional]
command = sh -c "exit 3"
startsecs = 1
startretries = 0
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 health_is 200 || { fail "/health not 200: $CODE"; return 1; }
	expect_status GET /metrics 200 || return 1
	local fam
	for fam in tend_program_up tend_program_ready tend_program_restarts_total tend_program_uptime_seconds \
		tend_program_state tend_orphans_reaped_total tend_http_connections_refused_total tend_uptime_seconds; do
		body_has "# HELP $fam " || return 1
		body_has "# TYPE $fam " || return 1
	done
	local p s
	for p in web task manual optional; do
		for s in STOPPED STARTING RUNNING BACKOFF STOPPING EXITED FATAL; do
			[ "$(grep -c "^tend_program_state{program=\"$p\",state=\"$s\"} [01]$" "$T/body")" = 1 ] ||
				{ fail "no single tend_program_state line for $p $s"; return 1; }
		done
		[ "$(grep -c "^tend_program_state{program=\"$p\",.*} 1$" "$T/body")" = 1 ] ||
			{ fail "$p is not in exactly one state"; return 1; }
	done
	body_has 'tend_http_connections_refused_total 0' || return 1
	body_has 'tend_http_listener_connections_refused_total{listener="tcp"} 0' || return 1
	body_has 'tend_http_listener_connections_refused_total{listener="unix"} 0' || return 1
	if ! command -v promtool >/dev/null 2>&1; then
		echo "  SKIP promtool check metrics: promtool is not installed (Debian package prometheus, see make deps)"
		return 0
	fi
	promtool check metrics <"$T/body" >"$T/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(head -c 600 "$T/promtool.out")"
}

# The defences: 500 idle TCP connections and a slow client on the socket do
# not delay restarts nor lock out the socket; the connections over 128 are
# counted; when the clients are gone, tend's fds are back to what they were.
# write_crashy_config STARTSECS: the TCP listener on $PORT and one program
# that a test crashes.
write_crashy_config() {
	cat >"$T/tend.ini" <<EOF
[tend]
health_listen = 127.0.0.1:$PORT
shutdown_timeout = 3

[program:crashy]
command = $SIGREC $T/events crashy
startsecs = $1
backoff = 0
EOF
}
write_flood_config() { write_crashy_config 0.1; }
t_http_flood() {
	start_tcp write_flood_config || return 1
	wait_until 10 health_is 200 || { fail "/health not 200: $CODE"; return 1; }
	wait_until 5 fds_settled	# no connection of ours left open
	local fds_before
	fds_before=$(fd_count)
	[ "$fds_before" -gt 3 ] || { fail "cannot count tend's fds ($fds_before)"; return 1; }

	# the flood: 500 idle connections on TCP, a byte a second on the socket
	"$HTTPC" idle "127.0.0.1:$PORT" 500 12 >"$T/idle.out" 2>"$T/idle.err" &
	local idle_pid=$!
	OWNED+=("$idle_pid:$$")
	"$HTTPC" slow "$TEND_SOCKET" 12 >"$T/slow.out" 2>"$T/slow.err" &
	local slow_pid=$!
	OWNED+=("$slow_pid:$$")
	wait_has "$T/idle.out" "at_once" 15 || { fail "the idle connections were not opened: $(cat "$T/idle.err")"; return 1; }
	assert_has "$T/idle.out" "opened 500" || return 1

	# meanwhile: a crash is restarted promptly
	local victim t0 t1
	victim=$(child_pid "$T/events crashy") || { fail "crashy's process not found"; return 1; }
	t0=$(now_us)
	kill -KILL "$victim"
	wait_lines "$T/events" 2 5 || return 1
	t1=$(now_us)
	echo "  crashy restarted $(( (t1 - t0) / 1000 )) ms after SIGKILL, during the flood"
	wait_log "crashy: killed by signal KILL; restarting" || return 1
	# ... and fresh requests on the socket are answered
	expect_status GET /livez 200 || return 1
	wait_until 5 health_is 200 || { fail "/health not 200 after the restart: $CODE $(cat "$T/body")"; return 1; }
	body_has '"restarts":1,"last_exit":{"signal":"KILL"}' || return 1
	expect_status GET /metrics 200 || return 1
	# the extra TCP connections were refused and counted (more than 128 open
	# at once), while those on the socket were not
	local refused
	refused=$(sed -n 's/^tend_http_listener_connections_refused_total{listener="tcp"} //p' "$T/body")
	[ -n "$refused" ] && [ "$refused" -ge 372 ] ||
		{ fail "tend_http_listener_connections_refused_total{listener=\"tcp\"} is \"$refused\", expected at least 372"; return 1; }
	body_has 'tend_http_listener_connections_refused_total{listener="unix"} 0' || return 1

	# the clients end: the slow one is cut off 5 s after its first byte
	# (the head was never complete), the idle ones after 5 s idle
	wait_until 15 gone "$slow_pid" || { fail "the slow client did not end"; return 1; }
	wait "$slow_pid"
	local slow_rc=$?
	assert_has "$T/slow.out" "closed after" || return 1
	[ "$slow_rc" = 0 ] || { fail "slow client: $(cat "$T/slow.out")"; return 1; }
	assert_has "$T/slow.out" ", 0 bytes received" || return 1
	local secs
	secs=$(sed -n 's/.* in \([0-9.]*\) s,.*/\1/p' "$T/slow.out")
	awk -v s="$secs" 'BEGIN { exit !(s >= 4 && s < 10) }' ||
		{ fail "the slow client was cut off after ${secs}s, expected about 5"; return 1; }
	wait_until 15 gone "$idle_pid" || { fail "the idle client did not end"; return 1; }
	wait "$idle_pid"
	assert_has "$T/idle.out" "closed 500 open 0" || { fail "idle connections left open: $(cat "$T/idle.out")"; return 1; }
	echo "  slow client: $(cat "$T/slow.out"); idle client: $(tr '\n' ' ' <"$T/idle.out")"

	# exactly the 372 over the limit were refused
	expect_status GET /metrics 200 || return 1
	body_has 'tend_http_listener_connections_refused_total{listener="tcp"} 372' || return 1
	body_has 'tend_http_connections_refused_total 372' || return 1
	# and every fd is given back
	wait_until 10 fd_count_is "$fds_before" ||
		{ fail "tend has $(fd_count) fds open, $fds_before before the flood"; return 1; }
	expect_status GET /livez 200 "127.0.0.1:$PORT" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# With few descriptors (RLIMIT_NOFILE 64, soft and hard), 200 TCP clients
# that keep their connections busy (a request each second, so that the idle
# timeout never frees them) get only the TCP listener's share: the unix
# socket still answers, a program that crashes is restarted (pipe2 and fork
# need descriptors), and tend does not spin.
write_fd_reserve_config() { write_crashy_config 0; }
# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hold_round() { sed -n 's/^round \([0-9]*\) .*/\1/p' "$T/hold.out" | tail -n1; }
hold_reached() { [ "$(hold_round)" -ge "$1" ] 2>/dev/null; }
no_tcp_connections() { [ -z "$(ss -Htn state established state close-wait "sport = :$PORT" 2>/dev/null)" ]; }
crashy_replaced() {
	local now
	now=$(child_pid "$T/events crashy") && [ "$now" != "$1" ]
}
t_http_fd_reserve() {
	printf '#!/bin/sh\nexec prlimit --nofile=64 -- "%s" "$@"\n' "$TEND" >"$T/tend-64"
	chmod 755 "$T/tend-64"
	local TEND=$T/tend-64
	start_tcp write_fd_reserve_config || return 1
	assert_eq "tend's RLIMIT_NOFILE" "$(sed -n 's/^Max open files *\([0-9]*\) .*/\1/p' "/proc/$TEND_PID/limits")" 64 || return 1
	local victim
	victim=$(child_pid "$T/events crashy") || { fail "crashy's process not found"; return 1; }
	# start_tcp's own connection is gone: the flood gets the whole share
	wait_until 5 no_tcp_connections || { fail "tend still holds a TCP connection"; return 1; }

	"$HTTPC" hold "127.0.0.1:$PORT" 200 60 >"$T/hold.out" 2>"$T/hold.err" &
	local hold_pid=$!
	OWNED+=("$hold_pid:$$")
	wait_until 15 hold_reached 2 || { fail "the flood did not get going: $(cat "$T/hold.err")"; return 1; }
	# the unix socket answers, and a crash is restarted
	wait_until 5 health_is 200 || { fail "/health on the socket during the flood: $CODE"; return 1; }
	kill -KILL "$victim"
	wait_until 5 crashy_replaced "$victim" || { fail "crashy was not restarted during the flood"; return 1; }
	wait_log "crashy: killed by signal KILL; restarting" || return 1
	assert_no_log "cannot accept" || return 1

	# tend's CPU time over two rounds of the flood (each round: a request
	# on each connection tend serves): a loop that spun would take a CPU
	local round ticks0 ticks1 t0 t1
	round=$(hold_round)
	ticks0=$(cpu_ticks "$TEND_PID")
	t0=$(now_us)
	wait_until 10 hold_reached $((round + 2)) || { fail "the flood stalled"; return 1; }
	ticks1=$(cpu_ticks "$TEND_PID")
	t1=$(now_us)
	local percent
	percent=$(((ticks1 - ticks0) * 100 * 1000000 / ((t1 - t0) * $(getconf CLK_TCK))))
	echo "  tend used ${percent}% of a CPU during the flood, over $(((t1 - t0) / 1000)) ms"
	[ "$percent" -lt 25 ] || { fail "tend used ${percent}% of a CPU during the flood"; return 1; }

	# tend said how many connections each listener takes; each connection
	# of the flood was either served or refused at once, and the refused
	# ones were counted
	local cap
	cap=$(sed -n 's/.*at most \([0-9]*\) HTTP connections at once on each listener.*/\1/p' "$LOG")
	[ -n "$cap" ] && [ "$cap" -ge 1 ] && [ "$cap" -lt 128 ] ||
		{ fail "no warning about fewer connections per listener (cap \"$cap\")"; return 1; }
	local last answering closed
	last=$(tail -n1 "$T/hold.out")
	answering=$(echo "$last" | sed -n 's/.* answering \([0-9]*\) .*/\1/p')
	closed=$(echo "$last" | sed -n 's/.* closed \([0-9]*\) .*/\1/p')
	assert_eq "flood: $last" "$answering $closed" "$cap $((200 - cap))" || return 1
	expect_status GET /metrics 200 || return 1
	body_has "tend_http_listener_connections_refused_total{listener=\"tcp\"} $((200 - cap))" || return 1
	body_has 'tend_http_listener_connections_refused_total{listener="unix"} 0' || return 1
	kill "$hold_pid"
	wait "$hold_pid"
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# A client that pipelines requests and then shuts down its sending side
# (a half-close) gets every answer before the connection is closed, even
# when it reads them slowly (so that they wait in tend when the end of its
# input comes); a request cut off by the end of its input is not answered.
t_http_half_close() {
	start_tcp write_conn_config || return 1
	local where
	for where in unix "127.0.0.1:$PORT"; do
		awk 'BEGIN { for (i = 0; i < 10000; i++) printf "GET /livez HTTP/1.1\r\nHost: t\r\n\r\n" }' |
			raw "$where" -s -p -t 30 || return 1
		assert_eq "answers to 10000 pipelined requests, then EOF, on $where" \
			"$(grep -c '^HTTP/1.1 200 OK$' "$T/raw")" 10000 || return 1
		assert_eq "end of the connection on $where" "$(raw_end)" "[closed]" || return 1
		printf 'GET /livez HTTP/1.1\r\n\r\nGET /health/web HTTP/1.1\r\n\r\nGET /liv' | raw "$where" -s || return 1
		expect_raw "200 200" "[closed]" "two requests and a half, then EOF, on $where" || return 1
	done
	assert_alive
}

# Control needs uid 0 or tend's own: with socket_mode = 0666, nobody may
# read but gets 403 for every /programs/... request; root may control.
# status_as USER METHOD PATH: the status code USER gets on $TEND_SOCKET
status_as() {
	local user=$1 method=$2 path=$3 args=(-s --max-time 5 -o /dev/null -w '%{http_code}')
	case $method in
	GET) ;;
	HEAD) args+=(--head) ;;
	*) args+=(-X "$method") ;;
	esac
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- \
		curl "${args[@]}" --unix-socket "$TEND_SOCKET" "http://tend$path" 2>/dev/null
}
expect_as() {
	local got
	got=$(status_as "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$2 $3 as $1: status $got, expected $4"
}
t_http_control_peer_uid() {
	cat >"$T/tend.ini" <<EOF
[tend]
socket_mode = 0666
shutdown_timeout = 3

[program:svc]
command = $SIGREC $T/events svc
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	wait_has "$T/events" "svc start" || return 1
	local pid path m
	pid=$(child_pid "$T/events svc") || { fail "svc's process not found"; return 1; }
	for path in /programs/svc/stop /programs/svc/restart /programs/svc/signal/KILL /programs/svc/start \
		/programs/nosuch/stop /programs/svc/bogus; do
		for m in POST GET; do
			expect_as nobody $m $path 403 || return 1
		done
	done
	expect_as nobody GET /health 200 || return 1
	expect_as nobody HEAD /health/svc 200 || return 1
	expect_as nobody GET /livez 200 || return 1
	expect_as nobody GET /metrics 200 || return 1
	expect_as nobody POST /health 405 || return 1
	# the body says why
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- curl -s --max-time 5 -X POST \
		--unix-socket "$TEND_SOCKET" http://tend/programs/svc/stop >"$T/body" 2>/dev/null
	body_has "only taken from root or tend's own user" || return 1
	# nothing happened to svc
	assert_eq "svc's process" "$(child_pid "$T/events svc")" "$pid" || return 1
	assert_lines "$T/events" 1 || return 1
	assert_no_log "requested" || return 1
	# root may
	expect_status POST /programs/svc/stop 202 || return 1
	wait_has "$T/events" "svc TERM" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# tend run by a user other than root: that user may control too, others
# (but root) may not
t_http_control_own_uid() {
	local other
	other=$(id -un daemon 2>/dev/null) || { echo "  SKIP: no user daemon"; return 0; }
	# what nobody runs must be reachable by nobody: copies in the test's dir
	mkdir "$T/own"
	cp "$TEND" "$T/own/tend"
	cp "$SIGREC" "$T/own/sigrec"
	chown nobody "$T/own"
	cat >"$T/own/tend.ini" <<EOF
[tend]
socket = $T/own/tend.sock
socket_mode = 0666
shutdown_timeout = 3

[program:svc]
command = $T/own/sigrec $T/own/events svc
startsecs = 0
EOF
	printf '#!/bin/sh\nexec setpriv --reuid=nobody --regid=%s --clear-groups -- "%s" "$@"\n' \
		"$(id -g nobody)" "$T/own/tend" >"$T/own/as-nobody"
	chmod 755 "$T/own/as-nobody"
	local TEND=$T/own/as-nobody TEND_SOCKET=$T/own/tend.sock
	start_direct -c "$T/own/tend.ini"
	wait_until 10 api_up || { fail "no API: $(cat "$LOG")"; return 1; }
	wait_has "$T/own/events" "svc start" || return 1
	expect_as "$other" POST /programs/svc/signal/HUP 403 || return 1
	expect_as "$other" GET /health 200 || return 1
	expect_as nobody POST /programs/svc/signal/HUP 202 || return 1
	wait_has "$T/own/events" "svc HUP" || return 1
	expect_status POST /programs/svc/signal/USR1 202 || return 1	# root
	wait_has "$T/own/events" "svc USR1" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# The socket's directory must be tend's: a directory that other users can
# write to (sticky or not), or that belongs to another user, or a directory
# above it that others can write to without the sticky bit, is refused at
# start (exit 2, nothing started, no socket made). A sticky directory above
# it, like /tmp, is fine.
refuse_socket_dir() {
	local dir=$1 why=$2
	cat >"$T/tend.ini" <<EOF
[tend]
socket = $dir/tend.sock

[program:p]
command = sh -c "echo ran >>$T/ran"
startsecs = 0
EOF
	LOG=$T/tend-$(basename "$dir").log
	run_ns_to_exit 10 -c "$T/tend.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: unsafe directory for $dir/tend.sock: $why" || return 1
	[ "$(lines "$LOG")" = 1 ] || { fail "more than one line for an unsafe directory: $(cat "$LOG")"; return 1; }
	[ ! -e "$dir/tend.sock" ] || { fail "a socket was made in $dir"; return 1; }
	[ ! -e "$T/ran" ] || fail "a program was started despite the unsafe directory $dir"
}
t_http_socket_dir_unsafe() {
	mkdir "$T/open" && chmod 0777 "$T/open"
	refuse_socket_dir "$T/open" "$T/open is writable by other users (mode 0777)" || return 1
	mkdir "$T/sticky" && chmod 1777 "$T/sticky"
	refuse_socket_dir "$T/sticky" "$T/sticky is writable by other users (mode 1777)" || return 1
	mkdir "$T/group" && chmod 0775 "$T/group"
	refuse_socket_dir "$T/group" "$T/group is writable by other users (mode 0775)" || return 1
	mkdir "$T/theirs" && chown nobody "$T/theirs"
	refuse_socket_dir "$T/theirs" "$T/theirs belongs to uid $(id -u nobody), neither root nor tend's uid 0" || return 1
	# above it: writable by others, not sticky; also when reached through a link
	mkdir -p "$T/above/run" && chmod 0777 "$T/above"
	refuse_socket_dir "$T/above/run" "$T/above is writable by other users (mode 0777)" || return 1
	ln -s "$T/above/run" "$T/link"
	refuse_socket_dir "$T/link" "$T/above is writable by other users (mode 0777)" || return 1
	# a sticky directory above it (as /tmp is): fine, the socket is served
	mkdir "$T/tmp" && chmod 1777 "$T/tmp"
	cat >"$T/tend.ini" <<EOF
[tend]
socket = $T/tmp/tend/tend.sock

[program:p]
command = sh -c "echo ran >>$T/ran"
startsecs = 0
EOF
	LOG=$T/tend-tmp.log
	start_ns -c "$T/tend.ini" || return 1
	TEND_SOCKET=$T/tmp/tend/tend.sock wait_until 10 api_up || { fail "no API under a sticky directory"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# Once the loop runs, the startup code and the ELF header segment of tend's
# own file are no longer mapped (shed.c), and serving requests does not
# bring them back. Only builds that split the startup code (build/tend).
t_startup_pages_dropped() {
	if ! readelf -SW "$TEND" 2>/dev/null | grep -q tend_startup_text; then
		echo "  (skipped: this build keeps its startup code with the rest)"
		return 0
	fi
	cat >"$T/tend.ini" <<EOF
[program:a]
command = $SIGREC $T/events a
startsecs = 0.2

[program:b]
command = $SIGREC $T/events b
startsecs = 0.2
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 health_is 200 || { fail "/health not 200: $CODE"; return 1; }
	local i
	for i in $(seq 20); do
		expect_status GET /health 200 || return 1
		expect_status GET /metrics 200 || return 1
	done
	# "perms offset rss" of each mapping of tend's file, in address order
	awk -v file="$TEND" '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == file); if (name) { perms = $2; off = $3 } }
		/^Rss:/ && name { print perms, off, $2 }' "/proc/$TEND_PID/smaps" >"$T/maps"
	[ "$(grep -c '^r-xp' "$T/maps")" -ge 2 ] ||
		{ fail "the code of tend is one mapping: $(tr '\n' ';' <"$T/maps")"; return 1; }
	[ "$(grep '^r-xp' "$T/maps" | tail -n1 | cut -d' ' -f3)" = 0 ] ||
		{ fail "startup code still resident: $(tr '\n' ';' <"$T/maps")"; return 1; }
	[ "$(grep -m1 '^r--p 00000000 ' "$T/maps" | cut -d' ' -f3)" = 0 ] ||
		{ fail "ELF header segment still resident: $(tr '\n' ';' <"$T/maps")"; return 1; }
	[ "$(grep '^r-xp' "$T/maps" | head -n1 | cut -d' ' -f3)" -gt 0 ] ||
		{ fail "the loop code is not resident?: $(tr '\n' ';' <"$T/maps")"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

ALL_TESTS+=(
	startup_pages_dropped
	http_routes
	http_connections
	http_errors
	http_backoff_then_ready
	http_control
	http_socket_file
	http_tcp_ipv6
	http_metrics_promtool
	http_flood
	http_fd_reserve
	http_half_close
	http_control_peer_uid
	http_control_own_uid
	http_socket_dir_unsafe
)
