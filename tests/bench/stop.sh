# Metric "stop": SIGTERM to PID 1 → whole tree gone, and → the programs got
# their stop signal.
#
# Per system and round: started fresh, both programs up, 0.3 s of idling;
# `stamp -k 15 -p PID1 -w` stamps, sends SIGTERM to PID 1 and waits on a
# pidfd for PID 1 to end (when PID 1 of a namespace ends, the kernel has
# already killed and reaped everything else in it: the whole tree is gone).
# "got TERM": the later of the two programs' "term" stamps; a program that
# never got SIGTERM (killed with the namespace) counts in "TERM received".
# Target (issue 6): tend's tree gone ≤ 1 ms.

. "$BENCH/systems.sh"

bench_stop() {
	local sys r dir k g a b tendmed=
	echo "## Stop: SIGTERM to PID 1"
	echo
	echo "Median (min–max) of $SYS_ROUNDS rounds: SIGTERM to PID 1 → PID 1 gone (the whole tree with it), and → the later of the two programs' own SIGTERM stamps. runit is runsvdir as PID 1: it exits on SIGTERM at once, and the kernel kills the programs with SIGKILL (no SIGTERM for them). The stop waits (1 s, see the systems) do not come into play here: both programs exit on SIGTERM; see the next section for one that does not."
	echo
	echo "| system | TERM → tree gone | TERM → programs got TERM | rounds where both got TERM |"
	echo "|---|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local G=() T=() both=0
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/stop/$sys
			sys_start "$sys" "$dir" || return 1
			sys_wait_started "$dir" || log "stop: $sys: programs not both started"
			sleep 0.3
			if "$STAMP" -k 15 -p "$SYS_PID1" -w "$dir/stamps" ctl; then
				k=$(sys_stamp "$dir" kill ctl) g=$(sys_stamp "$dir" gone ctl)
				G+=("$(ns_us $((g - k)))")
				a=$(sys_stamp "$dir" term a) b=$(sys_stamp "$dir" term b)
				if [ -n "$a" ] && [ -n "$b" ]; then
					both=$((both + 1))
					T+=("$(ns_us $(((a > b ? a : b) - k)))")
				fi
			else
				log "stop: $sys: PID 1 still there 30 s after SIGTERM"
			fi
			sys_stop
			cleanup_owned
		done
		echo "| $(sys_label "$sys") | $([ ${#G[@]} -gt 0 ] && span us "${G[@]}" || echo "not gone in 30 s") | $([ ${#T[@]} -gt 0 ] && span us "${T[@]}" || echo "n/a (never)") | $both of $SYS_ROUNDS |"
		if [ ${#G[@]} -gt 0 ]; then chart stop "$sys" "$(median "${G[@]}")"; else chart stop "$sys" ">30000000"; fi
		[ "$sys" = tend ] && [ ${#G[@]} -gt 0 ] && tendmed=$(median "${G[@]}")
	done
	echo
	if [ -n "$tendmed" ]; then
		target "SIGTERM → tree gone ≤ 1 ms" "$(fmt_us "$tendmed")" "$(awk -v v="$tendmed" 'BEGIN { print (v <= 1000 ? "PASS" : "MISS") }')"
	else
		target "SIGTERM → tree gone ≤ 1 ms" "not measured" MISS
	fi
}
