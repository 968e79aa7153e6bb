#!/usr/bin/env bash
# The reference checked against the code: every key of the configuration
# has an entry of its own in tend.ini(5), every command and option of
# `tend --help` one in tend(8), with the HTTP routes, the environment and
# the exit statuses; man renders both pages without a warning; --help fits
# one screen and --version names the commit.
# Usage: bash tests/man/check.sh PATH/TO/tend (after `make man`).
# Prints one line per check and ends with "N passed, N failed".

set -u
export LC_ALL=C.UTF-8 MANWIDTH=80
TEND=$(realpath -- "${1:?usage: check.sh PATH/TO/tend}") || exit 2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PAGE8=$ROOT/build/man/tend.8
PAGE5=$ROOT/build/man/tend.ini.5
for f in "$TEND" "$PAGE8" "$PAGE5"; do
	[ -e "$f" ] || { echo "check.sh: $f is missing (make build/tend man)" >&2; exit 2; }
done
command -v man >/dev/null || { echo "check.sh: man is missing (make deps installs man-db)" >&2; exit 2; }

T=$(mktemp -d /tmp/tend-man.XXXXXX) || exit 2
trap 'rm -rf "$T"' EXIT
PASSED=0 FAILED=0 REASON=""

fail() { [ -n "$REASON" ] || REASON="$*"; return 1; }
check() {	# NAME FUNCTION
	REASON=""
	if "$2"; then
		PASSED=$((PASSED + 1)); echo "PASS $1"
	else
		FAILED=$((FAILED + 1)); echo "FAIL $1: ${REASON:-no reason given}"
	fi
}

# The pages as a reader sees them at 80 columns, tabs expanded.
render() { man -l "$1" 2>/dev/null | col -bx; }
render "$PAGE8" >"$T/tend.8.txt"
render "$PAGE5" >"$T/tend.ini.5.txt"

# An entry of a page: a line at the indentation of an entry's head that
# starts with NAME, possibly after other names of the same head
# ("stdout_logfile = PATH, stderr_logfile = PATH"). The entry's text is
# indented further, so a word in running text never counts.
has_entry() {	# TEXT-FILE REGEX-OF-THE-NAME
	grep -Eq "^ {7}([^ ,][^,]*, )*$2( |,|\$)" "$1"
}

# ---- the keys ----

# Every X(key, ...) of the key tables (all the *_KEYS lists of
# config_keys.h), and the keys the file format has beyond them
# (read by their own code: [include], numprocs, supervisord's).
table_keys() { sed -n 's/^[[:space:]]*X(\([a-z_0-9]*\),.*/\1/p' "$ROOT/supervisor/config_keys.h" | sort -u; }
FORMAT_KEYS="drain oneshot listen listen_backlog numprocs process_name numprocs_start files
	loglevel environment minfds minprocs programs stdout_logfile stderr_logfile
	stdout_logfile_maxbytes stderr_logfile_maxbytes stdout_logfile_backups stderr_logfile_backups"

