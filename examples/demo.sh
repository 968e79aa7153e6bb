#!/usr/bin/env bash
# make demo: nginx and the example backend under tend, as PID 1 of a new PID namespace.
set -euo pipefail
tend=$(realpath "${1:-build/tend}")
here=$(cd "$(dirname "$0")" && pwd)
export DEMO_DIR DEMO_BIN
umask 022	# nginx's workers (www-data) read what is made here
DEMO_DIR=$(mktemp -d /tmp/tend-demo.XXXXXX)
DEMO_BIN=$(dirname "$tend")
chmod 755 "$DEMO_DIR"	# nginx workers run as an unprivileged user
mkdir -p "$DEMO_DIR"/{html,tmp}
cp "$here/demo/nginx.conf" "$DEMO_DIR/"
cat > "$DEMO_DIR/html/index.html" <<'HTML'
<!doctype html><title>tend demo</title><h1>Served by nginx, supervised by tend</h1>
<pre id="out">asking /api/v1/towns/selection…</pre>
<script>fetch('/api/v1/towns/selection').then(r => r.text()).then(t => out.textContent = t)</script>
HTML

cat <<MSG
tend demo: nginx on http://127.0.0.1:8080/ in front of the example backend
(127.0.0.1:3000), under tend as PID 1. nginx starts once the backend's
/api/health answers (the backend waits 2 s before it listens).

From another terminal, try:
  curl http://127.0.0.1:8080/api/v1/towns/selection
  TEND_SOCKET=$DEMO_DIR/tend.sock $tend status
  TEND_SOCKET=$DEMO_DIR/tend.sock $tend signal backend KILL   # it dies; tend restarts it
  TEND_SOCKET=$DEMO_DIR/tend.sock $tend restart backend
    (tend holds the backend's port, \`listen\`: during either, curl waits
    a moment instead of getting a 502)
  kill -HUP \$(cat /proc/$$/task/$$/children)     # tend forwards HUP: nginx reloads
  kill -TERM \$(cat /proc/$$/task/$$/children)    # graceful shutdown: nginx (QUIT) first, then the backend

Ctrl-C here shuts down gracefully too: /health answers 503 "stopping" for
2 s (drain) while everything still serves, then the ordered stop; a second
Ctrl-C ends the drain at once. Config: examples/demo/tend.ini
MSG
# exec: the shell's pid becomes unshare's, so the line above names tend's parent
exec unshare --pid --fork --mount-proc "$tend" -c "$here/demo/tend.ini"
