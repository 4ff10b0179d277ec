#!/usr/bin/env bash
# Sets everything up (virtualenv, packages, SQLite database, migrations, demo data) and serves
# the app at http://127.0.0.1:5000, with the outbox relay beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh
export FLASK_APP="wms.app:create_app()"
.venv/bin/flask wms migrate
.venv/bin/flask wms load-demo --if-empty
# The delivery route search is compiled once per machine (numba caches it beside the code).
.venv/bin/python -c "from routing.vrp_solver import warm_up; warm_up()"
echo
echo "Pavilion WMS: http://127.0.0.1:${WMS_PORT:-5000}  (API docs: /api/v1/docs)"
echo
# The outbox relay (merchant webhooks) runs beside the web server and stops with it.
.venv/bin/flask wms relay &
RELAY_PID=$!
trap 'kill "$RELAY_PID" 2>/dev/null || true' EXIT
.venv/bin/flask run --host 127.0.0.1 --port "${WMS_PORT:-5000}"
