# Metric "signal": SIGUSR1 to PID 1 → the programs' handlers.
#
# Per round, the systems taking turns: started fresh, both programs up,
# 0.3 s of idling;
# `stamp -k 10` stamps and sends SIGUSR1 to PID 1; the later of the two
# programs' "usr1" stamps minus that. tend forwards it with
# `forward_signals = USR1`; tini -g, dumb-init and catatonit -g pass it to
# the sh's process group. supervisord (reopens its logs), s6-svscan and
# runsvdir do not pass USR1 on: n/a. Target: tend's median at
# or under tini's from the same run.

. "$BENCH/systems.sh"

bench_signal() {
	local sys r dir k a b
	local -A V=()
	# the systems take turns within each round (see stop.sh)
	for ((r = 1; r <= LATENCY_ROUNDS; r++)); do
		for sys in "${SYSTEMS[@]}"; do
			case $sys in supervisord | s6 | runit) continue ;; esac
			dir=$WORK/signal/$sys
			sys_start "$sys" "$dir" run usr1 || return 1
			sys_wait_started "$dir" || log "signal: $sys: programs not both started"
			quiet_sleep 0.3
			"$STAMP" -k 10 -p "$SYS_PID1" "$dir/stamps" ctl
			SYS_DIR=$dir
			if wait_until 2 eval '[ -n "$(sys_stamp "$SYS_DIR" usr1 a)" ] && [ -n "$(sys_stamp "$SYS_DIR" usr1 b)" ]'; then
				k=$(sys_stamp "$dir" kill ctl) a=$(sys_stamp "$dir" usr1 a) b=$(sys_stamp "$dir" usr1 b)
				V[$sys]+="$(ns_us $(((a > b ? a : b) - k))) "
			else
				log "signal: $sys: the programs did not both get USR1 within 2 s"
			fi
			sys_stop
			cleanup_owned
		done
	done
	echo "## Signal forwarding: SIGUSR1 to PID 1 → the programs' handlers"
	echo
	echo "Median (min–max) of $LATENCY_ROUNDS rounds, the systems taking turns in each round, each started fresh and idle for 0.3 s: SIGUSR1 sent to PID 1 → the later of the two programs' own USR1 stamps."
	echo
	echo "| system | USR1 → both programs |"
	echo "|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		case $sys in supervisord | s6 | runit)
			echo "| $(sys_label "$sys") | n/a (does not pass USR1 on to its programs) |"
			continue ;;
		esac
		local -a v
		read -r -a v <<<"${V[$sys]:-}"
		echo "| $(sys_label "$sys") | $([ ${#v[@]} -gt 0 ] && span us "${v[@]}" || echo "not received") |"
	done
	echo
	local -a tv iv
	read -r -a tv <<<"${V[tend]:-}"
	read -r -a iv <<<"${V[tini]:-}"
	vs_tini "USR1 forwarded" "$([ ${#tv[@]} -gt 0 ] && median "${tv[@]}")" "$([ ${#iv[@]} -gt 0 ] && median "${iv[@]}")"
	echo
}
