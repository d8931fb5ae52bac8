"""Plug the PostgreSQL backend into CKAN's search dispatch, and take it out again.

CKAN chooses its search classes through ``ckan.lib.search``'s registries
(``_INDICES``/``_QUERIES``, read by ``index_for``/``query_for``); a few core
callers instantiate ``PackageSearchQuery`` directly, and the indexing code gets
its Solr client from ``ckan.lib.search.index.make_connection``. CKAN has no
public interface for a search backend, so these private names are touched here
and nowhere else. Every original is kept and put back by :func:`uninstall`, so
leaving the plugin out of ``ckan.plugins`` gives stock CKAN on Solr.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.index as search_index

from .index import PostgresPackageSearchIndex, connection_factory
from .query import PostgresPackageSearchQuery

log = logging.getLogger(__name__)

_originals: dict[str, Any] = {}


def _no_solr_schema_check(schema_file: Any = None) -> bool:
    """There is no Solr schema to check: the index schema comes from alembic."""
    return False


def install() -> None:
    if _originals:
        return
    _originals.update(
        index=search._INDICES["package"],
        query=search._QUERIES["package"],
        query_class=search.PackageSearchQuery,
        make_connection=search_index.make_connection,
        schema_check=search.check_solr_schema_version,
    )
    search._INDICES["package"] = PostgresPackageSearchIndex
    search._QUERIES["package"] = PostgresPackageSearchQuery
    search.PackageSearchQuery = PostgresPackageSearchQuery  # type: ignore[misc]
    search_index.make_connection = connection_factory  # type: ignore[assignment]
    search.check_solr_schema_version = _no_solr_schema_check
    log.debug("Dataset search served by PostgreSQL")


def uninstall() -> None:
    if not _originals:
        return
    search._INDICES["package"] = _originals["index"]
    search._QUERIES["package"] = _originals["query"]
    search.PackageSearchQuery = _originals["query_class"]  # type: ignore[misc]
    search_index.make_connection = _originals["make_connection"]
    search.check_solr_schema_version = _originals["schema_check"]
    _originals.clear()


def is_installed() -> bool:
    return bool(_originals)
