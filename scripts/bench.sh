#!/usr/bin/env bash
# Search benchmark on synthetic Spanish datasets (see bench/README.md).
#   bash scripts/bench.sh                    # N=10,000
#   BENCH_N=100000 bash scripts/bench.sh     # N=100,000
#   bash scripts/bench.sh programme          # plan of 200 items / 1,000 milestones, 2,000 entities
#   bash scripts/bench.sh usage              # usage of 2,000 entities, 100,000 tracking rows
#   bash scripts/bench.sh quality            # quality summary over 100,000 stored scores
#   bash scripts/bench.sh faults             # PostgreSQL / Redis stopped during a burst (root)
#   bash scripts/bench.sh load               # gunicorn + locust, two minutes, 10,000 datasets
#   bash scripts/bench.sh harvest-faults     # consumers killed, PostgreSQL/Redis restarted (root)
#   bash scripts/bench.sh fuzz --minutes 10  # generated attack on every entry point, random seed
# Extra arguments go to the benchmark script (e.g. --regenerate, --repeat 50).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_BENCH_DB_NAME:-ckan_opengovpe_bench}"

ensure_system_packages
ensure_postgres
ensure_database "$DB_NAME"
ensure_redis
ensure_venv
mkdir -p "$VAR/bench-storage" "$ROOT/bench/results"

cd "$ROOT"
if [ "${1:-}" = programme ]; then
  shift
  ensure_database ckan_opengovpe_bench_programme
  say "Running the programme benchmark"
  exec "$VENV/bin/python" bench/programme_bench.py --ini bench/programme.ini "$@"
fi

if [ "${1:-}" = usage ]; then
  shift
  ensure_database ckan_opengovpe_bench_usage
  say "Running the usage benchmark"
  exec "$VENV/bin/python" bench/usage_bench.py --ini bench/usage.ini "$@"
fi

if [ "${1:-}" = quality ]; then
  shift
  ensure_database ckan_opengovpe_bench_quality
  say "Running the quality benchmark"
  exec "$VENV/bin/python" bench/quality_bench.py "$@"
fi

if [ "${1:-}" = faults ]; then
  shift
  ensure_database ckan_opengovpe_bench_load
  say "Running the fault scenarios (PostgreSQL and Redis are restarted)"
  exec "$VENV/bin/python" bench/faults.py --ini bench/load.ini "$@"
fi

if [ "${1:-}" = harvest-faults ]; then
  shift
  ensure_database ckan_opengovpe_hf
  say "Running the harvest fault scenarios (PostgreSQL and Redis are restarted)"
  exec "$VENV/bin/python" bench/harvest_faults.py "$@"
fi

if [ "${1:-}" = fuzz ]; then
  shift
  minutes=10
  if [ "${1:-}" = --minutes ]; then minutes="$2"; shift 2; fi
  fuzz_db="${OPENGOVPE_FUZZ_DB_NAME:-ckan_opengovpe_fuzz}"
  ensure_database "$fuzz_db"
  export CKAN_SQLALCHEMY_URL="${CKAN_SQLALCHEMY_URL:-postgresql://$DB_USER:$DB_PASSWORD@$PGHOST:$PGPORT/$fuzz_db}"
  seed="${OPENGOVPE_FUZZ_SEED:-$RANDOM$RANDOM}"
  stats="$ROOT/bench/results/fuzz-$seed.json"
  say "Fuzzing every entry point for $minutes minutes (seed $seed)"
  # the minutes count from the end of collection, the two worlds' set-up included
  status=0
  # OPENGOVPE_FUZZ=long-triage: list what fails without the time shrinking it takes
  OPENGOVPE_FUZZ="${OPENGOVPE_FUZZ:-long}" OPENGOVPE_FUZZ_STATS="$stats" OPENGOVPE_FUZZ_MINUTES="$minutes" \
    "$VENV/bin/pytest" --ckan-ini=test.ini -p no:cacheprovider -q -rf \
    --hypothesis-seed="$seed" ckanext/opengovpe/tests/security/test_fuzz_actions.py \
    ckanext/opengovpe/tests/security/test_fuzz_pages.py "$@" || status=$?
  "$VENV/bin/python" - "$stats" "$seed" <<'PY'
import json, sys
counts = json.load(open(sys.argv[1])) if __import__("os").path.exists(sys.argv[1]) else {}
print(f"examples run: {sum(counts.values())} over {len(counts)} entry points "
      f"(seed {sys.argv[2]}; per entry point in {sys.argv[1]})")
PY
  say "Failing entry points are listed above (FAILED ...); rerun one with OPENGOVPE_FUZZ_SEED=$seed"
  exit "$status"
fi

if [ "${1:-}" = load ]; then
  shift
  ensure_database ckan_opengovpe_bench_load
  say "Running the load test"
  exec "$VENV/bin/python" bench/load_bench.py --ini bench/load.ini "$@"
fi

restore_shared_buffers() {
  say "Restoring PostgreSQL shared_buffers"
  if pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
    pg_admin -c "alter system reset shared_buffers"
    pg_cluster restart
  else
    # the server did not start with the size asked for: take it out of the file
    # ALTER SYSTEM wrote, which needs no running server
    local datadir
    datadir=$(pg_lsclusters -h | sort -V | tail -n1 | awk '{print $6}')
    as_root sed -i '/^shared_buffers *=/d' "$datadir/postgresql.auto.conf"
    pg_cluster start
  fi
}

# BENCH_PG_SHARED_BUFFERS=1GB: run with PostgreSQL's shared_buffers at that size (the
# server is restarted, and restarted again with its own setting at the end). With the
# default 128MB, an index of 100,000 datasets does not fit, and queries read from disk.
if [ -n "${BENCH_PG_SHARED_BUFFERS:-}" ]; then
  say "PostgreSQL shared_buffers = $BENCH_PG_SHARED_BUFFERS for this run"
  # armed before the change: a size the server refuses to start with is undone too
  trap restore_shared_buffers EXIT
  pg_admin -c "alter system set shared_buffers = '$BENCH_PG_SHARED_BUFFERS'"
  pg_cluster restart
fi

say "Running the search benchmark (N=${BENCH_N:-10000})"
"$VENV/bin/python" bench/search_bench.py --ini bench/bench.ini --database "$DB_NAME" \
  --n "${BENCH_N:-10000}" "$@"
