"""Fielded matches on facet fields use ``facet_terms``, indexed with GIN.

PostgreSQL keeps no statistics for ``jsonb @>`` (it assumes 1 % of the rows), so a filter
such as ``res_format:CSV`` that matches half the catalogue was planned as a selective one
and every match had its full-text vector read back; a text array has per-element
statistics, and its own index.

Revision ID: d4a7c1e9b352
Revises: b71f0e3c5d48
Create Date: 2026-11-21 21:25:00

"""
from alembic import op

revision = "d4a7c1e9b352"
down_revision = "b71f0e3c5d48"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("opengovpe_search_doc_facet_terms_idx", "opengovpe_search_doc",
                    ["facet_terms"], postgresql_using="gin")
    op.execute("ANALYZE opengovpe_search_doc")


def downgrade():
    op.drop_index("opengovpe_search_doc_facet_terms_idx", table_name="opengovpe_search_doc")
