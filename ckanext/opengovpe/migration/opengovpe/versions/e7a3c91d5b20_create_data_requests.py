"""Create citizens' data requests, their supports and followers; a demand row may come from
a data request.

Revision ID: e7a3c91d5b20
Revises: 9c4f1a2b3d58
Create Date: 2026-11-26 18:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e7a3c91d5b20"
down_revision = "9c4f1a2b3d58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_data_request",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("owner_org", sa.Text, sa.ForeignKey("group.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("contact_name", sa.Text),
        sa.Column("contact_email", sa.Text),
        sa.Column("user_id", sa.Text, sa.ForeignKey("user.id", ondelete="SET NULL")),
        sa.Column("state", sa.Text, nullable=False, server_default="pendiente"),
        sa.Column("moderated", sa.DateTime),
        sa.Column("status", sa.Text, nullable=False, server_default="abierta"),
        sa.Column("item_id", sa.Text,
                  sa.ForeignKey("opengovpe_plan_item.id", ondelete="SET NULL")),
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL")),
        sa.Column("answer", sa.Text),
        sa.Column("answered", sa.DateTime),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("opengovpe_data_request_org_idx", "opengovpe_data_request",
                    ["owner_org", "state"])
    op.create_index("opengovpe_data_request_item_idx", "opengovpe_data_request", ["item_id"])
    for name in ("opengovpe_data_request_support", "opengovpe_data_request_follow"):
        op.create_table(
            name,
            sa.Column("request_id", sa.Text,
                      sa.ForeignKey("opengovpe_data_request.id", ondelete="CASCADE"),
                      primary_key=True),
            sa.Column("user_id", sa.Text, sa.ForeignKey("user.id", ondelete="CASCADE"),
                      primary_key=True),
            sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )
    op.add_column("opengovpe_demand", sa.Column(
        "request_id", sa.Text,
        sa.ForeignKey("opengovpe_data_request.id", ondelete="CASCADE"), unique=True))


def downgrade():
    op.drop_column("opengovpe_demand", "request_id")
    op.drop_table("opengovpe_data_request_follow")
    op.drop_table("opengovpe_data_request_support")
    op.drop_table("opengovpe_data_request")
