"""Create the monthly usage of each published dataset and the links to the open datasets
that publish it.

Revision ID: f3b8d1c6a254
Revises: a1f3c5e7d902
Create Date: 2026-11-26 22:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f3b8d1c6a254"
down_revision = "a1f3c5e7d902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_usage_month",
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("owner_org", sa.Text, nullable=False),
        sa.Column("views", sa.Integer, nullable=False),
        sa.Column("downloads", sa.Integer, nullable=False),
    )
    op.create_index("opengovpe_usage_month_org_idx", "opengovpe_usage_month",
                    ["owner_org", "month"])
    op.create_index("opengovpe_usage_month_month_idx", "opengovpe_usage_month", ["month"])
    op.create_table(
        "opengovpe_usage_dataset",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("digest", sa.Text),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("opengovpe_usage_dataset")
    op.drop_table("opengovpe_usage_month")
