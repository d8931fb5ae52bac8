#!/bin/bash
#
# Start-up hook (sourced by start_ckan.sh after the migrations).
# The catalogue (/catalog.*, /data.json, catalog-dump) reads each published dataset's
# package_show dict from its own records, which CKAN writes as it indexes a dataset.
# Write the ones a portal upgraded from an older version lacks (a single query when
# there are none).

echo "[catalog] writing missing catalogue records"
ckan -c "$CKAN_INI" opengovpe catalog-records
