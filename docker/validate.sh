#!/usr/bin/env bash
#
# Static check of the Docker stack: `docker compose config -q` on
# docker-compose.yml with the variables of .env.example. Needs only the docker
# CLI with the compose plugin, no running Docker engine.
#
# Exit status: 0 when the file is valid or when the check had to be skipped
# (the message then starts with "SKIP:"), non-zero when the file is invalid.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v docker >/dev/null 2>&1; then
    echo "SKIP: docker CLI not found; docker/docker-compose.yml was not validated."
    exit 0
fi
if ! docker compose version >/dev/null 2>&1; then
    echo "SKIP: 'docker compose' (compose plugin) not available; docker/docker-compose.yml was not validated."
    exit 0
fi

# env_file in docker-compose.yml points at .env; borrow .env.example for the
# check when there is none, and remove the copy afterwards.
created_env=0
cleanup() {
    if [ "$created_env" -eq 1 ]; then
        rm -f .env
    fi
}
trap cleanup EXIT

if [ ! -e .env ]; then
    cp .env.example .env
    created_env=1
fi

docker compose --env-file .env.example -f docker-compose.yml config -q
echo "OK: docker/docker-compose.yml is valid ($(docker compose version --short 2>/dev/null || echo 'compose'))."
