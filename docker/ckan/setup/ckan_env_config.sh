#!/bin/bash
#
# Writes the CKAN settings found in the environment into the ini file
# ($CKAN_INI), so that the web application and every command line call
# (harvest consumers, `ckan ...` run by hand) see the same configuration.
#
# Naming rules (the same ones the ckan-docker project uses):
#
#   CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, CKAN_REDIS_URL, CKAN_SITE_URL, ...
#       the variables CKAN core reads by itself (see CORE_KEYS below)
#   CKAN__LOCALE_DEFAULT=es             ->  ckan.locale_default = es
#   CKAN__HARVEST__MQ__TYPE=redis       ->  ckan.harvest.mq.type = redis
#   CKAN___SCHEMING__DATASET_SCHEMAS=x  ->  scheming.dataset_schemas = x
#
# i.e. `CKAN__` adds the `ckan.` prefix, `CKAN___` adds none, a double
# underscore becomes a dot and the name is lower-cased. Flask settings that are
# upper case in the ini file (SECRET_KEY, WTF_CSRF_*, ...) keep their case.
#
# CKAN___BEAKER__SESSION__SECRET is accepted as the value of SECRET_KEY (its
# legacy name). Values that are empty or still contain CHANGE_ME are ignored.
#
# Usage: ckan_env_config.sh            (uses $CKAN_INI, default /srv/app/ckan.ini)

set -eo pipefail

CKAN_INI="${CKAN_INI:-/srv/app/ckan.ini}"

log() { echo "[ckan-config] $*"; }

is_unset_or_placeholder() {
    [ -z "$1" ] && return 0
    case "$1" in
        *CHANGE_ME*) return 0 ;;
    esac
    return 1
}

# configparser (used by CKAN to read the ini file) treats "%" as the start of
# an interpolation, so literal percent signs (e.g. URL-encoded passwords) must
# be doubled. Values that use "%(name)s" on purpose are written as they are.
ini_escape() {
    case "$1" in
        *'%('*) printf '%s' "$1" ;;
        *) printf '%s' "${1//%/%%}" ;;
    esac
}

# Turn the part of a variable name after CKAN__ / CKAN___ into an ini key.
env_name_to_key() {
    local name="$1" prefix="$2"
    if [ -z "$prefix" ] && [[ "$name" =~ ^(SECRET_KEY|WTF_[A-Z0-9_]+|SESSION_[A-Z0-9_]+|PERMANENT_SESSION_LIFETIME|REMEMBER_COOKIE_[A-Z0-9_]+)$ ]]; then
        printf '%s' "$name"
        return
    fi
    name="${name,,}"
    printf '%s%s' "$prefix" "${name//__/.}"
}

# ---------------------------------------------------------------------------
# 1. Make sure there is an ini file to edit
# ---------------------------------------------------------------------------
if [ ! -s "$CKAN_INI" ]; then
    log "$CKAN_INI does not exist: generating it with 'ckan generate config'"
    mkdir -p "$(dirname "$CKAN_INI")"
    ckan generate config "$CKAN_INI"
fi

options=()
applied=()

add_option() {
    options+=("$1=$(ini_escape "$2")")
    applied+=("$1")
}

# ---------------------------------------------------------------------------
# 2. Variables CKAN core understands natively
# ---------------------------------------------------------------------------
declare -A CORE_KEYS=(
    [CKAN_SQLALCHEMY_URL]=sqlalchemy.url
    [CKAN_DATASTORE_WRITE_URL]=ckan.datastore.write_url
    [CKAN_DATASTORE_READ_URL]=ckan.datastore.read_url
    [CKAN_SOLR_URL]=solr_url
    [CKAN_SOLR_USER]=solr_user
    [CKAN_SOLR_PASSWORD]=solr_password
    [CKAN_REDIS_URL]=ckan.redis.url
    [CKAN_SITE_ID]=ckan.site_id
    [CKAN_SITE_URL]=ckan.site_url
    [CKAN_STORAGE_PATH]=ckan.storage_path
    [CKAN_SMTP_SERVER]=smtp.server
    [CKAN_SMTP_STARTTLS]=smtp.starttls
    [CKAN_SMTP_USER]=smtp.user
    [CKAN_SMTP_PASSWORD]=smtp.password
    [CKAN_SMTP_MAIL_FROM]=smtp.mail_from
    [CKAN_MAX_UPLOAD_SIZE_MB]=ckan.max_resource_size
)

for var in "${!CORE_KEYS[@]}"; do
    value="${!var:-}"
    if ! is_unset_or_placeholder "$value"; then
        add_option "${CORE_KEYS[$var]}" "$value"
    fi
done

# ---------------------------------------------------------------------------
# 3. Secret key (SECRET_KEY, formerly beaker.session.secret)
# ---------------------------------------------------------------------------
secret="${CKAN___SECRET_KEY:-}"
if is_unset_or_placeholder "$secret"; then
    secret="${CKAN___BEAKER__SESSION__SECRET:-}"
fi

if ! is_unset_or_placeholder "$secret"; then
    add_option SECRET_KEY "$secret"
elif ! grep -qE '^SECRET_KEY *= *[^ ]' "$CKAN_INI"; then
    log "WARNING: no secret key configured (set CKAN___BEAKER__SESSION__SECRET in .env)."
    log "WARNING: generating a random one; sessions and API tokens will not survive a container re-creation."
    add_option SECRET_KEY "$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
fi

# ---------------------------------------------------------------------------
# 4. Generic CKAN__* / CKAN___* variables
# ---------------------------------------------------------------------------
while read -r var; do
    case "$var" in
        CKAN___SECRET_KEY|CKAN___BEAKER__SESSION__SECRET)
            continue ;;
        CKAN___?*)
            key="$(env_name_to_key "${var#CKAN___}" "")" ;;
        CKAN__?*)
            key="$(env_name_to_key "${var#CKAN__}" "ckan.")" ;;
        *)
            continue ;;
    esac
    value="${!var}"
    if is_unset_or_placeholder "$value"; then
        case "$var" in
            *SECRET*|*PASSWORD*)
                log "WARNING: $var is not set to a real value; leaving $key at its default." ;;
        esac
        continue
    fi
    add_option "$key" "$value"
done < <(compgen -e | LC_ALL=C sort)

# ---------------------------------------------------------------------------
# 5. Write everything in one call (each `ckan` start costs about a second)
# ---------------------------------------------------------------------------
if [ "${#options[@]}" -gt 0 ]; then
    ckan config-tool "$CKAN_INI" "${options[@]}" >/dev/null
    log "updated $CKAN_INI: ${applied[*]}"
else
    log "no settings found in the environment; $CKAN_INI left unchanged"
fi
