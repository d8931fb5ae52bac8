"""Typing help: public datasets' titles and words, and the word dictionary built from them.

Creates ``pg_trgm`` (trusted since PostgreSQL 13, so the database owner may), fills the
per-dataset rows from the index as it stands (no re-indexing needed) and builds the
dictionary, with a trigram index; trigram indexes on the index's title and name serve
CKAN's ``package_autocomplete`` (``title_ngram``/``name_ngram``).

Revision ID: e5b8d2f4a617
Revises: e5b8d2f7a914
Create Date: 2026-11-26 22:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "e5b8d2f4a617"
down_revision = "e5b8d2f7a914"
branch_labels = None
depends_on = None

def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "opengovpe_search_suggest_doc",
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("title_folded", sa.Text(collation="C"), nullable=False),
        sa.Column("words", pg.ARRAY(sa.Text), nullable=False),
    )
    from ckanext.opengovpe.search import suggest

    suggest.backfill(op.get_bind())
    op.create_index("opengovpe_search_suggest_doc_title_trgm_idx",
                    "opengovpe_search_suggest_doc", ["title_folded"], postgresql_using="gin",
                    postgresql_ops={"title_folded": "gin_trgm_ops"})
    op.create_index("opengovpe_search_suggest_doc_title_prefix_idx",
                    "opengovpe_search_suggest_doc", ["site_id", "title_folded"])
    op.create_index("opengovpe_search_suggest_doc_words_idx", "opengovpe_search_suggest_doc",
                    ["words"], postgresql_using="gin")
    op.create_table(
        "opengovpe_search_word",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("word", sa.Text, primary_key=True),
        sa.Column("folded", sa.Text, nullable=False),
        sa.Column("ndoc", sa.Integer, nullable=False),
    )
    op.create_index("opengovpe_search_word_folded_idx", "opengovpe_search_word",
                    ["site_id", "folded"])
    op.create_index("opengovpe_search_word_trgm_idx", "opengovpe_search_word", ["folded"],
                    postgresql_using="gist", postgresql_ops={"folded": "gist_trgm_ops"})
    op.execute("ANALYZE opengovpe_search_suggest_doc")
    bind = op.get_bind()
    for (site_id,) in bind.execute(sa.text(
            "SELECT DISTINCT site_id FROM opengovpe_search_suggest_doc")).all():
        bind.execute(suggest.REFRESH, {"site_id": site_id})
    op.execute("ANALYZE opengovpe_search_word")
    # CKAN's package_autocomplete asks for title_ngram/name_ngram, substrings of the title
    # and the name (LIKE '%...%'): with trigrams it reads the matches, not every row
    op.create_index("opengovpe_search_doc_title_trgm_idx", "opengovpe_search_doc",
                    ["title_sort"], postgresql_using="gin",
                    postgresql_ops={"title_sort": "gin_trgm_ops"})
    op.create_index("opengovpe_search_doc_name_trgm_idx", "opengovpe_search_doc", ["name"],
                    postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})


def downgrade():
    op.drop_index("opengovpe_search_doc_name_trgm_idx", table_name="opengovpe_search_doc")
    op.drop_index("opengovpe_search_doc_title_trgm_idx", table_name="opengovpe_search_doc")
    op.drop_table("opengovpe_search_word")
    op.drop_table("opengovpe_search_suggest_doc")
