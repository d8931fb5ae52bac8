"""Create the table of stored MQA scores, one row per dataset.

Revision ID: a1f3c5e7d902
Revises: d7e2b4a6c913
Create Date: 2026-11-26 22:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "a1f3c5e7d902"
down_revision = "d7e2b4a6c913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opengovpe_quality_score",
        sa.Column("package_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("findability", sa.Float, nullable=False),
        sa.Column("accessibility", sa.Float, nullable=False),
        sa.Column("interoperability", sa.Float, nullable=False),
        sa.Column("reusability", sa.Float, nullable=False),
        sa.Column("contextuality", sa.Float, nullable=False),
        sa.Column("shacl_conforms", sa.Boolean, nullable=False),
        sa.Column("shacl_violations", pg.JSONB, nullable=False, server_default="[]"),
        sa.Column("fixes", pg.JSONB, nullable=False, server_default="[]"),
        sa.Column("urls", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("metadata_modified", sa.DateTime),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("opengovpe_quality_score_computed_idx", "opengovpe_quality_score",
                    ["computed_at"])
    op.create_index("opengovpe_quality_score_urls_idx", "opengovpe_quality_score",
                    ["urls"], postgresql_using="gin")


def downgrade():
    op.drop_table("opengovpe_quality_score")
