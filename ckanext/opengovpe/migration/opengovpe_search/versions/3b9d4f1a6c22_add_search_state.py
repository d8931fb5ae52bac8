"""Add the per-site index generation that keys the facet cache.

Revision ID: 3b9d4f1a6c22
Revises: 7a1c0e5d2b01
Create Date: 2026-11-21 16:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = "3b9d4f1a6c22"
down_revision = "7a1c0e5d2b01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_search_state",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("opengovpe_search_state")
