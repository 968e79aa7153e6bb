# The systems compared (sourced by the metric files that need them).
#
# Each system runs as PID 1 of a fresh PID namespace (`unshare --pid --fork
# --mount-proc`), through `stamp -x`, which stamps "exec" and execs the
# system (so PID 1's exec time is on the same clock as the programs' stamps);
# sys_start checks that the process is PID 1 of its namespace (NSpid).
# Every system runs the same two programs, build/bench/stamp a and b,
# stamping into DIR/stamps. Supervisors (tend, supervisord, s6, runit)
# supervise both; single-child inits (tini, dumb-init, catatonit) run one
# `sh -c 'stamp a & stamp b & wait'` and pass signals to its process group
# (tini -g, catatonit -g, dumb-init by default); that sh traps USR1 (so that
# it survives it), its programs get it. runit is `runsvdir -P DIR` as PID 1,
# the way runit runs in containers: runit's own init, /sbin/runit, runs the
# stages /etc/runit/1, 2, 3 of the machine and stops on SIGCONT, not SIGTERM.
# The supervisors that have one get a comparable stop wait, 1 s from the
# stop signal to SIGKILL: tend's and supervisord's stopwaitsecs, s6's
# timeout-kill (runsv has none; the single-child inits have none).
#
# "reaper" is not a system but a reference for the orphans: `stamp -r`, a
# bare waitpid loop as PID 1 running the same sh as the single-child inits.

[ -n "${SYSTEMS_SH:-}" ] && return 0
SYSTEMS_SH=1

SYSTEMS=(tend tini dumb-init catatonit supervisord s6 runit)
SUPERVISORS=(tend supervisord s6 runit)
STAMP=$ROOT/build/bench/stamp
SYS_ROUNDS=${BENCH_ROUNDS:-5}
# the stop and signal latencies: more rounds, their spread on a small
# machine being wide (on which CPU the scheduler puts each woken program)
LATENCY_ROUNDS=${BENCH_ROUNDS:-11}

# sys_single SYS: true for the single-child inits (and the reference reaper).
sys_single() { case $1 in tini | dumb-init | catatonit | reaper) return 0 ;; esac; return 1; }

# sys_prog DIR NAME MODE: the command of program NAME (MODE: run, crash =
# exits 1 after 1.5 s, ignore = ignores SIGTERM, orphans / stream / together
# = makes ORPHANS orphans at once / in a stream / running and then exiting
# together, see stamp.c).
sys_prog() {
	case $3 in
	crash) echo "$STAMP -c 1500 $1/stamps $2" ;;
	ignore) echo "$STAMP -i $1/stamps $2" ;;
	orphans) echo "$STAMP -o ${ORPHANS:-10000} $1/stamps $2" ;;
	stream) echo "$STAMP -O ${ORPHANS:-10000} $1/stamps $2" ;;
	together) echo "$STAMP -e ${ORPHANS:-10000} $1/stamps $2" ;;
	*) echo "$STAMP $1/stamps $2" ;;
	esac
}

