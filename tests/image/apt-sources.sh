#!/usr/bin/env bash
# Prints, one per line in apt's one-line format, the Debian entries of this
# machine's apt configuration for one release (default bookworm): the suites
# RELEASE and RELEASE-* (updates, security). The image test gives them to
# mmdebstrap, so the local base image uses the mirror this machine uses —
# read at run time, never hard-coded. Other repositories (vendors' ones, with
# keys the base image would not have) are left out.
set -euo pipefail
release=${1:-bookworm}
etc=$(apt-config shell d Dir::Etc/d | sed -n "s/^d='\(.*\)'$/\1/p")
etc=${etc:-/etc/apt/}
main=$etc/sources.list
parts=$etc/sources.list.d
files=()
[ -f "$main" ] && files+=("$main")
for f in "$parts"/*.list "$parts"/*.sources; do [ -f "$f" ] && files+=("$f"); done
[ ${#files[@]} -gt 0 ] || { echo "apt-sources: no apt sources under $etc" >&2; exit 1; }
for f in "${files[@]}"; do
  case $f in
  *.sources)
    # deb822: stanzas separated by blank lines; fields may continue on indented lines
    awk -v rel="$release" '
      function flush(   n, u, s, i, j, k, uris, suites) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no" && uri != "") {
          n = split(uri, uris, /[ \t]+/); k = split(suite, suites, /[ \t]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= k; j++)
            if (uris[i] != "" && (suites[j] == rel || index(suites[j], rel "-") == 1))
              print "deb " uris[i] " " suites[j] " " comps
        }
        types = uri = suite = comps = enabled = ""
      }
      /^#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { next }
      {
        key = tolower($0); sub(/:.*/, "", key)
        val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
        if (key == "types") types = val; else if (key == "uris") uri = val
        else if (key == "suites") suite = val; else if (key == "components") comps = val
        else if (key == "enabled") enabled = val
      }
      END { flush() }' "$f"
    ;;
  *)
    # one-line: deb [options] URI SUITE COMPONENT...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk -v rel="$release" '
      $1 == "deb" && NF >= 4 && ($3 == rel || index($3, rel "-") == 1) {
        line = "deb " $2 " " $3; for (i = 4; i <= NF; i++) line = line " " $i; print line }'
    ;;
  esac
done | awk '!seen[$0]++'
