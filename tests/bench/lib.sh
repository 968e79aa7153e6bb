# Shared helpers of the benchmarks (sourced by tests/bench/run.sh).
#
# Everything a benchmark starts is registered with `own PID` and is ended by
# `cleanup_owned` (by PID, with bounded waits); every wait polls with a
# deadline. Nothing listens beyond loopback.

now_us() { echo "${EPOCHREALTIME/./}"; }

log() { printf 'bench: %s\n' "$*" >&2; }

# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds; fails after SECONDS.
wait_until() {
	local secs=$1
	shift
	local deadline=$(($(now_us) + secs * 1000000))
	while :; do
		"$@" && return 0
		[ "$(now_us)" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# quiet_sleep SECS: waits without starting a process (a builtin read on a
# FIFO nobody writes): the harness itself stays off the CPUs while a system
# starts. QUIET_FD is opened by run.sh.
quiet_sleep() { read -r -t "$1" -u "$QUIET_FD" _ || :; }

# A process that exists and is not a zombie.
alive() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}
dead() { ! alive "$1"; }

# ---- processes this run started ----

OWNED=()	# PIDs, in start order; ended in reverse order
own() { OWNED+=("$1"); }

# stop_pid PID [SECONDS]: TERM, then KILL after SECONDS (default 5); reaps it
# when it is our child.
stop_pid() {
	local pid=$1 secs=${2:-5}
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		if ! wait_until "$secs" dead "$pid"; then
			log "pid $pid ignored SIGTERM for ${secs}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			wait_until 5 dead "$pid"
		fi
	fi
	wait "$pid" 2>/dev/null
	return 0
}

LAST=()	# PIDs that are not our children and normally end with what started them
own_last() { LAST+=("$1"); }

cleanup_owned() {
	local i
	for ((i = ${#OWNED[@]} - 1; i >= 0; i--)); do
		stop_pid "${OWNED[i]}"
	done
	for i in "${LAST[@]}"; do
		stop_pid "$i" 2
	done
	OWNED=() LAST=()
}

# The PIDs of PID's children.
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' ' '\n' | grep .; }

# ---- loopback ports and HTTP ----

# A TCP port no socket uses (any state) on this machine, IPv4 or IPv6.
port_in_use() {
	local hex
	printf -v hex '%04X' "$1"
	awk -v h=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 30000))
		if ! port_in_use "$p" && [[ " ${PORTS_TAKEN:-} " != *" $p "* ]]; then
			PORTS_TAKEN="${PORTS_TAKEN:-} $p"
			echo "$p"
			return 0
		fi
	done
	return 1
}

# http_status PORT PATH: the status code of GET PATH on 127.0.0.1:PORT (bash's
# /dev/tcp; no client needed), or nothing.
http_status() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
	IFS= read -r -t 2 line <&"$fd"
	exec {fd}>&-
	line=${line%$'\r'}
	set -- $line
	echo "${2:-}"
}
# http_header PORT PATH NAME: the value of header NAME in the answer to GET PATH.
http_header() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
	while IFS= read -r -t 2 line <&"$fd"; do
		line=${line%$'\r'}
		[ -n "$line" ] || break
		if [ "${line%%:*}" = "$3" ]; then
			echo "${line#*: }"
			break
		fi
	done
	exec {fd}>&-
}
# http_body PORT PATH: the body of the answer to GET PATH (HTTP/1.0: the
# server closes after it).
http_body() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
	while IFS= read -r -t 2 line <&"$fd"; do
		line=${line%$'\r'}
		[ -n "$line" ] || break
	done
	timeout 2 cat <&"$fd"
	exec {fd}>&-
}
http_ok() { [ "$(http_status "$1" "$2" 2>/dev/null)" = 200 ]; }

# ---- measurements ----

# mem_kib PID: "RSS PSS USS ANON" in KiB from smaps_rollup: USS = private
# memory (Private_Clean + Private_Dirty); ANON = anonymous memory, what the
# process allocated or wrote itself (heap, stack, data). A file's clean pages
# count as private only while no other process maps the file, so USS moves
# when other programs using the same libraries start or stop; ANON does not.
mem_kib() {
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_(Clean|Dirty):/ { u += $2 } /^Anonymous:/ { a = $2 }
	     END { print r + 0, p + 0, u + 0, a + 0 }' "/proc/$1/smaps_rollup"
}

