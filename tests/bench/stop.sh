# Metric "stop": SIGTERM to PID 1 → whole tree gone, and → the programs got
# their stop signal.
#
# Per round, the systems taking turns: started fresh, both programs up,
# 0.3 s of idling;
# `stamp -k 15 -p PID1 -w` stamps, sends SIGTERM to PID 1 and waits on a
# pidfd for PID 1 to end (when PID 1 of a namespace ends, the kernel has
# already killed and reaped everything else in it: the whole tree is gone).
# "got TERM": the later of the two programs' "term" stamps; a program that
# never got SIGTERM (killed with the namespace) counts in "TERM received".
# Targets: tend's tree gone ≤ 1 ms; tend's medians (TERM
# received, tree gone) at or under tini's from the same run.

. "$BENCH/systems.sh"

bench_stop() {
	local sys r dir k g a b tendmed=
	local -A G=() T=() both=()
	# the systems take turns within each round: a slow spell of this
	# shared machine falls on all of them alike
	for ((r = 1; r <= LATENCY_ROUNDS; r++)); do
		for sys in "${SYSTEMS[@]}"; do
			dir=$WORK/stop/$sys
			sys_start "$sys" "$dir" || return 1
			sys_wait_started "$dir" || log "stop: $sys: programs not both started"
			quiet_sleep 0.3
			if "$STAMP" -k 15 -p "$SYS_PID1" -w "$dir/stamps" ctl; then
				k=$(sys_stamp "$dir" kill ctl) g=$(sys_stamp "$dir" gone ctl)
				G[$sys]+="$(ns_us $((g - k))) "
				a=$(sys_stamp "$dir" term a) b=$(sys_stamp "$dir" term b)
				if [ -n "$a" ] && [ -n "$b" ]; then
					both[$sys]=$((${both[$sys]:-0} + 1))
					T[$sys]+="$(ns_us $(((a > b ? a : b) - k))) "
				fi
			else
				log "stop: $sys: PID 1 still there 30 s after SIGTERM"
			fi
			sys_stop
			cleanup_owned
		done
	done
	echo "## Stop: SIGTERM to PID 1"
	echo
	echo "Median (min–max) of $LATENCY_ROUNDS rounds, the systems taking turns in each round, each started fresh and idle for 0.3 s: SIGTERM to PID 1 → PID 1 gone (the whole tree with it), and → the later of the two programs' own SIGTERM stamps. runit is runsvdir as PID 1: it exits on SIGTERM at once, and the kernel kills the programs with SIGKILL (no SIGTERM for them). The stop waits (1 s, see the systems) do not come into play here: both programs exit on SIGTERM; see the next section for one that does not."
	echo
	echo "| system | TERM → tree gone | TERM → programs got TERM | rounds where both got TERM |"
	echo "|---|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local -a g t
		read -r -a g <<<"${G[$sys]:-}"
		read -r -a t <<<"${T[$sys]:-}"
		echo "| $(sys_label "$sys") | $([ ${#g[@]} -gt 0 ] && span us "${g[@]}" || echo "not gone in 30 s") | $([ ${#t[@]} -gt 0 ] && span us "${t[@]}" || echo "n/a (never)") | ${both[$sys]:-0} of $LATENCY_ROUNDS |"
		if [ ${#g[@]} -gt 0 ]; then chart stop "$sys" "$(median "${g[@]}")"; else chart stop "$sys" ">30000000"; fi
		[ "$sys" = tend ] && [ ${#g[@]} -gt 0 ] && tendmed=$(median "${g[@]}")
	done
	echo
	local -a tg tt ig it
	read -r -a tg <<<"${G[tend]:-}"
	read -r -a ig <<<"${G[tini]:-}"
	read -r -a tt <<<"${T[tend]:-}"
	read -r -a it <<<"${T[tini]:-}"
	vs_tini "SIGTERM → programs got TERM" "$([ ${#tt[@]} -gt 0 ] && median "${tt[@]}")" "$([ ${#it[@]} -gt 0 ] && median "${it[@]}")"
	echo
	vs_tini "SIGTERM → tree gone" "$([ ${#tg[@]} -gt 0 ] && median "${tg[@]}")" "$([ ${#ig[@]} -gt 0 ] && median "${ig[@]}")"
	echo
	if [ -n "$tendmed" ]; then
		target "SIGTERM → tree gone ≤ 1 ms" "$(fmt_us "$tendmed")" "$(awk -v v="$tendmed" 'BEGIN { print (v <= 1000 ? "PASS" : "MISS") }')"
	else
		target "SIGTERM → tree gone ≤ 1 ms" "not measured" MISS
	fi
}
