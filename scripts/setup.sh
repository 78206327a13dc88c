#!/usr/bin/env bash
# Installs what monespace needs on a Debian 12 machine, idempotently:
# the Debian packages (with apt-get when run as root; otherwise it prints
# the one apt-get line to run) and a virtualenv .venv with the package and
# its extras. Used by `make demo` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
DEB_PACKAGES=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools swig gcc python3-dev python3-venv tmux
  chromium chromium-driver)  # the browser tests of the device-login page
if [ "${WITH_POSTGRES:-0}" = 1 ]; then DEB_PACKAGES+=(postgresql); fi

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages. Run this once, then run make again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  echo "setup: installing monespace and its extras into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[portal,dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