# mem_by_mapping PID: "NAME ANON_KIB" per mapping (the unnamed ones summed as
# anon), for saying where a process's own memory (ANON of mem_kib) went.
mem_by_mapping() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "anon" : $6) }
	     /^Anonymous:/ { p[name] += $2 }
	     END { for (n in p) print n, p[n] }' "/proc/$1/smaps" | sort
}

# mapping_growth BEFORE_FILE AFTER_FILE: "name +N KiB, ..." for mappings that changed.
mapping_growth() {
	awk 'NR == FNR { b[$1] = $2; next } { a[$1] = $2 }
	     END { for (n in a) if (a[n] != b[n]) d[n] = a[n] - b[n]
		   for (n in b) if (!(n in a)) d[n] = -b[n]
		   s = ""; for (n in d) s = s (s == "" ? "" : ", ") sprintf("%s %+d KiB", n, d[n])
		   print (s == "" ? "none" : s) }' "$1" "$2"
}

# cpu_ns PID: the time PID has spent on a CPU, in ns (/proc/PID/schedstat).
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }

fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# median of the arguments (numbers); the mean of the two middle ones when even.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
minimum() { printf '%s\n' "$@" | sort -g | head -n1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n1; }

# ratio A B [DIGITS]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f\n", d, a / b }'; }

# to_us VALUE: wrk's time (e.g. 812.00us, 3.97ms, 1.02s, 1.00m) in microseconds.
to_us() {
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1e3; else if (v ~ /h$/) m = 3600e6
		else if (v ~ /m$/) m = 60e6; else if (v ~ /s$/) m = 1e6; else exit 1
		sub(/[a-z]+$/, "", v); printf "%.0f\n", v * m }'
}

# fmt_us MICROSECONDS: "812 us" or "3.97 ms".
fmt_us() { awk -v u="$1" 'BEGIN { if (u < 1000) printf "%d us\n", u; else printf "%.2f ms\n", u / 1000 }'; }
# fmt_ns NANOSECONDS: "7.15 us".
fmt_ns() { awk -v n="$1" 'BEGIN { printf "%.2f us\n", n / 1000 }'; }

# ---- the report ----

# span FORMAT NUMBER...: "median (min–max)", each as FORMAT: a printf format,
# or us / ns for fmt_us / fmt_ns.
span() {
	local f=$1
	shift
	# %d: a median of an even count can end in .5: rounded
	_span_fmt() { case $f in us) fmt_us "$1" ;; ns) fmt_ns "$1" ;; %d) printf '%.0f\n' "$1" ;; *) printf "$f\n" "$1" ;; esac; }
	if [ $# -eq 1 ]; then
		_span_fmt "$1"
	else
		echo "$(_span_fmt "$(median "$@")") ($(_span_fmt "$(minimum "$@")")–$(_span_fmt "$(maximum "$@")"))"
	fi
}

# vs_tini WHAT TEND_MEDIAN TINI_MEDIAN: a report line and a target
# "WHAT at or under tini's": tend's median over tini's from the same run
#, medians in microseconds.
vs_tini() {
	local r
	if [ -z "$2" ] || [ -z "$3" ]; then
		echo "tend / tini ($1): not measured."
		target "$1 at or under tini's" "not measured" MISS
		return
	fi
	r=$(ratio "$2" "$3")
	echo "**tend / tini ($1): ${r}×** (medians of this run: tend $(fmt_us "$2"), tini $(fmt_us "$3"))."
	target "$1 at or under tini's" "$(fmt_us "$2") vs tini $(fmt_us "$3"): ${r}×" \
		"$(awk -v a="$2" -v b="$3" 'BEGIN { print (a <= b ? "PASS" : "MISS") }')"
}

# target NAME MEASURED PASS|MISS: one line of the targets table (the driver prints them).
target() { printf '| %s | %s | **%s** |\n' "$1" "$2" "$3" >>"$TARGETS"; }

# chart KEY SYSTEM VALUE: a median for the chart of ratios (run.sh draws it
# from these); VALUE ">N" when the system did not finish within a bound N.
chart() { echo "$1 $2 $3" >>"$WORK/chart.dat"; }

# load_line: the load averages (1, 5, 15 min), runnable/all tasks, and the CPU count.
load_line() { printf '%s on %s CPUs' "$(cut -d' ' -f1-4 /proc/loadavg)" "$(nproc)"; }

machine_line() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	printf '%s CPUs (%s), Linux %s, %s' "$(nproc)" "${cpu:-unknown CPU}" "$(uname -r)" \
		"$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")"
}
