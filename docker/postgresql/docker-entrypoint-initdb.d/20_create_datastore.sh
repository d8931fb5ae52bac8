#!/bin/bash
# Runs once, when the PostgreSQL data volume is initialised: prepares the
# database for CKAN's DataStore (owned by the CKAN role, plus a read-only role).
# The datastore plugin is not enabled by default; with these in place enabling
# it only needs CKAN_DATASTORE_WRITE_URL / CKAN_DATASTORE_READ_URL, the plugin
# in CKAN__PLUGINS and `ckan datastore set-permissions`.
set -e

if [ -n "${DATASTORE_DB:-}" ] && [ -n "${DATASTORE_READONLY_USER:-}" ]; then
    psql -v ON_ERROR_STOP=1 \
         --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
         --set=owner="$CKAN_DB_USER" \
         --set=ro_user="$DATASTORE_READONLY_USER" \
         --set=ro_password="$DATASTORE_READONLY_PASSWORD" \
         --set=db_name="$DATASTORE_DB" <<'EOSQL'
CREATE ROLE :"ro_user" NOSUPERUSER NOCREATEDB NOCREATEROLE LOGIN PASSWORD :'ro_password';
CREATE DATABASE :"db_name" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
EOSQL
else
    echo "DATASTORE_DB / DATASTORE_READONLY_USER not set: no DataStore database created"
fi
