# Single-command mode (`tend -- COMMAND`) as tini and dumb-init users know
# it: every signal passed on (the faults too), quiet, the working directory
# left to the command, leftovers, and job control under a shell (Ctrl-Z, fg,
# bg). Sourced by run.sh.

# start_job ARGS...: tend ARGS as a job of a shell with job control, as an
# interactive shell runs it: in a process group of its own, whose parent (the
# shell) is in another group of the same session, so that the kernel lets
# job-control signals stop it (it does not stop an orphaned group). The shell
# lives in a session of its own, and becomes `sleep` once the job started.
start_job() {
	JOB_PIDFILE=$T/job.pid setsid bash -c 'set -m; "$@" </dev/null & echo "$$ $!" >"$JOB_PIDFILE.tmp"
		mv "$JOB_PIDFILE.tmp" "$JOB_PIDFILE"; exec sleep 600' job "$TEND" "$@" >>"$T/stdout" 2>"$LOG" &
	MAIN_PID=$!
	OWNED+=("$MAIN_PID:$$")
	wait_until 10 test -s "$T/job.pid" || { fail "the job did not start"; return 1; }
	local shell
	read -r shell TEND_PID <"$T/job.pid"
	# setsid forks when it cannot make a session in place: record the real parents
	OWNED+=("$shell:$(ppid_of "$shell")" "$TEND_PID:$shell")
	DIRECT+=("$TEND_PID")
}

# The command: tend's only child.
command_pid() { cat "/proc/$TEND_PID/task/$TEND_PID/children" 2>/dev/null | awk '{ print $1 }'; }
stopped() { [ "$(proc_state "$1")" = T ]; }
running() { alive "$1" && ! stopped "$1"; }

# SEGV, BUS, ILL, FPE, ABRT, TRAP and SYS sent with kill reach the command,
# as tini and dumb-init pass them on; tend, not PID 1, does not die of them
t_single_command_fault_signals() {
	cat >"$T/catcher.sh" <<'EOF'
events=$1
for s in SEGV BUS ILL FPE ABRT TRAP SYS; do trap "echo cmd $s >>$events" $s; done
trap 'echo cmd TERM >>$events; kill $sleeper; exit 7' TERM
sleep 600 &
sleeper=$!
echo cmd start >>$events
while :; do wait $sleeper; done
EOF
	local s
	LOG=$T/tend-pid1.log
	start_ns -- bash "$T/catcher.sh" "$T/events" || return 1
	wait_has "$T/events" "cmd start" || return 1
	for s in SEGV BUS ILL FPE ABRT TRAP SYS; do
		sig "$s"
		wait_has "$T/events" "cmd $s" || return 1
	done
	sig TERM
	wait_exit || return 1
	assert_rc 7 || return 1

	LOG=$T/tend-direct.log
	start_direct -- bash "$T/catcher.sh" "$T/events-direct"
	wait_has "$T/events-direct" "cmd start" || return 1
	sig ILL
	wait_has "$T/events-direct" "cmd ILL" || return 1
	sig SEGV
	wait_has "$T/events-direct" "cmd SEGV" || return 1
	assert_alive || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 7
}

# quiet, as tini is: nothing from tend on a normal run; -v brings the lines back
t_single_command_quiet() {
	run_ns_to_exit 10 -- sh -c 'exit 3' || return 1
	assert_rc 3 || return 1
	[ ! -s "$LOG" ] || { fail "tend wrote to stderr: $(head -n1 "$LOG")"; return 1; }
	LOG=$T/tend-v.log
	run_ns_to_exit 10 -v -- sh -c 'exit 3' || return 1
	assert_rc 3 || return 1
	assert_log "starting 1 program" || return 1
	assert_log "exiting with status 3"
}

