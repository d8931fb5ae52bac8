"""The table behind the embedded search index (created by alembic, never at start-up)."""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

TEXT_SEARCH_CONFIG = "opengovpe_es"

search_doc_table = sa.Table(
    "opengovpe_search_doc",
    meta.metadata,
    # md5(id + site_id), as CKAN computes for Solr
    sa.Column("index_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("site_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("title_sort", sa.Text),
    sa.Column("state", sa.Text),
    sa.Column("capacity", sa.Text),
    sa.Column("dataset_type", sa.Text),
    sa.Column("owner_org", sa.Text),
    sa.Column("metadata_created", sa.TIMESTAMP(timezone=True)),
    sa.Column("metadata_modified", sa.TIMESTAMP(timezone=True)),
    sa.Column("permission_labels", pg.ARRAY(sa.Text), nullable=False),
    # every indexed field as a list of strings: fielded matches and facets
    sa.Column("terms", pg.JSONB, nullable=False),
    # "field=value" for the fields listed in ckanext.opengovpe.search.facet_fields:
    # small enough to stay in the row, so facets are counted in one pass
    sa.Column("facet_terms", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    # the indexed field values as CKAN sent them: what ``fl`` returns
    sa.Column("stored", pg.JSONB, nullable=False),
    sa.Column("data_dict", sa.Text),
    sa.Column("validated_data_dict", sa.Text),
    # weighted full text: A title, B name/tags/groups/organization, C notes, D the rest
    sa.Column("tsv", pg.TSVECTOR, nullable=False),
    sa.Column("indexed_at", sa.TIMESTAMP(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Index("opengovpe_search_doc_site_id_id_key", "site_id", "id", unique=True),
    sa.Index("opengovpe_search_doc_filter_idx", "site_id", "state", "capacity",
             "dataset_type"),
    sa.Index("opengovpe_search_doc_modified_idx", "metadata_modified", "id"),
    sa.Index("opengovpe_search_doc_newest_idx", "site_id",
             sa.text("metadata_modified DESC NULLS LAST"), "id",
             postgresql_include=["state", "capacity", "dataset_type", "index_id"]),
    sa.Index("opengovpe_search_doc_name_idx", "name"),
    sa.Index("opengovpe_search_doc_title_sort_idx", "title_sort"),
    sa.Index("opengovpe_search_doc_owner_org_idx", "owner_org"),
    sa.Index("opengovpe_search_doc_terms_idx", "terms",
             postgresql_using="gin", postgresql_ops={"terms": "jsonb_path_ops"}),
    sa.Index("opengovpe_search_doc_tsv_idx", "tsv", postgresql_using="gin"),
    sa.Index("opengovpe_search_doc_facet_terms_idx", "facet_terms", postgresql_using="gin"),
    sa.Index("opengovpe_search_doc_labels_idx", "permission_labels",
             postgresql_using="gin"),
    # substrings of the title and name (title_ngram, name_ngram: package_autocomplete)
    sa.Index("opengovpe_search_doc_title_trgm_idx", "title_sort", postgresql_using="gin",
             postgresql_ops={"title_sort": "gin_trgm_ops"}),
    sa.Index("opengovpe_search_doc_name_trgm_idx", "name", postgresql_using="gin",
             postgresql_ops={"name": "gin_trgm_ops"}),
)



def upsert(table: sa.Table, key: str, expressions: Optional[dict[str, str]] = None
           ) -> sa.TextClause:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of every column of ``table``, each from the
    typed parameter of its name unless ``expressions`` gives its SQL.

    Written out as text: SQLAlchemy compiled the equivalent Core construct again for most
    rows of a rebuild (a few milliseconds each, as much as PostgreSQL took to write them).
    """
    expressions = expressions or {}
    names = [column.name for column in table.c]
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ("
           + ", ".join(expressions.get(name, f":{name}") for name in names)
           + f") ON CONFLICT ({key}) DO UPDATE SET "
           + ", ".join(f"{name} = excluded.{name}" for name in names if name != key))
    return sa.text(sql).bindparams(*[sa.bindparam(column.name, type_=column.type)
                                     for column in table.c
                                     if column.name not in expressions])


def _sections(weights: str) -> sa.ColumnElement[Any]:
    """The words of ``tsv`` that carry one of ``weights``."""
    return sa.func.ts_filter(search_doc_table.c.tsv,
                             sa.literal_column(f"'{{{weights}}}'::\"char\"[]"),
                             type_=pg.TSVECTOR)


# The words of the title (weight A) and of the head (A and B: title, name, tags, groups,
# organization): a query that matches thousands of datasets takes its page from these first
# (query.py, "tiers"). Indexed expressions, not columns: a wider row would push ``tsv`` out
# to TOAST, and every other full-text query would then read it from there.
TSV_TITLE = _sections("a")
TSV_HEAD = _sections("a,b")
sa.Index("opengovpe_search_doc_tsv_title_idx", TSV_TITLE, postgresql_using="gin")
sa.Index("opengovpe_search_doc_tsv_head_idx", TSV_HEAD, postgresql_using="gin")

# bumped in the transaction of every index write; keys the facet cache
search_state_table = sa.Table(
    "opengovpe_search_state",
    meta.metadata,
    sa.Column("site_id", sa.Text, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
    # a bulk write (a rebuild) committed without keeping the word counts; true until they
    # are counted again from the documents (words.py)
    sa.Column("words_stale", sa.Boolean, nullable=False, server_default=sa.false()),
)

def _counts(name: str, keys: list[str]) -> tuple[sa.Table, sa.Table]:
    """A table of counts kept by the indexer, keyed on ``keys`` (site, visibility and what is
    counted), and the table of each transaction's additions to and removals from it (xid =
    txid_current()), folded into it just before the transaction commits (index.py):
    concurrent writers never wait on each other's counts while they index, and a
    rolled-back savepoint takes its rows with it."""
    def column(key: str, **kwargs: Any) -> sa.Column[Any]:
        kind = pg.ARRAY(sa.Text) if key == "permission_labels" else sa.Text
        return sa.Column(key, kind, **kwargs)

    counts = sa.Table(f"opengovpe_search_{name}_count", meta.metadata,
                      *[column(key, primary_key=True) for key in keys],
                      sa.Column("n", sa.BigInteger, nullable=False))
    deltas = sa.Table(f"opengovpe_search_{name}_delta", meta.metadata,
                      sa.Column("xid", sa.BigInteger, nullable=False),
                      *[column(key, nullable=False) for key in keys],
                      sa.Column("n", sa.BigInteger, nullable=False),
                      sa.Index(f"opengovpe_search_{name}_delta_xid_idx", "xid"))
    return counts, deltas


_VISIBILITY = ["state", "capacity", "dataset_type", "permission_labels"]

# Facet counts of the whole index: how many datasets of each visibility (site, state,
# capacity, type and the very set of permission labels) carry each ``field=value`` of
# ``facet_terms``, and, under the empty term (``DATASET_TERM``, which every dataset adds
# to the counts but not to its row), how many datasets there are. ``*:*`` with only those
# filters sums a few thousand rows here instead of unpacking the terms of every dataset,
# and counts its datasets from one row a visibility (query.py).
facet_count_table, facet_delta_table = _counts("facet", ["site_id", *_VISIBILITY, "term"])
DATASET_TERM = ""
# the terms a row adds to the facet counts (SQL, on a row of ``search_doc_table``): the
# indexer's deltas, the recounts and the facets of a search all count these
COUNTED_TERMS = f"unnest(array_prepend('{DATASET_TERM}'::text, facet_terms))"

# How many datasets of each visibility carry each word (lexeme) of the full text: a query
# of one word, however common, is counted here instead of visiting every matching row
# (words.py).
word_count_table, word_delta_table = _counts("word", ["site_id", "word", *_VISIBILITY])

