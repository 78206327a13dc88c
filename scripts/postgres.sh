#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 cluster on a loopback port for the
# server test suite and the scale benchmarks (Debian's postgresql package).
# Prints the database URL on `start`. As root, the cluster runs as the
# `postgres` system user, as PostgreSQL refuses to run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PORT=${MONESPACE_PG_PORT:-54329}
DIR=${MONESPACE_PG_DIR:-/tmp/monespace-pg-$PORT}
[ -n "$PGBIN" ] || { echo "postgres: not installed (sudo apt-get install postgresql)" >&2; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
      as_pg "$PGBIN/initdb" -D "$DIR" -U monespace --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      as_pg "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/log" -w \
        -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    fi
    "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U monespace -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='monespace'" | grep -q 1 ||
      "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U monespace monespace
    echo "postgresql+psycopg://monespace@127.0.0.1:$PORT/monespace"
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
