# Hardening: PID 1 can be neither frozen, nor spun, nor fooled, nor turned
# against its own programs. Each test replays an attack or an unlucky
# operator's situation against the real binary as PID 1.
# Sourced by run.sh: uses its helpers (start_ns, wait_until, fail, ...) and
# suite_http.sh's (http, api_up, ...).

NOTIFIER=$HELPERS/notifier

# jget PATH FIELD: one field of /health/NAME's JSON, through python's json
# (strict: the answer must be valid JSON and valid UTF-8).
json_field() {
	python3 -c '
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))
print(doc.get(sys.argv[2]))' "$T/body" "$1"
}

# start_ns_stderr_fifo ARGS...: like start_ns, but tend's stderr is a FIFO
# that this shell holds open (fd STDERR_FIFO) and does not read.
start_ns_stderr_fifo() {
	mkfifo "$T/stderr.fifo" || return 1
	exec {STDERR_FIFO}<>"$T/stderr.fifo"
	start_ns_with "$T/stdout" "$T/stderr.fifo" "$@"
}

# drain_stderr_fifo: reads what the FIFO holds, for half a second, into
# $T/tend.log (in the foreground, and ended by timeout: a reader started in
# the background and killed at once could miss the signal before its exec).
drain_stderr_fifo() {
	timeout 0.5 cat <&"$STDERR_FIFO" >>"$LOG"
	return 0
}
# drained_log_has TEXT: drains the FIFO once more, then looks for TEXT.
drained_log_has() {
	drain_stderr_fifo
	has "$LOG" "$1"
}
stop_reading() {
	exec {STDERR_FIFO}>&-
}
# drained_gone PID: drains the FIFO once more (tend's last lines must not
# block it), then whether PID is gone.
drained_gone() {
	drain_stderr_fifo
	gone "$1"
}

# pid_of NAME: the program's pid from /health/NAME ("null" when none).
pid_of() {
	http GET "/health/$1" >/dev/null
	jfield pid
}
pid_changed() { local p; p=$(pid_of "$1"); [ -n "$p" ] && [ "$p" != null ] && [ "$p" != "$2" ]; }

# tend's CPU time so far, in clock ticks (utime + stime).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# A program fills tend's stderr pipe (nobody reads it) before a program is
# killed: tend still reaps and restarts it, answers /livez and /health, and
# stops on TERM. (Before: tend's next log line blocked PID 1 for good.)
t_hard_stderr_full_pipe_from_a_program() {
	cat >"$T/tend.ini" <<EOF
[program:chatty]
command = /bin/sh -c "head -c 70000 /dev/zero | tr '\\\\0' x >&2; exec sleep 1000"
startsecs = 0

[program:web]
command = /bin/sleep 1000
startsecs = 0
EOF
	start_ns_stderr_fifo -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	local web
	wait_until 10 pid_changed web "" || { fail "web has no pid"; return 1; }
	web=$(pid_of web)
	wait_until 10 stderr_fifo_full || { fail "tend's stderr pipe never filled"; return 1; }
	kill -9 "$(ns_host_pid web "$web")" || { fail "cannot kill web"; return 1; }
	wait_until 10 pid_changed web "$web" || { fail "web was not restarted while stderr was full"; return 1; }
	expect_status GET /livez 200 || return 1
	expect_status GET /health 200 || return 1
	sig TERM
	wait_until 10 gone "$MAIN_PID" || { fail "tend did not stop on TERM while stderr was full"; stop_reading; return 1; }
	wait_exit || return 1
	drain_stderr_fifo
	stop_reading
	assert_rc 0
}

# fifo_bytes FIFO: how many unread bytes the FIFO holds.
fifo_bytes() {
	python3 -c '
import array, fcntl, os, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = array.array("i", [0])
fcntl.ioctl(fd, termios.FIONREAD, n)
print(n[0])' "$1"
}

# The FIFO is full: it holds most of 64 KiB (small writes leave part of
# its pages unused) and takes no more while tend goes on writing.
fifo_full() {
	local a b
	a=$(fifo_bytes "$1")
	[ "$a" -ge 32768 ] || return 1
	sleep 0.3
	b=$(fifo_bytes "$1")
	[ "$a" = "$b" ]
}
stderr_fifo_full() { fifo_full "$T/stderr.fifo"; }

