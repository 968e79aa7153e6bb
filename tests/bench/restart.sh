# Metric "restart": a program crashes (exit 1) after running 1.5 s → the new
# instance running.
#
# Per supervisor and round: program a is `stamp -c 1500`, which stamps
# "crash" and exits 1 after 1.5 s; the time from that stamp to the second
# "start" stamp of a. Single-child inits do not restart: n/a. Target
#: tend ≤ 1.5 ms.

. "$BENCH/systems.sh"

bench_restart() {
	local sys r dir c s tendmed=
	echo "## Restart: a program crashing after 1.5 s → its new instance running"
	echo
	echo "Median (min–max) of $SYS_ROUNDS rounds: the crashing program's own \"crash\" stamp (just before exit(1)) → the new instance's start stamp."
	echo
	echo "| system | crash → running again |"
	echo "|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		if sys_single "$sys"; then
			echo "| $(sys_label "$sys") | n/a (does not restart programs) |"
			chart restart "$sys" na
			continue
		fi
		local V=()
		for ((r = 1; r <= SYS_ROUNDS; r++)); do
			dir=$WORK/restart/$sys
			sys_start "$sys" "$dir" crash || return 1
			SYS_DIR=$dir
			if wait_until 6 eval '[ "$(sys_count "$SYS_DIR" start a)" -ge 2 ]'; then
				c=$(sys_stamp "$dir" crash a) s=$(sys_stamp "$dir" start a 2)
				V+=("$(ns_us $((s - c)))")
			else
				log "restart: $sys: no second start within 6 s"
			fi
			sys_stop
			cleanup_owned
		done
		echo "| $(sys_label "$sys") | $([ ${#V[@]} -gt 0 ] && span us "${V[@]}" || echo "no restart within 6 s") |"
		if [ ${#V[@]} -gt 0 ]; then chart restart "$sys" "$(median "${V[@]}")"; else chart restart "$sys" ">4500000"; fi
		[ "$sys" = tend ] && [ ${#V[@]} -gt 0 ] && tendmed=$(median "${V[@]}")
	done
	echo
	if [ -n "$tendmed" ]; then
		target "restart ≤ 1.5 ms" "$(fmt_us "$tendmed")" "$(awk -v v="$tendmed" 'BEGIN { print (v <= 1500 ? "PASS" : "MISS") }')"
	else
		target "restart ≤ 1.5 ms" "no restart" MISS
	fi
}
