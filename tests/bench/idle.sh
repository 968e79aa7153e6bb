# Metric "idle": what the supervisor's processes do in 5 s of idling.
#
# Per round (IDLE_ROUNDS, 3), all systems run at once, each PID 1 of its own
# namespace with the two programs; after 1 s of settling: context switches
# (voluntary + involuntary, /proc/PID/status) of the supervisor's processes
# over 5 s, then system calls over the next 5 s (`strace -c -f -p` on each of
# them, ended with SIGINT). strace's attaching interrupts the system call a
# process is blocked in; a restarted one may count. Target: tend
# makes zero system calls in 5 s.

. "$BENCH/systems.sh"

IDLE_SECONDS=5
IDLE_ROUNDS=${BENCH_ROUNDS:-3}

idle_ctxt() {	# PIDs...: the sum of their context switches
	local p s=0 v
	for p in "$@"; do
		v=$(awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 } END { print s + 0 }' "/proc/$p/status" 2>/dev/null) || v=0
		s=$((s + v))
	done
	echo "$s"
}

bench_idle() {
	local sys r dir
	declare -A PID1 PROCS C0 SC CS
	for ((r = 1; r <= IDLE_ROUNDS; r++)); do
		log "idle: round $r of $IDLE_ROUNDS"
		for sys in "${SYSTEMS[@]}"; do
			dir=$WORK/idle/$sys
			sys_start "$sys" "$dir" || return 1
			PID1[$sys]=$SYS_PID1
		done
		sleep 1.2	# runit's runsvdir scans its directory after 1 s
		for sys in "${SYSTEMS[@]}"; do
			PROCS[$sys]=$(sys_procs "${PID1[$sys]}" | tr '\n' ' ')
			C0[$sys]=$(idle_ctxt ${PROCS[$sys]})
		done
		sleep "$IDLE_SECONDS"
		for sys in "${SYSTEMS[@]}"; do
			CS[$sys]="${CS[$sys]:-} $(($(idle_ctxt ${PROCS[$sys]}) - C0[$sys]))"
		done
		local spids=() args p
		for sys in "${SYSTEMS[@]}"; do
			args=()
			for p in ${PROCS[$sys]}; do args+=(-p "$p"); done
			timeout -s INT $((IDLE_SECONDS + 5)) strace -c -f -o "$WORK/idle/$sys.strace" "${args[@]}" 2>/dev/null &
			spids+=($!)
			own $!
		done
		sleep "$IDLE_SECONDS"
		for p in "${spids[@]}"; do kill -INT "$p" 2>/dev/null; done
		for p in "${spids[@]}"; do wait_until 5 dead "$p"; wait "$p" 2>/dev/null; done
		for sys in "${SYSTEMS[@]}"; do
			SC[$sys]="${SC[$sys]:-} $(awk '$NF == "total" { print $4 + 0; f = 1 } END { if (!f) print 0 }' "$WORK/idle/$sys.strace" 2>/dev/null)"
		done
		for sys in "${SYSTEMS[@]}"; do
			SYS_PID1=${PID1[$sys]}
			alive "$SYS_PID1" && kill -TERM "$SYS_PID1"
		done
		cleanup_owned
	done
	echo "## Idle: system calls and context switches in ${IDLE_SECONDS} s"
	echo
	echo "All systems idling at once, each with its two programs; the supervisor's processes only. Median (min–max) of $IDLE_ROUNDS rounds: context switches over ${IDLE_SECONDS} s (from /proc/PID/status), then system calls over the next ${IDLE_SECONDS} s (strace -c -f)."
	echo
	echo "| system | system calls / ${IDLE_SECONDS} s | context switches / ${IDLE_SECONDS} s |"
	echo "|---|---|---|"
	for sys in "${SYSTEMS[@]}"; do
		echo "| $(sys_label "$sys") | $(span %d ${SC[$sys]}) | $(span %d ${CS[$sys]}) |"
	done
	echo
	local t
	t=$(median ${SC[tend]})
	target "zero system calls in ${IDLE_SECONDS} s idle" "$t" "$(awk -v v="$t" 'BEGIN { print (v == 0 ? "PASS" : "MISS") }')"
}
