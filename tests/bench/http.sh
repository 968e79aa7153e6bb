# Metric "http": GET /health over TCP on loopback, tend next to nginx and
# supervisord's XML-RPC.
#
# tend (a copy of the binary under test) runs as PID 1 of a PID namespace
# with two idle programs and health_listen on a free loopback port; nginx
# (one worker, `return 200 "ok"`) on another. The same nginx worker also
# answers, on a third port, with the very body and headers tend gave at the
# start (`nginx, tend's body`): a control, telling what the answer's size
# costs from what tend's serving costs. supervisord (as PID 1 of a PID
# namespace with two idle programs, its inet_http_server on a loopback
# port) answers POST /RPC2 supervisor.getAllProcessInfo, its way of telling
# the state of its programs (a wrk Lua script sends the XML-RPC body): a
# reference for what a supervisor's status costs elsewhere. After a 1 s
# warm-up of each, `wrk
# -t2 -c50 -d5s --latency` runs against each in turn, the order rotating
# every round, HTTP_ROUNDS times. Per server: median requests/s, p50 and p99
# (wrk's latency distribution), the server's CPU time per request
# (/proc/PID/schedstat of tend, of nginx's worker), errors. Then one
# pipelined run each (4 requests per write). tend's memory (smaps_rollup of
# its PID as seen from here) before load, after the warm-up, after the
# rounds and after the pipelined runs, with what changed by mapping.
# Targets (from the issue), against nginx's `return 200 "ok"`: tend's
# requests/s at least half of nginx's, its p99 no worse than nginx's; and
# (the harness's own) tend's memory not growing with requests.

HTTP_ROUNDS=${BENCH_ROUNDS:-3}
HTTP_WRK_ARGS=(-t2 -c50 -d"${BENCH_DURATION:-5}s" --latency)
HTTP_WARMUP_ARGS=(-t2 -c50 -d1s)
HTTP_PIPE_ARGS=(-t2 -c50 -d3s --latency)

# http_wrk PORT OUT SERVER_PID [WRK_ARG...]: runs wrk (with HTTP_WRK_ARGS,
# or the WRK_ARGs given) on HTTP_PATH (/health unless set), keeps its
# output in OUT and prints
# "RPS P50_US P99_US CPU_NS_PER_REQUEST REQUESTS ERRORS BYTES_PER_ANSWER SHARE"
# (CPU: the server's time on a CPU during the run, divided by the requests
# answered; bytes: what wrk read, headers included, divided likewise; share:
# the server's and wrk's CPU time over all CPUs' time during the run, in %:
# well under the other runs' means other programs took CPU time meanwhile). Run it in a
# subshell of its own: it reads wrk's CPU time from `times`.
http_wrk() {
	local port=$1 out=$2 pid=$3 cpu0 cpu1
	shift 3
	[ $# -gt 0 ] || set -- "${HTTP_WRK_ARGS[@]}"
	local t0 t1 wrk_cpu
	cpu0=$(cpu_ns "$pid") t0=$(now_us)
	wrk "$@" "http://127.0.0.1:$port${HTTP_PATH:-/health}" >"$out" 2>&1 </dev/null || {
		log "wrk failed on port $port:"
		cat "$out" >&2
		return 1
	}
	cpu1=$(cpu_ns "$pid") t1=$(now_us)
	# `times`, second line: this subshell's children (wrk alone so far), user and system
	times >"$out.times"	# not in a $(...): that subshell has no children
	wrk_cpu=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /m|s/); t += a[1] * 60 + a[2] } printf "%.0f\n", t * 1e6 }' "$out.times")
	local rps p50 p99 errors requests bytes
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "50%" { print $2; exit }' "$out")
	p99=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")
	p50=$(to_us "$p50") && p99=$(to_us "$p99") || { log "no latency distribution in wrk's output ($out)"; return 1; }
	# socket errors (connect, read, write, timeout) and non-2xx/3xx answers
	errors=$(awk '/Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
		      /Non-2xx or 3xx responses:/ { e += $NF } END { print e + 0 }' "$out")
	requests=$(awk '/requests in/ { print $1 }' "$out")
	bytes=$(awk '/requests in/ { v = $(NF - 1); m = 1
		if (v ~ /KB$/) m = 1024; else if (v ~ /MB$/) m = 1048576; else if (v ~ /GB$/) m = 1073741824
		sub(/[KMG]?B$/, "", v); printf "%.0f\n", v * m }' "$out")
	[ -n "$rps" ] && [ "${requests:-0}" -gt 0 ] || { log "no requests answered ($out)"; return 1; }
	local share
	share=$(awk -v s=$(((cpu1 - cpu0) / 1000)) -v w="$wrk_cpu" -v t=$((t1 - t0)) -v n="$(nproc)" \
		'BEGIN { printf "%.0f\n", 100 * (s + w) / (t * n) }')
	echo "$rps $p50 $p99 $(((cpu1 - cpu0) / requests)) $requests $errors $((bytes / requests)) $share"
}

