"""The last link check of each access and download URL, read by the quality score.
Created by alembic (``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model import meta

link_check_table = sa.Table(
    "opengovpe_link_check",
    meta.metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("reachable", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("final_url", sa.Text),
    # the reason of net.FetchError when no answer came (timeout, address, too_large…)
    sa.Column("error", sa.Text),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("opengovpe_link_check_checked_at_idx", "checked_at"),
)
