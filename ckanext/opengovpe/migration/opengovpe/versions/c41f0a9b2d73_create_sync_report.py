"""Create the table of national portal sync reports made by the weekly job.

Revision ID: c41f0a9b2d73
Revises: c5f1a9d3e872
Create Date: 2026-11-26 15:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "c41f0a9b2d73"
down_revision = "c5f1a9d3e872"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_sync_report",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("generated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("portal", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text, nullable=False, server_default=""),
        sa.Column("error", sa.Text),
        sa.Column("report", pg.JSONB, nullable=False),
    )
    op.create_index("opengovpe_sync_report_generated_idx", "opengovpe_sync_report",
                    ["generated"])


def downgrade():
    op.drop_table("opengovpe_sync_report")
