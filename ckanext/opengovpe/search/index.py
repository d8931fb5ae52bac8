"""Writes to the embedded index, with the contract of CKAN's ``PackageSearchIndex``.

CKAN's own ``index_package`` builds the document (extras, tags, resources,
permission labels, every ``before_dataset_index``) and hands it to
:class:`IndexConnection` where it would hand it to Solr. Rows are written in
the caller's database transaction, so a dataset and its index entry are
committed, or rolled back, together.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.model as model
from ckan.common import config
from ckan.lib.search.common import SearchIndexError
from ckan.lib.search.index import PackageSearchIndex

from . import suggest, words
from .cache import mark_changed
from .document import build_row
from .model import (COUNTED_TERMS, TEXT_SEARCH_CONFIG, facet_count_table as C,
                    facet_delta_table as D,
                    search_doc_table as T, upsert,
                    word_count_table as W, word_delta_table as WD)

log = logging.getLogger(__name__)

# the four weighted sections of the full text, A (title) to D (the rest)
_SECTIONS = ("A", "B", "C", "D")


def _upsert_statement() -> sa.TextClause:
    """Insert or replace one row, every column of the table from a parameter of its name
    but the full text (built from one parameter a section) and the time of writing."""
    vector = " || ".join(
        f"setweight(to_tsvector('{TEXT_SEARCH_CONFIG}'::regconfig, :tsv_{weight}), '{weight}')"
        for weight in _SECTIONS)
    return upsert(T, "index_id", {"tsv": vector, "indexed_at": "now()"})


# One statement, built once: CKAN indexes thousands of datasets in a rebuild.
_UPSERT = _upsert_statement()

# The facet and word counts' key of a row, as stored in their tables
_VISIBILITY = """coalesce(state, ''), coalesce(capacity, ''), coalesce(dataset_type, ''),
                 ARRAY(SELECT DISTINCT unnest(permission_labels) ORDER BY 1)"""
_KEY = "state, capacity, dataset_type, permission_labels"


def _delta_of(rows_sql: str, sign: int, words: bool = True) -> sa.TextClause:
    """Record the facet terms (and, with ``words``, the full-text words) of the rows
    ``rows_sql`` (a CTE named ``src``) with ``sign`` in the delta tables."""
    facets = f"""INSERT INTO {D.name} (xid, site_id, {_KEY}, term, n)
        SELECT txid_current(), site_id, {_VISIBILITY}, term, {sign:d}
        FROM src, {COUNTED_TERMS} AS term"""
    if not words:
        return sa.text(f"WITH src AS ({rows_sql}) {facets}")
    return sa.text(f"""WITH src AS ({rows_sql}), facets AS ({facets})
        INSERT INTO {WD.name} (xid, site_id, word, {_KEY}, n)
        SELECT txid_current(), site_id, word, {_VISIBILITY}, {sign:d}
        FROM src, unnest(tsvector_to_array(tsv)) AS word""")


# the index row about to be replaced leaves the counts; the new one enters them
_OLD_ROW = f"SELECT * FROM {T.name} WHERE index_id = :index_id FOR UPDATE"
_NEW_ROW = f"SELECT * FROM {T.name} WHERE index_id = :index_id"
_UNCOUNT_OLD = {words: _delta_of(_OLD_ROW, -1, words) for words in (True, False)}
_COUNT_NEW = {words: _delta_of(_NEW_ROW, 1, words) for words in (True, False)}
_COUNTS_PENDING = "opengovpe_search_count_deltas"


def _fold(counts: sa.Table, deltas: sa.Table) -> sa.TextClause:
    """This transaction's deltas, summed into the counts in the order of their key, so that
    two committing writers always lock the same rows in the same order."""
    key = ", ".join(column.name for column in counts.primary_key.columns)
    positions = ", ".join(str(i + 1) for i in range(len(counts.primary_key.columns)))
    return sa.text(f"""WITH mine AS (
            DELETE FROM {deltas.name} WHERE xid = txid_current() RETURNING {key}, n),
        summed AS (
            SELECT {key}, sum(n) AS n FROM mine GROUP BY {positions} HAVING sum(n) <> 0)
        INSERT INTO {counts.name} ({key}, n) SELECT * FROM summed ORDER BY {positions}
        ON CONFLICT ({key}) DO UPDATE SET n = {counts.name}.n + excluded.n""")


_FOLDS = (_fold(C, D), _fold(W, WD))


def _fold_counts(session: Any) -> None:
    if session.info.pop(_COUNTS_PENDING, False):
        for statement in _FOLDS:
            session.execute(statement)


def _forget_counts(session: Any) -> None:
    # a savepoint's rollback fires this too: the deltas written before it stay to be folded
    if not session.in_nested_transaction():
        session.info.pop(_COUNTS_PENDING, None)


def listen() -> None:
    """Fold each transaction's count deltas into the counts as it commits (once per
    process). Registered after the generation bump (cache.listen), so every committing
    writer locks the site's state row before the counts, as the word recount does."""
    if not sa.event.contains(model.Session, "before_commit", _fold_counts):
        sa.event.listen(model.Session, "before_commit", _fold_counts)
        sa.event.listen(model.Session, "after_rollback", _forget_counts)


def write_documents(docs: list[dict[str, Any]], keep_words: bool = True) -> None:
    """Insert or replace index rows for Solr-ready dataset documents.

    ``keep_words=False`` (a bulk write: CKAN's rebuild, which commits once at the end) leaves
    the word counts alone and marks them stale at commit; ``commit()`` then counts them
    from the documents in one pass, cheaper than a delta per word of every dataset."""
    # each field once: a field listed twice would count its datasets twice
    facet_fields = list(dict.fromkeys(config.get("ckanext.opengovpe.search.facet_fields")
                                      or []))
    for doc in docs:
        row = build_row(doc, facet_fields)
        sections = row.pop("tsv_sections")
        params = dict(row, **{f"tsv_{weight}": sections[weight] for weight in _SECTIONS})
        try:
            model.Session.execute(_UNCOUNT_OLD[keep_words], {"index_id": row["index_id"]})
            model.Session.execute(_UPSERT, params)
            model.Session.execute(_COUNT_NEW[keep_words], {"index_id": row["index_id"]})
            model.Session.info[_COUNTS_PENDING] = True
            suggest.write(doc, row)
            mark_changed(row["site_id"], words_kept=keep_words)
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
        # CKAN passes commit=False in a rebuild (defer_commit), which ends with commit()
        write_documents(docs, keep_words=commit)

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
            model.Session.info[_COUNTS_PENDING] = True
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
        words.recount_if_stale(config.get("ckan.site_id"))
        suggest.after_rebuild()

    def clear(self) -> None:
        try:
            # the site's state row first, as writers and the word recount take it
            words.lock_site(config.get("ckan.site_id"))
            suggest.forget(T.c.site_id == config.get("ckan.site_id"))
            for table in (T, C, D, W, WD):
                model.Session.execute(sa.delete(table).where(
                    table.c.site_id == config.get("ckan.site_id")))
            mark_changed(config.get("ckan.site_id"), emptied=True)
            model.Session.commit()
        except sa_exc.DBAPIError as exc:
            model.Session.rollback()
            raise SearchIndexError("Could not clear the search index") from exc
