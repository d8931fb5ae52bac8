"""Word counts: how many datasets of each visibility carry each word of the full text.

A one-word query is counted from these instead of visiting every matching row. The tables
start empty and every site with an index is marked stale: one-word queries are counted from
the text index until the recurring search job counts the words after the restart (counting
here would be wasted work, since a process still running the previous code may index
meanwhile without keeping them, and would make the upgrade wait 28 s at 100,000 datasets).

Revision ID: c3f9a7d1e286
Revises: e5b8d2f4a617
Create Date: 2026-11-27 02:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

revision = "c3f9a7d1e286"
down_revision = "e5b8d2f4a617"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("opengovpe_search_state",
                  sa.Column("words_stale", sa.Boolean, nullable=False,
                            server_default=sa.false()))
    op.create_table(
        "opengovpe_search_word_count",
        sa.Column("site_id", sa.Text, primary_key=True),
        sa.Column("word", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, primary_key=True),
        sa.Column("capacity", sa.Text, primary_key=True),
        sa.Column("dataset_type", sa.Text, primary_key=True),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "opengovpe_search_word_delta",
        sa.Column("xid", sa.BigInteger, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("word", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("capacity", sa.Text, nullable=False),
        sa.Column("dataset_type", sa.Text, nullable=False),
        sa.Column("permission_labels", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_index("opengovpe_search_word_delta_xid_idx", "opengovpe_search_word_delta",
                    ["xid"])
    op.execute("""INSERT INTO opengovpe_search_state (site_id, words_stale)
                  SELECT DISTINCT site_id, true FROM opengovpe_search_doc
                  ON CONFLICT (site_id) DO UPDATE SET words_stale = true""")


def downgrade():
    op.drop_table("opengovpe_search_word_delta")
    op.drop_table("opengovpe_search_word_count")
    op.drop_column("opengovpe_search_state", "words_stale")
