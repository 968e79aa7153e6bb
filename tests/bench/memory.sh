# Metric "memory": idle memory of all the supervisor's processes.
#
# Per system and round: started fresh as PID 1 with the two programs; 2 s
# after both programs stamped their start (past startsecs = 1 of tend and
# supervisord: both programs RUNNING, the supervisor has woken for it),
# RSS, PSS and USS (Private_Clean + Private_Dirty) from
# /proc/PID/smaps_rollup summed over PID 1 and its descendants but the
# programs and the single-child inits' sh (s6-svscan + 2 s6-supervise,
# runsvdir + 2 runsv, supervisord, tend, tini…). tend runs with its HTTP
# server on (health_listen). Then once more for tend: the same, then
# `wrk -t2 -c50` on its /health for BENCH_DURATION (5) s, and its memory
# again. Targets: tend's USS ≤ 200 KiB; its RSS ≤ tini's.

. "$BENCH/systems.sh"

MEMORY_SETTLE=2

# mem_sum PID1: "RSS PSS USS NAMES" summed over the supervisor's processes.
mem_sum() {
	local p m rss=0 pss=0 uss=0 n=()
	for p in $(sys_procs "$1"); do
		m=($(mem_kib "$p")) || continue
		rss=$((rss + m[0])) pss=$((pss + m[1])) uss=$((uss + m[2]))
		n+=("$(cat "/proc/$p/comm")")
	done
	echo "$rss $pss $uss $(printf '%s\n' "${n[@]}" | sort | uniq -c | awk '{ printf "%s%s%s", (NR > 1 ? " + " : ""), $2, ($1 > 1 ? " ×" $1 : "") }')"
}

bench_memory() {
	local sys r dir m tend_uss= tend_rss= tini_rss=
	echo "## Idle memory of the supervisor's processes"
	echo
	echo "Sums over the supervisor's processes (the programs and the single-child inits' sh excluded), from /proc/PID/smaps_rollup, ${MEMORY_SETTLE} s after both programs started (past tend's and supervisord's startsecs = 1: both RUNNING); median (min–max) of $SYS_ROUNDS fresh starts, KiB. USS = Private_Clean + Private_Dirty. tend is a copy of the binary under test made for this run (its pages shared with nothing else)."
	echo
	echo "| system | processes | RSS KiB | PSS KiB | USS KiB |"
	echo "|---|---|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local R=() P=() U=() names=
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/memory/$sys
			sys_start "$sys" "$dir" || return 1
			sys_wait_started "$dir" || log "memory: $sys: programs not both started"
			sleep "$MEMORY_SETTLE"
			sys_record "$sys" "$dir"
			m=($(mem_sum "$SYS_PID1"))
			R+=("${m[0]}") P+=("${m[1]}") U+=("${m[2]}") names=${m[*]:3}
			sys_stop
			cleanup_owned
		done
		echo "| $(sys_label "$sys") | $names | $(span %d "${R[@]}") | $(span %d "${P[@]}") | $(span %d "${U[@]}") |"
		chart uss "$sys" "$(median "${U[@]}")"
		case $sys in
		tend) tend_uss=$(median "${U[@]}") tend_rss=$(median "${R[@]}") ;;
		tini) tini_rss=$(median "${R[@]}") ;;
		esac
	done
	echo

	# tend once more: before and after serving HTTP
	local secs=${BENCH_DURATION:-5} before after out=$WORK/memory/wrk.txt reqs
	dir=$WORK/memory/tend-http
	sys_start tend "$dir" || return 1
	sys_wait_started "$dir" || log "memory: tend: programs not both started"
	sleep "$MEMORY_SETTLE"
	before=$(mem_sum "$SYS_PID1")
	if wait_until 5 http_ok "$SYS_PORT" /health &&
		wrk -t2 -c50 -d"${secs}s" "http://127.0.0.1:$SYS_PORT/health" >"$out" 2>&1 </dev/null; then
		sleep 0.2
		after=$(mem_sum "$SYS_PID1")
		reqs=$(awk '/requests in/ { print $1 }' "$out")
		local b a
		read -ra b <<<"$before"
		read -ra a <<<"$after"
		echo "tend before and after serving HTTP: one more start as above, then \`wrk -t2 -c50 -d${secs}s\` on its /health ($reqs requests answered), its memory 0.2 s after (KiB; one run):"
		echo
		echo "| tend | RSS KiB | PSS KiB | USS KiB |"
		echo "|---|---|---|---|"
		echo "| ${MEMORY_SETTLE} s after start | ${b[0]} | ${b[1]} | ${b[2]} |"
		echo "| after wrk | ${a[0]} | ${a[1]} | ${a[2]} |"
		echo
	else
		log "memory: wrk on tend's /health failed:"
		cat "$out" >&2 2>/dev/null
		echo "tend after serving HTTP: could not be measured (wrk failed)."
		echo
	fi
	sys_stop
	cleanup_owned

	target "private memory (USS) ≤ 200 KiB" "${tend_uss} KiB" "$(awk -v v="$tend_uss" 'BEGIN { print (v <= 200 ? "PASS" : "MISS") }')"
	target "RSS ≤ tini's" "${tend_rss} KiB vs tini ${tini_rss} KiB" "$(awk -v v="$tend_rss" -v t="$tini_rss" 'BEGIN { print (v <= t ? "PASS" : "MISS") }')"
}