# sys_start SYS DIR [MODE] [EXTRA]: writes SYS's configuration in DIR (new),
# starts it; sets SYS_PID1 (PID 1, as seen from here), SYS_UNSHARE and, for
# tend, SYS_PORT (its health_listen port). MODE: the mode of program a (see
# sys_prog; b always runs). EXTRA=usr1: tend forwards USR1 to its programs.
sys_start() {
	local sys=$1 dir=$2 mode=${3:-run} extra=${4:-} cmd=()
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	local pa pb
	pa=$(sys_prog "$dir" a "$mode") pb=$(sys_prog "$dir" b run)
	SYS_PORT=
	case $sys in
	tend)
		SYS_PORT=$(free_port) || return 1
		cat >"$dir/tend.ini" <<-EOF
		[tend]
		socket = $dir/tend.sock
		health_listen = 127.0.0.1:$SYS_PORT
		shutdown_timeout = 5

		[program:a]
		command = $pa
		stopwaitsecs = 1
		$([ "$extra" = usr1 ] && echo "forward_signals = USR1")

		[program:b]
		command = $pb
		stopwaitsecs = 1
		$([ "$extra" = usr1 ] && echo "forward_signals = USR1")
		EOF
		cmd=("$TEND" -c "$dir/tend.ini")
		;;
	tini | dumb-init | catatonit | reaper)
		# sh survives USR1 (trapped; the programs get it as default)
		local sh="trap : USR1; $pa & $pb & while :; do wait; [ \$? -gt 128 ] || break; done"
		case $sys in
		tini) cmd=(tini -g -- sh -c "$sh") ;;
		dumb-init) cmd=(dumb-init -- sh -c "$sh") ;;
		catatonit) cmd=(catatonit -g -- sh -c "$sh") ;;
		reaper) cmd=("$STAMP" -r "$dir/stamps" reaper sh -c "$sh") ;;
		esac
		;;
	supervisord)
		supervisord_head "$dir" >"$dir/supervisord.conf"
		cat >>"$dir/supervisord.conf" <<-EOF

		[program:a]
		command = $pa
		autorestart = true
		startsecs = 1
		stopwaitsecs = 1
		stdout_logfile = NONE
		stderr_logfile = NONE

		[program:b]
		command = $pb
		autorestart = true
		startsecs = 1
		stopwaitsecs = 1
		stdout_logfile = NONE
		stderr_logfile = NONE
		EOF
		cmd=(supervisord -n -c "$dir/supervisord.conf")
		;;
	s6 | runit)
		local n p
		for n in a b; do
			[ $n = a ] && p=$pa || p=$pb
			mkdir -p "$dir/sv/$n"
			printf '#!/bin/sh\nexec %s\n' "$p" >"$dir/sv/$n/run"
			chmod +x "$dir/sv/$n/run"
			[ "$sys" != s6 ] || echo 1000 >"$dir/sv/$n/timeout-kill"	# ms
		done
		if [ "$sys" = s6 ]; then cmd=(s6-svscan "$dir/sv"); else cmd=(runsvdir -P "$dir/sv"); fi
		;;
	*) log "unknown system $sys"; return 1 ;;
	esac
	unshare --pid --fork --mount-proc "$STAMP" -x "$dir/stamps" pid1 "${cmd[@]}" </dev/null >"$dir/out.log" 2>&1 &
	SYS_UNSHARE=$!
	own "$SYS_UNSHARE"
	SYS_PID1=
	# SYS_SETTLE: seconds to leave the CPUs to the starting system before
	# looking at it (each look starts processes of the harness's own)
	[ -z "${SYS_SETTLE:-}" ] || quiet_sleep "$SYS_SETTLE"
	wait_until 5 eval '[ -n "$(children_of "$SYS_UNSHARE")" ]' || { log "$sys did not start"; return 1; }
	SYS_PID1=$(children_of "$SYS_UNSHARE" | head -n1)
	own "$SYS_PID1"	# ended first: PID 1 takes the namespace down
	local nspid
	nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$SYS_PID1/status" 2>/dev/null)
	[ "$nspid" = 1 ] || { log "$sys: its process is PID ${nspid:-?} of its namespace, not 1"; return 1; }
}

# supervisord_head DIR: the [supervisord] section of a supervisord.conf
# whose files all go to DIR (also used by http.sh).
supervisord_head() {
	cat <<-EOF
	[supervisord]
	nodaemon = true
	user = root
	logfile = $1/supervisord.log
	pidfile = $1/supervisord.pid
	childlogdir = $1
	EOF
}

