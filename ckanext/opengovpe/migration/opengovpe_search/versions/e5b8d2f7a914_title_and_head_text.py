"""Broad queries without reading every match.

The title's words and the head's (title, name, tags, groups, organization) get their own
GIN indexes, on expressions over ``tsv``, so that a query matching thousands of datasets
finds its first page among the datasets that have the words in their title first, without
ranking every match; and facet counts of the whole index are kept by the indexer, so that
``*:*`` does not unpack the terms of every dataset.

Revision ID: e5b8d2f7a914
Revises: d4a7c1e9b352
Create Date: 2026-11-26 23:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "e5b8d2f7a914"
down_revision = "d4a7c1e9b352"
branch_labels = None
depends_on = None


def upgrade():
    # expressions over ``tsv``, not columns: a wider row would push ``tsv`` out to TOAST
    for name, weights in (("title", "a"), ("head", "a,b")):
        op.execute(f"CREATE INDEX opengovpe_search_doc_tsv_{name}_idx ON opengovpe_search_doc "
                   f"USING gin (ts_filter(tsv, '{{{weights}}}'::\"char\"[]))")
    op.create_table(
        "opengovpe_search_facet_count",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("capacity", sa.Text, primary_key=True),
        sa.Column("dataset_type", sa.Text, primary_key=True),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), primary_key=True),
        sa.Column("term", sa.Text, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "opengovpe_search_facet_delta",
        sa.Column("xid", sa.BigInteger, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("capacity", sa.Text, nullable=False),
        sa.Column("dataset_type", sa.Text, nullable=False),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_index("opengovpe_search_facet_delta_xid_idx", "opengovpe_search_facet_delta",
                    ["xid"])
    op.execute("""INSERT INTO opengovpe_search_facet_count
                  SELECT site_id, coalesce(state, ''), coalesce(capacity, ''),
                         coalesce(dataset_type, ''),
                         ARRAY(SELECT DISTINCT unnest(permission_labels) ORDER BY 1), term,
                         count(*)
                  FROM opengovpe_search_doc, unnest(facet_terms) AS term
                  GROUP BY 1, 2, 3, 4, 5, 6""")
    op.execute("ANALYZE opengovpe_search_doc")
    op.execute("ANALYZE opengovpe_search_facet_count")


def downgrade():
    op.drop_table("opengovpe_search_facet_delta")
    op.drop_table("opengovpe_search_facet_count")
    for name in ("title", "head"):
        op.drop_index(f"opengovpe_search_doc_tsv_{name}_idx", table_name="opengovpe_search_doc")
