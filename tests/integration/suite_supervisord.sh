# supervisord.conf files run as written (tend.ini(5)): a file in the style of
# an nginx + php-fpm image (the example backend in php-fpm's place), with
# supervisord's own sections, [include], %(ENV_X)s, numprocs and output to
# /dev/stdout, started unchanged as PID 1; and `tend check` on the sample
# files of tests/integration/supervisord/, each accepted with warnings only.
# Sourced by run.sh: uses its helpers (start_ns, wait_until, fail, ...).

SV_SAMPLES=$ROOT/tests/integration/supervisord
SV_BACKEND=$ROOT/build/backend

# sv_get URL_PATH: GET on tend's unix socket; the body in $T/svbody, the
# status in SVCODE (000: no answer).
sv_get() {
	: >"$T/svbody"
	SVCODE=$(curl -s -g --max-time 5 -o "$T/svbody" -w '%{http_code}' --unix-socket "$TEND_SOCKET" \
		"http://tend$1" 2>/dev/null)
	[ -n "$SVCODE" ] || SVCODE=000
}
sv_ready() {
	sv_get /health
	[ "$SVCODE" = 200 ]
}
# sv_port: a free loopback port below the ephemeral range.
sv_port() {
	local i p
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12000))
		[ "$p" != "${SV_TAKEN:-}" ] || continue
		if [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]; then
			SV_TAKEN=$p
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The image's files: supervisord.conf, conf.d/ with nginx's and the workers'
# sections, nginx.conf proxying to the backend.
write_nginx_php_image() {
	local web=$1 app=$2
	mkdir -p "$T/etc/supervisor/conf.d" "$T/nginx/logs"
	cat >"$T/etc/supervisor/supervisord.conf" <<CONF
; supervisord.conf of a web image: the app server behind nginx
[supervisord]
nodaemon=true
user=root
logfile=/dev/null
logfile_maxbytes=0
pidfile=/run/supervisord.pid
loglevel=info
environment=APP_ENV="production"

[unix_http_server]
file=/var/run/supervisor.sock
chmod=0700

[supervisorctl]
serverurl=unix:///var/run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:app]
command=$SV_BACKEND %(ENV_APP_PORT)s
priority=10
autostart=true
autorestart=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
stderr_logfile=/dev/stderr
stderr_logfile_maxbytes=0

[include]
files = conf.d/*.conf
CONF
	cat >"$T/etc/supervisor/conf.d/nginx.conf" <<CONF
[program:nginx]
command=/usr/sbin/nginx -p $T/nginx -c %(here)s/../nginx.conf -g "daemon off;"
priority=20
autorestart=true
stopsignal=QUIT
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
redirect_stderr=true
CONF
	cat >"$T/etc/supervisor/conf.d/workers.conf" <<'CONF'
[program:worker]
command=/bin/sh -c "echo worker %(process_num)d of %(numprocs)d in %(group_name)s: $APP_ENV; exec sleep 1000"
process_name=%(program_name)s_%(process_num)02d
numprocs=3
numprocs_start=1
autorestart=true
stopwaitsecs=3
stdout_logfile=/dev/fd/1
stdout_logfile_maxbytes=0
CONF
	cat >"$T/etc/supervisor/nginx.conf" <<CONF
error_log stderr;
pid $T/nginx/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$web;
		location / { proxy_pass http://127.0.0.1:$app; }
	}
}
CONF
}

t_supervisord_conf_runs() {
	local web app
	web=$(sv_port) && app=$(sv_port) || { fail "no free port"; return 1; }
	write_nginx_php_image "$web" "$app"
	export APP_PORT=$app
	start_ns -c "$T/etc/supervisor/supervisord.conf" || return 1
	unset APP_PORT
	wait_until 15 sv_ready || { fail "/health not 200: $SVCODE $(head -c 600 "$T/svbody")"; return 1; }
	local name
	for name in app nginx worker_01 worker_02 worker_03; do
		assert_has "$T/svbody" "\"name\":\"$name\"" || return 1
	done
	assert_lacks "$T/svbody" '"name":"worker"' || return 1
	sv_get /health/worker_03
	[ "$SVCODE" = 200 ] || { fail "/health/worker_03: $SVCODE"; return 1; }
	# the request goes through nginx to the app server
	local code
	code=$(curl -s --max-time 5 -o "$T/page" -w '%{http_code}' "http://127.0.0.1:$web/api/health")
	[ "$code" = 200 ] || { fail "GET through nginx: $code"; return 1; }
	# %(process_num)d, %(numprocs)d, %(group_name)s and [supervisord]'s environment
	wait_has "$T/stdout" "worker 3 of 3 in worker: production" 10 || return 1
	assert_has "$T/stdout" "worker 1 of 3 in worker: production" || return 1
	# what tend did not take is in its log, as warnings, the program output is not
	assert_log "warning: ignored: [unix_http_server]" || return 1
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0
}

t_supervisord_samples_check() {
	local f n=0
	for f in "$SV_SAMPLES"/*.conf; do
		n=$((n + 1))
		env WEB_WORKERS=4 CELERY_CONCURRENCY=2 QUEUE_CONNECTION=redis APP_ENV=production \
			DJANGO_SETTINGS_MODULE=site.settings "$TEND" check -c "$f" >"$T/out" 2>"$T/err"
		local rc=$?
		[ "$rc" = 0 ] || { fail "tend check $(basename "$f"): status $rc: $(cat "$T/err")"; return 1; }
		if grep -v ': warning: ' "$T/err" | grep -q .; then
			fail "tend check $(basename "$f"): not only warnings: $(grep -v ': warning: ' "$T/err")"
			return 1
		fi
		# every warning about what tend ignored is listed at the end of its output
		local w i
		w=$(grep -c ': warning: .*ignored' "$T/err")
		i=$(grep -c '^ignored: ' "$T/out")
		[ "$w" = "$i" ] || { fail "$(basename "$f"): $w warnings of what is ignored, $i ignored: lines"; return 1; }
	done
	[ "$n" -ge 6 ] || fail "only $n sample files"
}

# %(here)s in [include] files, with the file named relative to the working
# directory: the file's absolute directory, the pattern not joined to it
# again.
t_supervisord_include_here_relative() {
	mkdir -p "$T/sub/conf.d"
	printf '[include]\nfiles = %%(here)s/conf.d/*.conf\n' >"$T/sub/a.ini"
	printf '[program:inc]\ncommand = /bin/true\n' >"$T/sub/conf.d/inc.conf"
	local rc
	(cd "$T" && "$TEND" check -c sub/a.ini) >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 0 ] || { fail "tend check: status $rc: $(cat "$T/err")"; return 1; }
	assert_lacks "$T/err" "matches no file" || return 1
	assert_has "$T/out" "included: $(realpath "$T")/sub/conf.d/inc.conf" || return 1
	grep -q ' inc ' "$T/out" || fail "program inc not in tend check's table: $(cat "$T/out")"
}

# stderr_logfile = /dev/stdout and stdout_logfile = /dev/stderr: each
# stream goes to the other stream of tend, as in supervisord.
t_supervisord_crossed_streams() {
	cat >"$T/supervisord.conf" <<'CONF'
[program:crossed]
command=/bin/sh -c "echo to-stdout; echo to-stderr >&2; exec sleep 1000"
stdout_logfile=/dev/stderr
stdout_logfile_maxbytes=0
stderr_logfile=/dev/fd/1
stderr_logfile_maxbytes=0
CONF
	start_ns -c "$T/supervisord.conf" || return 1
	wait_has "$T/stdout" "to-stderr" 10 || return 1
	wait_log "to-stdout" 10 || return 1
	assert_lacks "$T/stdout" "to-stdout" || return 1
	assert_no_log "to-stderr" || return 1
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0
}

# [supervisord] minfds and minprocs: the programs start with soft limits
# of at least that. tend starts with low soft limits (the hard ones as
# they are: a soft limit can be raised back up to them).
t_supervisord_minfds() {
	local hard_fds hard_procs want_fds=4321 want_procs=777
	hard_fds=$(ulimit -Hn) hard_procs=$(ulimit -Hu)
	[ "$hard_fds" = unlimited ] || [ "$hard_fds" -ge "$want_fds" ] || want_fds=$hard_fds
	[ "$hard_procs" = unlimited ] || [ "$hard_procs" -ge "$want_procs" ] || want_procs=$hard_procs
	cat >"$T/supervisord.conf" <<CONF
[supervisord]
minfds=$want_fds
minprocs=$want_procs

[program:limits]
command=/bin/sh -c "cat /proc/self/limits > $T/limits.tmp; mv $T/limits.tmp $T/limits; exec sleep 1000"
CONF
	local soft_fds soft_procs started
	soft_fds=$(ulimit -Sn) soft_procs=$(ulimit -Su)
	ulimit -Sn 512 && ulimit -Su 100 || { fail "cannot lower the soft limits"; return 1; }
	start_ns -c "$T/supervisord.conf"
	started=$?
	ulimit -Sn "$soft_fds"
	ulimit -Su "$soft_procs"
	[ "$started" = 0 ] || return 1
	wait_until 10 test -s "$T/limits" || { fail "the program did not write its limits"; return 1; }
	local fds procs
	fds=$(awk '/^Max open files/ { print $4 }' "$T/limits")
	procs=$(awk '/^Max processes/ { print $3 }' "$T/limits")
	[ "$fds" -ge "$want_fds" ] || { fail "RLIMIT_NOFILE is $fds, want $want_fds"; return 1; }
	[ "$procs" = unlimited ] || [ "$procs" -ge "$want_procs" ] || { fail "RLIMIT_NPROC is $procs"; return 1; }
	sig TERM
	wait_exit 15 || return 1
	assert_rc 0
}

ALL_TESTS+=(supervisord_conf_runs supervisord_samples_check supervisord_crossed_streams supervisord_minfds)
ALL_TESTS+=(supervisord_include_here_relative)
