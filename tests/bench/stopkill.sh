# Metric "stopkill": a program that ignores SIGTERM; SIGTERM
# to PID 1 → the program SIGKILLed.
#
# Per system and round (STOPKILL_ROUNDS, 3): program a is `stamp -i`
# (stamps "term" when SIGTERM comes and carries on), b the usual one.
# Started fresh, both programs up, 1.2 s of idling (past startsecs = 1:
# RUNNING for tend and supervisord); then `stamp -k 15 -p PID1 -w -W A`
# stamps, sends SIGTERM to PID 1 and waits on pidfds for program a to end
# ("died") and PID 1 to end ("gone"), then reads how a ended (its wait
# status, PIDFD_INFO_EXIT). The stop wait is 1 s where the system has one
# (tend's and supervisord's stopwaitsecs, s6's timeout-kill; systems.sh).
# Where it has none, PID 1 exits with its child (tini, dumb-init,
# catatonit: when the sh dies of its SIGTERM) or on SIGTERM (runsvdir), and
# the kernel SIGKILLs what is left of the namespace at once: no grace at
# all. No target.

. "$BENCH/systems.sh"

STOPKILL_ROUNDS=${BENCH_ROUNDS:-3}

# stopkill_wait SYS: the system's stop wait, as configured (systems.sh).
stopkill_wait() {
	case $1 in
	tend | supervisord) echo "stopwaitsecs = 1" ;;
	s6) echo "timeout-kill = 1000 (ms)" ;;
	runit) echo "none (runsvdir exits on SIGTERM)" ;;
	*) echo "none (exits when its child does)" ;;
	esac
}

# stopkill_how STATUS: a wait status in words.
stopkill_how() {
	awk -v s="$1" 'BEGIN {
		if (s == "") { print "?"; exit }
		sig = s % 128
		if (sig == 0) printf "exit %d\n", int(s / 256) % 256
		else if (sig == 9) print "SIGKILL"
		else printf "signal %d\n", sig }'
}

bench_stopkill() {
	local sys r dir k d g st term nspid gpid tendmed=
	echo "## Stop with a program that ignores SIGTERM"
	echo
	echo "Program a ignores SIGTERM (\`stamp -i\`: it stamps it and carries on), b does not. Median (min–max) of $STOPKILL_ROUNDS rounds, each started fresh and idle for 1.2 s (both programs RUNNING): SIGTERM to PID 1 → program a got it (its own stamp), → program a dead (a pidfd on it), and → PID 1 gone (the whole tree with it); how a ended: its wait status, read from the kernel (PIDFD_INFO_EXIT) once it was reaped. Where a system has no stop wait, PID 1 exits (tini, dumb-init, catatonit: when the sh dies of the SIGTERM they pass on; runsvdir: on SIGTERM itself) and the kernel SIGKILLs everything left in the namespace at once: the program gets no time to finish."
	echo
	echo "| system | stop wait (configured) | TERM → a got TERM | TERM → a dead | a ended by | TERM → PID 1 gone |"
	echo "|---|---|---|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local T=() D=() G=() how=()
		for ((r = 1; r <= STOPKILL_ROUNDS; r++)); do
			dir=$WORK/stopkill/$sys
			sys_start "$sys" "$dir" ignore || return 1
			sys_wait_started "$dir" || log "stopkill: $sys: programs not both started"
			sleep 1.2
			nspid=$(awk '$1 == "start" && $4 == "a" { print $3; exit }' "$dir/stamps")
			if ! gpid=$(sys_global_pid "$nspid"); then
				log "stopkill: $sys: program a (PID $nspid in its namespace) not found"
				sys_stop
				cleanup_owned
				continue
			fi
			if "$STAMP" -k 15 -p "$SYS_PID1" -w -W "$gpid" "$dir/stamps" ctl; then
				k=$(sys_stamp "$dir" kill ctl) d=$(sys_stamp "$dir" died ctl) g=$(sys_stamp "$dir" gone ctl)
				st=$(sys_stamp "$dir" status ctl) term=$(sys_stamp "$dir" term a)
				[ -n "$term" ] && T+=("$(ns_us $((term - k)))")
				[ -n "$d" ] && D+=("$(ns_us $((d - k)))")
				G+=("$(ns_us $((g - k)))")
				how+=("$(stopkill_how "$st")")
			else
				log "stopkill: $sys: PID 1 still there 30 s after SIGTERM"
			fi
			sys_stop
			cleanup_owned
		done
		local n=${#G[@]} hows
		hows=$(printf '%s\n' "${how[@]}" | sort | uniq -c | awk -v n="$n" '{ c = $1; $1 = ""; sub(/^ /, ""); printf "%s%s%s", (NR > 1 ? ", " : ""), $0, (c < n ? " (" c " of " n ")" : "") }')
		local got=never
		[ ${#T[@]} -gt 0 ] && got=$(span us "${T[@]}")
		[ ${#T[@]} -gt 0 ] && [ ${#T[@]} -lt "$n" ] && got+=" (${#T[@]} of $n rounds)"
		echo "| $(sys_label "$sys") | $(stopkill_wait "$sys") | $got | $([ ${#D[@]} -gt 0 ] && span us "${D[@]}" || echo "not seen") | ${hows:-?} | $([ "$n" -gt 0 ] && span us "${G[@]}" || echo "not gone in 30 s") |"
		[ "$sys" = tend ] && [ ${#D[@]} -gt 0 ] && tendmed=$(median "${D[@]}")
	done
	echo
	[ -n "$tendmed" ] && echo "tend: the program that ignores SIGTERM is SIGKILLed $(fmt_us "$tendmed") after the SIGTERM to PID 1 (median), its stopwaitsecs being 1 s."
	echo
}
