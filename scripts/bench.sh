#!/usr/bin/env bash
# Search benchmark on synthetic Spanish datasets (see bench/README.md).
#   bash scripts/bench.sh                    # N=10,000
#   BENCH_N=100000 bash scripts/bench.sh     # N=100,000
# Extra arguments go to bench/search_bench.py (e.g. --regenerate, --repeat 50).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_BENCH_DB_NAME:-ckan_opengovpe_bench}"

ensure_system_packages
ensure_postgres
ensure_database "$DB_NAME"
ensure_redis
ensure_venv
mkdir -p "$VAR/bench-storage" "$ROOT/bench/results"

say "Running the search benchmark (N=${BENCH_N:-10000})"
cd "$ROOT"
"$VENV/bin/python" bench/search_bench.py --ini bench/bench.ini --database "$DB_NAME" \
  --n "${BENCH_N:-10000}" "$@"
