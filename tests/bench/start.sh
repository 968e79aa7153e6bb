# Metric "start": exec of the supervisor as PID 1 → both programs running.
#
# Per round (START_ROUNDS) and system: a fresh PID namespace; `stamp -x`
# stamps "exec" as PID 1 and execs the system; the later of the two
# programs' start stamps (CLOCK_MONOTONIC, same clock) minus that. s6 and
# runit start each program through a `#!/bin/sh` run script (exec), the
# single-child inits through one `sh -c`: part of their figure.
# Targets: tend ≤ 2 ms; tend's median at or under tini's
# from the same run.

. "$BENCH/systems.sh"

# More rounds than the other metrics (a start costs little), and the
# systems take turns within each round: a slow spell of this shared
# machine then falls on every system alike rather than on one. The harness
# keeps still for the first 0.3 s of each start (SYS_SETTLE): its polling
# starts processes, which on 2 CPUs doubled every system's figure.
START_ROUNDS=${BENCH_ROUNDS:-9}

bench_start() {
	local sys r dir a b e tendmed= tinimed=
	local -A vals=()
	for ((r = 1; r <= START_ROUNDS; r++)); do
		for sys in "${SYSTEMS[@]}"; do
			dir=$WORK/start/$sys
			SYS_SETTLE=0.3 sys_start "$sys" "$dir" || return 1
			if sys_wait_started "$dir"; then
				e=$(sys_stamp "$dir" exec pid1) a=$(sys_stamp "$dir" start a) b=$(sys_stamp "$dir" start b)
				vals[$sys]+="$(ns_us $(((a > b ? a : b) - e))) "
			else
				log "start: $sys: the programs did not both start within 5 s"
			fi
			sys_stop
			cleanup_owned
		done
	done
	echo "## Start: exec of PID 1 → both programs running"
	echo
	echo "Median (min–max) of $START_ROUNDS fresh starts, the systems taking turns in each round, from the exec of the system as PID 1 to the later of the two programs' own start stamps."
	echo
	echo "| system | start |"
	echo "|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		local -a v
		read -r -a v <<<"${vals[$sys]:-}"
		if [ ${#v[@]} -eq 0 ]; then
			echo "| $(sys_label "$sys") | did not start |"
			chart start "$sys" ">5000000"
			continue
		fi
		echo "| $(sys_label "$sys") | $(span us "${v[@]}") |"
		chart start "$sys" "$(median "${v[@]}")"
		[ "$sys" = tend ] && tendmed=$(median "${v[@]}")
		[ "$sys" = tini ] && tinimed=$(median "${v[@]}")
	done
	echo
	vs_tini "start" "$tendmed" "$tinimed"
	echo
	if [ -n "$tendmed" ]; then
		target "start ≤ 2 ms" "$(fmt_us "$tendmed")" "$(awk -v v="$tendmed" 'BEGIN { print (v <= 2000 ? "PASS" : "MISS") }')"
	else
		target "start ≤ 2 ms" "tend did not start" MISS
	fi
}
