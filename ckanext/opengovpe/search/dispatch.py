"""Plug the PostgreSQL backend into CKAN's search dispatch.

CKAN chooses its search classes through ``ckan.lib.search``'s registries
(``_INDICES``/``_QUERIES``, read by ``index_for``/``query_for``); a few core
callers instantiate ``PackageSearchQuery`` directly, and the indexing code gets
its Solr client from ``ckan.lib.search.index.make_connection``. CKAN has no
public interface for a search backend, so these private names are touched here
and nowhere else.

What is put there are dispatchers that ask, at each call, whether the
``opengovpe_search`` plugin is loaded, and hand over to CKAN's own Solr classes
when it is not. CKAN tells no plugin about its own unloading, so this keeps
stock behaviour exact after an unload (as the test suite does between tests);
a process that never loads the plugin never gets here at all.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.index as search_index
import ckan.plugins as plugins

from . import cache
from . import index
from .index import PostgresPackageSearchIndex, connection_factory
from .query import PostgresPackageSearchQuery

log = logging.getLogger(__name__)

PLUGIN = "opengovpe_search"

_originals: dict[str, Any] = {}


def active() -> bool:
    return plugins.plugin_loaded(PLUGIN)


class PackageIndexDispatcher:
    """Stands for ``PackageSearchIndex`` in CKAN's registry."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if active():
            return PostgresPackageSearchIndex(*args, **kwargs)
        return _originals["index"](*args, **kwargs)


class PackageQueryDispatcher:
    """Stands for ``PackageSearchQuery`` in CKAN's registry and module."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if active():
            return PostgresPackageSearchQuery(*args, **kwargs)
        return _originals["query"](*args, **kwargs)


def _make_connection(*args: Any, **kwargs: Any) -> Any:
    if active():
        return connection_factory(*args, **kwargs)
    return _originals["make_connection"](*args, **kwargs)


def _check_solr_schema_version(*args: Any, **kwargs: Any) -> bool:
    if active():
        # no Solr to check: the index schema comes from alembic
        return False
    return _originals["schema_check"](*args, **kwargs)


def install() -> None:
    """Put the dispatchers in place, once per process."""
    if _originals:
        return
    _originals.update(
        index=search._INDICES["package"],
        query=search._QUERIES["package"],
        make_connection=search_index.make_connection,
        schema_check=search.check_solr_schema_version,
    )
    search._INDICES["package"] = PackageIndexDispatcher  # type: ignore[assignment]
    search._QUERIES["package"] = PackageQueryDispatcher  # type: ignore[assignment]
    search.PackageSearchQuery = PackageQueryDispatcher  # type: ignore[misc,assignment]
    search_index.make_connection = _make_connection  # type: ignore[assignment]
    search.check_solr_schema_version = _check_solr_schema_version
    cache.listen()
    index.listen()
    log.debug("Dataset search dispatch extended with PostgreSQL")
