#!/usr/bin/env bash
# Runs the test suite in .venv. pytest's exit code 5 ("no tests collected")
# becomes a failure with a clear message: a suite that ran nothing must not
# look green.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "pytest collected no tests (exit 5): check the selection (-m, -k) or the test paths" >&2
  exit 1
fi
exit $rc
