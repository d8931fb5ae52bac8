"""Create the table of harvested OCDS processes, unique per (harvest source, ocid).

Revision ID: 7b3d9e1f2a64
Revises: 5e2a8c7d9f10
Create Date: 2026-11-21 19:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "7b3d9e1f2a64"
down_revision = "5e2a8c7d9f10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_ocds_process",
        sa.Column("source_id", sa.Text, primary_key=True),
        sa.Column("ocid", sa.Text, primary_key=True),
        sa.Column("dataset_name", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("release", pg.JSONB, nullable=False),
        sa.Column("seen", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("opengovpe_ocds_process_dataset_idx", "opengovpe_ocds_process",
                    ["source_id", "dataset_name"])


def downgrade():
    op.drop_table("opengovpe_ocds_process")
