# shellcheck shell=bash
# One-shot tasks (tend.ini(5) oneshot, tend(8) on done and depends_on) and exit_on_fatal
# (tend.ini(5) exit_on_fatal, tend(8) EXIT STATUS) on the real binary as PID 1 of a PID namespace. Sourced by
# run.sh: uses its helpers (start_ns, wait_until, fail, ...). A task that
# must still be running when the test looks waits for a file the test
# creates ($T/go), so nothing here depends on how long anything takes.

# ---- requests (o_ names: the other suites have their own) ----

# o_get PATH: GET PATH on tend's unix socket; OCODE (000: no answer), body
# in $T/obody.
o_get() {
	: >"$T/obody"
	OCODE=$(curl -s -g --max-time 5 -o "$T/obody" -w '%{http_code}' --unix-socket "$TEND_SOCKET" \
		"http://tend$1" 2>/dev/null)
	[ -n "$OCODE" ] || OCODE=000
}
# o_is PATH CODE TEXT...: PATH answers CODE, its body has every TEXT.
o_is() {
	local path=$1 code=$2 t
	shift 2
	o_get "$path"
	[ "$OCODE" = "$code" ] || return 1
	for t in "$@"; do has "$T/obody" "$t" || return 1; done
}
# o_wait PATH CODE TEXT...: waits until o_is PATH CODE TEXT...
o_wait() {
	wait_until 10 o_is "$@" || fail "$1 never answered $2 with ${*:3}; last ($OCODE): $(head -c 600 "$T/obody")"
}
# o_expect PATH CODE TEXT...: o_is, now.
o_expect() {
	o_is "$@" || fail "$1: expected $2 with ${*:3}; got ($OCODE): $(head -c 600 "$T/obody")"
}
o_post() {
	curl -s -g --max-time 5 -o /dev/null -w '%{http_code}' -X POST --unix-socket "$TEND_SOCKET" "http://tend$1"
}
# o_client ARGS...: `tend ARGS` as a client; output in $T/cout, status in ORC.
o_client() {
	"$TEND" "$@" </dev/null >"$T/cout" 2>>"$T/client.log"
	ORC=$?
}

# A migration task (it waits for $T/go, then writes $T/migrated) and a
# backend that depends on it and refuses to start without that file.
write_migration_config() {
	cat >"$T/migrate.sh" <<EOF
echo run >>$T/migrate.runs
while [ ! -e $T/go ]; do sleep 0.02; done
echo done >$T/migrated
EOF
	cat >"$T/backend.sh" <<EOF
[ -e $T/migrated ] || { echo "backend started before the migration" >>$T/backend.errors; exit 9; }
exec $SIGREC $T/events backend
EOF
	cat >"$T/tend.ini" <<EOF
[program:migrate]
command = sh $T/migrate.sh
oneshot = true
startsecs = 0.1

[program:backend]
command = sh $T/backend.sh
depends_on = migrate
startsecs = 0
EOF
}

# The backend starts only once the migration has finished; meanwhile tend
# and the task are not ready (503) and the backend waits for it; then 200,
# the task EXITED and done, never run again but on request.
t_oneshot_migration_before_backend() {
	write_migration_config
	"$TEND" check -c "$T/tend.ini" >"$T/check.out" 2>>"$LOG" || { fail "tend check refused the config"; return 1; }
	assert_eq "tend check's row of migrate" "$(awk '$2 == "migrate" { print $1, $5 }' "$T/check.out")" "1 oneshot" ||
		return 1
	assert_eq "tend check's row of backend" "$(awk '$2 == "backend" { print $1, $5 }' "$T/check.out")" "2 longrun" ||
		return 1
	start_ns -c "$T/tend.ini" || return 1
	# the task runs (it waits for go): not ready, and the backend waits
	wait_lines "$T/migrate.runs" 1 || return 1
	o_wait /health/migrate 503 '"state":"STARTING"' '"ready":false' '"oneshot":true,"done":false' || return 1
	o_expect /health 503 '"status":"not_ready"' || return 1
	o_expect /health/backend 503 '"state":"STOPPED"' '"pid":null' '"waiting_for":["migrate"]' || return 1
	o_client status
	assert_eq "tend status's state of migrate" "$(awk '$1 == "migrate" { print $2 }' "$T/cout")" "STARTING(oneshot)" ||
		return 1
	o_client health
	[ "$ORC" = 1 ] || { fail "tend health exited $ORC while the task runs"; return 1; }
	assert_has "$T/cout" "migrate (STARTING)" || return 1
	assert_lacks "$T/events" "backend start" || return 1
	# the task finishes: the backend starts, tend is ready
	touch "$T/go"
	o_wait /health 200 '"status":"ready"' || return 1
	o_expect /health/migrate 200 '"state":"EXITED"' '"last_exit":{"code":0}' '"oneshot":true,"done":true' || return 1
	o_expect /health/backend 200 '"state":"RUNNING"' '"waiting_for":[]' || return 1
	wait_has "$T/events" "backend start" || return 1
	assert_before "$LOG" "migrate: exited with code 0 (expected)" "backend: started" || return 1
	[ ! -e "$T/backend.errors" ] || { fail "$(cat "$T/backend.errors")"; return 1; }
	o_client status
	assert_eq "tend status's state of migrate" "$(awk '$1 == "migrate" { print $2 }' "$T/cout")" "EXITED(done)" ||
		return 1
	o_client health migrate
	[ "$ORC" = 0 ] || { fail "tend health migrate exited $ORC once it is done"; return 1; }
	# a start request runs it again (go is there: it finishes at once); the
	# backend is left alone
	assert_eq "POST /programs/migrate/start" "$(o_post /programs/migrate/start)" 202 || return 1
	wait_lines "$T/migrate.runs" 2 || return 1
	o_wait /health/migrate 200 '"state":"EXITED"' '"restarts":1' || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	# never run again after its success but on that one request
	assert_lines "$T/migrate.runs" 2 || return 1
	assert_eq "backend starts" "$(count_of "$T/events" "backend start")" 1
}

