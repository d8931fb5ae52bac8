#!/bin/bash
#
# Start-up of the CKAN web container:
#   1. apply the environment to $CKAN_INI (already done by the entrypoint)
#   2. wait for PostgreSQL and Solr
#   3. run the database migrations: core, then the plugins listed in
#      CKAN_DB_UPGRADE_PLUGINS (default "harvest opengovpe")
#   4. create the sysadmin from CKAN_SYSADMIN_NAME/PASSWORD/EMAIL if missing
#   5. run the hooks in /docker-entrypoint.d (*.sh sourced, *.py executed)
#   6. exec uWSGI on port 5000
#
# MAINTENANCE_MODE=true skips steps 2-5 (useful to start the container and
# fix things by hand with `docker compose exec ckan ...`).

set -eo pipefail

export CKAN_INI="${CKAN_INI:-/srv/app/ckan.ini}"

log() { echo "[start_ckan] $*"; }
ckan_cli() { ckan -c "$CKAN_INI" "$@"; }

if [ "${CKAN_ENV_CONFIG_APPLIED:-}" != "1" ]; then
    /srv/app/setup/ckan_env_config.sh
fi

enabled_plugins() {
    if [ -n "${CKAN__PLUGINS:-}" ]; then
        echo "$CKAN__PLUGINS"
    else
        sed -n 's/^ckan\.plugins *= *//p' "$CKAN_INI"
    fi
}

plugin_enabled() {
    case " $(enabled_plugins) " in
        *" $1 "*) return 0 ;;
    esac
    return 1
}

# A plugin has migrations when ckanext/<name>/migration/<name>/alembic.ini
# exists (the layout `ckan db upgrade -p <name>` looks for).
plugin_has_migrations() {
    python3 - "$1" <<'PY'
import importlib.util
import os
import sys

name = sys.argv[1]
try:
    spec = importlib.util.find_spec("ckanext." + name)
except ModuleNotFoundError:
    spec = None
locations = list(spec.submodule_search_locations or []) if spec else []
sys.exit(0 if any(
    os.path.isfile(os.path.join(loc, "migration", name, "alembic.ini"))
    for loc in locations
) else 1)
PY
}

wait_for_services() {
    python3 - <<'PY'
import os
import sys
import time
import urllib.request

tries = int(os.environ.get("CKAN_WAIT_TRIES", "30"))
delay = float(os.environ.get("CKAN_WAIT_DELAY", "5"))


def wait(what, check):
    for attempt in range(1, tries + 1):
        try:
            check()
            print(f"[start_ckan] {what} is reachable")
            return
        except Exception as exc:  # noqa: BLE001 - report and retry
            print(f"[start_ckan] waiting for {what} ({attempt}/{tries}): {exc}")
            time.sleep(delay)
    sys.exit(f"[start_ckan] giving up: {what} is not reachable")


db_url = os.environ.get("CKAN_SQLALCHEMY_URL")
if db_url:
    import sqlalchemy

    def check_db():
        engine = sqlalchemy.create_engine(db_url)
        try:
            with engine.connect() as conn:
                conn.execute(sqlalchemy.text("SELECT 1"))
        finally:
            engine.dispose()

    wait("PostgreSQL", check_db)

solr_url = os.environ.get("CKAN_SOLR_URL")
if solr_url:
    def check_solr():
        ping = solr_url.rstrip("/") + "/admin/ping?wt=json"
        with urllib.request.urlopen(ping, timeout=10) as resp:
            resp.read()

    wait("Solr", check_solr)
PY
}

run_migrations() {
    log "upgrading the CKAN database (core and enabled plugins)"
    ckan_cli db upgrade

    local plugin
    for plugin in ${CKAN_DB_UPGRADE_PLUGINS-harvest opengovpe}; do
        if ! plugin_enabled "$plugin"; then
            log "plugin $plugin is not in ckan.plugins: no migrations to run"
        elif ! plugin_has_migrations "$plugin"; then
            log "plugin $plugin ships no migrations: skipping"
        else
            log "upgrading the database for plugin $plugin"
            ckan_cli db upgrade -p "$plugin"
        fi
    done
}

create_sysadmin() {
    local name="${CKAN_SYSADMIN_NAME:-}"
    local password="${CKAN_SYSADMIN_PASSWORD:-}"
    local email="${CKAN_SYSADMIN_EMAIL:-}"

    if [ -z "$name" ] || [ -z "$password" ] || [ -z "$email" ]; then
        log "CKAN_SYSADMIN_NAME/PASSWORD/EMAIL not all set: no sysadmin created"
        return 0
    fi
    local shown
    shown="$(ckan_cli user show "$name")"
    if ! grep -qE '^User: *None' <<<"$shown"; then
        log "user $name already exists: sysadmin creation skipped"
        return 0
    fi
    case "$password" in
        *CHANGE_ME*)
            log "WARNING: CKAN_SYSADMIN_PASSWORD still holds the example value; sysadmin $name NOT created."
            log "WARNING: set a real password in .env and restart, or run: ckan -c \$CKAN_INI sysadmin add $name --create email=... password=..."
            return 0 ;;
    esac
    log "creating sysadmin $name"
    ckan_cli sysadmin add "$name" --create "email=$email" "password=$password" >/dev/null
    log "sysadmin $name created"
}

run_hooks() {
    local f
    [ -d /docker-entrypoint.d ] || return 0
    for f in /docker-entrypoint.d/*; do
        case "$f" in
            *.sh)
                log "running hook $f"
                # shellcheck source=/dev/null
                . "$f"
                ;;
            *.py) log "running hook $f"; python3 "$f" ;;
            *) ;;
        esac
    done
}

if [ "${MAINTENANCE_MODE:-false}" = "true" ]; then
    log "MAINTENANCE_MODE=true: skipping migrations, sysadmin creation and hooks"
else
    wait_for_services
    run_migrations
    create_sysadmin
    run_hooks
fi

# the messages of the pages' scripts (the address preview's "Edit", confirmations) in
# each language, written to the storage path: `ckan run` does it at start, uWSGI does not
log "writing the translations of the pages' scripts"
ckan_cli translation js

DEFAULT_UWSGI_OPTS="--wsgi-file /srv/app/wsgi.py \
    --module wsgi:application \
    --http 0.0.0.0:5000 \
    --master --enable-threads --lazy-apps --die-on-term \
    --processes ${UWSGI_PROCESSES:-2} \
    --harakiri ${UWSGI_HARAKIRI:-60} \
    --buffer-size 32768 --vacuum --disable-logging"
UWSGI_OPTS="${UWSGI_OPTS:-$DEFAULT_UWSGI_OPTS} ${EXTRA_UWSGI_OPTS:-}"

log "starting uWSGI"
# shellcheck disable=SC2086 # the options are meant to be split into words
exec uwsgi $UWSGI_OPTS
