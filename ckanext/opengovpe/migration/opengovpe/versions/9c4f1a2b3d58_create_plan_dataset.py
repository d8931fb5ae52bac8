"""Create the link between a plan and the open dataset the extension created for it.

Revision ID: 9c4f1a2b3d58
Revises: c41f0a9b2d73
Create Date: 2026-11-26 15:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "9c4f1a2b3d58"
down_revision = "c41f0a9b2d73"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_plan_dataset",
        sa.Column("plan_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("opengovpe_plan_dataset")
