#!/usr/bin/env bash
# `make bench`: runs every benchmark under bench/ and prints their tables.
# Benchmarks measure; they never fail on a number (no timing assertions).
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
for b in bench/*.py; do
  echo "== $b" >&2
  .venv/bin/python "$b" || { echo "benchmark $b failed" >&2; rc=1; }
done
exit $rc
