"""The national portal sync reports made by the weekly job, kept so that each can be
compared with the previous one. Created by alembic (``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

sync_report_table = sa.Table(
    "opengovpe_sync_report",
    meta.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("generated", sa.DateTime(timezone=True), nullable=False),
    sa.Column("portal", sa.Text, nullable=False),
    sa.Column("publisher", sa.Text, nullable=False, server_default=""),
    sa.Column("error", sa.Text),
    # the report as ``federation.sync.render(report, "json")`` writes it
    sa.Column("report", pg.JSONB, nullable=False),
    sa.Index("opengovpe_sync_report_generated_idx", "generated"),
)
