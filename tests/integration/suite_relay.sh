# The programs' output relayed by tend (log_prefix, tend(8) PROGRAM OUTPUT), as PID 1.
# Sourced by run.sh: uses its helpers and suite_http.sh's, suite_hardening.sh's.

# prefixes on both streams; [tend]'s default and a program's own key;
# redirect_stderr with and without log_prefix
t_relay_prefixes_both_streams() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_prefix = true

[program:web]
command = /bin/sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'
startsecs = 0

[program:raw]
command = /bin/sh -c 'echo raw-out; echo raw-err >&2; exec sleep 1000'
startsecs = 0
log_prefix = false

[program:merged]
command = /bin/sh -c 'echo merged-out; echo merged-err >&2; exec sleep 1000'
startsecs = 0
redirect_stderr = true

[program:rawmerged]
command = /bin/sh -c 'echo rawmerged-err >&2; exec sleep 1000'
startsecs = 0
log_prefix = false
redirect_stderr = true
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/stdout" "web | to-out" || return 1
	wait_log "web | to-err" || return 1
	wait_has "$T/stdout" "merged | merged-out" || return 1
	wait_has "$T/stdout" "merged | merged-err" || return 1
	wait_has "$T/stdout" "rawmerged-err" || return 1
	wait_has "$T/stdout" "raw-out" || return 1
	wait_log "raw-err" || return 1
	assert_lacks "$T/stdout" "raw | " || return 1
	assert_no_log "raw | " || return 1
	assert_no_log "merged-err" || return 1
	assert_no_log "rawmerged-err" || return 1
	assert_lacks "$T/stdout" "to-err" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# log_format = json: every relayed line is a JSON object that Python's
# json takes (strict UTF-8), whatever bytes the program wrote
t_relay_json_lines_parse() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_format = json
log_prefix = true

[program:odd]
command = /bin/sh $T/odd.sh
startsecs = 0
EOF
	cat >"$T/odd.sh" <<'EOF'
printf 'plain\n'
printf 'caf\303\251 \377\300 \001 "q" \\ tab\t\n'
printf 'err line\n' >&2
exec sleep 1000
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_lines "$T/stdout" 2 || return 1
	wait_has "$LOG" '"stream":"stderr"' || return 1
	python3 - "$T/stdout" "$LOG" <<'EOF' || { fail "relayed JSON lines: $(cat "$T/py.err" 2>/dev/null)"; return 1; }
