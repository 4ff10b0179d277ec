#!/usr/bin/env bash
# Prints a PostgreSQL server URL for the tests: WMS_TEST_DATABASE_URL when set, otherwise the
# local server at 127.0.0.1:5432 (user postgres, trust auth), started or installed if needed.
set -euo pipefail

if [ -n "${WMS_TEST_DATABASE_URL:-}" ]; then
  echo "$WMS_TEST_DATABASE_URL"
  exit 0
fi
URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

reachable() {
  .venv/bin/python - <<'PY' >/dev/null 2>&1
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
PY
}

start_cluster() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>/dev/null || true
  for _ in $(seq 1 30); do reachable && return 0; sleep 1; done
  return 1
}

trust_localhost() {
  local version hba
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "pavilion-wms tests" "$hba"; then
    # A throw-away test server only: let the tests connect as postgres without a password.
    $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust # pavilion-wms tests\nhost all postgres ::1/128 trust # pavilion-wms tests' "$hba"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2 2>/dev/null || true
}

if reachable; then echo "$URL"; exit 0; fi
echo "==> no PostgreSQL answering on 127.0.0.1:5432; starting the installed one" >&2
if ! start_cluster; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "==> installing PostgreSQL (Debian package)" >&2
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  fi
  trust_localhost
  start_cluster || { echo "could not start PostgreSQL" >&2; exit 1; }
fi
reachable || { trust_localhost; sleep 1; }
reachable || { echo "PostgreSQL runs but refuses user postgres on 127.0.0.1" >&2; exit 1; }
echo "$URL"
