"""Index the active records of each entity by owner and type.

An entity's programme page reads its own working groups, regulations and plans, and
their items and milestones; CKAN indexes no package by its organization, so each of those
reads scanned every active record of the country.

Revision ID: b8e4f2c6a019
Revises: f3b8d1c6a254
Create Date: 2026-11-26 22:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b8e4f2c6a019"
down_revision = "f3b8d1c6a254"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("opengovpe_package_owner_idx", "package", ["owner_org", "type"],
                    postgresql_where=sa.text("state = 'active'"))


def downgrade():
    op.drop_index("opengovpe_package_owner_idx", table_name="package")
