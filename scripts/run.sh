#!/usr/bin/env bash
# The whole portal with demo content on the embedded defaults (PostgreSQL search, no Solr),
# served at http://127.0.0.1:5000: the web server (gunicorn, several workers), the harvest
# gather and fetch consumers, the jobs worker and the scheduler of the recurring jobs, kept
# running by supervisord (one that dies is restarted); Ctrl-C stops them all.
# Safe to run again: it only does what is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NAME="${OPENGOVPE_DB_NAME:-ckan_opengovpe}"
INI="${OPENGOVPE_INI:-$ROOT/ckan.ini}"
HOST="${OPENGOVPE_HOST:-127.0.0.1}"
PORT="${OPENGOVPE_PORT:-5000}"
WEB_WORKERS="${OPENGOVPE_WEB_WORKERS:-3}"
SUPERVISOR_CONF="$VAR/supervisord.conf"

if [ -f "$VAR/supervisord.pid" ] && kill -0 "$(cat "$VAR/supervisord.pid")" 2>/dev/null; then
  echo "The portal is already running (supervisord $(cat "$VAR/supervisord.pid")); Ctrl-C there stops it." >&2
  exit 1
fi

# one supervised program: restarted when it dies, stopped with its children on Ctrl-C
program() {
  local name="$1" log="$2"
  shift 2
  printf '\n[program:%s]\ncommand = %s\n' "$name" "$*"
  printf 'stdout_logfile = %s\nredirect_stderr = true\n' "$log"
  # the terminal cannot be rotated
  if [ "$log" = /dev/stdout ]; then printf 'stdout_logfile_maxbytes = 0\n'; fi
  printf 'autorestart = true\nstartsecs = 5\nstopasgroup = true\nkillasgroup = true\n'
  printf 'stopwaitsecs = 20\n'
}

write_supervisor_conf() {
  local ckan="$VENV/bin/ckan -c $INI"
  {
    printf '; written by scripts/run.sh on every run\n[supervisord]\n'
    printf 'pidfile = %s\nlogfile = %s\nchildlogdir = %s\nenvironment = CKAN_INI="%s"\n' \
      "$VAR/supervisord.pid" "$VAR/log/supervisord.log" "$VAR/log" "$INI"
    program web /dev/stdout "$VENV/bin/gunicorn" --workers "$WEB_WORKERS" \
      --bind "$HOST:$PORT" --timeout 60 "'ckanext.opengovpe.wsgi:create_app()'"
    program harvest-gather "$VAR/log/harvest-gather.log" "$ckan" opengovpe harvest-consumer gather
    program harvest-fetch "$VAR/log/harvest-fetch.log" "$ckan" opengovpe harvest-consumer fetch
    program jobs-worker "$VAR/log/jobs-worker.log" "$ckan" jobs worker
    program scheduler "$VAR/log/scheduler.log" "$ckan" opengovpe scheduler
  } > "$SUPERVISOR_CONF"
}

ensure_system_packages
ensure_postgres
ensure_database "$DB_NAME"
ensure_redis
ensure_venv
mkdir -p "$VAR/storage" "$VAR/log"

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
# the demo's procurement source reads the OECE records from this directory only
mkdir -p "$VAR/ocds"
"$VENV/bin/ckan" config-tool "$INI" "ckanext.opengovpe.ocds.local_directory = $VAR/ocds" >/dev/null

say "Applying database migrations (CKAN and every enabled plugin)"
ckan_cli "$INI" db upgrade >/dev/null
# the messages of the pages' scripts (the address preview's "Edit", confirmations) in
# each language: `ckan run` writes them at start, a gunicorn worker does not
ckan_cli "$INI" translation js >/dev/null

ADMIN_FILE="$VAR/admin-credentials"
NEW_PASSWORD=0
if [ ! -f "$ADMIN_FILE" ]; then
  password="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))')"
  printf 'admin\n%s\n' "$password" > "$ADMIN_FILE"
  chmod 600 "$ADMIN_FILE"
  NEW_PASSWORD=1
fi
ADMIN_USER="$(sed -n 1p "$ADMIN_FILE")"
ADMIN_PASSWORD="$(sed -n 2p "$ADMIN_FILE")"
if ! ckan_cli "$INI" user show "$ADMIN_USER" 2>/dev/null | grep -q "name=$ADMIN_USER"; then
  say "Creating sysadmin $ADMIN_USER"
  ckan_cli "$INI" user add "$ADMIN_USER" email="$ADMIN_USER@example.org" password="$ADMIN_PASSWORD" >/dev/null
elif [ "$NEW_PASSWORD" = 1 ]; then
  # the file was lost but the database kept the user: the password printed below must work
  say "Setting a new password for $ADMIN_USER"
  printf '%s\n%s\n' "$ADMIN_PASSWORD" "$ADMIN_PASSWORD" | ckan_cli "$INI" user setpass "$ADMIN_USER" >/dev/null
fi
ckan_cli "$INI" sysadmin add "$ADMIN_USER" >/dev/null 2>&1 || true

say "Seeding demo content"
ckan_cli "$INI" opengovpe seed-demo

cat <<MSG

  Portal:   http://$HOST:$PORT
  Sysadmin: $ADMIN_USER / $ADMIN_PASSWORD   (kept in $ADMIN_FILE)
  Config:   $INI
  Running:  web server (gunicorn, $WEB_WORKERS workers), harvest gather and fetch consumers,
            jobs worker, scheduler of the recurring jobs; logs in $VAR/log
            Ctrl-C stops them all.

MSG
write_supervisor_conf
exec "$VENV/bin/supervisord" --nodaemon --configuration "$SUPERVISOR_CONF"
