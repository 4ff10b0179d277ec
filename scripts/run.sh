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
# The marketplace sandboxes (Shopee, Lazada, TikTok Shop on ports 5100-5102) and the worker
# (merchant webhooks, stock to the marketplaces) run beside the web server and stop with it.
SANDBOX_PORT="${WMS_SANDBOX_PORT:-5100}"
.venv/bin/python -m wms.channels.sandbox --port "$SANDBOX_PORT" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  if .venv/bin/python -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" "$SANDBOX_PORT" 2>/dev/null; then break; fi
  sleep 0.2
done
.venv/bin/flask wms connect-sandbox --shopee "http://127.0.0.1:$SANDBOX_PORT" \
  --webhook "http://127.0.0.1:${WMS_PORT:-5000}/api/v1/channels/shopee/webhook" \
  || echo "The marketplace sandbox did not answer on port $SANDBOX_PORT: the demo's Shopee MY shop is not connected."
.venv/bin/flask wms relay &
RELAY_PID=$!
trap 'kill "$RELAY_PID" "$SANDBOX_PID" 2>/dev/null || true' EXIT
.venv/bin/flask run --host 127.0.0.1 --port "${WMS_PORT:-5000}"
