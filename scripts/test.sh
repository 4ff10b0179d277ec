#!/usr/bin/env bash
# The whole check: lint, import contracts, then the test suite on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh test
bash scripts/system-packages.sh

echo "==> ruff"
.venv/bin/ruff check .
echo "==> import contracts"
.venv/bin/lint-imports --no-cache

echo "==> tests on SQLite"
env -u WMS_TEST_DATABASE_URL .venv/bin/python -m pytest -p no:cacheprovider "$@"

SERVER_URL=$(bash scripts/postgres.sh)
DB="wms_test_$(date +%s)_$$"
BASE="${SERVER_URL%/*}"
drop_db() {
  .venv/bin/python - "$SERVER_URL" "$DB" <<'PY' || true
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with engine.connect() as c:
    c.execute(text(f"DROP DATABASE IF EXISTS {sys.argv[2]} WITH (FORCE)"))
PY
}
trap drop_db EXIT
.venv/bin/python - "$SERVER_URL" "$DB" <<'PY'
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with engine.connect() as c:
    c.execute(text(f"CREATE DATABASE {sys.argv[2]}"))
PY
echo "==> tests on PostgreSQL ($BASE/$DB)"
WMS_TEST_DATABASE_URL="$BASE/$DB" .venv/bin/python -m pytest -p no:cacheprovider "$@"
