"""Writes to the embedded index, with the contract of CKAN's ``PackageSearchIndex``.

CKAN's own ``index_package`` builds the document (extras, tags, resources,
permission labels, every ``before_dataset_index``) and hands it to
:class:`IndexConnection` where it would hand it to Solr. Rows are written in
the caller's database transaction, so a dataset and its index entry are
committed, or rolled back, together.
"""
from __future__ import annotations

import functools
import logging
import os
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg

import ckan.model as model
from ckan.common import config
from ckan.lib.search.common import SearchIndexError
from ckan.lib.search.index import PackageSearchIndex

from . import suggest
from .cache import mark_changed
from .document import build_row
from .model import (TEXT_SEARCH_CONFIG, facet_count_table as C, facet_delta_table as D,
                    search_doc_table as T)

log = logging.getLogger(__name__)

# the four weighted sections of the full text, A (title) to D (the rest)
_SECTIONS = ("A", "B", "C", "D")


def _upsert_statement() -> Any:
    """Insert or replace one row, every column of the table from a parameter of its name
    but the full text (built from one parameter a section) and the time of writing."""
    values: dict[str, Any] = {
        column.name: sa.bindparam(column.name, type_=column.type)
        for column in T.c if column.name not in ("tsv", "indexed_at")}
    config_name = sa.literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")
    values["tsv"] = functools.reduce(lambda left, right: left.op("||")(right), [
        sa.func.setweight(sa.func.to_tsvector(config_name, sa.bindparam(f"tsv_{weight}")),
                          sa.literal_column(f"'{weight}'"), type_=T.c.tsv.type)
        for weight in _SECTIONS])
    values["indexed_at"] = sa.func.now()
    insert = pg.insert(T).values(values)
    return insert.on_conflict_do_update(
        index_elements=[T.c.index_id],
        set_={column.name: insert.excluded[column.name]
              for column in T.c if column.name != "index_id"})


# One statement, built once: CKAN indexes thousands of datasets in a rebuild.
_UPSERT = _upsert_statement()

# The facet counts' key of a row, as stored in opengovpe_search_facet_count
_VISIBILITY = """coalesce(state, ''), coalesce(capacity, ''), coalesce(dataset_type, ''),
                 ARRAY(SELECT DISTINCT unnest(permission_labels) ORDER BY 1)"""
_COUNTED = "xid, site_id, state, capacity, dataset_type, permission_labels, term, n"


def _delta_of(rows_sql: str, sign: int) -> sa.TextClause:
    """Record in opengovpe_search_facet_delta the facet terms of the rows ``rows_sql``
    (a CTE named ``src``) with ``sign``."""
    return sa.text(f"""WITH src AS ({rows_sql})
        INSERT INTO {D.name} ({_COUNTED})
        SELECT txid_current(), site_id, {_VISIBILITY}, term, {sign:d}
        FROM src, unnest(facet_terms) AS term""")


# the index row about to be replaced leaves the counts; the new one enters them
_UNCOUNT_OLD = _delta_of(f"SELECT * FROM {T.name} WHERE index_id = :index_id FOR UPDATE", -1)
_COUNT_NEW = _delta_of(f"SELECT * FROM {T.name} WHERE index_id = :index_id", 1)
_FACETS_PENDING = "opengovpe_search_facet_deltas"

# this transaction's deltas, summed into the counts in the order of their key, so that
# two committing writers always lock the same rows in the same order
_FOLD = sa.text(f"""WITH mine AS (
        DELETE FROM {D.name} WHERE xid = txid_current()
        RETURNING site_id, state, capacity, dataset_type, permission_labels, term, n),
    summed AS (
        SELECT site_id, state, capacity, dataset_type, permission_labels, term, sum(n) AS n
        FROM mine GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0)
    INSERT INTO {C.name} SELECT * FROM summed ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (site_id, state, capacity, dataset_type, permission_labels, term)
    DO UPDATE SET n = {C.name}.n + excluded.n""")


def _fold_facet_counts(session: Any) -> None:
    if session.info.pop(_FACETS_PENDING, False):
        session.execute(_FOLD)


def _forget_facet_counts(session: Any) -> None:
    session.info.pop(_FACETS_PENDING, None)