keys_in() {	# TEXT-FILE: every key has an entry
	local k missing=()
	for k in $(table_keys) $FORMAT_KEYS; do
		has_entry "$1" "$k =" || missing+=("$k")
	done
	[ ${#missing[@]} = 0 ] || fail "not in tend.ini(5): ${missing[*]}"
}
t_man_keys() {
	[ "$(table_keys | wc -l)" -ge 30 ] || { fail "read only $(table_keys | wc -l) keys from config_keys.h"; return 1; }
	keys_in "$T/tend.ini.5.txt"
}

# The check above can fail: the page without the entry of one key.
t_man_keys_check_catches_a_missing_key() {
	grep -v '^ \{7\}stopsignal = ' "$T/tend.ini.5.txt" >"$T/without.txt"
	if keys_in "$T/without.txt"; then
		fail "a page without stopsignal passed"
		return 1
	fi
	[ "$REASON" = "not in tend.ini(5): stopsignal" ] || { REASON="wrong complaint: $REASON"; return 1; }
	REASON=""
}

t_man_sections() {
	local s missing=()
	for s in '[tend]' '[program:NAME]' '[include]' '[supervisord]' '[group:x]' '[unix_http_server]' \
		'[inet_http_server]' '[supervisorctl]' '[rpcinterface:x]' '[eventlistener:x]'; do
		grep -qF -- "$s" "$T/tend.ini.5.txt" || missing+=("$s")
	done
	[ ${#missing[@]} = 0 ] || fail "sections not in tend.ini(5): ${missing[*]}"
}

# ---- the command line ----

# The commands of `tend --help`: the word after "tend" on its usage lines.
help_commands() {
	"$TEND" --help | sed -n 's/^\(usage:\)\{0,1\} *tend \([a-z|]*\).*/\2/p' | tr '|' '\n' | grep . | sort -u
}
t_man_commands() {
	local c missing=()
	[ "$(help_commands | wc -l)" -ge 7 ] || { fail "read only $(help_commands | tr '\n' ' ')from tend --help"; return 1; }
	for c in $(help_commands) check status health start stop restart signal; do
		has_entry "$T/tend.8.txt" "tend $c" || missing+=("$c")
	done
	# the two ways to run: a file, one command
	has_entry "$T/tend.8.txt" 'tend \[-c FILE\]' || missing+=("run a file")
	has_entry "$T/tend.8.txt" 'tend \[-v\|-q\] -- COMMAND' || missing+=("-- COMMAND")
	[ ${#missing[@]} = 0 ] || fail "commands without an entry in tend(8): ${missing[*]}"
}

# Every option that --help shows or main.c and client.c take.
t_man_options() {
	local o missing=() opts
	opts=$( { "$TEND" --help; cat "$ROOT/supervisor/main.c" "$ROOT/supervisor/client.c"; } |
		grep -oE '"?(^|[ "[|])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u)
	for o in $opts; do
		case $o in --) continue ;; esac
		has_entry "$T/tend.8.txt" "$o" || missing+=("$o")
	done
	[ ${#missing[@]} = 0 ] || fail "options without an entry in tend(8): ${missing[*]}"
}

# Every route of api.c is in HTTP API.
t_man_http_routes() {
	local r missing=()
	for r in $(grep -oh 'path_\(is\|starts\)(req, "[^"]*")' "$ROOT/supervisor/api.c" | sed 's/.*"\(.*\)")/\1/'); do
		case $r in */) r=${r}NAME ;; esac
		grep -qE "^ {7}([^ ,][^,]*, )*(GET|POST) $r( |,|/|\$)" "$T/tend.8.txt" || missing+=("$r")
	done
	for r in start stop restart signal; do
		grep -qE "^ {7}POST /programs/NAME/.*$r" "$T/tend.8.txt" || missing+=("/programs/NAME/$r")
	done
	[ ${#missing[@]} = 0 ] || fail "routes without an entry in tend(8): ${missing[*]}"
}

# What tend reads from its environment, and what it puts into the programs'.
t_man_environment() {
	local v missing=()
	for v in $(grep -oh 'getenv("[A-Z_]*")' "$ROOT"/supervisor/*.c | sed 's/.*"\(.*\)".*/\1/' | sort -u); do
		has_entry "$T/tend.8.txt" "$v" || missing+=("$v")
	done
	for v in $(grep -oh '"[A-Z][A-Z_]*=%' "$ROOT"/supervisor/config_env.c | tr -d '"=%' | sort -u) \
		WATCHDOG_PID LISTEN_FDS LISTEN_PID LISTEN_FDNAMES; do
		has_entry "$T/tend.8.txt" "$v" || missing+=("$v")
	done
	[ ${#missing[@]} = 0 ] || fail "variables without an entry in tend(8): ${missing[*]}"
}

t_man_exit_statuses() {
	local n missing=()
	for n in $(sed -n 's/^[[:space:]]*TEND_EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$ROOT/supervisor/exit_status.h"); do
		has_entry "$T/tend.8.txt" "$n" || missing+=("$n")
	done
	[ -n "$(sed -n '/^EXIT STATUS/p' "$T/tend.8.txt")" ] || missing+=("the section")
	[ ${#missing[@]} = 0 ] || fail "exit statuses without an entry in tend(8): ${missing[*]}"
}

t_man_signals() {
	local s missing=() text
	text=$(sed -n '/^SIGNALS/,/^[A-Z]/p' "$T/tend.8.txt")
	for s in TERM INT QUIT HUP USR1 USR2 WINCH CHLD TSTP TTIN TTOU; do
		grep -q "SIG$s" <<<"$text" || missing+=("$s")
	done
	[ ${#missing[@]} = 0 ] || fail "signals not in tend(8) SIGNALS: ${missing[*]}"
}

# ---- the pages as files ----

# man renders them without a warning (groff's included), within 80 columns.
renders_clean() {	# PAGE
	man --warnings -l "$1" >/dev/null 2>"$T/warnings" || { fail "man -l $1 failed: $(head -n 3 "$T/warnings")"; return 1; }
	[ ! -s "$T/warnings" ] || { fail "man warns about $1: $(head -n 3 "$T/warnings")"; return 1; }
	local wide
	wide=$(render "$1" | awk 'length > 80 { n++ } END { print n + 0 }')
	[ "$wide" = 0 ] || fail "$wide lines of $1 wider than 80 columns"
}
t_man_render_tend_8() { renders_clean "$PAGE8"; }
t_man_render_tend_ini_5() { renders_clean "$PAGE5"; }

# A source line starting with . or ' would be a roff request: its text
# would vanish without a warning.
t_man_sources_no_roff_requests() {
	local bad
	bad=$(grep -nE "^[[:space:]]*[.']" "$ROOT"/man/*.scd)
	[ -z "$bad" ] || fail "lines that roff would take as requests: $bad"
}

t_man_no_pointer_outside() {
	local bad
	bad=$(grep -nE 'SPEC|\.\./|/work/' "$ROOT"/man/*.scd)
	[ -z "$bad" ] || fail "the pages point outside the repository: $bad"
}

# ---- --help and --version ----

t_help_one_screen() {
	"$TEND" --help >"$T/help" 2>&1 || { fail "tend --help exited $?"; return 1; }
	local lines wide
	lines=$(wc -l <"$T/help")
	wide=$(awk '{ if (length > w) w = length } END { print w + 0 }' "$T/help")
	[ "$lines" -le 24 ] || { fail "tend --help has $lines lines"; return 1; }
	[ "$wide" -le 80 ] || { fail "tend --help has a line of $wide columns"; return 1; }
	grep -q 'man tend ' "$T/help" || { fail "tend --help does not point to man tend"; return 1; }
	grep -q 'man tend.ini' "$T/help" || fail "tend --help does not point to man tend.ini"
}

t_version_commit() {
	local v want
	v=$("$TEND" --version) || { fail "tend --version exited $?"; return 1; }
	want=$(cat "$ROOT/VERSION")
	[[ $v =~ ^tend\ ${want//./\\.}\ \(commit\ ([0-9a-f]{7,}(-dirty)?|unknown)\)$ ]] ||
		{ fail "tend --version printed \"$v\" (VERSION says $want)"; return 1; }
	# built in a clone: the commit is this clone's
	if [ -e "$ROOT/.git" ] && [ "$TEND" = "$ROOT/build/tend" ] && git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
		local head
		head=$(git -C "$ROOT" rev-parse HEAD)
		[[ $v =~ \(commit\ ([0-9a-f]+) ]] && [ "${head#"${BASH_REMATCH[1]}"}" != "$head" ] ||
			fail "tend --version printed \"$v\"; HEAD is $head"
	fi
}

for t in man_keys man_keys_check_catches_a_missing_key man_sections man_commands man_options \
	man_http_routes man_environment man_exit_statuses man_signals man_render_tend_8 \
	man_render_tend_ini_5 man_sources_no_roff_requests man_no_pointer_outside help_one_screen \
	version_commit; do
	check "$t" "t_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
