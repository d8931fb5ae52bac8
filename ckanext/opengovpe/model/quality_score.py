"""The stored MQA score of each dataset, written after every committed change of the
dataset and by the scheduled refresh (``quality/store.py``), read by the dataset page, the
summaries, the CSV exports and the DCAT output. Created by alembic
(``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

quality_score_table = sa.Table(
    "opengovpe_quality_score",
    meta.metadata,
    sa.Column("package_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("findability", sa.Float, nullable=False),
    sa.Column("accessibility", sa.Float, nullable=False),
    sa.Column("interoperability", sa.Float, nullable=False),
    sa.Column("reusability", sa.Float, nullable=False),
    sa.Column("contextuality", sa.Float, nullable=False),
    # the SHACL result: whether the DCAT-AP 3 shapes pass, and each violation's line
    sa.Column("shacl_conforms", sa.Boolean, nullable=False),
    sa.Column("shacl_violations", pg.JSONB, nullable=False, server_default="[]"),
    # the criteria not fully met: key, dimension, points and the points a fix gains
    sa.Column("fixes", pg.JSONB, nullable=False, server_default="[]"),
    # the access and download URLs the score read, for the link check
    sa.Column("urls", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
    # the dataset's metadata_modified the score was computed from
    sa.Column("metadata_modified", sa.DateTime),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("opengovpe_quality_score_computed_idx", "computed_at"),
    sa.Index("opengovpe_quality_score_urls_idx", "urls", postgresql_using="gin"),
)
