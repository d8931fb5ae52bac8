#!/bin/bash
#
# Entrypoint of every container built from the CKAN image (web application,
# harvest consumers and the periodic harvest job): bring $CKAN_INI in line
# with the environment, then run the container's command.

set -eo pipefail

export CKAN_INI="${CKAN_INI:-/srv/app/ckan.ini}"

/srv/app/setup/ckan_env_config.sh
export CKAN_ENV_CONFIG_APPLIED=1

exec "$@"
