#!/usr/bin/env bash
# make deb-test: `make install` and the Debian package (`make deb` has built
# it into build/deb/) checked for real:
#
#  1. make install into a DESTDIR puts exactly the expected files there, and
#     make uninstall removes them all;
#  2. the package holds the binary, both man pages and the example; it
#     depends on libc alone, and its binary needs only libc.so.6;
#  3. lintian (pedantic and experimental tags shown) finds no error or warning;
#  4. `apt-get install ./tend_*.deb` in a throwaway Debian root made with
#     mmdebstrap from this machine's apt mirror (kept in build/deb-root/
#     while the apt sources are the same), entered with chroot in a private
#     mount and PID namespace: tend on PATH, --version, `tend check` of the
#     installed example, single-command mode as PID 1; then purged, nothing
#     of it left.
#
# Every command is bounded by timeout; the output ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2

. tests/tap.sh
show() { [ -f "$1" ] && tail -n 30 "$1" | sed 's/^/#   /'; return 0; }

TMP=$(mktemp -d /tmp/tend-deb-test.XXXXXX)
ROOT=
# rm -rf the root only when nothing is mounted under it (the namespaces'
# mounts go with them; this is the guard against a surprise)
cleanup() {
	if [ -n "$ROOT" ] && awk -v r="$ROOT/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
		note "something is still mounted under $ROOT: left in place"
	else
		rm -rf "$TMP"
	fi
}
finish() {
	trap - EXIT
	cleanup
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
trap 'cleanup; echo "$pass passed, $((fail + 1)) failed"' EXIT # an unexpected exit counts as a failure
abort() {
	not_ok "$1"
	[ -n "${2:-}" ] && show "$2"
	finish
	exit 1
}

# ---------------------------------------------------------------- make install
DEST=$TMP/dest
P=/usr/local
expected_install=$(printf '%s\n' $P/sbin/tend $P/share/man/man8/tend.8 $P/share/man/man5/tend.ini.5 \
	$P/share/doc/tend/tend.ini.example $P/share/doc/tend/examples/Dockerfile.single \
	$P/share/doc/tend/examples/docker-compose.yml $P/share/doc/tend/examples/kubernetes.yaml \
	$P/share/doc/tend/examples/nginx.conf | sort)
files_under() { (cd "$1" && find . ! -type d | sed 's|^\.||' | sort); }
installed_as_expected() {
	[ "$(files_under "$DEST")" = "$expected_install" ] &&
		[ -x "$DEST$P/sbin/tend" ] && [ "$(stat -c %a "$DEST$P/share/man/man8/tend.8")" = 644 ] &&
		cmp -s config/tend.ini "$DEST$P/share/doc/tend/tend.ini.example"
}
if timeout 300 make -s install DESTDIR="$DEST" >"$TMP/install.log" 2>&1; then
	check "make install DESTDIR=…: sbin/tend, both man pages, the example and the examples, nothing else" installed_as_expected
	files_under "$DEST" | sed 's/^/#   /'
	timeout 60 make -s uninstall DESTDIR="$DEST" >"$TMP/uninstall.log" 2>&1
	check "make uninstall DESTDIR=…: no file left, share/doc/tend removed" \
		eval '[ -z "$(files_under "$DEST")" ] && [ ! -e "$DEST$P/share/doc/tend" ]'
else
	not_ok "make install DESTDIR=…"
	show "$TMP/install.log"
fi

# ---------------------------------------------------------------- the package
deb=$(ls build/deb/tend_*_*.deb 2>/dev/null | head -n 1)
changes=$(ls build/deb/tend_*.changes 2>/dev/null | head -n 1)
[ -n "$deb" ] && [ -n "$changes" ] || abort "build/deb/ has a tend .deb and .changes (make deb)"
note "$deb"
expected_deb=$(printf '%s\n' /usr/sbin/tend /usr/share/man/man8/tend.8.gz /usr/share/man/man5/tend.ini.5.gz \
	/usr/share/doc/tend/tend.ini.example /usr/share/doc/tend/copyright /usr/share/doc/tend/changelog.gz \
	/usr/share/doc/tend/examples/Dockerfile.single /usr/share/doc/tend/examples/docker-compose.yml \
	/usr/share/doc/tend/examples/kubernetes.yaml /usr/share/doc/tend/examples/nginx.conf | sort)
deb_files() { dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\.||' | sort; }
check "the package's files: binary, man pages, example, copyright, changelog" eval '[ "$(deb_files)" = "$expected_deb" ]'
depends=$(dpkg-deb -f "$deb" Depends)
check "Depends: libc6 alone (was: $depends)" eval '[[ "$depends" =~ ^libc6(\ \(\>=\ [0-9.]+\))?$ ]]'
dpkg-deb -x "$deb" "$TMP/x"
needed=$(readelf -d "$TMP/x/usr/sbin/tend" 2>/dev/null | grep NEEDED | grep -o '\[.*\]' | tr '\n' ' ')
check "its binary needs only libc.so.6 (libev and inih linked in; was: $needed)" [ "$needed" = "[libc.so.6] " ]
check "its binary runs here: --version" eval '"$TMP/x/usr/sbin/tend" --version | grep -q "^tend "'

# ---------------------------------------------------------------- lintian
timeout 300 lintian --info --pedantic --display-experimental --fail-on error,warning "$changes" >"$TMP/lintian.log" 2>&1
st=$?
grep -v 'running with root privileges is not recommended' "$TMP/lintian.log" >"$TMP/tags"
if [ -s "$TMP/tags" ]; then sed 's/^/#   lintian: /' "$TMP/tags"; else note "lintian: no tag"; fi
check "lintian $(basename "$changes"): no error, no warning (exit $st)" [ "$st" = 0 ]

# ---------------------------------------------------------------- apt install in a Debian root
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$release" ] || abort "this machine's Debian release (VERSION_CODENAME in /etc/os-release)"
sources=$(bash tests/image/apt-sources.sh "$release") || abort "read the apt sources of this machine"
[ -n "$sources" ] || abort "this machine's apt sources have no $release entries"
mapfile -t aptopts < <(apt-config dump 2>/dev/null |
	grep -E '^Acquire::(Check-Valid-Until|Check-Date|http::Proxy|https::Proxy|Retries) ' | sed 's/;$//')
key=$(printf '%s\n' "$release" "$sources" "${aptopts[@]}" | sha256sum | cut -c1-16)
base=build/deb-root/$release-$key.tar
if [ -f "$base" ]; then
	ok "Debian root $base (cached, same apt sources)"
else
	mkdir -p build/deb-root
	rm -f build/deb-root/*.tar # made from other sources
	args=()
	for o in "${aptopts[@]}"; do args+=(--aptopt="$o"); done
	note "making a $release root with mmdebstrap --variant=minbase from:"
	printf '%s\n' "$sources" | sed 's/^/#   /'
	if printf '%s\n' "$sources" | timeout 900 mmdebstrap --variant=minbase --format=tar "${args[@]}" \
		"$release" "$base.part" - >"$TMP/mmdebstrap.log" 2>&1; then
		mv "$base.part" "$base"
		ok "Debian root made with mmdebstrap ($base)"
	else
		rm -f "$base.part"
		abort "mmdebstrap $release" "$TMP/mmdebstrap.log"
	fi
fi
ROOT=$TMP/root
mkdir "$ROOT" && tar -xf "$base" -C "$ROOT" || abort "unpack $base"
cp "$deb" "$ROOT/tmp/" || abort "copy the package into the root"
# in_root COMMAND...: COMMAND as PID 1 of a new PID namespace, chrooted
in_root() {
	timeout 120 unshare --mount --pid --fork --mount-proc="$ROOT/proc" \
		chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
debname=$(basename "$deb")
if in_root sh -c "cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ./$debname" \
	>"$TMP/apt.log" 2>&1; then
	ok "apt-get install ./$debname in a $release minbase root"
else
	not_ok "apt-get install ./$debname in a $release minbase root"
	show "$TMP/apt.log"
fi
check "dpkg: tend installed" eval 'in_root dpkg-query -W -f="\${Status}" tend 2>/dev/null | grep -qx "install ok installed"'
version=$(in_root tend --version 2>&1)
where=$(in_root sh -c 'command -v tend')
# the package is built from a copy without .git: make deb passes the commit in
want="tend $(cat VERSION) (commit "
check "tend --version there, on PATH ($where): \"$version\"" eval '[[ "$version" == "$want"* && "$version" != *unknown* ]] && [ "$where" = /usr/sbin/tend ]'
EX=/usr/share/doc/tend/tend.ini.example
in_root tend check -c $EX >"$TMP/check1.out" 2>"$TMP/check1.err"
st=$?
check "tend check -c $EX with no user \"backend\": exit 2 (was $st), the file, line and key named" \
	eval '[ "$st" = 2 ] && grep -Eq "^tend: $EX:[0-9]+: \[program:backend\] user: no user \"backend\"" "$TMP/check1.err"'
in_root useradd --system --no-create-home --shell /usr/sbin/nologin backend >/dev/null 2>&1
in_root tend check -c $EX >"$TMP/check2.out" 2>&1
st=$?
check "tend check -c $EX once the user exists: exit 0 (was $st), 2 programs" \
	eval '[ "$st" = 0 ] && grep -q "OK, 2 programs" "$TMP/check2.out"'
[ "$st" = 0 ] || show "$TMP/check2.out"
in_root tend -- sh -c 'exit 3' >/dev/null 2>&1
st=$?
check "tend -- sh -c 'exit 3' as PID 1 there: the command's status is tend's (3, was $st)" [ "$st" = 3 ]
in_root apt-get purge -y tend >"$TMP/purge.log" 2>&1
check "apt-get purge tend: /usr/sbin/tend, /usr/share/doc/tend and the man pages gone" \
	eval '[ ! -e "$ROOT/usr/sbin/tend" ] && [ ! -e "$ROOT/usr/share/doc/tend" ] && [ ! -e "$ROOT/usr/share/man/man8/tend.8.gz" ]'
finish
