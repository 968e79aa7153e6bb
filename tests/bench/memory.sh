# Metric "memory": idle memory of all the supervisor's processes.
#
# Per system and round: started fresh as PID 1 with the two programs, 0.5 s
# of idling, then RSS, PSS and USS (Private_Clean + Private_Dirty) from
# /proc/PID/smaps_rollup summed over PID 1 and its descendants but the
# programs and the single-child inits' sh (s6-svscan + 2 s6-supervise,
# runsvdir + 2 runsv, supervisord, tend, tini…). tend runs with its HTTP
# server on (health_listen). Targets (issue 6): tend's USS ≤ 200 KiB; its
# RSS ≤ tini's.

. "$BENCH/systems.sh"

bench_memory() {
	local sys r dir p rss pss uss m n tend_uss= tend_rss= tini_rss=
	echo "## Idle memory of the supervisor's processes"
	echo
	echo "Sums over the supervisor's processes (the programs and the single-child inits' sh excluded), from /proc/PID/smaps_rollup, 0.5 s after start; median (min–max) of $SYS_ROUNDS fresh starts, KiB. USS = Private_Clean + Private_Dirty."
	echo
	echo "| system | processes | RSS KiB | PSS KiB | USS KiB |"
	echo "|---|---|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local R=() P=() U=() names=
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/memory/$sys
			sys_start "$sys" "$dir" || return 1
			sys_wait_started "$dir" || log "memory: $sys: programs not both started"
			sleep 0.5
			rss=0 pss=0 uss=0 n=()
			for p in $(sys_procs "$SYS_PID1"); do
				m=($(mem_kib "$p")) || continue
				rss=$((rss + m[0])) pss=$((pss + m[1])) uss=$((uss + m[2]))
				n+=("$(cat "/proc/$p/comm")")
			done
			names=$(printf '%s\n' "${n[@]}" | sort | uniq -c | awk '{ printf "%s%s%s", (NR > 1 ? " + " : ""), $2, ($1 > 1 ? " ×" $1 : "") }')
			R+=("$rss") P+=("$pss") U+=("$uss")
			sys_stop
			cleanup_owned
		done
		echo "| $(sys_label "$sys") | $names | $(span %d "${R[@]}") | $(span %d "${P[@]}") | $(span %d "${U[@]}") |"
		case $sys in
		tend) tend_uss=$(median "${U[@]}") tend_rss=$(median "${R[@]}") ;;
		tini) tini_rss=$(median "${R[@]}") ;;
		esac
	done
	echo
	target "private memory (USS) ≤ 200 KiB" "${tend_uss} KiB" "$(awk -v v="$tend_uss" 'BEGIN { print (v <= 200 ? "PASS" : "MISS") }')"
	target "RSS ≤ tini's" "${tend_rss} KiB vs tini ${tini_rss} KiB" "$(awk -v v="$tend_rss" -v t="$tini_rss" 'BEGIN { print (v <= t ? "PASS" : "MISS") }')"
}
