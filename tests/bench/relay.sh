# Metric "relay": the programs' output relayed line by line (log_prefix).
#
# One program writes 1 GiB of 100-byte lines (cat of a file made once) as
# fast as it can; the supervisor relays them to /dev/null. Per round:
# - tend, not PID 1, with log_prefix = true: its CPU time
#   (/proc/PID/schedstat) and the wall time until the program's exit is
#   logged (which comes after its last line);
# - cat copying the same bytes from a FIFO to /dev/null: its CPU time;
# - supervisord with stdout_logfile = /dev/stdout and maxbytes 0 (the usual
#   advice): its CPU time and wall time.
# Then the idle cost: tend with two idle programs, with and without
# log_prefix, 2 s after start: USS, and system calls over 3 s (strace -c).
# Targets: tend's CPU ≤ 3 × cat's; tend's throughput ≥ 10 ×
# supervisord's; 0 idle system calls; USS with log_prefix within 16 KiB a
# program of USS without.

RELAY_BYTES=${RELAY_BYTES:-1073741824}
RELAY_ROUNDS=${BENCH_ROUNDS:-3}
RELAY_LINE=$(printf '%099d' 0)

# The lines are made once into a file (in the page cache after that), and
# the producer is cat of that file: it writes 128 KiB at a time, so the
# relaying side, not the producer, is what is measured.
relay_lines() {
	local f=$WORK/relay/lines
	[ -s "$f" ] || { mkdir -p "$WORK/relay"; yes "$RELAY_LINE" | head -c "$RELAY_BYTES" >"$f"; }
	echo "$f"
}
relay_producer() { echo "/bin/cat $(relay_lines)"; }

# relay_tend DIR: runs tend on the producer; prints "CPU_NS WALL_US".
relay_tend() {
	local dir=$1 pid t0 t1
	mkdir -p "$dir"
	cat >"$dir/tend.ini" <<-EOF
	[tend]
	socket = $dir/tend.sock
	log_prefix = true

	[program:producer]
	command = $(relay_producer)
	startsecs = 0
	autorestart = false
	EOF
	t0=$(now_us)
	"$TEND" -c "$dir/tend.ini" </dev/null >/dev/null 2>"$dir/tend.log" &
	pid=$!
	own "$pid"
	wait_until 300 grep -q "producer: exited" "$dir/tend.log" || { log "relay: tend: the producer did not finish"; return 1; }
	t1=$(now_us)
	echo "$(cpu_ns "$pid") $((t1 - t0))"
	stop_pid "$pid"
}

# relay_cat DIR: cat copies the producer's bytes; prints cat's CPU in ns.
relay_cat() {
	local dir=$1
	mkdir -p "$dir"
	mkfifo "$dir/fifo"
	cat "$(relay_lines)" >"$dir/fifo" &
	own $!
	# `times` in the subshell: the CPU of its one child, cat
	(cat <"$dir/fifo" >/dev/null; times) | awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
		printf "%.0f\n", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * 1e9 }'
}

# relay_supervisord DIR: prints "CPU_NS WALL_US".
relay_supervisord() {
	local dir=$1 pid t0 t1
	mkdir -p "$dir"
	{
		supervisord_head "$dir"
		cat <<-EOF
		[program:producer]
		command = $(relay_producer)
		startsecs = 0
		autorestart = false
		stdout_logfile = /dev/stdout
		stdout_logfile_maxbytes = 0
		EOF
	} >"$dir/supervisord.conf"
	t0=$(now_us)
	supervisord -n -c "$dir/supervisord.conf" </dev/null >/dev/null 2>&1 &
	pid=$!
	own "$pid"
	wait_until 600 grep -q "exited: producer" "$dir/supervisord.log" || { log "relay: supervisord: the producer did not finish"; return 1; }
	t1=$(now_us)
	echo "$(cpu_ns "$pid") $((t1 - t0))"
	stop_pid "$pid"
}

