"""Create the embedded search index: Spanish accent-insensitive text search and the document table.

Revision ID: 7a1c0e5d2b01
Revises:
Create Date: 2026-11-21 15:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "7a1c0e5d2b01"
down_revision = None
branch_labels = None
depends_on = None

# Spanish stemming after accent folding, so that "contratacion" finds
# "Contratación" and "contratos" finds "contrato".
_CONFIG_SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'opengovpe_es') THEN
    CREATE TEXT SEARCH CONFIGURATION opengovpe_es (COPY = pg_catalog.spanish);
    ALTER TEXT SEARCH CONFIGURATION opengovpe_es
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
  END IF;
END
$$;
"""

# Values in the index are strings; these casts answer NULL instead of failing
# on a value that is not a date or a number, so a range query over a field with
# mixed content never aborts.
_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION opengovpe_try_timestamptz(value text)
RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN
    RETURN NULL;
  END IF;
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION opengovpe_try_numeric(value text)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF value !~ '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$' THEN
    RETURN NULL;
  END IF;
  RETURN value::numeric;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
"""


def upgrade():
    op.execute(_CONFIG_SQL)
    op.execute(_FUNCTIONS_SQL)
    op.create_table(
        "opengovpe_search_doc",
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("title_sort", sa.Text),
        sa.Column("state", sa.Text),
        sa.Column("capacity", sa.Text),
        sa.Column("dataset_type", sa.Text),
        sa.Column("owner_org", sa.Text),
        sa.Column("metadata_created", sa.TIMESTAMP(timezone=True)),
        sa.Column("metadata_modified", sa.TIMESTAMP(timezone=True)),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("terms", pg.JSONB, nullable=False),
        sa.Column("stored", pg.JSONB, nullable=False),
        sa.Column("data_dict", sa.Text),
        sa.Column("validated_data_dict", sa.Text),
        sa.Column("tsv", pg.TSVECTOR, nullable=False),
        sa.Column("indexed_at", sa.TIMESTAMP(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("opengovpe_search_doc_site_id_id_key", "opengovpe_search_doc",
                    ["site_id", "id"], unique=True)
    op.create_index("opengovpe_search_doc_filter_idx", "opengovpe_search_doc",
                    ["site_id", "state", "capacity", "dataset_type"])
    op.create_index("opengovpe_search_doc_modified_idx", "opengovpe_search_doc",
                    ["metadata_modified", "id"])
    op.create_index("opengovpe_search_doc_name_idx", "opengovpe_search_doc", ["name"])
    op.create_index("opengovpe_search_doc_title_sort_idx", "opengovpe_search_doc",
                    ["title_sort"])
    op.create_index("opengovpe_search_doc_owner_org_idx", "opengovpe_search_doc",
                    ["owner_org"])
    op.create_index("opengovpe_search_doc_terms_idx", "opengovpe_search_doc", ["terms"],
                    postgresql_using="gin", postgresql_ops={"terms": "jsonb_path_ops"})
    op.create_index("opengovpe_search_doc_tsv_idx", "opengovpe_search_doc", ["tsv"],
                    postgresql_using="gin")
    op.create_index("opengovpe_search_doc_labels_idx", "opengovpe_search_doc",
                    ["permission_labels"], postgresql_using="gin")


def downgrade():
    op.drop_table("opengovpe_search_doc")
    op.execute("DROP FUNCTION IF EXISTS opengovpe_try_timestamptz(text)")
    op.execute("DROP FUNCTION IF EXISTS opengovpe_try_numeric(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS opengovpe_es")
