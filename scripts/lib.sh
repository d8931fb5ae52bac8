# Shared set-up steps for scripts/run.sh and scripts/test.sh (sourced, not run).
# Every step checks before it acts, so running it again is quick and changes nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${OPENGOVPE_VENV:-$ROOT/.venv}"
VAR="$ROOT/var"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
DB_USER="${OPENGOVPE_DB_USER:-ckan_opengovpe}"
DB_PASSWORD="${OPENGOVPE_DB_PASSWORD:-ckan_opengovpe}"
REDIS_URL="${OPENGOVPE_REDIS_URL:-redis://127.0.0.1:6379/1}"
export PGHOST PGPORT

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the portal and its tests need
SYSTEM_PACKAGES=(postgresql postgresql-contrib redis-server libpq-dev libmagic1 gcc python3-dev python3-venv)

ensure_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

pg_admin() {
  # trust auth on 127.0.0.1 where it is configured, the postgres OS user otherwise
  if psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
  else
    as_root runuser -u postgres -- psql -p "$PGPORT" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
  fi
}

# pg_cluster start|restart: the newest Debian cluster, then wait until it answers
pg_cluster() {
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main "$1" \
    || { [ "$1" = start ] && as_root service postgresql start; }
  for _ in $(seq 1 30); do
    pg_isready -h "$PGHOST" -p "$PGPORT" -q && return 0
    sleep 1
  done
  echo "PostgreSQL does not answer on $PGHOST:$PGPORT" >&2
  exit 1
}

ensure_postgres() {
  if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
    say "Starting PostgreSQL"
    pg_cluster start
  fi
  if [ "$(pg_admin -c "select 1 from pg_roles where rolname='$DB_USER'")" != "1" ]; then
    say "Creating database role $DB_USER"
    pg_admin -c "create role $DB_USER login password '$DB_PASSWORD'"
  fi
}

ensure_database() {
  local db="$1"
  if [ "$(pg_admin -c "select 1 from pg_database where datname='$db'")" != "1" ]; then
    say "Creating database $db"
    pg_admin -c "create database $db owner $DB_USER encoding 'utf8' template template0"
  fi
  # the search backend's accent folding and the typing help's trigram matching;
  # created by a superuser once
  pg_admin -d "$db" -c "create extension if not exists unaccent" >/dev/null
  pg_admin -d "$db" -c "create extension if not exists pg_trgm" >/dev/null
}

# ensure_worker_databases DB N: DB_gw0 … DB_gw<N-1>, one for each pytest-xdist worker, set up
# as DB is (ckanext/opengovpe/tests/workers.py points each worker at its own)
ensure_worker_databases() {
  local worker
  for ((worker = 0; worker < $2; worker++)); do
    ensure_database "${1}_gw$worker"
  done
}

ensure_redis() {
  if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
    say "Starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/opengovpe.log
    for _ in $(seq 1 20); do
      redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break
      sleep 0.5
    done
  fi
  redis-cli -u "$REDIS_URL" ping >/dev/null || { echo "Redis does not answer at $REDIS_URL" >&2; exit 1; }
}

ensure_venv() {
  local stamp="$VENV/.opengovpe-requirements"
  local wanted
  wanted=$(cat "$ROOT/requirements.txt" "$ROOT/dev-requirements.txt" "$ROOT/constraints.txt" \
             "$ROOT/pyproject.toml" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating virtualenv $VENV"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "Installing CKAN, its extensions and ckanext-opengovpe"
    "$VENV/bin/pip" install -q --upgrade "pip==26.3" "setuptools==84.2.1" wheel
    "$VENV/bin/pip" install -q -c "$ROOT/constraints.txt" \
      -r "$ROOT/requirements.txt" -r "$ROOT/dev-requirements.txt"
    "$VENV/bin/pip" install -q --no-deps -e "$ROOT"
    echo "$wanted" > "$stamp"
  fi
  # message catalogues are built from the .po files, never committed
  local po
  for po in "$ROOT"/ckanext/opengovpe/i18n/*/LC_MESSAGES/*.po; do
    "$VENV/bin/pybabel" -q compile -i "$po" -o "${po%.po}.mo"
  done
}

ckan_cli() {
  "$VENV/bin/ckan" -c "$1" "${@:2}"
}
