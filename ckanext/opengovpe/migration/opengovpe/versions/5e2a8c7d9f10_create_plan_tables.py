"""Create the opening-plan tables: inventory items, milestones, evidence, demand, notifications.

Revision ID: 5e2a8c7d9f10
Revises:
Create Date: 2026-11-21 15:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "5e2a8c7d9f10"
down_revision = None
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
            sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now())]


def upgrade():
    op.create_table(
        "opengovpe_plan_item",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("plan_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("producing_unit", sa.Text),
        sa.Column("responsible", sa.Text),
        sa.Column("responsible_email", sa.Text),
        sa.Column("theme", sa.Text),
        sa.Column("criteria", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("score", sa.Integer),
        sa.Column("access_level", sa.Text),
        sa.Column("access_justification", sa.Text),
        sa.Column("frequency", sa.Text),
        sa.Column("formats", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("temporal_coverage", sa.Text),
        sa.Column("geographic_coverage", sa.Text),
        sa.Column("committed_date", sa.Date),
        sa.Column("license_id", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("status_before_publication", sa.Text),
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL")),
        sa.Column("national_portal_url", sa.Text),
        *_stamps(),
    )
    op.create_index("opengovpe_plan_item_plan_idx", "opengovpe_plan_item",
                    ["plan_id", "position"])
    op.create_index("opengovpe_plan_item_dataset_idx", "opengovpe_plan_item", ["dataset_id"])

    op.create_table(
        "opengovpe_milestone",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("plan_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("item_id", sa.Text,
                  sa.ForeignKey("opengovpe_plan_item.id", ondelete="SET NULL")),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("responsible", sa.Text),
        sa.Column("responsible_email", sa.Text),
        sa.Column("responsible_unit", sa.Text),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("actual_end_date", sa.Date),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
        sa.Column("indicator_name", sa.Text),
        sa.Column("indicator_unit", sa.Text),
        sa.Column("indicator_baseline", sa.Numeric),
        sa.Column("indicator_target", sa.Numeric),
        sa.Column("indicator_value", sa.Numeric),
        sa.Column("indicator_date", sa.Date),
        *_stamps(),
        sa.CheckConstraint("progress BETWEEN 0 AND 100",
                           name="opengovpe_milestone_progress_range"),
    )
    op.create_index("opengovpe_milestone_plan_idx", "opengovpe_milestone",
                    ["plan_id", "position"])
    op.create_index("opengovpe_milestone_due_idx", "opengovpe_milestone",
                    ["end_date", "status"])

    op.create_table(
        "opengovpe_evidence",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("milestone_id", sa.Text,
                  sa.ForeignKey("opengovpe_milestone.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("date", sa.Date),
        sa.Column("recorded_by", sa.Text),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("opengovpe_evidence_milestone_idx", "opengovpe_evidence", ["milestone_id"])

    op.create_table(
        "opengovpe_demand",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("item_id", sa.Text,
                  sa.ForeignKey("opengovpe_plan_item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("reference", sa.Text),
        sa.Column("date", sa.Date),
        sa.Column("description", sa.Text),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("opengovpe_demand_item_idx", "opengovpe_demand", ["item_id"])

    op.create_table(
        "opengovpe_notification",
        sa.Column("milestone_id", sa.Text,
                  sa.ForeignKey("opengovpe_milestone.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("recipient", sa.Text, primary_key=True),
        sa.Column("sent_on", sa.Date, primary_key=True),
    )


def downgrade():
    for table in ("opengovpe_notification", "opengovpe_demand", "opengovpe_evidence",
                  "opengovpe_milestone", "opengovpe_plan_item"):
        op.drop_table(table)
