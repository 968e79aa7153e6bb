# Single-command mode (`tend -- COMMAND`) as tini and dumb-init users know
# it: quiet. Sourced by run.sh.

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

ALL_TESTS+=(single_command_quiet)
