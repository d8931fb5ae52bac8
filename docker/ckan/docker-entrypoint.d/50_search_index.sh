#!/bin/bash
#
# Start-up hook (sourced by start_ckan.sh after the migrations).
# CKAN_SEARCH_INDEX_REBUILD controls the Solr index:
#   no       (default) leave it alone
#   missing  index the datasets that are not in Solr yet
#   full     re-index every dataset (after a Solr schema or volume change)

case "${CKAN_SEARCH_INDEX_REBUILD:-no}" in
    missing)
        echo "[search-index] indexing datasets missing from Solr"
        ckan -c "$CKAN_INI" search-index rebuild --only-missing
        ;;
    full)
        echo "[search-index] rebuilding the whole Solr index"
        ckan -c "$CKAN_INI" search-index rebuild
        ;;
    no|"")
        ;;
    *)
        echo "[search-index] unknown CKAN_SEARCH_INDEX_REBUILD=${CKAN_SEARCH_INDEX_REBUILD}; expected no, missing or full"
        ;;
esac
