# Metric "size": the size on disk of each system's binaries (bytes, as
# installed; the dynamic ones need their shared libraries besides).
# supervisord is a Python program: its package's installed size is shown
# (plus Python itself, not counted).

. "$BENCH/systems.sh"

size_of() { local s=0 f; for f in "$@"; do s=$((s + $(stat -L -c %s "$f"))); done; echo "$s"; }
size_kib() { awk -v b="$1" 'BEGIN { printf "%.0f KiB\n", b / 1024 }'; }
size_link() { if ldd "$1" 2>&1 | grep -q 'not a dynamic'; then echo static; else echo "dynamic ($(ldd "$1" | grep -c '=>') libraries)"; fi; }

bench_size() {
	echo "## Binary size"
	echo
	echo "| system | files | linked | size |"
	echo "|---|---|---|---|"
	local row f
	size_row() {	# LABEL FILE...
		local label=$1
		shift
		for f in "$@"; do [ -e "$f" ] || { echo "| $label | $* | | n/a (not found) |"; return; }; done
		echo "| $label | $(printf '%s ' "$@" | sed "s| $ROOT/| |g; s|^$ROOT/||; s/ \$//") | $(size_link "$1") | $(size_kib "$(size_of "$@")") |"
	}
	size_row "tend" "${TEND_SRC:-$TEND}"
	if [ -x "$ROOT/build/tend-static" ]; then size_row "tend (static)" "$ROOT/build/tend-static"; else echo "| tend (static) | build/tend-static | | n/a (run \`make static\`) |"; fi
	size_row "tini" "$(command -v tini)"
	if command -v tini-static >/dev/null; then size_row "tini-static" "$(command -v tini-static)"; fi
	size_row "dumb-init" "$(command -v dumb-init)"
	size_row "catatonit" "$(command -v catatonit)"
	size_row "s6" "$(command -v s6-svscan)" "$(command -v s6-supervise)"
	size_row "runit" "$(command -v runsvdir)" "$(command -v runsv)"
	echo "| supervisord | package supervisor (Python) | n/a (interpreted) | $(dpkg-query -W -f='${Installed-Size}' supervisor 2>/dev/null) KiB installed, plus Python |"
	echo
	local t s
	t=$(stat -L -c %s "$TEND") s=$(stat -L -c %s "$(command -v tini)")
	echo "tend is $(ratio "$t" "$s") × tini's size (dynamic)."
	echo
}