http_start_tend() {
	local dir=$1 port=$2
	cat >"$dir/tend.ini" <<EOF
[tend]
socket = $dir/tend.sock
health_listen = 127.0.0.1:$port
shutdown_timeout = 3

[program:idle1]
command = sleep infinity

[program:idle2]
command = sleep infinity
EOF
	# a copy of its own, written back (else its pages count as dirty): the
	# pages of build/tend are shared with whatever else runs it
	cp "$TEND" "$dir/tend" && sync "$dir/tend" || return 1
	unshare --pid --fork --mount-proc "$dir/tend" -c "$dir/tend.ini" </dev/null >"$dir/tend.log" 2>&1 &
	HTTP_UNSHARE=$!
	own "$HTTP_UNSHARE"
	wait_until 5 eval '[ -n "$(children_of "$HTTP_UNSHARE")" ]' || { log "tend did not start"; return 1; }
	HTTP_TEND=$(children_of "$HTTP_UNSHARE" | head -n1)
	own "$HTTP_TEND"	# ended first: tend as PID 1 takes the namespace down
	if ! wait_until 10 http_ok "$port" /health; then
		log "tend is not answering 200 on 127.0.0.1:$port/health; its log:"
		cat "$dir/tend.log" >&2
		return 1
	fi
}

# http_start_nginx DIR PORT PORT_SAME_BODY BODY_FILE
http_start_nginx() {
	local dir=$1 port=$2 port2=$3 body
	body=$(cat "$4" && echo .) && body=${body%.}	# its final newline included
	case $body in *"'"* | *\\* | *'$'*) log "tend's body has ' or \\ or \$: cannot put it in nginx.conf"; return 1 ;; esac
	mkdir -p "$dir/logs"
	cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        location = /health { return 200 "ok"; }
    }
    server {
        listen 127.0.0.1:$port2;
        location = /health {
            default_type application/json;
            add_header Cache-Control no-store;
            return 200 '$body';
        }
    }
}
EOF
	nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" </dev/null >"$dir/nginx.out" 2>&1 &
	HTTP_NGINX=$!
	own "$HTTP_NGINX"
	if ! wait_until 10 http_ok "$port" /health || ! http_ok "$port2" /health; then
		log "nginx is not answering 200 on 127.0.0.1:$port/health and :$port2/health:"
		cat "$dir/nginx.out" "$dir/logs/error.log" >&2 2>/dev/null
		return 1
	fi
	HTTP_NGINX_WORKER=$(children_of "$HTTP_NGINX" | head -n1)
	[ -n "$HTTP_NGINX_WORKER" ] || { log "nginx has no worker process"; return 1; }
	own_last "$HTTP_NGINX_WORKER"	# only if the master left it behind
}

HTTP_XMLRPC='<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params></params></methodCall>'

# http_post PORT PATH BODY: the whole answer to POST PATH (text/xml) on
# 127.0.0.1:PORT (HTTP/1.0: the server closes after it).
http_post() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'POST %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s' \
		"$2" "${#3}" "$3" >&"$fd"
	timeout 2 cat <&"$fd"
	exec {fd}>&-
}
http_xmlrpc_ok() {
	local a
	a=$(http_post "$1" /RPC2 "$HTTP_XMLRPC" 2>/dev/null) || return 1
	[[ $a == "HTTP/1."?" 200"* ]] && [[ $a == *"<methodResponse>"* ]] && [[ $a != *"<fault>"* ]]
}