# the command starts in tend's working directory, and tend lets go of it
# (as dumb-init does), so that it keeps no mounted volume busy
t_single_command_cwd() {
	mkdir -p "$T/work"
	local here=$PWD cmd
	cd "$T/work" || return 1
	start_ns -- "$SIGREC" "$T/events" cmd
	cd "$here" || return 1
	wait_has "$T/events" "cmd start" || return 1
	cmd=$(command_pid)
	assert_eq "the command's working directory" "$(readlink "/proc/$cmd/cwd")" "$T/work" || return 1
	wait_until 10 test "$(readlink "/proc/$TEND_PID/cwd")" = / ||
		{ fail "tend's working directory is still $(readlink "/proc/$TEND_PID/cwd")"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# what the command leaves behind gets SIGTERM; not PID 1, tend then leaves
# what survives it running, as tini and dumb-init do; as PID 1 (whose exit
# kills them) it sends SIGKILL first (tend(8) SIGNALS)
t_single_command_leftovers() {
	cat >"$T/main.sh" <<'EOF'
daemons=$1
setsid -f "$SIGREC" "$daemons" polite TERM
setsid -f "$SIGREC" "$daemons" stubborn -
while [ "$(grep -c start "$daemons" 2>/dev/null)" != 2 ]; do sleep 0.02; done
exit 3
EOF
	export SIGREC
	LOG=$T/tend-direct.log
	start_direct -- sh "$T/main.sh" "$T/daemons"
	wait_has "$T/daemons" "stubborn start" || return 1
	# host PIDs: teardown kills them if they outlive the test
	sed -n 's/.* start //p' "$T/daemons" >"$T/host_pids"
	wait_exit 15 || return 1
	assert_rc 3 || return 1
	assert_has "$T/daemons" "polite TERM" || return 1
	assert_has "$T/daemons" "stubborn TERM" || return 1
	local stubborn
	stubborn=$(sed -n 's/^stubborn start //p' "$T/daemons")
	alive "$stubborn" || { fail "the leftover that ignores SIGTERM was killed"; return 1; }
	kill -KILL "$stubborn"
	assert_log "1 leftover process did not exit after SIGTERM; leaving it running" || return 1

	LOG=$T/tend-pid1.log
	run_ns_to_exit 15 -- sh "$T/main.sh" "$T/daemons-pid1" || return 1
	assert_rc 3 || return 1
	assert_has "$T/daemons-pid1" "stubborn TERM" || return 1
	assert_log "leftover processes did not exit after SIGTERM; sent SIGKILL"
}

# TSTP sent to tend under a shell: the command gets it, and tend stops
# too, so that the shell sees its job stop; SIGCONT (fg, bg) continues
# tend, and the command gets it once. TTIN and TTOU sent to tend are not
# passed on (tend(8) SIGNALS) and stop nothing.
t_single_command_stop_received() {
	start_job -- "$SIGREC" "$T/events" cmd || return 1
	wait_has "$T/events" "cmd start" || return 1
	local s n=0
	sig TTIN
	sig TTOU
	for s in TSTP TSTP TSTP; do
		n=$((n + 1))
		sig "$s"
		wait_has "$T/events" "cmd $s" || return 1
		wait_until 10 stopped "$TEND_PID" || { fail "tend did not stop on SIG$s"; return 1; }
		sig CONT
		wait_until 10 test "$(count_of "$T/events" "cmd CONT")" = "$n" ||
			{ fail "the command got SIGCONT $(count_of "$T/events" "cmd CONT") times, expected $n"; return 1; }
		wait_until 10 running "$TEND_PID" || { fail "tend was not continued"; return 1; }
	done
	# a signal sent after the last SIGCONT: a second CONT would come before it
	sig USR1
	wait_has "$T/events" "cmd USR1" || return 1
	assert_eq "SIGCONTs the command got" "$(count_of "$T/events" "cmd CONT")" 3 || return 1
	assert_lacks "$T/events" "cmd TTIN" || return 1
	assert_lacks "$T/events" "cmd TTOU"
}

# the command stops (Ctrl-Z stops its group; it reads the terminal from the
# background; SIGSTOP): tend stops too, and when the shell continues tend,
# tend continues the command
t_single_command_stop_follows_command() {
	start_job -- sleep 600 || return 1
	local cmd s
	wait_until 10 test -n "$(command_pid)" || { fail "no command"; return 1; }
	cmd=$(command_pid)
	for s in TSTP TTIN STOP; do
		kill -s "$s" "$cmd"
		wait_until 10 stopped "$TEND_PID" || { fail "tend did not stop with its command (SIG$s)"; return 1; }
		sig CONT
		wait_until 10 running "$cmd" || { fail "the command was not continued (SIG$s)"; return 1; }
		wait_until 10 running "$TEND_PID" || { fail "tend was not continued (SIG$s)"; return 1; }
	done
}

# as PID 1 (docker run -it) tend cannot stop: a command stopped by SIGTSTP
# is continued at once, as the command itself as PID 1 would have ignored
# it; one stopped by SIGSTOP stays stopped until SIGCONT
t_single_command_stop_pid1() {
	cat >"$T/stopper.sh" <<'EOF'
events=$1
trap "echo cmd CONT >>$events" CONT
sleep 600 &
echo cmd start >>$events
while :; do wait $!; done
EOF
	start_ns -- bash "$T/stopper.sh" "$T/events" || return 1
	wait_has "$T/events" "cmd start" || return 1
	local cmd
	cmd=$(command_pid)
	kill -TSTP "$cmd"
	wait_has "$T/events" "cmd CONT" || return 1
	wait_until 10 running "$cmd" || { fail "the command is still stopped"; return 1; }
	kill -STOP "$cmd"
	wait_until 10 stopped "$cmd" || { fail "the command did not stop"; return 1; }
	sig CONT
	wait_until 10 test "$(count_of "$T/events" "cmd CONT")" = 2 || { fail "SIGCONT did not reach the command"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 143
}

# ---- an interactive shell in a pseudo-terminal (script(1)) ----

PTY_PID=""
PTY_FD=""

pty_start() {
	mkfifo "$T/pty.in" || return 1
	TERM=dumb script -qfc "bash --norc --noprofile -i" /dev/null <"$T/pty.in" >"$T/pty.out" 2>&1 &
	PTY_PID=$!
	OWNED+=("$PTY_PID:$$")
	exec {PTY_FD}>"$T/pty.in"
}
# pty_type TEXT: keystrokes (printf %b escapes: \032 is Ctrl-Z, \004 Ctrl-D)
pty_type() { printf '%b' "$1" >&"$PTY_FD"; }
pty_wait() { wait_has "$T/pty.out" "$1" "${2:-10}"; }
pty_stop() {
	local p
	for p in $(descendants "$PTY_PID"); do kill -KILL "$p" 2>/dev/null; done
	exec {PTY_FD}>&-
}

# A process whose process group has the terminal (stat field 8, tpgid).
has_terminal() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	[ "$6" = "$3" ]
}

# bash's job control with tend -- COMMAND as without tend: the command has
# the terminal, Ctrl-Z stops the job and gives the prompt back, fg gives the
# terminal back to the command, and a job started with & leaves the
# terminal to the shell until fg
t_single_command_terminal() {
	pty_start || return 1
	terminal_session
	local ok=$?
	pty_stop
	return $ok
}
terminal_session() {
	cat >"$T/echoer.sh" <<'EOF'
echo $$ >>"$1"
while read -r line; do echo "got:$line"; done
EOF
	local cmd
	pty_type "$TEND -- sh $T/echoer.sh $T/echoers\n"
	wait_lines "$T/echoers" 1 || return 1
	cmd=$(sed -n 1p "$T/echoers")
	wait_until 10 has_terminal "$cmd" || { fail "the command did not get the terminal"; return 1; }
	pty_type "hello\n"
	pty_wait "got:hello" || return 1
	pty_type "\032"
	pty_wait "Stopped" || return 1
	pty_type 'echo prompt-$((6*7))\n'
	pty_wait "prompt-42" || return 1
	pty_type "fg\n"
	wait_until 10 has_terminal "$cmd" || { fail "fg did not give the command the terminal"; return 1; }
	pty_type "again\n"
	pty_wait "got:again" || return 1
	pty_type "\004"
	pty_type 'echo status-$?\n'
	pty_wait "status-0" || return 1

	# started in the background: the shell keeps the terminal
	pty_type "$TEND -- sh $T/echoer.sh $T/echoers &\n"
	wait_lines "$T/echoers" 2 || return 1
	cmd=$(sed -n 2p "$T/echoers")
	pty_type 'echo prompt-$((6*7+1))\n'
	pty_wait "prompt-43" || return 1
	pty_type "fg\n"
	wait_until 10 has_terminal "$cmd" || { fail "fg did not give the command the terminal"; return 1; }
	pty_type "third\n"
	pty_wait "got:third" || return 1
	pty_type "\004"
	pty_type 'echo status-$?-again\n'
	pty_wait "status-0-again"
}

ALL_TESTS+=(single_command_fault_signals single_command_quiet single_command_cwd single_command_leftovers
	single_command_stop_received single_command_stop_follows_command single_command_stop_pid1
	single_command_terminal)