def listen() -> None:
    """Fold each transaction's facet deltas into the counts as it commits (once per process)."""
    if not sa.event.contains(model.Session, "before_commit", _fold_facet_counts):
        sa.event.listen(model.Session, "before_commit", _fold_facet_counts)
        sa.event.listen(model.Session, "after_rollback", _forget_facet_counts)


def write_documents(docs: list[dict[str, Any]]) -> None:
    """Insert or replace index rows for Solr-ready dataset documents."""
    facet_fields = config.get("ckanext.opengovpe.search.facet_fields") or []
    for doc in docs:
        row = build_row(doc, facet_fields)
        sections = row.pop("tsv_sections")
        params = dict(row, **{f"tsv_{weight}": sections[weight] for weight in _SECTIONS})
        try:
            model.Session.execute(_UNCOUNT_OLD, {"index_id": row["index_id"]})
            model.Session.execute(_UPSERT, params)
            model.Session.execute(_COUNT_NEW, {"index_id": row["index_id"]})
            model.Session.info[_FACETS_PENDING] = True
            suggest.write(doc, row)
            mark_changed(row["site_id"])
        except sa_exc.DBAPIError as exc:
            log.error("Could not index dataset %s: %s", row["id"], exc.orig)
            raise SearchIndexError(f"Could not index dataset {row['id']}") from exc


def _forget_parent_connections() -> None:
    """Give a forked process its own database connections.

    ``ckan search-index rebuild-fast`` forks one worker per CPU. With Solr the
    workers only read the database; here they also write to it, and a socket
    shared with the parent process corrupts both sides' conversations. The child
    drops (without closing) what it inherited and opens fresh connections.
    """
    engine = getattr(model.meta, "engine", None)
    if engine is not None:
        engine.dispose(close=False)
    model.Session.registry.clear()


os.register_at_fork(after_in_child=_forget_parent_connections)


class IndexConnection:
    """What CKAN's indexing code talks to instead of a Solr client."""

    url = "postgresql (opengovpe_search)"

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **_: Any) -> None:
        write_documents(docs)

    def commit(self, **_: Any) -> None:
        """Rows are committed with the caller's transaction."""


def connection_factory(decode_dates: bool = True) -> IndexConnection:
    return IndexConnection()


class PostgresPackageSearchIndex(PackageSearchIndex):
    """CKAN's dataset index, kept in PostgreSQL."""

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        reference = pkg_dict.get("id")
        statement = _delta_of(f"DELETE FROM {T.name} WHERE site_id = :site_id "
                              "AND (id = :reference OR name = :reference) RETURNING *", -1)
        try:
            suggest.forget(sa.and_(T.c.site_id == config.get("ckan.site_id"),
                                   sa.or_(T.c.id == reference, T.c.name == reference)))
            model.Session.execute(statement, {"site_id": config.get("ckan.site_id"),
                                              "reference": reference})
            model.Session.info[_FACETS_PENDING] = True
            mark_changed(config.get("ckan.site_id"))
        except sa_exc.DBAPIError as exc:
            raise SearchIndexError(f"Could not remove {reference} from the index") from exc

    def commit(self) -> None:
        """The end of ``ckan search-index rebuild`` and ``rebuild-fast``: the rows are in,
        and the planner gets statistics that describe them (autovacuum may be off, or not
        yet have run: a freshly filled table looks empty and gets the wrong plans)."""
        model.Session.commit()
        try:
            model.Session.execute(sa.text(f"ANALYZE {T.name}"))
            model.Session.commit()
        except sa_exc.DBAPIError as exc:
            model.Session.rollback()
            log.warning("Could not refresh the search index statistics: %s", exc.orig)
        suggest.after_rebuild()

    def clear(self) -> None:
        try:
            suggest.forget(T.c.site_id == config.get("ckan.site_id"))
            for table in (T, C, D):
                model.Session.execute(sa.delete(table).where(
                    table.c.site_id == config.get("ckan.site_id")))
            mark_changed(config.get("ckan.site_id"))
            model.Session.commit()
        except sa_exc.DBAPIError as exc:
            model.Session.rollback()
            raise SearchIndexError("Could not clear the search index") from exc
