"""Views and downloads of each published dataset by month, summed from CKAN's tracking
summary by the ``usage_publish`` job (``programme/usage_data.py``), and the open datasets
that publish them. Created by alembic (``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model import meta

usage_month_table = sa.Table(
    "opengovpe_usage_month",
    meta.metadata,
    sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              primary_key=True),
    # the first day of the month
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("owner_org", sa.Text, nullable=False),
    sa.Column("views", sa.Integer, nullable=False),
    sa.Column("downloads", sa.Integer, nullable=False),
    sa.Index("opengovpe_usage_month_org_idx", "owner_org", "month"),
    sa.Index("opengovpe_usage_month_month_idx", "month"),
)

# the open dataset that publishes the usage of an entity (``scope`` is its id) or of the
# country (``scope`` is ``nacional``), created by the extension: the link is what allows
# writing to it, never its name; ``digest`` is that of the CSV file last published
usage_dataset_table = sa.Table(
    "opengovpe_usage_dataset",
    meta.metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              nullable=False, unique=True),
    sa.Column("digest", sa.Text),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
)
