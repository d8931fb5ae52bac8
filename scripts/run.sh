#!/usr/bin/env bash
# The portal with demo content on the embedded defaults (PostgreSQL search, no Solr),
# served at http://127.0.0.1:5000. Safe to run again: it only does what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_DB_NAME:-ckan_opengovpe}"
INI="${OPENGOVPE_INI:-$ROOT/ckan.ini}"
HOST="${OPENGOVPE_HOST:-127.0.0.1}"
PORT="${OPENGOVPE_PORT:-5000}"

ensure_system_packages
ensure_postgres
ensure_database "$DB_NAME"
ensure_redis
ensure_venv
mkdir -p "$VAR/storage"

if [ ! -f "$INI" ]; then
  say "Generating $INI"
  ckan_cli /dev/null generate config "$INI" >/dev/null 2>&1 || "$VENV/bin/ckan" generate config "$INI"
  "$VENV/bin/ckan" config-tool "$INI" \
    "sqlalchemy.url = postgresql://$DB_USER:$DB_PASSWORD@$PGHOST:$PGPORT/$DB_NAME" \
    "ckan.site_url = http://$HOST:$PORT" \
    "ckan.redis.url = $REDIS_URL" \
    "ckan.storage_path = $VAR/storage" \
    "solr_url = " >/dev/null
fi
# the portal's own settings, applied on every run so that a newer checkout's reach it
mapfile -t settings < <(grep -vE '^\s*(#|$)' "$ROOT/scripts/portal.ini.in")
"$VENV/bin/ckan" config-tool "$INI" "${settings[@]}" >/dev/null

say "Applying database migrations (CKAN and every enabled plugin)"
ckan_cli "$INI" db upgrade >/dev/null

ADMIN_FILE="$VAR/admin-credentials"
if [ ! -f "$ADMIN_FILE" ]; then
  password="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))')"
  printf 'admin\n%s\n' "$password" > "$ADMIN_FILE"
  chmod 600 "$ADMIN_FILE"
fi
ADMIN_USER="$(sed -n 1p "$ADMIN_FILE")"
ADMIN_PASSWORD="$(sed -n 2p "$ADMIN_FILE")"
if ! ckan_cli "$INI" user show "$ADMIN_USER" 2>/dev/null | grep -q "name=$ADMIN_USER"; then
  say "Creating sysadmin $ADMIN_USER"
  ckan_cli "$INI" user add "$ADMIN_USER" email="$ADMIN_USER@example.org" password="$ADMIN_PASSWORD" >/dev/null
fi
ckan_cli "$INI" sysadmin add "$ADMIN_USER" >/dev/null 2>&1 || true

say "Seeding demo content"
ckan_cli "$INI" opengovpe seed-demo

cat <<MSG

  Portal:   http://$HOST:$PORT
  Sysadmin: $ADMIN_USER / $ADMIN_PASSWORD   (kept in $ADMIN_FILE)
  Config:   $INI

MSG
exec "$VENV/bin/ckan" -c "$INI" run --host "$HOST" --port "$PORT" --disable-reloader
