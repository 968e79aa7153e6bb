#!/usr/bin/env bash
# The zero-downtime benchmark: usage `bash tests/bench/zero_downtime.sh
# PATH/TO/tend [-w]` (`make bench-zero-downtime`; ZD_WRITE=1 there for -w).
#
# The demo stack — real nginx with config/nginx.conf (paths and its port
# changed, access log off) proxying /api/ to the example backend
# (build/backend) on 127.0.0.1:3000 — under a paced load of idempotent GETs
# (build/bench/load: ZD_CONNS keep-alive connections to nginx, one GET
# /api/v1/towns/selection every ZD_INTERVAL_MS on each), while:
#   restart  ZD_EVENTS × `tend restart backend` (supervisord: `supervisorctl
#            restart backend`),
#   kill     ZD_EVENTS × SIGKILL to the backend's pid (read from tend's
#            /health, or `supervisorctl status`, never looked up by name),
# each time waiting (bounded) until a new backend process is RUNNING and
# answers before a pause of ZD_PAUSE s and the next one; for three stacks in
# the same run: tend with `listen = tcp://127.0.0.1:3000` on the backend
# (the socket held by tend, passed as LISTEN_FDS), tend without it (the
# backend binds the port itself, as before), and supervisord (the backend
# binds itself; supervisord has no such socket for a plain program).
# Then `drain`: tend (with listen when it has it) with `drain = ZD_DRAIN`
# gets a SIGTERM as from `docker stop`, while the load keeps going and a
# poller GETs /readyz on tend's health_listen every 5 ms; and once more
# with drain = 0, for comparison.
#
# Counted: every request the load sent, with its outcome (load.c: the HTTP
# status, or a connection that failed); failed = anything but 2xx. A failure
# is put down to the last event started before it was sent.
#
# Everything runs in a private network namespace (`unshare --net`, only lo,
# brought up here), so the demo's own ports are used and nothing is reachable
# from outside; tend and supervisord each run as PID 1 of a PID namespace.
# Every process started is ended by PID (lib.sh: own, cleanup_owned), every
# wait is bounded. Prints a markdown report; -w also writes it into
# docs/benchmarks.md as its section "Zero downtime" (replacing that section
# if there, else appended; the rest of the file is kept). KEEP=1 keeps the
# temp dir. Exit 0 when every part ran (whatever the counts), 1 when one
# could not, 2 on bad usage.

set -u
export LC_ALL=C

