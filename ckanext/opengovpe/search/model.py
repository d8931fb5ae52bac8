"""The table behind the embedded search index (created by alembic, never at start-up)."""
from __future__ import annotations

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

# bumped in the transaction of every index write; keys the facet cache
search_state_table = sa.Table(
    "opengovpe_search_state",
    meta.metadata,
    sa.Column("site_id", sa.Text, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
)
