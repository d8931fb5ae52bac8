"""Procurement processes harvested from OCDS sources, one row per (harvest source, ocid).

The primary key is what makes a re-harvest idempotent: a process is stored once per source
whatever the number of runs, and its buyer and year say which buyer-year dataset shows it.
Created by alembic (``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

ocds_process_table = sa.Table(
    "opengovpe_ocds_process",
    meta.metadata,
    sa.Column("source_id", sa.Text, primary_key=True),
    sa.Column("ocid", sa.Text, primary_key=True),
    # the deterministic name of the buyer-year dataset that shows the process
    sa.Column("dataset_name", sa.Text, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("release", pg.JSONB, nullable=False),
    sa.Column("seen", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_ocds_process_dataset_idx", "source_id", "dataset_name"),
)