import json, sys
out = [json.loads(l.decode("utf-8", "strict")) for l in open(sys.argv[1], "rb")]
assert [o["program"] for o in out] == ["odd", "odd"], out
assert all(o["stream"] == "stdout" and o["ts"].endswith("Z") for o in out), out
assert out[0]["msg"] == "plain", out
# invalid bytes are kept as \u00XX (Latin-1 when read back), valid ones as is
assert out[1]["msg"] == "caf\u00e9 \u00ff\u00c0 \u0001 \"q\" \\ tab\t", repr(out[1]["msg"])
err = [json.loads(l.decode("utf-8", "strict")) for l in open(sys.argv[2], "rb")]
assert any(o.get("stream") == "stderr" and o.get("msg") == "err line" for o in err), err
EOF
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# 100 000 lines from each of three programs at once: every line arrives,
# whole, in each program's order
t_relay_100k_lines_three_programs() {
	{
		echo "[tend]"
		echo "log_prefix = true"
		for p in p1 p2 p3; do
			echo "[program:$p]"
			echo "command = /bin/sh -c 'seq -f \"$p line %g of a hundred thousand, padded to be longer ............\" 100000; echo $p done >&2; exec sleep 1000'"
			echo "startsecs = 0"
		done
	} >"$T/tend.ini"
	start_ns -c "$T/tend.ini" || return 1
	for p in p1 p2 p3; do
		wait_log "$p | $p done" 60 || return 1
	done
	wait_lines "$T/stdout" 300000 30 || return 1
	awk '
		{
			if (!match($0, /^(p[123]) \| (p[123]) line ([0-9]+) of a hundred thousand, padded to be longer \.+$/)) { print "bad line " NR ": " $0; exit 1 }
			split($0, f, " ")
			if (f[1] != f[3]) { print "mixed line " NR ": " $0; exit 1 }
			n = f[5] + 0
			if (n != last[f[1]] + 1) { print "out of order at line " NR ": " $0 " after " last[f[1]]; exit 1 }
			last[f[1]] = n
		}
		END { for (p in last) if (last[p] != 100000) { print p " ended at " last[p]; exit 1 } }' "$T/stdout" >"$T/check" ||
		{ fail "$(cat "$T/check")"; return 1; }
	assert_lines "$T/stdout" 300000 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# A last line without a newline arrives before the exit is logged (stdout
# and stderr in one file, so that their order shows); one that waits
# without its process exiting comes after about a second.
t_relay_last_line_before_exit() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_prefix = true

[program:once]
command = /bin/sh -c 'echo first; printf "last words without newline"; exit 3'
startsecs = 0
autorestart = false
required = false

[program:prompt]
command = /bin/sh -c 'printf "prompt> "; exec sleep 1000'
startsecs = 0
EOF
	unshare --pid --fork --mount-proc "$TEND" -c "$T/tend.ini" </dev/null >"$LOG" 2>&1 &
	MAIN_PID=$!
	OWNED+=("$MAIN_PID:$$")
	wait_until 10 find_tend || { fail "no tend under unshare"; return 1; }
	OWNED+=("$TEND_PID:$MAIN_PID")
	wait_log "once: exited with code 3" || return 1
	assert_before "$LOG" "once | first" "once: exited with code 3" || return 1
	assert_before "$LOG" "once | last words without newline" "once: exited with code 3" || return 1
	wait_log "prompt | prompt> " 5 || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# The pipes outlive the process: a child that inherited them (and left the
# group, so that it outlives its parent) keeps writing after its parent
# exited and was restarted, and its lines still arrive.
t_relay_child_writes_after_parent_restarts() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_prefix = true

[program:parent]
command = /bin/sh $T/parent.sh
directory = $T
startsecs = 0
EOF
	cat >"$T/parent.sh" <<'EOF'
echo parent run
if [ ! -e child.started ]; then
	touch child.started
	setsid sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo child $i; sleep 0.1; done' &
fi
sleep 0.2
exit 1
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/stdout" "parent | child 10" 10 || return 1
	[ "$(count_of "$T/stdout" "parent | parent run")" -ge 2 ] || { fail "the parent did not run twice"; return 1; }
	# lines of the child came after the parent's second start
	local second_run child_late
	second_run=$(grep -n "parent | parent run" "$T/stdout" | sed -n 2p | cut -d: -f1)
	child_late=$(grep -n "parent | child 10" "$T/stdout" | cut -d: -f1)
	[ "$child_late" -gt "$second_run" ] || { fail "child 10 (line $child_late) is not after the restart (line $second_run)"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# tend's stdout is a pipe that nobody reads for 10 s while a program
# crash-loops and a client polls /health: restarts and answers go on,
# tend's memory stays bounded, and once the pipe is read again every line
# the program wrote meanwhile arrives, in order.
t_relay_blocked_stdout() {
	cat >"$T/tend.ini" <<EOF
[tend]
log_prefix = true

[program:filler]
command = /bin/sh $T/filler.sh
startsecs = 0

[program:looper]
command = /bin/sh $T/looper.sh
directory = $T
startsecs = 0
autorestart = true
EOF
	# filler fills tend's stdout at once; looper crash-loops, one line a
	# run, far from filling its own pipe in 10 s
	cat >"$T/filler.sh" <<'EOF'
seq -f 'fill %g: some words to fill the pipe of tend'"'"'s stdout faster' 2000
exec sleep 1000
EOF
	cat >"$T/looper.sh" <<'EOF'
n=$(cat count 2>/dev/null || echo 0)
n=$((n + 1))
echo "run $n"
# counted once written, and whole: a stop in between leaves at most one
# run written and not counted
echo $n >count.new
mv count.new count
exit 1
EOF
	mkfifo "$T/stdout.fifo" || return 1
	exec {OUT_FIFO}<>"$T/stdout.fifo"
	start_ns_with "$T/stdout.fifo" "$LOG" -c "$T/tend.ini" || return 1
	wait_until 10 api_up || { fail "no API"; return 1; }
	wait_until 20 stdout_fifo_full || { fail "tend's stdout pipe never filled"; return 1; }
	local before after runs0 runs1 answers=0 i
	before=$(anon_kib "$TEND_PID")
	runs0=$(read_count)
	for ((i = 0; i < 50; i++)); do
		http GET /health
		[ "$CODE" = 000 ] || answers=$((answers + 1))
		sleep 0.2
	done
	runs1=$(read_count)
	after=$(anon_kib "$TEND_PID")
	echo "  blocked 10 s: $((runs1 - runs0)) restarts, $answers/50 answers, anonymous memory $before -> $after KiB"
	[ "$answers" = 50 ] || { fail "only $answers of 50 /health requests answered while stdout was blocked"; return 1; }
	[ "$((runs1 - runs0))" -ge 20 ] || { fail "only $((runs1 - runs0)) restarts in 10 s while stdout was blocked"; return 1; }
	[ "$((after - before))" -le 256 ] || { fail "memory grew from $before to $after KiB while stdout was blocked"; return 1; }
	# read again (in the foreground, ended by timeout): everything comes;
	# then stop the loop and check the runs
	expect_status POST /programs/looper/stop 202 || return 1
	local last
	wait_until 10 drained_log_says_stopped || { fail "looper did not stop"; return 1; }
	last=$(read_count)
	wait_until 30 drained_has "looper | run $last" || { fail "stdout lacks looper's run $last"; return 1; }
	wait_until 10 drained_has "filler | fill 2000:" || { fail "stdout lacks filler's last line"; return 1; }
	awk -v last="$last" '
		/^filler \| fill [0-9]+:/ { f = $4 + 0; if (f != prev_f + 1) { print "fill " f " after " prev_f; exit 1 } prev_f = f; next }
		/^looper \| run [0-9]+$/ { n = $4 + 0; if (n != prev_n + 1) { print "run " n " after run " prev_n; exit 1 } prev_n = n; next }
		{ print "bad line " NR ": " $0; exit 1 }
		END { if ((prev_n != last && prev_n != last + 1) || prev_f != 2000) { print "ended at run " prev_n " of " last ", fill " prev_f; exit 1 } }' \
		"$T/stdout" >"$T/check" || { fail "$(cat "$T/check")"; return 1; }
	sig TERM
	wait_until 10 drained_gone_stdout "$MAIN_PID" || { fail "tend did not exit"; return 1; }
	exec {OUT_FIFO}>&-
	wait_exit || return 1
	assert_rc 0
}
drain_stdout_fifo() {
	timeout 0.5 cat <&"$OUT_FIFO" >>"$T/stdout"
	return 0
}
drained_has() {
	drain_stdout_fifo
	has "$T/stdout" "$1"
}
drained_log_says_stopped() {
	drain_stdout_fifo
	has "$LOG" "looper: stopped" || has "$LOG" "looper: exited"
}
drained_gone_stdout() {
	drain_stdout_fifo
	gone "$1"
}
# The looper's run count (it rewrites the file: read until it is not empty).
read_count() {
	local n="" i
	for ((i = 0; i < 100; i++)); do
		n=$(cat "$T/count" 2>/dev/null)
		[ -n "$n" ] && break
		sleep 0.01
	done
	echo "${n:-0}"
}
stdout_fifo_full() { fifo_full "$T/stdout.fifo"; }

ALL_TESTS+=(
	relay_prefixes_both_streams
	relay_json_lines_parse
	relay_100k_lines_three_programs
	relay_last_line_before_exit
	relay_child_writes_after_parent_restarts
	relay_blocked_stdout
)