# sys_record SYS: notes what PID 1 runs (its command line, with DIR for the
# system's directory) and its processes, for the report's list of systems
# (run.sh); once per system and run.
sys_record() {
	local f=$WORK/systems/$1 d=$2
	[ -e "$f" ] && return 0
	mkdir -p "$WORK/systems"
	{
		tr '\0' ' ' <"/proc/$SYS_PID1/cmdline" | sed "s|$d|DIR|g; s|$STAMP|stamp|g; s|$TEND|tend|g; s/ $//"
		echo
		local p names=()
		for p in $(sys_procs "$SYS_PID1"); do names+=("$(cat "/proc/$p/comm")"); done
		printf '%s\n' "${names[@]}" | sort | uniq -c | awk '{ printf "%s%s%s", (NR > 1 ? " + " : ""), $2, ($1 > 1 ? " ×" $1 : "") }'
		echo
	} >"$f"
}

# sys_global_pid NSPID: the PID, as seen from here, of the process of the
# system's namespace (under SYS_PID1) whose PID there is NSPID.
sys_global_pid() {
	local queue=("$SYS_PID1") p c
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = "$1" ] && { echo "$p"; return 0; }
		for c in $(children_of "$p"); do queue+=("$c"); done
	done
	return 1
}

# sys_stamp DIR EVENT NAME [N]: the Nth (default 1st) EVENT stamp of NAME, in ns.
sys_stamp() {
	awk -v e="$2" -v n="$3" -v k="${4:-1}" '$1 == e && $4 == n && ++c == k { print $2; exit }' "$1/stamps" 2>/dev/null
}
sys_count() { awk -v e="$2" -v n="$3" '$1 == e && $4 == n { c++ } END { print c + 0 }' "$1/stamps" 2>/dev/null; }

# sys_wait_started DIR: both programs have stamped their start (5 s at most).
sys_wait_started() {
	SYS_DIR=$1
	wait_until 5 eval '[ -n "$(sys_stamp "$SYS_DIR" start a)" ] && [ -n "$(sys_stamp "$SYS_DIR" start b)" ]'
}

# sys_procs PID1: the supervisor's processes: PID 1 and its descendants
# but the programs (stamp) and the shell of the single-child inits.
sys_procs() {
	local queue=("$1") p c comm
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		case $comm in stamp | sh) ;; *) echo "$p" ;; esac
		for c in $(children_of "$p"); do queue+=("$c"); done
	done
}

# sys_stop: SIGTERM to PID 1, waits (30 s at most) until it is gone.
sys_stop() {
	[ -n "${SYS_PID1:-}" ] && alive "$SYS_PID1" && kill -TERM "$SYS_PID1" 2>/dev/null
	[ -n "${SYS_UNSHARE:-}" ] && wait_until 30 dead "$SYS_UNSHARE"
	wait "$SYS_UNSHARE" 2>/dev/null
	return 0
}

# sys_label SYS: the system's name in the tables, with what PID 1 runs.
sys_label() {
	case $1 in
	tend) echo "tend $("$TEND" --version 2>&1 | head -n1 | awk '{ print $2 }')" ;;
	tini) echo "tini $(dpkg-query -W -f='${Version}' tini 2>/dev/null) (one sh)" ;;
	dumb-init) echo "dumb-init $(dpkg-query -W -f='${Version}' dumb-init 2>/dev/null) (one sh)" ;;
	catatonit) echo "catatonit $(dpkg-query -W -f='${Version}' catatonit 2>/dev/null) (one sh)" ;;
	supervisord) echo "supervisord $(dpkg-query -W -f='${Version}' supervisor 2>/dev/null)" ;;
	s6) echo "s6 $(dpkg-query -W -f='${Version}' s6 2>/dev/null) (s6-svscan)" ;;
	runit) echo "runit $(dpkg-query -W -f='${Version}' runit 2>/dev/null) (runsvdir)" ;;
	reaper) echo "reference: bare reaper (stamp -r, one sh)" ;;
	esac
}

# ns_to_us NS: microseconds, for fmt_us.
ns_us() { awk -v n="$1" 'BEGIN { printf "%.0f\n", n / 1000 }'; }
