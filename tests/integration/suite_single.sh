# Single-command mode (`tend -- COMMAND`) as tini and dumb-init users know
# it: every signal passed on (the faults too), quiet, the working directory
# left to the command, leftovers. Sourced by run.sh.

# The command: tend's only child.
command_pid() { cat "/proc/$TEND_PID/task/$TEND_PID/children" 2>/dev/null | awk '{ print $1 }'; }

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
# kills them) it sends SIGKILL first (SPEC §5)
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

ALL_TESTS+=(single_command_fault_signals single_command_quiet single_command_cwd single_command_leftovers)
