#!/usr/bin/env bash
# The whole test suite, on real PostgreSQL and Redis (and headless Chromium for the
# browser tests), set up from scratch if needed.
# Extra arguments go to pytest (e.g. scripts/test.sh -k search).
# The tests run in this process by default; OPENGOVPE_TEST_WORKERS=N (N > 1) runs them on N
# processes (pytest-xdist), each with a database <test db>_gw<n> of its own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_TEST_DB_NAME:-ckan_opengovpe_test}"
WORKERS="${OPENGOVPE_TEST_WORKERS:-1}"

ensure_system_packages chromium
ensure_postgres
ensure_database "$DB_NAME"
if [ "$WORKERS" -gt 1 ]; then
  ensure_worker_databases "$DB_NAME" "$WORKERS"
  # tests sharing a fixture or a resource stay together (ckanext/opengovpe/tests/workers.py)
  set -- -n "$WORKERS" --dist loadgroup "$@"
fi
ensure_redis
ensure_venv
mkdir -p "$VAR/test-storage"

say "Linting"
"$VENV/bin/ruff" check "$ROOT/ckanext" "$ROOT/bench"

say "Running the tests"
cd "$ROOT"
"$VENV/bin/pytest" --ckan-ini=test.ini "$@"
