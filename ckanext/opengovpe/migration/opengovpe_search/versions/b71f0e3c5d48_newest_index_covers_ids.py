"""The newest-first index also carries the row key, so a deep page is an index-only scan.

Revision ID: b71f0e3c5d48
Revises: 9c4e2b7d1a33
Create Date: 2026-11-21 17:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b71f0e3c5d48"
down_revision = "9c4e2b7d1a33"
branch_labels = None
depends_on = None


def _create(include):
    op.create_index("opengovpe_search_doc_newest_idx", "opengovpe_search_doc",
                    ["site_id", sa.text("metadata_modified DESC NULLS LAST"), "id"],
                    postgresql_include=include)


def upgrade():
    op.drop_index("opengovpe_search_doc_newest_idx", table_name="opengovpe_search_doc")
    _create(["state", "capacity", "dataset_type", "index_id"])


def downgrade():
    op.drop_index("opengovpe_search_doc_newest_idx", table_name="opengovpe_search_doc")
    _create(["state", "capacity"])