usage() { echo "usage: $0 PATH/TO/tend [-w]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
[ $# -lt 2 ] || [ "$2" = -w ] || usage
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "zero_downtime.sh: needs root (network and PID namespaces)" >&2
	exit 2
fi
# a network namespace of our own: only loopback, the demo's ports free
if [ -z "${ZD_IN_NETNS:-}" ]; then
	exec unshare --net env ZD_IN_NETNS=1 bash "${BASH_SOURCE[0]}" "$@"
fi
ip link set lo up || { echo "zero_downtime.sh: cannot bring lo up" >&2; exit 2; }

TEND=$(realpath -- "$1") || exit 2
TEND_SRC=$TEND
WRITE=$([ "${2:-}" = -w ] && echo 1)
BENCH=$ROOT/tests/bench
. "$BENCH/lib.sh"

BACKEND=$ROOT/build/backend
LOAD=$ROOT/build/bench/load
EVENTS=${ZD_EVENTS:-20}
CONNS=${ZD_CONNS:-4}
INTERVAL_MS=${ZD_INTERVAL_MS:-4}
PAUSE=${ZD_PAUSE:-0.5}
DRAIN=${ZD_DRAIN:-3}
NGINX_PORT=8080 BACKEND_PORT=3000 HEALTH_PORT=8081
LOAD_PATH=/api/v1/towns/selection

for f in "$TEND" "$BACKEND" "$LOAD"; do
	[ -x "$f" ] || { echo "zero_downtime.sh: $f is missing (make build/tend build/backend build/bench/load)" >&2; exit 2; }
done
[ "$BENCH/load.c" -nt "$LOAD" ] && { echo "zero_downtime.sh: $LOAD is older than load.c" >&2; exit 2; }
for tool in nginx supervisord supervisorctl unshare awk; do
	command -v "$tool" >/dev/null || { echo "zero_downtime.sh: $tool is missing (\`make bench-zero-downtime\` installs it)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/tend-zd.XXXXXX) || exit 2
chmod 755 "$WORK"	# nginx's workers (www-data) read the error pages here
mkfifo "$WORK/quiet" && exec {QUIET_FD}<>"$WORK/quiet" || exit 2
finish() {
	cleanup_owned
	if [ -n "${KEEP:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# this run's own copy: the same binary throughout, however build/tend changes
cp -- "$TEND" "$WORK/tend" || exit 2
TEND=$WORK/tend

# ---- the stack ----

# zd_nginx_conf DIR: config/nginx.conf with its pid file, temp dirs, error
# pages and tend's socket moved into DIR, its port changed to NGINX_PORT
# (loopback), its access log off (the load would log every request: a
# relay benchmark of its own). Fails when the file no longer has what is
# changed here, so that the benchmark never runs on a half-changed copy.
zd_nginx_conf() {
	local dir=$1 src=$ROOT/config/nginx.conf conf=$1/nginx.conf
	mkdir -p "$dir/nginx" && cp -r "$ROOT/config/errors" "$dir/errors" || return 1
	sed -e "s|^pid /run/nginx.pid;|pid $dir/nginx.pid;|" \
	    -e "s|/var/lib/nginx/|$dir/nginx/|g" \
	    -e "s|access_log /dev/stdout;|access_log off;|" \
	    -e "s|listen 80 default_server;|listen 127.0.0.1:$NGINX_PORT default_server;|" \
	    -e "s|root /usr/share/nginx;|root $dir;|" \
	    -e "s|unix:/run/tend/tend.sock|unix:$dir/tend.sock|" "$src" >"$conf" || return 1
	local want
	for want in "pid $dir/nginx.pid;" "proxy_temp_path $dir/nginx/proxy;" "access_log off;" \
		"listen 127.0.0.1:$NGINX_PORT default_server;" "root $dir;" "server 127.0.0.1:$BACKEND_PORT"; do
		grep -qF -- "$want" "$conf" || { log "config/nginx.conf changed: no \"$want\" in its copy"; return 1; }
	done
	if sed 's/#.*//' "$conf" | grep -nE '/run/|/var/lib/nginx|/dev/stdout|listen +80' >&2; then	# comments aside
		log "config/nginx.conf changed: the lines above were not moved into the bench's directory"
		return 1
	fi
	nginx -t -q -e stderr -c "$conf" || { log "nginx -t failed on $conf"; return 1; }
}

# zd_tend_ini DIR LISTEN DRAIN: the demo's config/tend.ini for this run:
# the same keys for the backend and nginx, but the binaries' paths, no
# `user` (no such users here), and no restart_limit (5 a minute in the demo:
# the kill round's 20 crashes in a row would make the backend FATAL, as
# meant there). LISTEN: yes or no.
zd_tend_ini() {
	local dir=$1 listen=$2 drain=$3
	cat >"$dir/tend.ini" <<-EOF
	[tend]
	socket = $dir/tend.sock
	health_listen = 127.0.0.1:$HEALTH_PORT
	shutdown_timeout = $((9 + ${drain%.*}))
	$([ "$drain" != 0 ] && echo "drain = $drain")

	[program:backend]
	command = $BACKEND $BACKEND_PORT
	$([ "$listen" = yes ] && echo "listen = tcp://127.0.0.1:$BACKEND_PORT")
	priority = 10
	healthcheck = http://127.0.0.1:$BACKEND_PORT/api/health
	healthcheck_interval = 5
	healthcheck_timeout = 2
	healthcheck_retries = 3
	restart_on_unhealthy = true
	stopsignal = TERM
	stopwaitsecs = 3

	[program:nginx]
	command = nginx -e stderr -c $dir/nginx.conf -g "daemon off;"
	depends_on = backend
	startsecs = 3
	stopsignal = QUIT
	stopwaitsecs = 5
	forward_signals = HUP, USR1
	EOF
}

# supervisord: the same two programs and timings; the backend started
# first (priority), no readiness wait (supervisord has none).
zd_supervisord_conf() {
	local dir=$1
	cat >"$dir/supervisord.conf" <<-EOF
	[supervisord]
	nodaemon = true
	user = root
	logfile = $dir/supervisord.log
	pidfile = $dir/supervisord.pid
	childlogdir = $dir

	[unix_http_server]
	file = $dir/supervisor.sock

	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

	[supervisorctl]
	serverurl = unix://$dir/supervisor.sock

	[program:backend]
	command = $BACKEND $BACKEND_PORT
	priority = 10
	autorestart = true
	startsecs = 1
	stopsignal = TERM
	stopwaitsecs = 3
	stdout_logfile = $dir/backend.log
	redirect_stderr = true

	[program:nginx]
	command = nginx -e stderr -c $dir/nginx.conf -g "daemon off;"
	priority = 20
	autorestart = true
	startsecs = 3
	stopsignal = QUIT
	stopwaitsecs = 5
	stdout_logfile = $dir/nginx.log
	redirect_stderr = true
	EOF
}

STACK_SYS='' STACK_DIR='' STACK_UNSHARE='' STACK_PID1=''

# zd_start SYS DIR [LISTEN [DRAIN]]: writes the configs in DIR (new) and
# starts the stack, PID 1 of a PID namespace; returns once nginx answers
# GET LOAD_PATH with 200 (30 s at most). Returns 3 when tend refuses the
# config (a key this tend does not have), with its message in DIR/check.log.
zd_start() {
	local sys=$1 dir=$2 listen=${3:-no} drain=${4:-0} cmd=()
	rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir" || return 1
	zd_nginx_conf "$dir" || return 1
	if [ "$sys" = tend ]; then
		zd_tend_ini "$dir" "$listen" "$drain"
		"$TEND" check -c "$dir/tend.ini" >"$dir/check.log" 2>&1 || return 3
		cmd=("$TEND" -c "$dir/tend.ini")
	else
		zd_supervisord_conf "$dir"
		cmd=(supervisord -n -c "$dir/supervisord.conf")
	fi
	unshare --pid --fork --mount-proc "${cmd[@]}" </dev/null >"$dir/out.log" 2>&1 &
	STACK_UNSHARE=$! STACK_SYS=$sys STACK_DIR=$dir
	own "$STACK_UNSHARE"
	wait_until 5 eval '[ -n "$(children_of "$STACK_UNSHARE")" ]' || { log "$sys did not start"; return 1; }
	STACK_PID1=$(children_of "$STACK_UNSHARE" | head -n1)
	own "$STACK_PID1"	# ended first: PID 1 takes its namespace down
	if ! wait_until 30 http_ok "$NGINX_PORT" "$LOAD_PATH" || ! wait_until 10 backend_running; then
		log "$sys: the stack does not answer on 127.0.0.1:$NGINX_PORT$LOAD_PATH; its output:"
		tail -n 20 "$dir/out.log" >&2
		return 1
	fi
}

# zd_refusal DIR: tend's first complaint about DIR's config, without the temp dir's name.
zd_refusal() { head -n1 "$1/check.log" | sed "s|$1/||; s|^tend: ||"; }

# zd_stop: SIGTERM to PID 1; waits (15 s at most) until its namespace is gone.
zd_stop() {
	alive "$STACK_PID1" && kill -TERM "$STACK_PID1" 2>/dev/null
	wait_until 15 dead "$STACK_UNSHARE" || log "$STACK_SYS: still running 15 s after SIGTERM"
	cleanup_owned
}

# backend_state: "STATE PID" of the backend (PID in the stack's namespace),
# from tend's /health or supervisorctl.
backend_state() {
	if [ "$STACK_SYS" = tend ]; then
		http_body "$HEALTH_PORT" /health 2>/dev/null | grep -o '"name":"backend"[^}]*' |
			sed -n 's/.*"state":"\([A-Z]*\)".*"pid":\([0-9]*\).*/\1 \2/p'
	else
		timeout 10 supervisorctl -c "$STACK_DIR/supervisord.conf" status backend 2>/dev/null |
			awk '{ p = $4; sub(/,$/, "", p); print $2, (p ~ /^[0-9]+$/ ? p : "") }'
	fi
}

# backend_running [OLD]: the backend is RUNNING with a pid (other than OLD)
# and answers GET /api/health itself (directly, not through nginx).
BACK_PID=
backend_running() {
	local s
	s=$(backend_state)
	set -- "${1:-}" $s
	[ "${2:-}" = RUNNING ] && [ -n "${3:-}" ] && [ "$3" != "$1" ] || return 1
	BACK_PID=$3
	http_ok "$BACKEND_PORT" /api/health 2>/dev/null
}

# global_pid NSPID: the PID, seen from here, of the stack's process whose
# PID in its namespace is NSPID (a child of PID 1 there).
global_pid() {
	local c
	for c in $(children_of "$STACK_PID1"); do
		[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$c/status" 2>/dev/null)" = "$1" ] && { echo "$c"; return 0; }
	done
	return 1
}

# ---- the load ----

LOAD_PID=
load_start() {	# OUT PORT PATH [CONNS INTERVAL_MS]
	"$LOAD" -c "${4:-$CONNS}" -i "${5:-$INTERVAL_MS}" -t 5 -d 600 -o "$1" "$2" "$3" >"$1.summary" 2>&1 </dev/null &
	LOAD_PID=$!
	own "$LOAD_PID"
}
load_stop() {	# PID: TERM; it waits for its requests under way (5 s at most) and writes its file
	kill -TERM "$1" 2>/dev/null
	wait_until 10 dead "$1" || { log "load $1 did not end"; return 1; }
	wait "$1" 2>/dev/null
}

# zd_events KIND EVENTS_FILE: ZD_EVENTS restarts or kills of the backend,
# each followed by a bounded wait until a new process is RUNNING and
# answers, then PAUSE; one line per event: "N START_US BACK_US" (BACK_US
# empty when it did not come back within 20 s: the round stops there).
zd_events() {
	local kind=$1 out=$2 i old t0 g
	: >"$out"
	for ((i = 1; i <= EVENTS; i++)); do
		backend_running || wait_until 10 backend_running || { log "no running backend before event $i"; return 1; }
		old=$BACK_PID
		t0=$(now_us)
		case $kind/$STACK_SYS in
		restart/tend) timeout 10 "$TEND" restart backend -s "$STACK_DIR/tend.sock" >/dev/null ;;
		restart/supervisord) timeout 30 supervisorctl -c "$STACK_DIR/supervisord.conf" restart backend >/dev/null ;;
		kill/*)
			g=$(global_pid "$old") || { log "backend pid $old not found under PID 1"; return 1; }
			kill -KILL "$g"
			;;
		esac
		if wait_until 20 backend_running "$old"; then
			echo "$i $t0 $(now_us)" >>"$out"
		else
			echo "$i $t0" >>"$out"
			log "$STACK_SYS $kind $i: no new running backend within 20 s"
			return 1
		fi
		quiet_sleep "$PAUSE"
	done
}

# zd_analyse LOAD_FILE EVENTS_FILE: "REQUESTS<TAB>FAILED<TAB>KINDS<TAB>EVENTS_HIT<TAB>BACK_MEDIAN_US<TAB>BACK_MAX_US"
# (KINDS: "502 ×3, broken ×1", or -; EVENTS_HIT: events with at least one
# failure put down to them; event 0 = before the first event).
zd_analyse() {
	awk -F' ' 'NR == FNR { ev[++ne] = $2; if ($3 != "") back[++nb] = $3 - $2; next }
	     { n++; st = $3; if (st >= 200 && st < 300) next
	       f++; k = (st == -1 ? "connect failed" : st == -2 ? "connection broken" : st == -3 ? "timeout" : st)
	       kinds[k]++
	       e = 0; for (i = ne; i >= 1; i--) if (ev[i] <= $1) { e = i; break }
	       hit[e] = 1 }
	     END { s = ""; for (k in kinds) s = s (s == "" ? "" : ", ") k " ×" kinds[k]
		   h = 0; for (e in hit) h++
		   for (i = 2; i <= nb; i++) { v = back[i]; for (j = i - 1; j >= 1 && back[j] > v; j--) back[j + 1] = back[j]; back[j + 1] = v }
		   m = nb ? (nb % 2 ? back[(nb + 1) / 2] : (back[nb / 2] + back[nb / 2 + 1]) / 2) : 0
		   printf "%d\t%d\t%s\t%d\t%.0f\t%.0f\n", n, f, (s == "" ? "-" : s), h, m, (nb ? back[nb] : 0) }' "$2" "$1"
}

# ---- the parts ----

declare -A RES	# "STACK KIND" → the analysis line, or "n/a: why"
STACKS=("tend-listen" "tend-nolisten" "supervisord")
stack_label() {
	case $1 in
	tend-listen) echo "tend, \`listen\`" ;;
	tend-nolisten) echo "tend, no \`listen\`" ;;
	supervisord) echo "supervisord $(dpkg-query -W -f='${Version}' supervisor 2>/dev/null)" ;;
	esac
}

# part_events STACK: starts the stack, then for restart and kill: the load,
# 1 s of it alone, the events, 1 s more, the load stopped; the stack stopped.
part_events() {
	local stack=$1 dir=$WORK/$1 kind rc
	local sys=${stack%%-*} listen=no
	[ "$stack" = tend-listen ] && listen=yes
	log "== $stack"
	zd_start "$sys" "$dir" "$listen"
	rc=$?
	if [ $rc -ne 0 ]; then
		local why="could not start"
		[ $rc = 3 ] && why="this tend refuses it: $(zd_refusal "$dir")"
		for kind in restart kill; do RES["$stack $kind"]="n/a: $why"; done
		cleanup_owned
		[ $rc = 3 ]
		return
	fi
	for kind in restart kill; do
		log "$stack: $EVENTS × $kind"
		load_start "$dir/$kind.load" "$NGINX_PORT" "$LOAD_PATH"
		quiet_sleep 1
		zd_events "$kind" "$dir/$kind.events"
		rc=$?
		quiet_sleep 1
		load_stop "$LOAD_PID" || rc=1
		if [ $rc -ne 0 ]; then
			RES["$stack $kind"]="n/a: stopped at event $(wc -l <"$dir/$kind.events") (see the log above)"
			zd_stop
			return 1
		fi
		RES["$stack $kind"]=$(zd_analyse "$dir/$kind.load" "$dir/$kind.events")
		log "$stack $kind: $(cut -f1-4 <<<"${RES["$stack $kind"]}" | tr '\t' ' ')"
	done
	zd_stop
}

# part_drain NAME DRAIN: tend (with listen if it has it) with `drain =
# DRAIN`; after 2 s of load and polling /readyz every 5 ms, SIGTERM to PID 1;
# waits until tend is gone (15 s at most), then stops the load and the
# poller. Sets DRAIN_RES[NAME]: "BEFORE BEFORE_FAILED DURING DURING_FAILED
# AFTER AFTER_FAILED TERM_TO_503_US POLLS_200_AFTER_503 KINDS" (during: sent
# in the DRAIN_WINDOW s after the TERM, DRAIN_WINDOW being ZD_DRAIN).
declare -A DRAIN_RES
part_drain() {
	local name=$1 drain=$2 dir=$WORK/drain-$1 rc poll_pid t_term
	log "== drain = $drain"
	zd_start tend "$dir" "$HAVE_LISTEN" "$drain"
	rc=$?
	if [ $rc -ne 0 ]; then
		DRAIN_RES[$name]="n/a: $([ $rc = 3 ] && echo "this tend refuses it: $(zd_refusal "$dir")" || echo "could not start")"
		cleanup_owned
		[ $rc = 3 ]
		return
	fi
	if ! wait_until 15 http_ok "$HEALTH_PORT" /readyz; then	# nginx RUNNING after its startsecs
		DRAIN_RES[$name]="n/a: /readyz not 200 within 15 s of the start"
		zd_stop
		return 1
	fi
	load_start "$dir/poll.load" "$HEALTH_PORT" /readyz 1 5
	poll_pid=$LOAD_PID
	load_start "$dir/load.load" "$NGINX_PORT" "$LOAD_PATH"
	quiet_sleep 2
	t_term=$(now_us)
	kill -TERM "$STACK_PID1"
	wait_until 15 dead "$STACK_UNSHARE" || log "drain $drain: tend still running 15 s after SIGTERM"
	load_stop "$LOAD_PID"
	load_stop "$poll_pid"
	cleanup_owned
	DRAIN_RES[$name]=$(awk -v t="$t_term" -v w="$(awk -v d="$DRAIN" 'BEGIN { printf "%.0f", d * 1e6 }')" '
		NR == FNR { if ($2 < t) next; if ($3 == 503 && !t503) t503 = $2; else if (t503 && $3 == 200) late++; next }
		{ ok = ($3 >= 200 && $3 < 300)
		  if ($1 < t) { b++; bf += !ok } else if ($1 < t + w) { d++; df += !ok } else { a++; af += !ok }
		  if (!ok && $1 < t + w) { k = ($3 == -1 ? "connect failed" : $3 == -2 ? "connection broken" : $3 == -3 ? "timeout" : $3); kinds[k]++ } }
		END { s = ""; for (k in kinds) s = s (s == "" ? "" : ", ") k " ×" kinds[k]
		      printf "%d %d %d %d %d %d %s %d %s\n", b, bf, d, df, a, af, (t503 ? t503 - t : "none"), late, (s == "" ? "-" : s) }' \
		"$dir/poll.load" "$dir/load.load")
	log "drain $drain: ${DRAIN_RES[$name]}"
}

# ---- the run ----

# what this tend has: `listen` and `drain` (a tend without them refuses the keys)
zd_has() {	# SECTION_LINES...: yes when `tend check` takes them
	printf '%s\n' "$@" >"$WORK/has.ini"
	"$TEND" check -c "$WORK/has.ini" >/dev/null 2>&1 && echo yes || echo no
}
HAVE_LISTEN=$(zd_has "[tend]" "socket = $WORK/has.sock" "[program:a]" "command = true" "listen = tcp://127.0.0.1:$BACKEND_PORT")
HAVE_DRAIN=$(zd_has "[tend]" "socket = $WORK/has.sock" "drain = 1" "[program:a]" "command = true")
log "this tend: listen $HAVE_LISTEN, drain $HAVE_DRAIN"

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(now_us)
failed=0
# ZD_ONLY: some of the parts (tend-listen tend-nolisten supervisord drain),
# while working on this; the report says so
ONLY=${ZD_ONLY:-${STACKS[*]} drain}
for s in "${STACKS[@]}"; do
	[[ " $ONLY " == *" $s "* ]] || continue
	part_events "$s" || failed=1
	cleanup_owned
done
if [[ " $ONLY " == *" drain "* ]]; then
	part_drain drain "$DRAIN" || failed=1
	part_drain nodrain 0 || failed=1
fi
ELAPSED=$(awk -v a="$START" -v b="$(now_us)" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')

# cell STACK KIND: "FAILED of REQUESTS"
cell() {
	local r=${RES["$1 $2"]:-n/a}
	case $r in n/a*) echo "${r%%:*}"; return ;; esac
	IFS=$'\t' read -r n f _ <<<"$r"
	echo "**$f** of $n"
}

report() {
	echo "## Zero downtime: restarts and crashes of the backend behind nginx, and \`docker stop\`"
	echo
	echo "Generated by \`make bench-zero-downtime\` (tests/bench/zero_downtime.sh); every figure is measured during that run."
	echo
	echo "- machine: $(machine_line); load average at the start: $LOADAVG"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); whole run: ${ELAPSED} s$([ -n "${ZD_ONLY:-}" ] && echo "; only: $ZD_ONLY")"
	echo "- tend: $("$TEND" --version 2>&1 | head -n1), ${TEND_SRC#"$ROOT"/} built from $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "an unknown commit")"
	echo "- nginx: $(nginx -v 2>&1 | sed 's/.*: //') with config/nginx.conf (paths and port moved, access log off)"
	echo
	echo "The demo stack (nginx → the example backend on 127.0.0.1:$BACKEND_PORT) in a private network namespace, PID 1 of a PID namespace, under a paced load: $CONNS keep-alive connections to nginx, each sending \`GET $LOAD_PATH\` every $INTERVAL_MS ms (tests/bench/load.c; every request's outcome kept). Failed: any answer but 2xx, or a connection that failed. $EVENTS events in a row; after each, a new backend process RUNNING (tend's /health, \`supervisorctl status\`) and answering directly, then a pause of $PAUSE s."
	echo
	echo "nginx is the same for the three stacks: config/nginx.conf's upstream and retries, as run: $(sed 's/#.*//' "$ROOT/config/nginx.conf" | grep -E '^ *(server 127|proxy_next_upstream)' | sed 's/^ *//; s/ *$//' | awk '{ printf "%s`%s`", (NR > 1 ? ", " : ""), $0 }')."
	echo
	echo "| $EVENTS in a row, failed requests | $(stack_label tend-listen) | $(stack_label tend-nolisten) | $(stack_label supervisord) |"
	echo "|---|---|---|---|"
	echo "| restart (\`tend restart backend\`, \`supervisorctl restart backend\`) | $(cell tend-listen restart) | $(cell tend-nolisten restart) | $(cell supervisord restart) |"
	echo "| \`kill -9\` of the backend's pid | $(cell tend-listen kill) | $(cell tend-nolisten kill) | $(cell supervisord kill) |"
	echo
	echo "| stack | events | requests | failed | failures by kind | events with failures | event → a new backend RUNNING (startsecs = 1) and answering, median (max) |"
	echo "|---|---|---|---|---|---|---|"
	local s k r n f kinds hit med max
	for s in "${STACKS[@]}"; do
		for k in restart kill; do
			r=${RES["$s $k"]:-n/a}
			case $r in
			n/a*) echo "| $(stack_label "$s") | $k | ${r//|/\\|} | | | | |" ;;
			*)
				IFS=$'\t' read -r n f kinds hit med max <<<"$r"
				echo "| $(stack_label "$s") | $EVENTS × $k | $n | $f | $kinds | $hit | $(fmt_us "$med") ($(fmt_us "$max")) |"
				;;
			esac
		done
	done
	echo
	echo "Failure kinds: an HTTP status (nginx's 502: the backend could not be reached and no retry succeeded), \"connection broken\" (the connection to nginx closed before a whole answer), \"connect failed\" (to nginx)."
	echo
	echo "Where failures come from: without \`listen\`, from the old process's exit (its socket closed with it) to the new one's bind, a connection to 127.0.0.1:$BACKEND_PORT is refused, and nginx's retry goes to the same address at once and is refused too: 502. With \`listen\`, tend holds the socket: such a connection waits in its backlog for the next process, and a request the dying process had taken and not answered is sent again by nginx's retry, which waits in the backlog likewise. supervisord has no socket to hold for a plain program, and its window between the two processes is longer. What \`listen\` and a retry cannot save: a process killed after it has sent an answer's head and before its body (nginx has begun to forward the answer: it closes the client's connection, \"connection broken\")."
	echo
	echo "### \`docker stop\`: SIGTERM to tend with \`drain = $DRAIN\`"
	echo
	echo "The same load; a poller GETs /readyz on tend's health_listen every 5 ms; after 2 s, SIGTERM to tend (PID 1), and the load goes on until tend has exited. \"In the drain\": sent within $DRAIN s of the SIGTERM (the drain begins when tend takes the signal, so this window is inside it). Backend $([ "$HAVE_LISTEN" = yes ] && echo "with" || echo "without") \`listen\`. The row drain = 0 is the same stop without a drain, for comparison: nginx stops at once."
	echo
	echo "| tend | requests before the TERM | failed | sent in the $DRAIN s after it | failed | failures by kind | SIGTERM → first /readyz 503 | /readyz 200 after its first 503 | sent later (the stop; not counted) | failed |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	local nm label b bf d df a af t503 late
	for nm in drain nodrain; do
		label=$([ $nm = drain ] && echo "drain = $DRAIN" || echo "drain = 0")
		r=${DRAIN_RES[$nm]:-n/a}
		case $r in
		n/a*) echo "| $label | ${r//|/\\|} | | | | | | | | |" ;;
		*)
			read -r b bf d df a af t503 late kinds <<<"$r"
			[ "$t503" = none ] && t503="no 503 seen" || t503=$(fmt_us "$t503")
			echo "| $label | $b | **$bf** | $d | **$df** | $kinds | $t503 | $late | $a | $af |"
			;;
		esac
	done
	echo
}

report >"$WORK/report.md"
cat "$WORK/report.md"
if [ -n "$WRITE" ]; then
	doc=$ROOT/docs/benchmarks.md
	# the section replaced where it is, else appended; the rest kept
	awk -v rep="$WORK/report.md" '
		/^## Zero downtime/ { while ((getline l < rep) > 0) print l; skip = 1; done = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print; last = $0 }
		END { if (!done) { if (last != "") print ""; while ((getline l < rep) > 0) print l } }' "$doc" >"$WORK/doc.md" &&
		cp "$WORK/doc.md" "$doc" && log "written into docs/benchmarks.md"
fi
exit $failed
