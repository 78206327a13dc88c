#!/usr/bin/env bash
# Start or stop a pcscd (with vsmartcard's vpcd virtual reader) for the demo
# and benchmarks. Where pcscd already runs (systemd's pcscd.socket, or a
# daemon someone else started), it is used as it is and never stopped: we
# only stop the process we started, whose PID is kept in .run/pcscd.pid.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
pidfile=.run/pcscd.pid
sock=/run/pcscd/pcscd.comm

running() { [ -S "$sock" ] && pgrep -x pcscd >/dev/null; }

case "${1:-}" in
  start)
    if running; then echo "pcscd: already running" >&2; exit 0; fi
    if [ ! -f /etc/reader.conf.d/vpcd ]; then
      echo "pcscd: vsmartcard-vpcd is not installed (sudo apt-get install vsmartcard-vpcd)" >&2; exit 1
    fi
    if [ "$(id -u)" != 0 ]; then
      echo "pcscd: not running. Start it with: sudo systemctl start pcscd.socket" >&2; exit 1
    fi
    # vpcd listens on 35963-35964, inside the ephemeral port range: reserve
    # them so no outgoing connection takes them first (best effort).
    f=/proc/sys/net/ipv4/ip_local_reserved_ports
    if [ -w "$f" ] && ! grep -q 35963 "$f"; then
      cur=$(cat "$f"); echo "${cur:+$cur,}35963-35964" >"$f" 2>/dev/null || true
    fi
    pcscd -f -a >.run/pcscd.log 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    [ -S "$sock" ] || { echo "pcscd: did not start, see .run/pcscd.log" >&2; exit 1; }
    echo "pcscd: started (pid $(cat "$pidfile"))" >&2
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
      echo "pcscd: stopped" >&2
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
