"""Create the table of link-check results of access and download URLs.

Revision ID: d7e2b4a6c913
Revises: e7a3c91d5b20
Create Date: 2026-11-26 19:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = "d7e2b4a6c913"
down_revision = "e7a3c91d5b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_link_check",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("reachable", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("final_url", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("opengovpe_link_check_checked_at_idx", "opengovpe_link_check",
                    ["checked_at"])


def downgrade():
    op.drop_table("opengovpe_link_check")
