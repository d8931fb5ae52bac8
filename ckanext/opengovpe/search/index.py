"""Writes to the embedded index, with the contract of CKAN's ``PackageSearchIndex``.

CKAN's own ``index_package`` builds the document (extras, tags, resources,
permission labels, every ``before_dataset_index``) and hands it to
:class:`IndexConnection` where it would hand it to Solr. Rows are written in
the caller's database transaction, so a dataset and its index entry are
committed, or rolled back, together.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert

import ckan.model as model
from ckan.common import config
from ckan.lib.search.common import SearchIndexError
from ckan.lib.search.index import PackageSearchIndex

from .document import build_row
from .model import TEXT_SEARCH_CONFIG, search_doc_table as T

log = logging.getLogger(__name__)

_WEIGHTS = ("A", "B", "C", "D")


def _tsv_expression(sections: dict[str, str]) -> sa.ColumnElement[Any]:
    config_name = sa.literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")
    parts = [sa.func.setweight(sa.func.to_tsvector(config_name, sa.literal(sections[w])),
                               sa.literal_column(f"'{w}'"))
             for w in _WEIGHTS]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("||")(part)
    return combined


def write_documents(docs: list[dict[str, Any]]) -> None:
    """Insert or replace index rows for Solr-ready dataset documents."""
    for doc in docs:
        row = build_row(doc)
        sections = row.pop("tsv_sections")
        values = dict(row, tsv=_tsv_expression(sections), indexed_at=sa.func.now())
        statement = insert(T).values(**values)
        updated = {c: statement.excluded[c] for c in values if c != "index_id"}
        updated["tsv"] = _tsv_expression(sections)
        updated["indexed_at"] = sa.func.now()
        statement = statement.on_conflict_do_update(index_elements=[T.c.index_id],
                                                    set_=updated)
        try:
            with model.Session.begin_nested():
                model.Session.execute(statement)
        except sa_exc.DBAPIError as exc:
            log.error("Could not index dataset %s: %s", row["id"], exc.orig)
            raise SearchIndexError(f"Could not index dataset {row['id']}") from exc


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
        statement = sa.delete(T).where(
            T.c.site_id == config.get("ckan.site_id"),
            sa.or_(T.c.id == reference, T.c.name == reference))
        try:
            with model.Session.begin_nested():
                model.Session.execute(statement)
        except sa_exc.DBAPIError as exc:
            raise SearchIndexError(f"Could not remove {reference} from the index") from exc

    def commit(self) -> None:
        model.Session.commit()

    def clear(self) -> None:
        try:
            model.Session.execute(sa.delete(T).where(
                T.c.site_id == config.get("ckan.site_id")))
            model.Session.commit()
        except sa_exc.DBAPIError as exc:
            model.Session.rollback()
            raise SearchIndexError("Could not clear the search index") from exc
