# Process groups across restarts: what a crashed program left in its group
# (nginx workers after a SIGKILLed master) is killed before the next start.
# Sourced by run.sh.

# A program that leaves a worker in its group and crashes; each new run
# writes whether the last run's worker is still there.
write_group_program() {
	cat >"$T/master.sh" <<EOF
if [ -f $T/worker.pid ]; then
	sleep 0.2
	state=\$(awk '{print \$3}' /proc/\$(cat $T/worker.pid)/stat 2>/dev/null)
	if [ -z "\$state" ] || [ "\$state" = Z ]; then echo gone >>$T/check; else echo alive >>$T/check; fi
fi
sleep 300 &
echo \$! >$T/worker.pid
sleep 0.5
exit 1
EOF
	cat >"$T/tend.ini" <<EOF
[program:master]
command = sh $T/master.sh
startsecs = 0.2
killasgroup = $1
EOF
}

t_group_leftovers_killed_before_restart() {
	write_group_program true
	start_ns -c "$T/tend.ini" || return 1
	wait_lines "$T/check" 2 || return 1
	assert_lacks "$T/check" alive || return 1
	assert_log "master: processes of its last run were still in group" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

t_group_left_alone_without_killasgroup() {
	write_group_program false
	start_ns -c "$T/tend.ini" || return 1
	wait_lines "$T/check" 1 || return 1
	assert_has "$T/check" alive || return 1
	assert_no_log "processes of its last run" || return 1
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

ALL_TESTS+=(group_leftovers_killed_before_restart group_left_alone_without_killasgroup)