# A task that succeeds is never restarted: its exit 0 (here before
# startsecs, with autorestart's default) is the end of it, while a program
# beside it that exits is restarted at once.
t_oneshot_success_not_restarted() {
	cat >"$T/crasher.sh" <<EOF
echo run >>$T/crasher.runs
n=\$(wc -l <$T/crasher.runs)
[ \$n -ge 3 ] && exec sleep 1000
exit 1
EOF
	cat >"$T/tend.ini" <<EOF
[program:render]
command = sh -c 'echo run >>$T/render.runs'
oneshot = true
startsecs = 5

[program:crasher]
command = sh $T/crasher.sh
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "render: exited with code 0 (expected)" || return 1
	wait_lines "$T/crasher.runs" 3 || return 1
	o_wait /health 200 '"status":"ready"' || return 1
	o_expect /health/render 200 '"state":"EXITED"' '"restarts":0' '"done":true' || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	assert_lines "$T/render.runs" 1 || return 1
	assert_eq "render's starts in the log" "$(count_of "$LOG" "render: started")" 1
}

# A failing task: retried (startretries) with backoff, then FATAL; its
# dependent never starts; exit_on_fatal ends tend with 1, naming it.
t_oneshot_failing_task_fatal_exit_1() {
	cat >"$T/tend.ini" <<EOF
[tend]
shutdown_timeout = 5

[program:keeper]
command = $SIGREC $T/events keeper
startsecs = 0
priority = 1

[program:migrate]
command = sh -c 'echo try >>$T/migrate.tries; exit 3'
oneshot = true
startretries = 2
backoff = 0.1

[program:backend]
command = $SIGREC $T/events backend
depends_on = migrate
startsecs = 0
EOF
	run_ns_to_exit 15 -c "$T/tend.ini" || return 1
	assert_rc 1 || return 1
	assert_lines "$T/migrate.tries" 3 || return 1
	assert_log "migrate: exited with code 3; restart 1 of 2 in 0.1s" || return 1
	assert_log "migrate: exited with code 3; restart 2 of 2 in 0.2s" || return 1
	assert_log "migrate: exited with code 3; giving up after 3 failed starts (FATAL)" || return 1
	assert_log "shutting down (required program migrate is FATAL, last exit code 3)" || return 1
	assert_has "$T/events" "keeper TERM" || return 1
	assert_lacks "$T/events" "backend start" || return 1
	assert_no_log "backend: started" || return 1
	assert_log "exiting with status 1"
}

