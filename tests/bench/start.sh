# Metric "start": exec of the supervisor as PID 1 → both programs running.
#
# Per system and round (SYS_ROUNDS): a fresh PID namespace; `stamp -x`
# stamps "exec" as PID 1 and execs the system; the later of the two
# programs' start stamps (CLOCK_MONOTONIC, same clock) minus that. s6 and
# runit start each program through a `#!/bin/sh` run script (exec), the
# single-child inits through one `sh -c`: part of their figure.
# Target (issue 6): tend ≤ 2 ms.

. "$BENCH/systems.sh"

bench_start() {
	local sys r dir a b e vals tendmed=
	echo "## Start: exec of PID 1 → both programs running"
	echo
	echo "Median (min–max) of $SYS_ROUNDS fresh starts, from the exec of the system as PID 1 to the later of the two programs' own start stamps."
	echo
	echo "| system | start |"
	echo "|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		vals=()
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/start/$sys
			sys_start "$sys" "$dir" || return 1
			if sys_wait_started "$dir"; then
				e=$(sys_stamp "$dir" exec pid1) a=$(sys_stamp "$dir" start a) b=$(sys_stamp "$dir" start b)
				vals+=("$(ns_us $(((a > b ? a : b) - e)))")
			else
				log "start: $sys: the programs did not both start within 5 s"
			fi
			sys_stop
			cleanup_owned
		done
		if [ ${#vals[@]} -eq 0 ]; then
			echo "| $(sys_label "$sys") | did not start |"
			chart start "$sys" ">5000000"
			continue
		fi
		echo "| $(sys_label "$sys") | $(span us "${vals[@]}") |"
		chart start "$sys" "$(median "${vals[@]}")"
		[ "$sys" = tend ] && tendmed=$(median "${vals[@]}")
	done
	echo
	if [ -n "$tendmed" ]; then
		target "start ≤ 2 ms" "$(fmt_us "$tendmed")" "$(awk -v v="$tendmed" 'BEGIN { print (v <= 2000 ? "PASS" : "MISS") }')"
	else
		target "start ≤ 2 ms" "tend did not start" MISS
	fi
}
