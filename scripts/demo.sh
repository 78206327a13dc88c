#!/usr/bin/env bash
# `make demo`: the walking skeleton end to end on the embedded defaults.
# Starts the sandbox portal (SQLite, in .run/demo/), pcscd with the vpcd
# virtual reader, and a virtual eID card for a sandbox citizen; then runs the
# tour (scripts/tour.py), which drives the real `monespace` commands.
# Everything it starts is stopped on exit; nothing outside .run/demo is touched
# (the demo's client config and token live in .run/demo/config).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=$PWD/.run/demo
PORT=${MONESPACE_DEMO_PORT:-8470}
rm -rf "$RUN"; mkdir -p "$RUN"

export MONESPACE_PORTAL_DATABASE_URL="sqlite:///$RUN/portal.sqlite3"
export MONESPACE_PORTAL_SANDBOX=1
export MONESPACE_PORTAL_PKI_DIR="$RUN/pki"
export MONESPACE_CONFIG_DIR="$RUN/config"
export MONESPACE_STATE_DIR="$RUN/state"
export MONESPACE_PORTAL="http://127.0.0.1:$PORT"
export PATH="$PWD/.venv/bin:$PATH"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/pcscd.sh stop
}
trap cleanup EXIT

echo "==> sandbox portal: creating the database and loading the sandbox" >&2
monespace-portal init --sandbox
monespace-portal serve --port "$PORT" >"$RUN/portal.log" 2>&1 &
pids+=($!)
healthy() { python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$MONESPACE_PORTAL/healthz" 2>/dev/null; }
for _ in $(seq 150); do healthy && break; sleep 0.1; done
healthy || { echo "portal did not start, see $RUN/portal.log" >&2; exit 1; }
echo "==> portal listening on $MONESPACE_PORTAL (log: $RUN/portal.log)" >&2

echo "==> pcscd with the vpcd virtual reader" >&2
bash scripts/pcscd.sh start

python scripts/tour.py --run-dir "$RUN" --portal "$MONESPACE_PORTAL"
