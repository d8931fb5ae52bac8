#!/usr/bin/env bash
# The whole test suite, on real PostgreSQL and Redis (and headless Chromium for the
# browser tests), set up from scratch if needed.
# Extra arguments go to pytest (e.g. scripts/test.sh -k search).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_TEST_DB_NAME:-ckan_opengovpe_test}"

ensure_system_packages chromium
ensure_postgres
ensure_database "$DB_NAME"
ensure_redis
ensure_venv
mkdir -p "$VAR/test-storage"

say "Linting"
"$VENV/bin/ruff" check "$ROOT/ckanext" "$ROOT/bench"

say "Running the tests"
cd "$ROOT"
"$VENV/bin/pytest" --ckan-ini=test.ini "$@"
