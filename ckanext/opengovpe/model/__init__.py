"""Tables of the opening-plan records that are not datasets: inventory items,
milestones, their evidence, the demand behind an item and the notification log.

The plan itself is a dataset of type ``plan-apertura`` (ckanext-scheming);
these rows hang from it. Created by alembic (``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

plan_item_table = sa.Table(
    "opengovpe_plan_item",
    meta.metadata,
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
    # the status to return to when the linked dataset stops being published
    sa.Column("status_before_publication", sa.Text),
    sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL")),
    sa.Column("national_portal_url", sa.Text),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_plan_item_plan_idx", "plan_id", "position"),
    sa.Index("opengovpe_plan_item_dataset_idx", "dataset_id"),
)

milestone_table = sa.Table(
    "opengovpe_milestone",
    meta.metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("item_id", sa.Text, sa.ForeignKey("opengovpe_plan_item.id", ondelete="SET NULL")),
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
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("progress BETWEEN 0 AND 100", name="opengovpe_milestone_progress_range"),
    sa.Index("opengovpe_milestone_plan_idx", "plan_id", "position"),
    sa.Index("opengovpe_milestone_due_idx", "end_date", "status"),
)

evidence_table = sa.Table(
    "opengovpe_evidence",
    meta.metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("milestone_id", sa.Text,
              sa.ForeignKey("opengovpe_milestone.id", ondelete="CASCADE"), nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("date", sa.Date),
    sa.Column("recorded_by", sa.Text),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_evidence_milestone_idx", "milestone_id"),
)

demand_table = sa.Table(
    "opengovpe_demand",
    meta.metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("item_id", sa.Text,
              sa.ForeignKey("opengovpe_plan_item.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("reference", sa.Text),
    sa.Column("date", sa.Date),
    sa.Column("description", sa.Text),
    # the citizen data request (model/demand.py) this row records, when it came from one
    sa.Column("request_id", sa.Text,
              sa.ForeignKey("opengovpe_data_request.id", ondelete="CASCADE"), unique=True),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_demand_item_idx", "item_id"),
)

notification_table = sa.Table(
    "opengovpe_notification",
    meta.metadata,
    sa.Column("milestone_id", sa.Text,
              sa.ForeignKey("opengovpe_milestone.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("recipient", sa.Text, primary_key=True),
    sa.Column("sent_on", sa.Date, primary_key=True),
)

# the open dataset that publishes a plan, created by the extension (programme/opendata.py);
# the link is what allows writing to it, never its name
plan_dataset_table = sa.Table(
    "opengovpe_plan_dataset",
    meta.metadata,
    sa.Column("plan_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              nullable=False, unique=True),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
)

# declared with the others when the plugin loads, before any test reflects the database
from .demand import (  # noqa: E402,F401
    data_request_follow_table, data_request_support_table, data_request_table)
from .procurement import ocds_process_table  # noqa: E402,F401
from .sync_report import sync_report_table  # noqa: E402,F401
from .link_check import link_check_table  # noqa: E402,F401
from .quality_score import quality_score_table  # noqa: E402,F401
from .usage import usage_dataset_table, usage_month_table  # noqa: E402,F401
