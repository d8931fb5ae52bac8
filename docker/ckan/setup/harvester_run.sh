#!/bin/bash
#
# Periodic harvest job: every HARVEST_RUN_INTERVAL seconds (default 300) run
# `ckan harvester run`, which starts the jobs due by each source's frequency
# (or requested from the web interface) and closes the finished ones.
# Every HARVEST_CLEAN_LOG_EVERY runs (default 288, about one day at 5 min)
# the harvest log table is pruned with `ckan harvester clean-harvest-log`;
# set it to 0 to disable.

set -o pipefail

export CKAN_INI="${CKAN_INI:-/srv/app/ckan.ini}"
interval="${HARVEST_RUN_INTERVAL:-300}"
clean_every="${HARVEST_CLEAN_LOG_EVERY:-288}"

log() { echo "[harvester-run] $(date -u '+%Y-%m-%dT%H:%M:%SZ') $*"; }

# Stop promptly on `docker compose stop` instead of waiting out the sleep.
sleeper=""
trap 'log "stopping"; [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; exit 0' TERM INT

count=0
log "running 'ckan harvester run' every ${interval}s"
while true; do
    if ckan -c "$CKAN_INI" harvester run; then
        log "harvester run finished"
    else
        log "harvester run failed with status $? (will retry)"
    fi

    count=$((count + 1))
    if [ "$clean_every" -gt 0 ] && [ $((count % clean_every)) -eq 0 ]; then
        ckan -c "$CKAN_INI" harvester clean-harvest-log || log "clean-harvest-log failed"
    fi

    sleep "$interval" &
    sleeper=$!
    wait "$sleeper"
    sleeper=""
done
