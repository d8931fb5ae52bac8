#!/bin/bash
# Runs once, when the PostgreSQL data volume is initialised: creates the role
# and database CKAN connects with (CKAN_DB_USER / CKAN_DB_PASSWORD / CKAN_DB).
set -e

psql -v ON_ERROR_STOP=1 \
     --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=db_user="$CKAN_DB_USER" \
     --set=db_password="$CKAN_DB_PASSWORD" \
     --set=db_name="$CKAN_DB" <<'EOSQL'
CREATE ROLE :"db_user" NOSUPERUSER NOCREATEDB NOCREATEROLE LOGIN PASSWORD :'db_password';
CREATE DATABASE :"db_name" OWNER :"db_user" ENCODING 'UTF8' TEMPLATE template0;
EOSQL
