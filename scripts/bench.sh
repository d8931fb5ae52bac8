#!/usr/bin/env bash
# Search benchmark on synthetic Spanish datasets (see bench/README.md).
#   bash scripts/bench.sh                    # N=10,000
#   BENCH_N=100000 bash scripts/bench.sh     # N=100,000
#   bash scripts/bench.sh programme          # plan of 200 items / 1,000 milestones, 2,000 entities
#   bash scripts/bench.sh faults             # PostgreSQL / Redis stopped during a burst (root)
#   bash scripts/bench.sh load               # gunicorn + locust, two minutes, 10,000 datasets
#   bash scripts/bench.sh harvest-faults     # consumers killed, PostgreSQL/Redis restarted (root)
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

if [ "${1:-}" = load ]; then
  shift
  ensure_database ckan_opengovpe_bench_load
  say "Running the load test"
  exec "$VENV/bin/python" bench/load_bench.py --ini bench/load.ini "$@"
fi

restart_postgres() {
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do
    pg_isready -h "$PGHOST" -p "$PGPORT" -q && return 0
    sleep 1
  done
  echo "PostgreSQL did not come back after the restart" >&2
  exit 1
}

# BENCH_PG_SHARED_BUFFERS=1GB: run with PostgreSQL's shared_buffers at that size (the
# server is restarted, and restarted again with its own setting at the end). With the
# default 128MB, an index of 100,000 datasets does not fit, and queries read from disk.
if [ -n "${BENCH_PG_SHARED_BUFFERS:-}" ]; then
  say "PostgreSQL shared_buffers = $BENCH_PG_SHARED_BUFFERS for this run"
  pg_admin -c "alter system set shared_buffers = '$BENCH_PG_SHARED_BUFFERS'"
  restart_postgres
  trap 'say "Restoring PostgreSQL shared_buffers"; pg_admin -c "alter system reset shared_buffers"; restart_postgres' EXIT
fi

say "Running the search benchmark (N=${BENCH_N:-10000})"
"$VENV/bin/python" bench/search_bench.py --ini bench/bench.ini --database "$DB_NAME" \
  --n "${BENCH_N:-10000}" "$@"
