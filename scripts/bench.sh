#!/usr/bin/env bash
# `make bench`: runs every benchmark under bench/, prints their tables and
# writes bench/RESULTS.md (bench/report.py) with the machine they ran on.
# Benchmarks measure; they never fail on a number (no timing assertions).
# BENCH_QUICK=1 runs them at small sizes (a smoke run, minutes not an hour).
# With WITH_POSTGRES=1 the portal and load benchmarks also run on a
# throw-away PostgreSQL 15 (scripts/postgres.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
rc=0
run() {
  echo "== $*" >&2
  "$PY" "$@" || { echo "benchmark $* failed" >&2; rc=1; }
}
rm -rf bench/results
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
  big=5000; huge=20000; clients=50; seconds=10; streams=500; more=0
else
  big=100000; huge=1000000; clients=300; seconds=30; streams=2000; more=10000
fi
run bench/cli_startup.py
run bench/eid_bench.py
run bench/revocation_bench.py
run bench/token_bench.py
run bench/portal_bench.py --dossiers "$big"
run bench/portal_bench.py --dossiers "$huge" --requests 100 --submits 20
run bench/load_bench.py --clients "$clients" --seconds "$seconds"
run bench/bulk_bench.py
run bench/sheet_bench.py
run bench/tui_bench.py --dossiers "$big"
run bench/stream_bench.py --streams "$streams" --also "$more" --load-clients "$clients" --load-seconds "$seconds"
if [[ "${WITH_POSTGRES:-}" == 1 ]]; then
  base="$(scripts/postgres.sh start)"; base="${base%/*}"
  for db in bench_portal bench_load bench_streams; do
    psql "${base/+psycopg/}/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  done
  run bench/portal_bench.py --dossiers "$big" --postgres "$base/bench_portal"
  psql "${base/+psycopg/}/postgres" -qc "DROP DATABASE bench_portal" -c "CREATE DATABASE bench_portal"
  run bench/portal_bench.py --dossiers "$huge" --requests 100 --submits 20 --postgres "$base/bench_portal"
  run bench/load_bench.py --clients "$clients" --seconds "$seconds" --postgres "$base/bench_load"
  run bench/stream_bench.py --streams "$streams" --load-clients "$clients" --load-seconds "$seconds" --postgres "$base/bench_streams"
  scripts/postgres.sh stop
fi
"$PY" bench/report.py || rc=1
exit $rc
