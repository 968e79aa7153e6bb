#!/usr/bin/env bash
# make test-image: the Dockerfile built and run in Docker, checked for real.
#
#  1. an engine: the one that answers (DOCKER_HOST or the default socket),
#     else Debian's dockerd started here — its own socket, pidfile and exec
#     root under /run/tend-test-image, data under /var/lib/tend-test-image
#     (kept: it caches the images), no iptables — and stopped at the end;
#  2. a base image made from this machine's apt mirror (mmdebstrap minbase
#     | docker import), reused while the apt sources are the same;
#  3. docker build --build-arg BASE=<it> (host network: the build's apt
#     reaches the mirror the way this machine does);
#  4. the container run with port 80 published on 127.0.0.1 and checked:
#     page, API, health, restarts, reload, docker stop; then again with
#     --read-only; then single-command mode;
#  5. the stage tend-static (only /tend, glibc inside) copied into an image
#     FROM scratch with a small static program: no libc there, and tend
#     runs it, alone and from a configuration file.
#
# Every wait is bounded; containers are removed by id; the output ends with
# "N passed, N failed". Environment: TEST_IMAGE_DATA_ROOT (our dockerd's
# data), TEST_IMAGE_REBUILD_BASE=1 (make the base image again),
# TEST_IMAGE_KEEP=1 (leave the containers and our dockerd for a look),
# TEST_IMAGE_NET=netns (our dockerd without a bridge, as where none can be made).
# No pipefail: `… | grep -q` must be grep's verdict, not the writer's SIGPIPE.
set -u
cd "$(dirname "$0")/../.." || exit 2

RELEASE=bookworm
BASE_IMAGE=tend-test-base:$RELEASE
IMAGE=tend-test-image:latest
RUN_DIR=/run/tend-test-image
DATA_ROOT=${TEST_IMAGE_DATA_ROOT:-/var/lib/tend-test-image}
LABEL=tend-test-image
T0=$(date +%s)

. tests/tap.sh
# until_ok SECONDS COMMAND...: retry COMMAND every 0.5 s for at most SECONDS
until_ok() {
	local end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.5
	done
}
elapsed() { echo "$(($(date +%s) - T0))s"; }

