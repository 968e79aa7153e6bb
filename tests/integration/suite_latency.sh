# What tend does between a signal and the programs getting theirs,
# as PID 1. Sourced by run.sh: uses its helpers.

# tend's minor page faults so far (/proc/PID/stat, field 10).
minflt_of() { awk '{ sub(/.*\) /, ""); print $8 }' "/proc/$1/stat"; }

# Once the startup pages are gone (shed.c), the first signal of a kind
# does not fault the code it needs back in before it can act: the pages
# of libc that the loop's urgent paths use came back in one go, and the
# data pages the forks left copy-on-write were written once. Before
# that, a forwarded USR1 after idle took 8 or more faults (libev's array
# growth in realloc, printf's insides for the log line, kill) and the first
# writes to data pages since the programs' forks (copy-on-write).
t_first_signal_after_idle_few_faults() {
	if ! readelf -SW "$TEND" 2>/dev/null | grep -q tend_startup_text; then
		echo "  (skipped: this build keeps its startup code with the rest)"
		return 0
	fi
	cat >"$T/tend.ini" <<EOF
[program:a]
command = $SIGREC $T/a a
forward_signals = USR1
startsecs = 0

[program:b]
command = $SIGREC $T/b b
forward_signals = USR1
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/a" "a start" || return 1
	wait_has "$T/b" "b start" || return 1
	# the startup code dropped: the last code mapping of tend's file not resident
	startup_dropped() {
		[ "$(awk -v file="$TEND" '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == file); x = ($2 ~ /x/) }
			/^Rss:/ && name && x { rss = $2 } END { print rss }' "/proc/$TEND_PID/smaps")" = 0 ]
	}
	wait_until 5 startup_dropped || { fail "the startup code was not dropped"; return 1; }
	local before after
	before=$(minflt_of "$TEND_PID")
	sig USR1
	wait_has "$T/a" "a USR1" || return 1
	wait_has "$T/b" "b USR1" || return 1
	wait_log "SIGUSR1 forwarded to a, b" || return 1
	after=$(minflt_of "$TEND_PID")
	[ $((after - before)) -le 2 ] ||
		{ fail "the first USR1 after idle took $((after - before)) page faults in tend (at most 2 expected)"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

# se.slice of /proc/PID/sched: the task's scheduling slice, in ns.
slice_of() { awk '$1 == "se.slice" { print $3 }' "/proc/$1/sched" 2>/dev/null; }

# A task may ask for its own slice since Linux 6.12 (older kernels accept
# the request and ignore it), and this one shows slices in /proc/PID/sched.
custom_slices_shown() {
	local release major minor
	release=$(uname -r)
	major=${release%%.*}
	minor=${release#*.}
	minor=${minor%%[!0-9]*}
	{ [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 12 ]; }; } && [ -n "$(slice_of $$)" ]
}

# tend asks for the shortest scheduling slice (sched_slice.c): woken, it
# runs sooner, and a program woken by its first kill does not preempt it
# before the second. Its programs keep the default slice.
t_short_slice_for_tend_not_its_programs() {
	if ! custom_slices_shown; then
		echo "  (skipped: kernel $(uname -r) has no custom slices, or does not show them in /proc/PID/sched)"
		return 0
	fi
	cat >"$T/tend.ini" <<EOF
[program:a]
command = $SIGREC $T/a a
startsecs = 0
EOF
	start_ns -c "$T/tend.ini" || return 1
	wait_has "$T/a" "a start" || return 1
	local tend_slice program program_slice
	tend_slice=$(slice_of "$TEND_PID")
	program=$(tr -s ' ' '\n' <"/proc/$TEND_PID/task/$TEND_PID/children" | grep . | head -n1)
	program_slice=$(slice_of "$program")
	[ "$tend_slice" = 100000 ] || { fail "tend's slice is $tend_slice ns, expected 100000"; return 1; }
	[ -n "$program_slice" ] && [ "$program_slice" != 100000 ] ||
		{ fail "the program's slice is ${program_slice:-unknown} ns: it inherited tend's"; return 1; }
	sig TERM
	wait_exit || return 1
	assert_rc 0
}

ALL_TESTS+=(
	first_signal_after_idle_few_faults
	short_slice_for_tend_not_its_programs
)