# ns_host_pid NAME PID: a program's pid as seen from this shell (the API
# gives pids of the namespace): the child of tend whose NSpid ends in PID.
ns_host_pid() {
	local c
	for c in $(cat /proc/"$TEND_PID"/task/*/children 2>/dev/null); do
		if awk -v want="$2" '/^NSpid:/ { exit !($NF == want) }' "/proc/$c/status" 2>/dev/null; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# tend's own lines fill its stderr (a program crash-loops, nobody reads):
# restarts and the API go on; once the pipe is read again, the count of
# the lines that were dropped is logged.
t_hard_stderr_full_of_own_lines() {
	cat >"$T/tend.ini" <<EOF
[program:loop]
command = /bin/false
startsecs = 0
autorestart = true

[program:web]
command = /bin/sleep 1000
startsecs = 0
EOF
	start_ns_stderr_fifo -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	# the pipe is full; then 64 KiB of queue fill in a few hundred restarts
	wait_until 30 stderr_fifo_full || { fail "tend's stderr pipe never filled"; return 1; }
	loop_restarted_past 0
	wait_until 60 loop_restarted_past $((RESTARTS + 1500)) || { fail "loop restarted only $RESTARTS times"; return 1; }
	expect_status GET /livez 200 || return 1
	local web
	web=$(pid_of web)
	kill -9 "$(ns_host_pid web "$web")" || { fail "cannot kill web"; return 1; }
	wait_until 10 pid_changed web "$web" || { fail "web was not restarted while stderr was full"; return 1; }
	wait_until 20 drained_log_has "log lines dropped: stderr could not take them" ||
		{ fail "no count of dropped lines once stderr was read again"; stop_reading; return 1; }
	sig TERM
	wait_until 10 drained_gone "$MAIN_PID" || { fail "tend did not exit"; stop_reading; return 1; }
	wait_exit || { stop_reading; return 1; }
	stop_reading
	assert_rc 0
}
loop_restarted_past() {
	http GET /health/loop >/dev/null
	RESTARTS=$(jfield restarts)
	[ -n "$RESTARTS" ] && [ "$RESTARTS" -ge "$1" ]
}

# 500 programs of one priority in a diamond-shaped depends_on graph (two
# per layer, each on both of the layer below) and one without
# dependencies: all start, and on TERM they stop layer by layer, well
# within shutdown_timeout. (Before: the stop order walked every path of
# the graph, 2^layers steps, and PID 1 spun at 100 % CPU for good.)
t_hard_diamond_of_500_stops_in_order() {
	local k
	{
		echo "[tend]"
		echo "shutdown_timeout = 30"
		for ((k = 0; k < 250; k++)); do
			for side in a b; do
				echo "[program:l${k}$side]"
				echo "command = /bin/sleep 1000"
				echo "startsecs = 0"
				[ "$k" -gt 0 ] && echo "depends_on = l$((k - 1))a, l$((k - 1))b"
			done
		done
		echo "[program:loner]"
		echo "command = /bin/sleep 1000"
		echo "startsecs = 0"
	} >"$T/tend.ini"
	start_ns -c "$T/tend.ini" || return 1
	wait_log "tend: l249b: started" 60 || return 1
	wait_until 20 api_up || { fail "no API"; return 1; }
	wait_until 20 health_is 200 || { fail "not ready"; return 1; }
	sig TERM
	wait_exit 40 || return 1
	assert_rc 0 || return 1
	assert_no_log "shutdown_timeout" || return 1
	assert_no_log "SIGKILL" || return 1
	assert_before "$LOG" "l249a: stopped" "l248b: stopping" || return 1
	assert_before "$LOG" "l1b: stopped" "l0a: stopping"
}

# Another program's process, as another user or as the same one, joins
# (or tries to join) a notify program's process group and sends READY=1,
# WATCHDOG=1 and STATUS= for it; a process of the program itself that
# runs as another uid does the same. None counts.
t_hard_notify_impostors_ignored() {
	cp "$NOTIFIER" "$T/notifier" && chmod 755 "$T/notifier"
	touch "$T/nobody.rec" "$T/root.rec" "$T/dropped.rec" && chmod 666 "$T"/*.rec
	cat >"$T/tend.ini" <<EOF
[tend]
log_level = debug

[program:victim]
command = ./notifier --record victim.rec
directory = $T
notify = true
startsecs = 0

[program:intruder]
command = ./notifier --impersonate victim.pid notify/victim.sock --record nobody.rec
directory = $T
user = nobody
autostart = false
startsecs = 0
required = false

[program:neighbour]
command = ./notifier --impersonate victim.pid notify/victim.sock --record root.rec
directory = $T
autostart = false
startsecs = 0
required = false

[program:dropper]
command = /bin/sh -c 'setpriv --reuid=nobody --regid=nogroup --clear-groups ./notifier --ready-after 0.1 --record dropped.rec & exec sleep 1000'
directory = $T
notify = true
startsecs = 0
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	local victim
	wait_until 10 pid_changed victim "" || { fail "victim has no pid"; return 1; }
	victim=$(pid_of victim)
	echo "$victim" >"$T/victim.pid"
	expect_status POST /programs/intruder/start 202 || return 1
	expect_status POST /programs/neighbour/start 202 || return 1
	wait_has "$T/nobody.rec" "sent" || return 1
	wait_has "$T/root.rec" "sent" || return 1
	wait_has "$T/dropped.rec" "pid=" || return 1
	# each datagram was seen and refused
	wait_until 10 eval '[ "$(count_of "$LOG" "victim: ignored a notify datagram")" -ge 2 ]' ||
		{ fail "victim's log lacks two refused datagrams"; return 1; }
	wait_log "dropper: ignored a notify datagram" || return 1
	assert_has "$T/nobody.rec" "setpgid=EPERM" || return 1
	assert_has "$T/root.rec" "setpgid=EPERM" || return 1
	assert_no_log "victim: READY=1 received" || return 1
	assert_no_log "dropper: READY=1 received" || return 1
	expect_status GET /health/victim 503 || return 1
	body_has '"ready":false' || return 1
	body_lacks "impostor" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# A one-shot program exits; its old pid is handed to another program's
# new process (ns_last_pid); starting the first one again must not kill
# the other's group. (Before: the leftover SIGKILL went to the old group
# number at the next start, whoever had it by then.)
t_hard_pid_reuse_spares_another_group() {
	cat >"$T/tend.ini" <<EOF
[program:once]
command = /bin/sh -c 'echo \$\$\$\$ >$T/once.pid; exit 0'
autorestart = false
startsecs = 0
required = false

[program:other]
command = /bin/sleep 1000
autostart = false
startsecs = 0
required = false
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	wait_log "once: exited with code 0" || return 1
	local old
	old=$(cat "$T/once.pid")
	nsenter --target "$TEND_PID" --pid --mount -- sh -c "echo $((old - 1)) >/proc/sys/kernel/ns_last_pid" ||
		{ fail "cannot set ns_last_pid"; return 1; }
	expect_status POST /programs/other/start 202 || return 1
	wait_until 10 pid_changed other "" || { fail "other has no pid"; return 1; }
	assert_eq "other's pid" "$(pid_of other)" "$old" || return 1
	expect_status POST /programs/once/start 202 || return 1
	wait_until 10 eval '[ "$(count_of "$LOG" "once: exited with code 0")" -ge 2 ]' || { fail "once did not run again"; return 1; }
	sleep 0.3
	expect_status GET /health/other 200 || return 1
	assert_eq "other's pid after once ran again" "$(jfield pid)" "$old" || return 1
	assert_no_log "other: stopped" || return 1
	assert_no_log "other: exited" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# fork fails with EAGAIN (tend runs as nobody under a process limit): the
# program that cannot be started is retried with a growing delay, never
# FATAL, no spin; once there is room it starts.
t_hard_fork_eagain_put_off() {
	cp "$TEND" "$T/tend" && chmod 755 "$T/tend"
	mkdir -p "$T/run" && chown nobody "$T/run"
	cat >"$T/tend.ini" <<EOF
[tend]
socket = $T/run/tend.sock
socket_mode = 0666

[program:a]
command = /bin/sleep 1000
startsecs = 0

[program:b]
command = /bin/sleep 1000
startsecs = 0
priority = 1

[program:c]
command = /bin/sleep 1000
startsecs = 0
priority = 2000
EOF
	export TEND_SOCKET=$T/run/tend.sock
	# tend, a and b: three more processes of nobody's; c's fork fails
	local limit=$(($(pgrep -c -u nobody) + 3))
	unshare --pid --fork --mount-proc setpriv --reuid=nobody --regid=nogroup --clear-groups \
		prlimit --nproc=$limit "$T/tend" -c "$T/tend.ini" </dev/null >>"$T/stdout" 2>"$LOG" &
	MAIN_PID=$!
	OWNED+=("$MAIN_PID:$$")
	wait_until 10 find_tend || { fail "no tend under unshare"; return 1; }
	OWNED+=("$TEND_PID:$MAIN_PID")
	wait_log "c: cannot be started now: Resource temporarily unavailable; trying again in 0.1s (not counted as a failed start)" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	local t0
	t0=$(cpu_ticks "$TEND_PID")
	sleep 2
	# the delay doubles: a handful of tries in 2 s, not a spin
	local tries
	tries=$(count_of "$LOG" "c: cannot be started now")
	[ "$tries" -le 8 ] || { fail "c was tried $tries times in about 2 s"; return 1; }
	[ $(($(cpu_ticks "$TEND_PID") - t0)) -le 20 ] || { fail "tend used $(($(cpu_ticks "$TEND_PID") - t0)) ticks of CPU in 2 s"; return 1; }
	assert_no_log "FATAL" || return 1
	expect_status POST /programs/b/stop 202 || return 1
	wait_log "c: started with pid" 15 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# A program writing 1 GiB to stdout as fast as it can: tend answers
# meanwhile and the program finishes.
t_hard_gigabyte_to_stdout() {
	cat >"$T/tend.ini" <<EOF
[program:flood]
command = /bin/sh -c 'head -c 1073741824 /dev/zero; echo done >$T/flood.done; exec sleep 1000'
startsecs = 0
EOF
	start_ns_with /dev/null "$LOG" -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	expect_status GET /livez 200 || return 1
	wait_has "$T/flood.done" done 60 || return 1
	expect_status GET /health 200 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# STATUS= with NUL, control bytes, invalid UTF-8 and a multi-byte
# character cut at the 200-byte limit; a config value with control bytes
# and invalid UTF-8: /health is valid JSON in valid UTF-8, the program
# gets the value's bytes as written, and every JSON log line is valid.
t_hard_hostile_bytes_stay_valid_json() {
	python3 - "$T/tend.ini" "$T" <<'EOF'
import sys
path, t = sys.argv[1], sys.argv[2]
weird = b"a\xffb\x01c\xc3(d\xe2\x82"
text = (b"[tend]\nlog_format = json\nlog_level = debug\n"
        b"[program:odd]\ncommand = /bin/sh -c 'printf %s \"$WEIRD\" >" + t.encode() + b"/weird'\n"
        b"environment = WEIRD=\"" + weird + b"\"\nstartsecs = 0\nautorestart = false\nrequired = false\n"
        b"[program:talker]\ncommand = python3 " + t.encode() + b"/talk.py\nnotify = true\nstartsecs = 0\n")
open(path, "wb").write(text)
open(t + "/weird.expected", "wb").write(weird)
open(t + "/talk.py", "w").write(r'''
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
hostile = b"\x00nul\x07bell\xff\xfe\xc0\xaf\xed\xa0\x80"
# 199 bytes, then a two-byte character that the 200-byte limit cuts
status = b"STATUS=" + hostile + b"x" * (199 - len(hostile)) + "\u00e9".encode() + b"\n"
s.sendto(status + b"READY=1\n", os.environ["NOTIFY_SOCKET"])
time.sleep(1000)
''')
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	wait_until 10 eval 'http GET /health/talker; [ "$CODE" = 200 ]' || { fail "talker never ready: $(cat "$T/body")"; return 1; }
	json_field status_text >"$T/status.txt" || { fail "/health/talker is not valid JSON in UTF-8: $(head -c 300 "$T/body")"; return 1; }
	http GET /health
	json_field status >/dev/null || { fail "/health is not valid JSON in UTF-8"; return 1; }
	wait_has "$T/weird" "a" || return 1
	cmp -s "$T/weird" "$T/weird.expected" || { fail "the program got other bytes than the config's"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0 || return 1
	python3 - "$LOG" <<'EOF' || { fail "a JSON log line is not valid JSON in UTF-8 (see $LOG)"; return 1; }
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8", "strict"))
EOF
}

ALL_TESTS+=(
	hard_stderr_full_pipe_from_a_program
	hard_stderr_full_of_own_lines
	hard_diamond_of_500_stops_in_order
	hard_notify_impostors_ignored
	hard_pid_reuse_spares_another_group
	hard_fork_eagain_put_off
	hard_gigabyte_to_stdout
	hard_hostile_bytes_stay_valid_json
)

# tend's anonymous memory (heap, stack, data), in KiB, from smaps_rollup.
anon_kib() { awk '/^Anonymous:/ { print $2 }' "/proc/$1/smaps_rollup"; }
counter_at_least() { local n; n=$(cat "$T/count" 2>/dev/null); [ "${n:-0}" -ge "$1" ]; }

# http_batch N: N pipelined requests (/health, /metrics, /health/NAME, a
# 404) on one connection of the unix socket, every answer read.
http_batch() {
	"$HTTPC" send "$TEND_SOCKET" -n "$1" -w 0 -t 60 <"$T/requests" >"$T/answers" 2>"$T/httpc.err" ||
		{ fail "httpc: $(cat "$T/httpc.err")"; return 1; }
	[ "$(grep -c '^HTTP/1.1 ' "$T/answers")" = "$1" ] || { fail "$1 requests: $(grep -c '^HTTP/1.1 ' "$T/answers") answers"; return 1; }
}

# Memory stays flat (within 16 KiB) over 2 000 crash-restarts and 200 000
# HTTP requests, measured after a warm-up of each.
t_hard_memory_flat() {
	# ASan's allocator keeps freed memory in quarantine: no measure there
	if grep -q __asan_init "$TEND" 2>/dev/null; then
		echo "  (not measured with an AddressSanitizer build)"
		return 0
	fi
	echo 0 >"$T/count"
	cat >"$T/tend.ini" <<EOF
[program:crasher]
command = /bin/sh -c 'n=0; read -r n <count; echo \$\$((n + 1)) >count; [ \$\$n -ge 2600 ] && exec sleep 1000; exit 1'
directory = $T
startsecs = 0
autorestart = true

[program:web]
command = /bin/sleep 1000
startsecs = 0
EOF
	local i
	# 1 000 a connection: httpc writes all of them before it reads
	for ((i = 0; i < 250; i++)); do
		printf 'GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n'
		printf 'GET /health/web HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n'
	done >"$T/requests"
	start_ns -c "$T/tend.ini" || return 1
	# warm-up: every path once and more, so that what the allocator and the
	# stack keep for good is there before the measure
	wait_until 120 counter_at_least 500 || { fail "the crasher did not run 500 times"; return 1; }
	wait_until 10 api_up || { fail "no API"; return 1; }
	for ((i = 0; i < 10; i++)); do
		http_batch 1000 || return 1
	done
	local before after
	before=$(anon_kib "$TEND_PID")
	wait_until 300 counter_at_least 2601 || { fail "the crasher ran only $(cat "$T/count") times"; return 1; }
	for ((i = 0; i < 200; i++)); do
		http_batch 1000 || return 1
	done
	after=$(anon_kib "$TEND_PID")
	echo "  anonymous memory: ${before} KiB after the warm-ups, ${after} KiB after 2 000 more restarts and 200 000 more requests"
	[ "$((after - before))" -le 16 ] || { fail "anonymous memory grew from $before to $after KiB"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}
ALL_TESTS+=(hard_memory_flat)