# finish: clean up, then the closing line (last: CI reads it)
finish() {
	cleanup
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
# abort WHY: a step the rest depends on failed; count it and stop here
abort() {
	not_ok "$1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/#   /'
	finish
	exit 1
}

# ---------------------------------------------------------------- cleanup
containers=()
started_dockerd=
dockerd_pid=
LOGS=

cleanup() {
	trap - EXIT INT TERM
	if [ -z "${TEST_IMAGE_KEEP:-}" ]; then
		for c in "${containers[@]}"; do
			timeout 30 "$DOCKER" rm -f "$c" >/dev/null 2>&1
		done
	elif [ ${#containers[@]} -gt 0 ]; then
		note "kept containers: ${containers[*]}"
	fi
	if [ -n "$started_dockerd" ] && [ -z "${TEST_IMAGE_KEEP:-}" ]; then
		stop_dockerd
	elif [ -n "$started_dockerd" ]; then
		note "kept dockerd $dockerd_pid: DOCKER_HOST=$DOCKER_HOST; stop it with kill $dockerd_pid"
	fi
	[ -n "$LOGS" ] && rm -rf "$LOGS"
	return 0
}
trap 'cleanup; echo "$pass passed, $((fail + 1)) failed"' EXIT # an unexpected exit counts as a failure
trap 'echo "# interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- engine
DOCKER=docker
# dk ARGS...: the docker client, bounded (DK_TIMEOUT, 60 s by default)
dk() { timeout "${DK_TIMEOUT:-60}" "$DOCKER" "$@"; }
engine_answers() { timeout 20 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

is_our_dockerd() { # PID: alive and a dockerd
	[ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dockerd ]
}

stop_dockerd() {
	local pid=$dockerd_pid
	[ -z "$pid" ] && pid=$(cat "$RUN_DIR/dockerd.pid" 2>/dev/null)
	if is_our_dockerd "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		# dockerd stops its containerd; bounded wait, then SIGKILL
		for _ in $(seq 60); do is_our_dockerd "$pid" || break; sleep 0.5; done
		if is_our_dockerd "$pid"; then
			note "dockerd $pid still there after 30 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 1
		fi
		note "stopped the dockerd this test started (pid $pid)"
	fi
	# containerd is dockerd's child; if dockerd was killed, end it too
	local cpid
	cpid=$(cat "$RUN_DIR/exec/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$cpid" ] && [ "$(cat "/proc/$cpid/comm" 2>/dev/null)" = containerd ]; then
		kill -TERM "$cpid" 2>/dev/null
	fi
	# what dockerd leaves: its network namespace mounts, the bridge it made
	local m
	for m in $(awk -v d="$RUN_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts); do
		umount "$m" 2>/dev/null
	done
	# the bridge, if our dockerd made it (this run or an interrupted one)
	if [ -e "$RUN_DIR/made-docker0" ] && command -v ip >/dev/null; then
		ip link delete docker0 2>/dev/null
		rm -f "$RUN_DIR/made-docker0"
	fi
}

start_dockerd() { # extra dockerd options...
	mkdir -p "$RUN_DIR" "$DATA_ROOT"
	rm -f "$RUN_DIR/docker.sock"
	# setsid: a Ctrl-C of `make` reaches this script, which stops it in order
	setsid dockerd --data-root "$DATA_ROOT" --exec-root "$RUN_DIR/exec" \
		-H "unix://$RUN_DIR/docker.sock" --pidfile "$RUN_DIR/dockerd.pid" \
		--iptables=false --ip-forward=false "$@" \
		>"$RUN_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
	dockerd_pid=$!
	started_dockerd=yes
	local end=$(($(date +%s) + 60))
	# alive, not yet "dockerd": comm reads setsid (or bash) until the exec
	while kill -0 "$dockerd_pid" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
		if engine_answers; then
			dockerd_pid=$(cat "$RUN_DIR/dockerd.pid" 2>/dev/null || echo "$dockerd_pid")
			return 0
		fi
		sleep 0.5
	done
	stop_dockerd # gave up, or it died: also clears what it left
	dockerd_pid=
	return 1
}

# One test-image run at a time: they would share the dockerd and its data.
mkdir -p "$RUN_DIR"
exec 9>"$RUN_DIR.lock"
if ! flock -w 900 9; then
	abort "another make test-image still runs after 15 min"
fi

NET=publish # how the tests reach the container: publish (127.0.0.1:PORT) or netns
if engine_answers; then
	note "using the Docker engine that answers ($(timeout 20 docker version --format '{{.Server.Version}}' 2>/dev/null))"
else
	[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker # the client of Debian's engine
	export DOCKER_HOST=unix://$RUN_DIR/docker.sock
	if engine_answers && is_our_dockerd "$(cat "$RUN_DIR/dockerd.pid" 2>/dev/null)"; then
		dockerd_pid=$(cat "$RUN_DIR/dockerd.pid")
		started_dockerd=yes # left by an interrupted run: ours to stop
		note "reusing the dockerd an earlier run left (pid $dockerd_pid)"
	else
		command -v dockerd >/dev/null || abort "dockerd not installed (make test-image installs docker.io)"
		# ours from an interrupted run, but not answering: stop it first
		is_our_dockerd "$(cat "$RUN_DIR/dockerd.pid" 2>/dev/null)" && stop_dockerd
		ip link show docker0 >/dev/null 2>&1 || touch "$RUN_DIR/made-docker0"
		if [ "${TEST_IMAGE_NET:-}" != netns ] && start_dockerd; then
			note "started dockerd (pid $dockerd_pid, data in $DATA_ROOT, no iptables) in $(elapsed)"
		elif start_dockerd --bridge=none; then
			NET=netns
			note "no bridge networking here: dockerd runs with --bridge=none; tests reach nginx inside the container's network namespace"
		else
			abort "start dockerd" "$RUN_DIR/dockerd.log"
		fi
	fi
fi
ok "a Docker engine answers ($(elapsed))"
# asked for (make test does): reach containers on their own loopback only
[ "${TEST_IMAGE_NET:-}" = netns ] && NET=netns

# Containers left by an interrupted earlier run (labelled), removed by id.
for c in $(dk ps -aq --filter "label=$LABEL" 2>/dev/null); do
	dk rm -f "$c" >/dev/null 2>&1 && note "removed a container left by an earlier run: $c"
done

# ---------------------------------------------------------------- base image
LOGS=$(mktemp -d /tmp/tend-test-image.XXXXXX)

sources=$(bash tests/image/apt-sources.sh "$RELEASE") || abort "read the apt sources of this machine"
[ -n "$sources" ] || abort "this machine's apt sources have no $RELEASE entries"
# The apt options the mirror needs here (e.g. a snapshot mirror's expired
# Release files, a proxy) go into the base image too, so apt works in the build.
mapfile -t aptopts < <(apt-config dump 2>/dev/null |
	grep -E '^Acquire::(Check-Valid-Until|Check-Date|http::Proxy|https::Proxy|Retries) ' |
	sed 's/;$//')
base_key=$(printf '%s\n' "$RELEASE" "$sources" "${aptopts[@]}" | sha256sum | cut -c1-16)
have_key=$(dk image inspect -f '{{index .Config.Labels "tend.base-key"}}' "$BASE_IMAGE" 2>/dev/null)
if [ "$have_key" = "$base_key" ] && [ -z "${TEST_IMAGE_REBUILD_BASE:-}" ]; then
	ok "base image $BASE_IMAGE (cached, same apt sources)"
else
	note "making $BASE_IMAGE with mmdebstrap --variant=minbase from:"
	printf '%s\n' "$sources" | sed 's/^/#   /'
	args=()
	for o in "${aptopts[@]}"; do args+=(--aptopt="$o"); done
	printf '%s\n' "$sources" |
		timeout 900 mmdebstrap --variant=minbase --format=tar "${args[@]}" "$RELEASE" - - 2>"$LOGS/mmdebstrap.log" |
		DK_TIMEOUT=900 dk import --change "LABEL tend.base-key=$base_key" --change 'CMD ["bash"]' - "$BASE_IMAGE" \
			>"$LOGS/import.log" 2>&1
	st=("${PIPESTATUS[@]}")
	if [ "${st[1]}" != 0 ]; then
		dk rmi "$BASE_IMAGE" >/dev/null 2>&1 # whatever a cut tar stream gave: never cache it
		abort "mmdebstrap $RELEASE (exit ${st[1]})" "$LOGS/mmdebstrap.log"
	fi
	[ "${st[2]}" = 0 ] || abort "docker import" "$LOGS/import.log"
	ok "base image $BASE_IMAGE made from this machine's mirror ($(elapsed))"
fi

# ---------------------------------------------------------------- build
if DOCKER_BUILDKIT=0 DK_TIMEOUT=1500 dk build --network host --build-arg "BASE=$BASE_IMAGE" \
	--build-arg "TEND_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	--label "$LABEL.built=1" -t "$IMAGE" . >"$LOGS/build.log" 2>&1; then
	ok "docker build --build-arg BASE=$BASE_IMAGE ($(elapsed))"
else
	abort "docker build --build-arg BASE=$BASE_IMAGE" "$LOGS/build.log"
fi
image_id=$(dk image inspect -f '{{.Id}}' "$IMAGE")

# tend in the image is one file that needs nothing but glibc
tend_copy() {
	local c
	c=$(dk create "$IMAGE" 2>/dev/null) || return 1
	dk cp "$c:/usr/sbin/tend" "$LOGS/tend" >/dev/null
	local st=$?
	dk rm "$c" >/dev/null
	return $st
}
needs_only_libc() {
	tend_copy || return 1
	if command -v readelf >/dev/null; then
		[ "$(readelf -d "$LOGS/tend" | grep NEEDED | grep -o '\[.*\]' | tr '\n' ' ')" = "[libc.so.6] " ] || return 1
	fi
	"$LOGS/tend" --version >/dev/null
}
check "/usr/sbin/tend needs only libc (libev and inih linked in) and runs outside the image" needs_only_libc

# ---------------------------------------------------------------- helpers
CID=
PORT=
CPID=
# run_container NAME DOCKER-RUN-OPTIONS...: start the image, set CID/PORT/CPID
run_container() {
	local name=$1
	shift
	local net=(-p 127.0.0.1::80)
	[ "$NET" = netns ] && net=(--network none)
	CID=$(dk run -d --label "$LABEL=1" --name "tend-test-image-$$-$name" "${net[@]}" "$@" "$IMAGE" 2>"$LOGS/run-$name.err") ||
		{ cat "$LOGS/run-$name.err" >&2; CID=; return 1; }
	containers+=("$CID")
	CPID=$(dk inspect -f '{{.State.Pid}}' "$CID")
	PORT=
	[ "$NET" = publish ] && PORT=$(dk port "$CID" 80/tcp | sed -n '1s/.*://p')
	[ "$NET" = netns ] || [ -n "$PORT" ]
}
# http PATH [CURL-OPTIONS...]: a request to nginx in the container
http() {
	local path=$1
	shift
	if [ "$NET" = publish ]; then
		curl -sS --max-time 5 "$@" "http://127.0.0.1:$PORT$path"
	else
		nsenter -t "$CPID" -n curl -sS --max-time 5 "$@" "http://127.0.0.1:80$path"
	fi
}
code_of() { http "$1" -o /dev/null -w '%{http_code}' "${@:2}" 2>/dev/null; }
is_code() { [ "$(code_of "$2" "${@:3}")" = "$1" ]; }
body_has() { http "$1" 2>/dev/null | grep -q -- "$2"; }
header_has() { http "$1" -o /dev/null -D - "${@:3}" 2>/dev/null | tr -d '\r' | grep -qi -- "$2"; }
inside() { dk exec "$CID" "$@"; }
# status_field PROGRAM COLUMN: from `tend status` in the container (2 STATE, 3 HEALTH, 4 PID, 6 RESTARTS)
status_field() { inside tend status 2>/dev/null | awk -v p="$1" -v c="$2" '$1 == p { print $c }'; }
logs() { dk logs "$CID" 2>&1; }
# line number in the container's log of the first line matching a fixed
# string, after the first line matching the second one if given
log_line() {
	logs | awk -v s="$1" -v after="${2:-}" '
		after != "" && !seen { if (index($0, after)) seen = 1; next }
		index($0, s) { print NR; exit }'
}
docker_health() { [ "$(dk inspect -f '{{.State.Health.Status}}' "$CID")" = "$1" ]; }
uid_of() { inside cat "/proc/$1/status" 2>/dev/null | awk '$1 == "Uid:" { print $2 }'; }
uid_named() { inside sh -c "id -u $1"; }
workers_of() { inside cat "/proc/$1/task/$1/children" 2>/dev/null; }
same_set_absent() { # OLD NEW: no pid of OLD in NEW, NEW not empty
	[ -n "$2" ] || return 1
	local p
	for p in $1; do case " $2 " in *" $p "*) return 1 ;; esac; done
}
# docker_stop: stop CID (docker's default 10 s), set STOP_SECS and STOP_CODE
docker_stop() {
	local t0 t1
	t0=$(date +%s%N)
	DK_TIMEOUT=30 dk stop "$CID" >/dev/null
	t1=$(date +%s%N)
	STOP_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	STOP_CODE=$(dk inspect -f '{{.State.ExitCode}}' "$CID")
}
stopped_in_order() { # nginx QUIT, nginx gone, backend TERM, tend exit 0 — in that order
	local a b c d from="tend: shutting down (SIGTERM)"
	a=$(log_line "nginx: stopping with signal QUIT" "$from")
	b=$(log_line "nginx: stopped (exited with code 0)" "$from")
	c=$(log_line "backend: stopping with signal TERM" "$from")
	d=$(log_line "tend: exiting with status 0" "$from")
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ -n "$d" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ]
}
show_logs() { logs | tail -n 25 | sed 's/^/#   /'; }

# ---------------------------------------------------------------- the container
fail_before=$fail
if ! run_container main; then
	abort "docker run -p 127.0.0.1::80 $IMAGE"
fi
if [ "$NET" = publish ]; then
	note "container ${CID:0:12}, nginx on 127.0.0.1:$PORT"
else
	note "container ${CID:0:12}, nginx on port 80 of its network namespace (pid $CPID)"
fi
check "the page answers 200 within 30 s" until_ok 30 is_code 200 /
check "the page is the frontend (index.html, app.js)" body_has / 'src="app.js"'
relative_api() {
	local js
	js=$(http /app.js) || return 1
	grep -q "const API = '/api';" <<<"$js" && ! grep -Eq "(fetch|getJSON)\([\"'\`]https?:" <<<"$js"
}
check "app.js calls the API with relative URLs (/api/..., no scheme or host)" relative_api
check "Content-Security-Policy with connect-src 'self'" header_has / "content-security-policy:.*connect-src 'self'"
check "security headers (nosniff, X-Frame-Options)" \
	eval "header_has / 'x-content-type-options: nosniff' && header_has / 'x-frame-options: deny'"
check "gzip for app.js" header_has /app.js 'content-encoding: gzip' -H 'Accept-Encoding: gzip'
check "GET /api/health through nginx: 200 {\"status\":\"ok\"}" \
	eval 'is_code 200 /api/health && body_has /api/health "\"status\":\"ok\""'
check "GET /api/v1/towns/selection through nginx" body_has /api/v1/towns/selection Lisboa
check "GET /api/status through nginx" body_has /api/status '"service":"backend"'
# nginx counts as started after startsecs = 3: tend is ready then
check "GET /health through nginx (tend's unix socket): 200, ready within 15 s" \
	eval 'until_ok 15 is_code 200 /health && body_has /health "\"status\":\"ready\""'
check "GET /health/backend, /readyz, /livez through nginx: 200" \
	eval 'is_code 200 /health/backend && is_code 200 /readyz && is_code 200 /livez'
check "tend's control API is not reachable through nginx (POST /programs/backend/stop)" \
	eval '! is_code 202 /programs/backend/stop -X POST && [ "$(status_field backend 2)" = RUNNING ]'
check "tend health inside the container: exit 0, ready" eval 'inside tend health | grep -qx ready'
check "PID 1 is tend" eval '[ "$(inside cat /proc/1/comm)" = tend ]'
check "the backend runs as user backend, nginx's workers as www-data" \
	eval 'b=$(status_field backend 4); m=$(status_field nginx 4); w=$(workers_of "$m" | cut -d" " -f1);
	      [ -n "$b" ] && [ "$(uid_of "$b")" = "$(uid_named backend)" ] && [ -n "$w" ] && [ "$(uid_of "$w")" = "$(uid_named www-data)" ]'
check "Docker's health status becomes healthy (within 60 s)" until_ok 60 docker_health healthy

# The backend stopped: its port is tend's (listen), so a GET sent meanwhile
# waits in the backlog and is answered once the backend is started again
inside tend stop backend >/dev/null
backend_stopped() { [ "$(status_field backend 2)" = STOPPED ]; }
check "backend stopped on request: STOPPED within 10 s" until_ok 10 backend_stopped
code_of /api/status --max-time 30 >"$LOGS/waiting.code" &
waiting=$!
sleep 1	# not a condition: the check below holds however late the GET was sent
inside tend start backend >/dev/null
check "a GET sent while the backend was stopped: 200 once it is started again" \
	eval 'wait "$waiting"; [ "$(cat "$LOGS/waiting.code")" = 200 ]'
backend_ok() { [ "$(status_field backend 2)" = RUNNING ] && [ "$(status_field backend 3)" = healthy ]; }
check "backend started again: RUNNING, healthy, /api/health 200 within 20 s" \
	eval 'until_ok 20 backend_ok && is_code 200 /api/health'

# The backend killed: tend restarts it
old_pid=$(status_field backend 4)
old_restarts=$(status_field backend 6)
inside sh -c "kill -KILL $old_pid"
backend_back() {
	local p
	p=$(status_field backend 4)
	[ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$old_pid" ] && [ "$(status_field backend 2)" = RUNNING ] &&
		[ "$(status_field backend 3)" = healthy ]
}
check "backend killed (SIGKILL) inside the container: restarted by tend, healthy within 20 s" until_ok 20 backend_back
check "after the restart: /api/health 200, restarts counted, the kill logged" \
	eval 'until_ok 10 is_code 200 /api/health && [ "$(status_field backend 6)" -gt "$old_restarts" ] &&
	      logs | grep -q "backend: killed by signal KILL"'

# docker kill -s HUP: nginx reloads (same master, new workers); the backend is left alone
master=$(status_field nginx 4)
workers=$(workers_of "$master")
backend_pid=$(status_field backend 4)
dk kill -s HUP "$CID" >/dev/null
reloaded() { same_set_absent "$workers" "$(workers_of "$master")"; }
check "docker kill -s HUP: nginx reloaded (master $master kept, new workers) within 10 s" \
	eval 'until_ok 10 reloaded && [ "$(status_field nginx 4)" = "$master" ]'
check "HUP logged as forwarded to nginx; the backend untouched" \
	eval 'logs | grep -q "SIGHUP forwarded to nginx" && [ "$(status_field backend 4)" = "$backend_pid" ]'
check "the page still answers after the reload" is_code 200 /

# docker stop
docker_stop
check "docker stop: exit code 0 (was $STOP_CODE)" [ "$STOP_CODE" = 0 ]
check "docker stop took ${STOP_SECS}s (under 6 s; Docker kills at 10 s)" awk -v s="$STOP_SECS" 'BEGIN { exit !(s < 6) }'
check "log: nginx stopped with QUIT and gone before the backend got TERM; tend exited 0" stopped_in_order
[ "$fail" -gt "$fail_before" ] && show_logs

# ---------------------------------------------------------------- read-only
fail_before=$fail
if run_container ro --read-only --tmpfs /run --tmpfs /var/lib/nginx; then
	ok "docker run --read-only --tmpfs /run --tmpfs /var/lib/nginx"
	check "read-only: the page answers 200 within 30 s" until_ok 30 is_code 200 /
	check "read-only: /api/health and /health through nginx (ready within 15 s)" \
		eval 'until_ok 15 is_code 200 /health && is_code 200 /api/health'
	check "read-only: tend health inside the container" eval 'inside tend health | grep -qx ready'
	check "read-only: the root file system is read-only" eval '! inside sh -c "echo x > /etc/tend/x" 2>/dev/null'
	master=$(status_field nginx 4)
	workers=$(workers_of "$master")
	dk kill -s HUP "$CID" >/dev/null
	check "read-only: HUP reloads nginx" eval 'until_ok 10 reloaded && is_code 200 /'
	docker_stop
	check "read-only: docker stop exit 0 in ${STOP_SECS}s, in order" \
		eval '[ "$STOP_CODE" = 0 ] && awk -v s="$STOP_SECS" "BEGIN { exit !(s < 6) }" && stopped_in_order'
	[ "$fail" -gt "$fail_before" ] && show_logs
else
	not_ok "docker run --read-only --tmpfs /run --tmpfs /var/lib/nginx"
fi

# ---------------------------------------------------------------- static binary
# The stage tend-static (the same build, cached), then an image FROM scratch
# made of it, a static program of ours and a configuration: no libc in it.
STATIC=tend-test-image-static:latest
SCRATCH=tend-test-image-scratch:latest
if DOCKER_BUILDKIT=0 DK_TIMEOUT=600 dk build --network host --build-arg "BASE=$BASE_IMAGE" --target tend-static \
	--label "$LABEL.built=1" -t "$STATIC" . >"$LOGS/build-static.log" 2>&1; then
	ok "docker build --target tend-static"
else
	abort "docker build --target tend-static" "$LOGS/build-static.log"
fi
# files_of IMAGE: the paths in IMAGE's file system, as docker export lists them
files_of() {
	local c st
	c=$(dk create "$1" 2>/dev/null) || return 1
	dk export "$c" | tar -t
	st=${PIPESTATUS[0]}
	dk rm "$c" >/dev/null
	return "$st"
}
static_only_tend() {
	local f
	f=$(files_of "$STATIC" | grep -v '/$' | grep -Ev '^(\.dockerenv|etc/(hostname|hosts|mtab|resolv\.conf)|dev/.*)$')
	note "tend-static holds: $(echo $f)"
	[ "$f" = tend ]
}
check "the stage tend-static holds /tend alone (and what Docker adds to every container)" static_only_tend
ctx=$LOGS/scratch
mkdir -p "$ctx"
cat >"$ctx/tend.ini" <<'INI'
[program:waiter]
command = /helper
stopsignal = TERM
stopwaitsecs = 3
INI
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
ARG TEND_STATIC
FROM ${TEND_STATIC} AS tend
FROM scratch
COPY --from=tend /tend /tend
COPY helper /helper
COPY tend.ini /etc/tend/tend.ini
ENTRYPOINT ["/tend"]
DOCKERFILE
if ! ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Os -static -o "$ctx/helper" tests/image/static_helper.c 2>"$LOGS/helper.log"; then
	not_ok "a static helper program (tests/image/static_helper.c)"
	tail -n 20 "$LOGS/helper.log" | sed 's/^/#   /'
elif ! DOCKER_BUILDKIT=0 DK_TIMEOUT=300 dk build --build-arg "TEND_STATIC=$STATIC" --label "$LABEL.built=1" \
	-t "$SCRATCH" "$ctx" >"$LOGS/build-scratch.log" 2>&1; then
	not_ok "docker build FROM scratch with COPY --from=tend-static /tend"
	tail -n 20 "$LOGS/build-scratch.log" | sed 's/^/#   /'
else
	ok "docker build FROM scratch with COPY --from=tend-static /tend, a static helper, a tend.ini"
	check "that image has no libc: nothing under /lib, /lib64, /usr" \
		eval '! files_of "$SCRATCH" | grep -Eq "^(lib|lib64|usr)/" && files_of "$SCRATCH" | grep -qx tend'
	sv=$(DK_TIMEOUT=30 dk run --rm --label "$LABEL=1" --network none "$SCRATCH" --version 2>&1)
	check "tend --version there: \"$sv\"" eval '[[ "$sv" == "tend "* ]]'
	DK_TIMEOUT=30 dk run --rm --label "$LABEL=1" --network none "$SCRATCH" -- /helper 3 >/dev/null 2>&1
	st=$?
	check "tend -- /helper 3 there: the command's status is the container's (3, was $st)" [ "$st" = 3 ]
	if CID=$(dk run -d --label "$LABEL=1" --network none "$SCRATCH" 2>/dev/null); then
		containers+=("$CID")
		waiter_up() {
			inside /tend status 2>/dev/null | awk '$1 == "waiter" && $2 == "RUNNING" { f = 1 } END { exit !f }' &&
				logs | grep -q "static_helper: up"
		}
		check "tend with /etc/tend/tend.ini there: the program RUNNING (tend status over the socket, within 15 s)" \
			until_ok 15 waiter_up
		docker_stop
		check "docker stop: the program got TERM, tend exited 0 (exit $STOP_CODE in ${STOP_SECS}s)" \
			eval '[ "$STOP_CODE" = 0 ] && logs | grep -q "static_helper: TERM received" && logs | grep -q "tend: exiting with status 0"'
		[ "$STOP_CODE" = 0 ] || show_logs
	else
		not_ok "docker run -d $SCRATCH"
	fi
fi

# ---------------------------------------------------------------- single-command mode
# examples/Dockerfile.single: tend taken from the stage tend-static (COPY
# --from), in place of tini, running the example backend of the image above
SINGLE=tend-test-image-single:latest
single_net=()
[ "$NET" = netns ] && single_net=(--network none)
if DOCKER_BUILDKIT=0 DK_TIMEOUT=300 dk build --network host -f examples/Dockerfile.single \
	--build-arg "BASE=$BASE_IMAGE" --build-arg "TEND_STATIC=$STATIC" --build-arg "TEND_IMAGE=$IMAGE" \
	-t "$SINGLE" . >"$LOGS/build-single.log" 2>&1; then
	ok "docker build -f examples/Dockerfile.single (the static tend copied from tend-static)"
	DK_TIMEOUT=30 dk run --rm --label "$LABEL=1" "${single_net[@]}" "$SINGLE" sh -c 'exit 3' >/dev/null 2>&1
	st=$?
	check "single-command mode: the command's exit status is the container's (3, was $st)" [ "$st" = 3 ]
	if CID=$(dk run -d --label "$LABEL=1" "${single_net[@]}" "$SINGLE" 2>/dev/null); then
		containers+=("$CID")
		single_up() {
			local c
			[ "$(inside cat /proc/1/comm)" = tend ] && c=$(inside cat /proc/1/task/1/children) &&
				[ "$(inside cat "/proc/${c%% *}/comm")" = backend ] && logs | grep -q "backend: listening"
		}
		check "single-command mode: PID 1 is tend, the backend its child (within 10 s)" until_ok 10 single_up
		docker_stop
		check "single-command mode: docker stop's TERM forwarded, the backend exits 0 in ${STOP_SECS}s (exit $STOP_CODE)" \
			eval '[ "$STOP_CODE" = 0 ] && logs | grep -q "backend: SIGTERM received" && awk -v s="$STOP_SECS" "BEGIN { exit !(s < 3) }"'
	else
		not_ok "single-command mode: docker run -d $SINGLE"
	fi
else
	not_ok "docker build -f examples/Dockerfile.single"
	tail -n 20 "$LOGS/build-single.log" | sed 's/^/#   /'
fi

note "image $IMAGE ($image_id) kept with $BASE_IMAGE as the cache of the next run; total $(elapsed)"
finish