# exit_on_fatal = false: tend stays up, not ready, and /health says why:
# the task FATAL with its last exit, its dependent waiting for it.
t_oneshot_fatal_exit_on_fatal_false() {
	cat >"$T/tend.ini" <<EOF
[tend]
exit_on_fatal = false

[program:migrate]
command = sh -c 'exit 3'
oneshot = true
startretries = 0

[program:backend]
command = $SIGREC $T/events backend
depends_on = migrate
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "migrate: exited with code 3; giving up after 1 failed start (FATAL)" || return 1
	wait_log "backend: not started: its dependency migrate is FATAL" || return 1
	o_wait /health 503 '"status":"not_ready"' || return 1
	has "$T/obody" '"name":"migrate","state":"FATAL"' || { fail "/health: $(cat "$T/obody")"; return 1; }
	has "$T/obody" '"last_exit":{"code":3},"waiting_for":[],"oneshot":true,"done":false' ||
		{ fail "/health: $(cat "$T/obody")"; return 1; }
	has "$T/obody" '"name":"backend","state":"STOPPED"' || { fail "/health: $(cat "$T/obody")"; return 1; }
	has "$T/obody" '"waiting_for":["migrate"]' || { fail "/health: $(cat "$T/obody")"; return 1; }
	o_client health
	[ "$ORC" = 1 ] || { fail "tend health exited $ORC"; return 1; }
	assert_has "$T/cout" "migrate (FATAL)" || return 1
	assert_has "$T/cout" "backend (STOPPED, waiting for migrate)" || return 1
	assert_alive "with a FATAL task and exit_on_fatal = false" || return 1
	assert_no_log "shutting down" || return 1
	assert_lacks "$T/events" "backend start" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# autorestart = true with oneshot: a config error naming the line, exit 2,
# nothing started; tend check says the same.
t_oneshot_autorestart_true_is_an_error() {
	cat >"$T/tend.ini" <<EOF
[program:migrate]
command = sh -c 'echo run >>$T/runs'
oneshot = true

autorestart = true
EOF
	run_ns_to_exit 10 -c "$T/tend.ini" || return 1
	assert_rc 2 || return 1
	assert_log "tend: $T/tend.ini:5: [program:migrate] autorestart = true does not go with oneshot = true (line 3)" ||
		return 1
	[ ! -e "$T/runs" ] || { fail "a program was started"; return 1; }
	"$TEND" check -c "$T/tend.ini" >"$T/check.out" 2>"$T/check.err"
	assert_eq "tend check's exit status" "$?" 2 || return 1
	assert_has "$T/check.err" "$T/tend.ini:5: [program:migrate] autorestart = true does not go with oneshot"
}

# A task running at shutdown is stopped like a program, in order: before
# what started before it; its dependent never starts.
t_oneshot_stopped_in_order_at_shutdown() {
	cat >"$T/tend.ini" <<EOF
[program:db]
command = $SIGREC $T/events db
startsecs = 0
priority = 1

[program:migrate]
command = $SIGREC $T/events migrate
oneshot = true
depends_on = db

[program:backend]
command = $SIGREC $T/events backend
depends_on = migrate
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/events" "migrate start" || return 1
	o_wait /health/migrate 503 '"state":"STARTING"' || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	assert_before "$T/events" "migrate TERM" "db TERM" || return 1
	assert_before "$LOG" "migrate: stopped" "db: stopping with signal TERM" || return 1
	assert_lacks "$T/events" "backend start"
}

# exit_on_fatal: a required program that EXITED for good with an unexpected
# code (autorestart = false) ends tend with 1 after the graceful shutdown,
# naming it and its code. It exits once it is RUNNING, when the test says.
t_exit_on_fatal_exited_unexpected() {
	cat >"$T/tend.ini" <<EOF
[program:other]
command = $SIGREC $T/events other
startsecs = 0

[program:worker]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.02; done; exit 5'
startsecs = 0.1
autorestart = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "worker: running" || return 1
	touch "$T/go"
	wait_exit 15 || return 1
	assert_rc 1 || return 1
	assert_log "worker: exited with code 5 (unexpected); not restarted" || return 1
	assert_log "shutting down (required program worker exited with code 5 and is not restarted: autorestart = false)" ||
		return 1
	assert_has "$T/events" "other TERM" || return 1
	assert_log "exiting with status 1"
}

# The same exit by a program that is not required does not end tend.
t_exit_on_fatal_exited_not_required() {
	cat >"$T/tend.ini" <<EOF
[program:other]
command = $SIGREC $T/events other
startsecs = 0

[program:worker]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.02; done; exit 5'
startsecs = 0.1
autorestart = false
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_log "worker: running" || return 1
	touch "$T/go"
	wait_log "worker: exited with code 5 (unexpected); not restarted" || return 1
	# an answer comes after the turn that settled the exit
	o_wait /health 200 '"status":"ready"' '"name":"worker","state":"EXITED"' || return 1
	assert_alive "after a program that is not required exited" || return 1
	assert_no_log "shutting down" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

ALL_TESTS+=(
	oneshot_migration_before_backend
	oneshot_success_not_restarted
	oneshot_failing_task_fatal_exit_1
	oneshot_fatal_exit_on_fatal_false
	oneshot_autorestart_true_is_an_error
	oneshot_stopped_in_order_at_shutdown
	exit_on_fatal_exited_unexpected
	exit_on_fatal_exited_not_required
)