# http_start_supervisord DIR PORT: supervisord as PID 1 of a PID namespace,
# two idle programs, its XML-RPC on 127.0.0.1:PORT; sets HTTP_SUPERVISORD.
http_start_supervisord() {
	local dir=$1 port=$2
	supervisord_head "$dir" >"$dir/supervisord.conf"
	cat >>"$dir/supervisord.conf" <<-CONF

	[inet_http_server]
	port = 127.0.0.1:$port

	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

	[program:idle1]
	command = sleep infinity
	stdout_logfile = NONE
	stderr_logfile = NONE

	[program:idle2]
	command = sleep infinity
	stdout_logfile = NONE
	stderr_logfile = NONE
	CONF
	unshare --pid --fork --mount-proc supervisord -n -c "$dir/supervisord.conf" </dev/null >"$dir/out.log" 2>&1 &
	local u=$!
	own "$u"
	wait_until 5 eval '[ -n "$(children_of "$u")" ]' || { log "supervisord did not start"; return 1; }
	HTTP_SUPERVISORD=$(children_of "$u" | head -n1)
	own "$HTTP_SUPERVISORD"	# ended first: PID 1 takes the namespace down
	if ! wait_until 10 http_xmlrpc_ok "$port"; then
		log "supervisord is not answering getAllProcessInfo on 127.0.0.1:$port/RPC2; its log:"
		cat "$dir/out.log" "$dir/supervisord.log" >&2 2>/dev/null
		return 1
	fi
}