# relay_idle DIR PREFIX: tend with two idle programs; prints "USS_KIB SYSCALLS".
relay_idle() {
	local dir=$1 pid calls
	mkdir -p "$dir"
	cat >"$dir/tend.ini" <<-EOF
	[tend]
	socket = $dir/tend.sock
	log_prefix = $2

	[program:a]
	command = /bin/sh -c 'echo a started; exec sleep 1000'
	startsecs = 0

	[program:b]
	command = /bin/sh -c 'echo b started; exec sleep 1000'
	startsecs = 0
	EOF
	"$TEND" -c "$dir/tend.ini" </dev/null >/dev/null 2>"$dir/tend.log" &
	pid=$!
	own "$pid"
	sleep 2
	local m
	read -r -a m <<<"$(mem_kib "$pid")"
	timeout -s INT 3 strace -c -f -p "$pid" -o "$dir/strace" >/dev/null 2>&1
	calls=$(awk '/^[ -]+$/ { sep++ } sep == 2 && /total/ { print $3 }' "$dir/strace")
	echo "${m[2]} ${calls:-0}"
	stop_pid "$pid"
}

bench_relay() {
	local r T=() C=() S=() TW=() SW=() out
	for ((r = 1; r <= RELAY_ROUNDS; r++)); do
		log "relay: round $r of $RELAY_ROUNDS"
		out=$(relay_tend "$WORK/relay/tend$r") || return 1
		T+=("${out% *}") TW+=("${out#* }")
		C+=("$(relay_cat "$WORK/relay/cat$r")")
		out=$(relay_supervisord "$WORK/relay/supervisord$r") || return 1
		S+=("${out% *}") SW+=("${out#* }")
		cleanup_owned
	done
	local t c s tw sw mib
	t=$(median "${T[@]}") c=$(median "${C[@]}") s=$(median "${S[@]}") tw=$(median "${TW[@]}") sw=$(median "${SW[@]}")
	mib=$((RELAY_BYTES / 1048576))
	echo "## Relay: $mib MiB of 100-byte lines from one program (log_prefix)"
	echo
	echo "Median of $RELAY_ROUNDS rounds. CPU time from /proc/PID/schedstat of the relaying process only (not the producer); wall time from start until the producer's exit is logged, which comes after its last line. cat copies the same bytes from a FIFO to /dev/null. supervisord: \`stdout_logfile = /dev/stdout\`, \`stdout_logfile_maxbytes = 0\`."
	echo
	echo "| system | CPU time | CPU per GiB | wall time | throughput |"
	echo "|---|---|---|---|---|"
	relay_row() {
		local cpu=$2 wall=$3
		printf '| %s | %.2f s | %.2f s | %s | %s |\n' "$1" "$(awk -v n="$cpu" 'BEGIN { print n / 1e9 }')" \
			"$(awk -v n="$cpu" -v b="$RELAY_BYTES" 'BEGIN { print n / 1e9 * 1073741824 / b }')" \
			"$([ -n "$wall" ] && awk -v u="$wall" 'BEGIN { printf "%.2f s", u / 1e6 }' || echo -)" \
			"$([ -n "$wall" ] && awk -v u="$wall" -v b="$RELAY_BYTES" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / (u / 1e6) }' || echo -)"
	}
	relay_row "tend (log_prefix)" "$t" "$tw"
	relay_row "cat" "$c" ""
	relay_row "supervisord" "$s" "$sw"
	echo
	local cpu_ratio thr_ratio
	cpu_ratio=$(ratio "$t" "$c")
	thr_ratio=$(ratio "$sw" "$tw")
	echo "tend's CPU time is ${cpu_ratio} × cat's; its throughput ${thr_ratio} × supervisord's."
	echo
	target "relay: tend's CPU ≤ 3 × cat's" "${cpu_ratio} ×" "$(awk -v v="$cpu_ratio" 'BEGIN { print (v <= 3 ? "PASS" : "MISS") }')"
	target "relay: throughput ≥ 10 × supervisord's" "${thr_ratio} ×" "$(awk -v v="$thr_ratio" 'BEGIN { print (v >= 10 ? "PASS" : "MISS") }')"

	local with without
	read -r -a with <<<"$(relay_idle "$WORK/relay/idle-on" true)"
	read -r -a without <<<"$(relay_idle "$WORK/relay/idle-off" false)"
	cleanup_owned
	echo "Idle, two programs, 2 s after start: USS ${with[0]} KiB with log_prefix, ${without[0]} KiB without; system calls in 3 s: ${with[1]} with, ${without[1]} without."
	echo
	target "relay idle: 0 system calls" "${with[1]}" "$([ "${with[1]}" = 0 ] && echo PASS || echo MISS)"
	target "relay idle: USS within 16 KiB a program" "+$((with[0] - without[0])) KiB for 2 programs" \
		"$([ $((with[0] - without[0])) -le 32 ] && echo PASS || echo MISS)"
}
