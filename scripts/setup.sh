#!/usr/bin/env bash
# Creates .venv and installs the project (with test tools when asked); re-installs only when
# pyproject.toml changed. Sourced by run.sh and test.sh.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
EXTRAS="${1:-}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "Python 3.11+ is needed ($PYTHON not found)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ]; then
  echo "==> installing packages${EXTRAS:+ (with $EXTRAS)}"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