bench_http() {
	local dir=$WORK/http
	mkdir -p "$dir/tend" "$dir/nginx" "$dir/supervisord"
	local tport nport bport sport
	tport=$(free_port) && nport=$(free_port) && bport=$(free_port) && sport=$(free_port) ||
		{ log "no free loopback port"; return 1; }

	log "http: starting tend (127.0.0.1:$tport), nginx (127.0.0.1:$nport, :$bport) and supervisord (127.0.0.1:$sport)"
	http_start_tend "$dir/tend" "$tport" || return 1
	http_body "$tport" /health >"$dir/tend-body" || { log "cannot read tend's /health"; return 1; }
	http_start_nginx "$dir/nginx" "$nport" "$bport" "$dir/tend-body" || return 1
	http_start_supervisord "$dir/supervisord" "$sport" || return 1
	local tversion nversion sversion tlen slen
	tversion=$("$TEND" --version 2>&1 | head -n1)
	nversion=$(nginx -v 2>&1 | sed 's|.*nginx/|nginx |')
	sversion="supervisord $(dpkg-query -W -f='${Version}' supervisor 2>/dev/null)"
	tlen=$(wc -c <"$dir/tend-body")
	http_post "$sport" /RPC2 "$HTTP_XMLRPC" >"$dir/supervisord-answer"
	slen=$(awk 'b { n += length($0) + 1 } /^\r?$/ { b = 1 } END { print n + 0 }' "$dir/supervisord-answer")
	printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "text/xml"\n' "$HTTP_XMLRPC" >"$dir/xmlrpc.lua"

	# the servers, by name: port, path, wrk's extra arguments and the PID whose CPU time is counted
	local -a servers=(tend nginx nginx-body supervisord)
	local -A port=([tend]=$tport [nginx]=$nport [nginx-body]=$bport [supervisord]=$sport)
	local -A path=([tend]=/health [nginx]=/health [nginx-body]=/health [supervisord]=/RPC2)
	local -A extra=([supervisord]="-s $dir/xmlrpc.lua")
	local -A pid=([tend]=$HTTP_TEND [nginx]=$HTTP_NGINX_WORKER [nginx-body]=$HTTP_NGINX_WORKER [supervisord]=$HTTP_SUPERVISORD)
	local -A label=([tend]=tend [nginx]="nginx" [nginx-body]="nginx, tend's body" [supervisord]="supervisord XML-RPC")

	# memory before load (tend has served its readiness probes), then after a warm-up
	local mem0 mem1 mem2 mem3 fd0 fd2 s
	sleep 0.2
	mem0=$(mem_kib "$HTTP_TEND") fd0=$(fd_count "$HTTP_TEND")
	mem_by_mapping "$HTTP_TEND" >"$dir/map0"
	log "http: warm-up (1 s each)"
	for s in "${servers[@]}"; do
		wrk "${HTTP_WARMUP_ARGS[@]}" ${extra[$s]:-} "http://127.0.0.1:${port[$s]}${path[$s]}" >/dev/null 2>&1 </dev/null
	done
	sleep 0.2
	mem1=$(mem_kib "$HTTP_TEND")
	mem_by_mapping "$HTTP_TEND" >"$dir/map1"

	# per server, space-separated lists over the rounds
	local -A rps=() p50=() p99=() cpu=() reqs=() errs=() size=()
	local -a raw=()
	local r k res n=${#servers[@]}
	for ((r = 1; r <= HTTP_ROUNDS; r++)); do
		for ((k = 0; k < n; k++)); do
			s=${servers[(k + r - 1) % n]}
			log "http: round $r/$HTTP_ROUNDS: wrk ${HTTP_WRK_ARGS[*]} on ${label[$s]}"
			res=$(HTTP_PATH=${path[$s]} http_wrk "${port[$s]}" "$dir/wrk-$r-$s.txt" "${pid[$s]}" "${HTTP_WRK_ARGS[@]}" ${extra[$s]:-}) || return 1
			set -- $res
			rps[$s]+=" $1" p50[$s]+=" $2" p99[$s]+=" $3" cpu[$s]+=" $4"
			reqs[$s]=$((${reqs[$s]:-0} + $5)) errs[$s]=$((${errs[$s]:-0} + $6)) size[$s]=$7
			raw+=("| $r | ${label[$s]} | $(printf '%.0f' "$1") | $(fmt_us "$2") | $(fmt_us "$3") | $(fmt_ns "$4") | $8 % | $6 |")
			sleep 0.3
		done
	done
	sleep 0.2
	mem2=$(mem_kib "$HTTP_TEND") fd2=$(fd_count "$HTTP_TEND")
	mem_by_mapping "$HTTP_TEND" >"$dir/map2"

	# pipelined: 4 requests per write (wrk's Lua), once each; not a target, a guard
	cat >"$dir/pipeline.lua" <<'LUA'
init = function(args)
  local r = {}
  for i = 1, 4 do r[i] = wrk.format(nil, "/health") end
  req = table.concat(r)
end
request = function() return req end
LUA
	local -a pipe_rows=()
	for s in tend nginx; do
		log "http: pipelined: wrk ${HTTP_PIPE_ARGS[*]} on ${label[$s]}"
		res=$(http_wrk "${port[$s]}" "$dir/wrk-pipe-$s.txt" "${pid[$s]}" "${HTTP_PIPE_ARGS[@]}" -s "$dir/pipeline.lua") || return 1
		set -- $res
		pipe_rows+=("| ${label[$s]} | $(printf '%.0f' "$1") | $(fmt_us "$2") | $(fmt_us "$3") | $(fmt_ns "$4") | $5 | $6 |")
		sleep 0.3
	done
	sleep 0.2
	mem3=$(mem_kib "$HTTP_TEND")

	local nginx_mem=""
	alive "$HTTP_NGINX_WORKER" && nginx_mem=$(mem_kib "$HTTP_NGINX_WORKER")
	alive "$HTTP_TEND" || { log "tend died during the run; its log:"; cat "$dir/tend/tend.log" >&2; return 1; }

	# medians, and ratios to nginx (`return 200 "ok"`)
	local -A m_rps m_p50 m_p99 m_cpu
	for s in "${servers[@]}"; do
		m_rps[$s]=$(median ${rps[$s]}) m_p50[$s]=$(median ${p50[$s]})
		m_p99[$s]=$(median ${p99[$s]}) m_cpu[$s]=$(median ${cpu[$s]})
	done
	local rows="" ratios=""
	for s in "${servers[@]}"; do
		rows+="| ${label[$s]} | ${size[$s]} | $(span "%.0f" ${rps[$s]}) | $(span us ${p50[$s]}) | $(span us ${p99[$s]}) | $(span ns ${cpu[$s]}) | ${reqs[$s]} | ${errs[$s]} |"$'\n'
	done
	for s in tend nginx-body; do
		ratios+="| **${label[$s]} / nginx** | | **$(ratio "${m_rps[$s]}" "${m_rps[nginx]}")×** | **$(ratio "${m_p50[$s]}" "${m_p50[nginx]}")×** | **$(ratio "${m_p99[$s]}" "${m_p99[nginx]}")×** | **$(ratio "${m_cpu[$s]}" "${m_cpu[nginx]}")×** | | |"$'\n'
	done
	ratios+="| **tend / supervisord XML-RPC** | | **$(ratio "${m_rps[tend]}" "${m_rps[supervisord]}")×** | **$(ratio "${m_p50[tend]}" "${m_p50[supervisord]}")×** | **$(ratio "${m_p99[tend]}" "${m_p99[supervisord]}")×** | **$(ratio "${m_cpu[tend]}" "${m_cpu[supervisord]}")×** | | |"$'\n'
	chart http tend "${m_rps[tend]}"
	chart http nginx "${m_rps[nginx]}"
	chart http supervisord "${m_rps[supervisord]}"

	local -a m0 m1 m2 m3 nm
	read -ra m0 <<<"$mem0"
	read -ra m1 <<<"$mem1"
	read -ra m2 <<<"$mem2"
	read -ra m3 <<<"$mem3"
	local uss_delta=$((m2[2] - m0[2])) uss_delta_run=$((m2[2] - m1[2]))
	local anon_delta=$((m2[3] - m0[3])) anon_delta_run=$((m2[3] - m1[3]))
	local growth_warm growth_run
	growth_warm=$(mapping_growth "$dir/map0" "$dir/map1")
	growth_run=$(mapping_growth "$dir/map1" "$dir/map2")

	cat <<EOF
## HTTP: \`GET /health\` over TCP on loopback (and supervisord's XML-RPC)

\`wrk ${HTTP_WRK_ARGS[*]}\` against each server in turn, the order rotating every round,
$HTTP_ROUNDS round(s), after a 1 s warm-up of each. tend ($tversion) runs as PID 1 of a PID
namespace with two idle programs (\`sleep infinity\`), \`health_listen\` on 127.0.0.1; its answer
is the full JSON status ($tlen bytes of body). $nversion, one worker, \`access_log off\`:
\`location = /health { return 200 "ok"; }\` (the target), and on another port the same worker
returning tend's body with tend's Content-Type and Cache-Control (a control: what the size of
the answer costs). $sversion (a reference: how another supervisor tells the state of its
programs over HTTP) runs as PID 1 of a PID namespace with two idle programs, its
\`inet_http_server\` on 127.0.0.1, and answers \`POST /RPC2\` with the XML-RPC call
\`supervisor.getAllProcessInfo\` (sent by a wrk Lua script; $slen bytes of body in the answer).
wrk and the servers share the machine's CPUs (load average before the run:
$LOADAVG). Server CPU: the server process's time on a CPU during the run
(\`/proc/PID/schedstat\` of tend, of nginx's worker, of supervisord), per request answered. Bytes per answer:
what wrk read (headers and body) over the requests, as wrk rounds it.

| server | bytes per answer | requests/s | p50 latency | p99 latency | server CPU per request | requests | errors |
|---|---|---|---|---|---|---|---|
${rows}${ratios}
Medians over the rounds, (min–max) after them. Each run (CPU share: the server's and wrk's CPU
time over all $(nproc) CPUs' time during the run; this closed loop leaves some idle time, so it is
under 100 % even on a quiet machine, but a run well under the others had CPU time taken by
something else, and its figures are disturbed):

| round | server | requests/s | p50 | p99 | server CPU per request | CPU share of wrk + server | errors |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${raw[@]}")

Pipelined: 4 requests per write on each connection (a wrk Lua script), \`wrk ${HTTP_PIPE_ARGS[*]}\`,
once each, after the rounds; latency is per batch of 4. Not a target: it shows that answers to
pipelined requests are not held back (by Nagle's algorithm, for one).

| server | requests/s | p50 | p99 | server CPU per request | requests | errors |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${pipe_rows[@]}")

tend's memory (KiB, \`/proc/PID/smaps_rollup\` of its PID outside the namespace; USS =
Private_Clean + Private_Dirty; anonymous = what tend allocated or wrote itself: heap, stack,
data. A library's clean pages count as private only while no other process maps it, so USS
also moves when other programs using libev start or stop; anonymous does not, and judges the
target):

| when | RSS | PSS | USS | anonymous | open fds |
|---|---|---|---|---|---|
| before load (only readiness probes served) | ${m0[0]} | ${m0[1]} | ${m0[2]} | ${m0[3]} | $fd0 |
| after the warm-up | ${m1[0]} | ${m1[1]} | ${m1[2]} | ${m1[3]} | |
| after the $HTTP_ROUNDS round(s) | ${m2[0]} | ${m2[1]} | ${m2[2]} | ${m2[3]} | $fd2 |
| after the pipelined runs | ${m3[0]} | ${m3[1]} | ${m3[2]} | ${m3[3]} | |

Anonymous memory that changed, by mapping (\`/proc/PID/smaps\`): before load → after the warm-up:
$growth_warm; after the warm-up → after the rounds: $growth_run.
EOF
	if [ "$growth_run" = none ] && [ "$growth_warm" != none ]; then
		echo "The growth came with the first burst of ${HTTP_WRK_ARGS[1]#-c} connections and not after:"
		echo "memory kept for reuse (freed connection structs stay with malloc, libev's per-fd arrays"
		echo "stay grown), not memory that grows with requests."
	fi
	if [ -n "$nginx_mem" ]; then
		read -ra nm <<<"$nginx_mem"
		echo "For scale, nginx's worker after the rounds: RSS ${nm[0]} KiB, PSS ${nm[1]} KiB, USS ${nm[2]} KiB, anonymous ${nm[3]} KiB (its master not counted)."
	fi
	echo

	local ok tr=${m_rps[tend]} nr=${m_rps[nginx]} tp=${m_p99[tend]} np=${m_p99[nginx]}
	ok=$(awk -v a="$tr" -v b="$nr" 'BEGIN { print (b > 0 && a >= 0.5 * b) ? "PASS" : "MISS" }')
	target "http: tend's requests/s ≥ 0.5 × nginx's" "$(printf '%.0f vs %.0f: %s×' "$tr" "$nr" "$(ratio "$tr" "$nr")")" "$ok"
	ok=$(awk -v a="$tp" -v b="$np" 'BEGIN { print (a <= b) ? "PASS" : "MISS" }')
	target "http: tend's p99 ≤ nginx's" "$(fmt_us "$tp") vs $(fmt_us "$np"): $(ratio "$tp" "$np")× (nginx with tend's body: $(fmt_us "${m_p99[nginx-body]}"))" "$ok"
	# Not the issue's: the harness's own check for a leak. Judged from the
	# warm-up on: the first burst of connections leaves a bounded high-water
	# mark (freed connections kept by malloc, libev's per-fd arrays; at most
	# 128 connections a listener), shown but not counted as growth.
	ok=$([ "$anon_delta_run" -eq 0 ] && echo PASS || echo MISS)
	target "http: tend's memory does not grow with requests (anonymous, after the warm-up → after the rounds)" \
		"$(printf '%+d KiB (USS %+d KiB); the first burst of 50 connections: %+d KiB (USS %+d KiB), once' \
			"$anon_delta_run" "$uss_delta_run" "$anon_delta" "$uss_delta")" "$ok"
	local e=0
	for s in "${servers[@]}"; do e=$((e + ${errs[$s]})); done
	[ "$e" -eq 0 ] || target "http: no errors" "$e (see the table)" MISS
	return 0	# the driver stops what was started (cleanup_owned)
}
