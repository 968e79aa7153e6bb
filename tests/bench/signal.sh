# Metric "signal": SIGUSR1 to PID 1 → the programs' handlers.
#
# Per system and round: started fresh, both programs up, 0.3 s of idling;
# `stamp -k 10` stamps and sends SIGUSR1 to PID 1; the later of the two
# programs' "usr1" stamps minus that. tend forwards it with
# `forward_signals = USR1`; tini -g, dumb-init and catatonit -g pass it to
# the sh's process group. supervisord (reopens its logs), s6-svscan and
# runsvdir do not pass USR1 on: n/a. No target in issue 6.

. "$BENCH/systems.sh"

bench_signal() {
	local sys r dir k a b
	echo "## Signal forwarding: SIGUSR1 to PID 1 → the programs' handlers"
	echo
	echo "Median (min–max) of $SYS_ROUNDS rounds: SIGUSR1 sent to PID 1 → the later of the two programs' own USR1 stamps."
	echo
	echo "| system | USR1 → both programs |"
	echo "|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		case $sys in supervisord | s6 | runit)
			echo "| $(sys_label "$sys") | n/a (does not pass USR1 on to its programs) |"
			continue ;;
		esac
		local V=()
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/signal/$sys
			sys_start "$sys" "$dir" run usr1 || return 1
			sys_wait_started "$dir" || log "signal: $sys: programs not both started"
			sleep 0.3
			"$STAMP" -k 10 -p "$SYS_PID1" "$dir/stamps" ctl
			SYS_DIR=$dir
			if wait_until 2 eval '[ -n "$(sys_stamp "$SYS_DIR" usr1 a)" ] && [ -n "$(sys_stamp "$SYS_DIR" usr1 b)" ]'; then
				k=$(sys_stamp "$dir" kill ctl) a=$(sys_stamp "$dir" usr1 a) b=$(sys_stamp "$dir" usr1 b)
				V+=("$(ns_us $(((a > b ? a : b) - k)))")
			else
				log "signal: $sys: the programs did not both get USR1 within 2 s"
			fi
			sys_stop
			cleanup_owned
		done
		echo "| $(sys_label "$sys") | $([ ${#V[@]} -gt 0 ] && span us "${V[@]}" || echo "not received") |"
	done
	echo
}
