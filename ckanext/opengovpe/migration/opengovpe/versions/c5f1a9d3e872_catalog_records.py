"""The catalogue reads CKAN's package table and its own dataset dicts, not the search index.

Creates ``opengovpe_catalog_record`` and a partial index on ``package (metadata_modified,
id)`` for published datasets, so catalogue pages are served the same on Solr and on
``opengovpe_search``. A portal that ran ``opengovpe_search`` gets its records from that
index; any other portal fills them with ``ckan opengovpe catalog-records``.

Revision ID: c5f1a9d3e872
Revises: 7b3d9e1f2a64
Create Date: 2026-11-26 15:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "c5f1a9d3e872"
down_revision = "7b3d9e1f2a64"
branch_labels = None
depends_on = None

# the catalogue's ckanext.opengovpe.dcat.catalog.PUBLISHED_TYPES at the time of this migration
PUBLISHED = ("state = 'active' AND private = false "
             "AND type IN ('dataset', 'contrataciones')")


def upgrade():
    op.create_table(
        "opengovpe_catalog_record",
        sa.Column("package_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("metadata_modified", sa.DateTime, nullable=False),
        sa.Column("data_dict", sa.Text, nullable=False),
        sa.Column("written", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("opengovpe_catalog_record_written_idx", "opengovpe_catalog_record",
                    ["written"])
    op.create_index("opengovpe_package_published_idx", "package", ["metadata_modified", "id"],
                    postgresql_where=sa.text(PUBLISHED))
    if sa.inspect(op.get_bind()).has_table("opengovpe_search_doc"):
        op.execute("""
            INSERT INTO opengovpe_catalog_record (package_id, metadata_modified, data_dict)
            SELECT d.id, (d.metadata_modified AT TIME ZONE 'UTC'), d.validated_data_dict
            FROM opengovpe_search_doc d JOIN package p ON p.id = d.id
            WHERE d.validated_data_dict IS NOT NULL
            ON CONFLICT (package_id) DO NOTHING
        """)


def downgrade():
    op.drop_index("opengovpe_package_published_idx", table_name="package")
    op.drop_table("opengovpe_catalog_record")
