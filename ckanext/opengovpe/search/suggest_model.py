"""The tables behind the typing help (created by alembic, never at start-up).

``opengovpe_search_suggest_doc`` holds, for each *public, active* dataset in the index,
its title (for autocomplete) and the distinct words of its title, description and tags;
the indexer removes a row with its index row, and when the dataset stops being public;
the end of a rebuild removes rows left without an index row. ``opengovpe_search_word``
is the word dictionary computed from those rows (one row a word, with the number of public
datasets that use it), refreshed after a rebuild and by the recurring job ``search_suggest``.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from ckan.model import meta

suggest_doc_table = sa.Table(
    "opengovpe_search_suggest_doc",
    meta.metadata,
    # the index row's key; no foreign key, so the index table can be emptied on its own
    sa.Column("index_id", sa.Text, primary_key=True),
    sa.Column("site_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    # lower case, no accents, one space between words: what autocomplete matches; in
    # byte order ("C"), so one index serves both LIKE 'prefix%' and the ORDER BY
    sa.Column("title_folded", sa.Text(collation="C"), nullable=False),
    # distinct lower-case words, accents kept (the dictionary shows them)
    sa.Column("words", pg.ARRAY(sa.Text), nullable=False),
    sa.Index("opengovpe_search_suggest_doc_title_trgm_idx", "title_folded",
             postgresql_using="gin", postgresql_ops={"title_folded": "gin_trgm_ops"}),
    sa.Index("opengovpe_search_suggest_doc_title_prefix_idx", "site_id", "title_folded"),
    sa.Index("opengovpe_search_suggest_doc_words_idx", "words", postgresql_using="gin"),
)

# the dictionary: one row a word, with the number of public datasets that use it
word_table = sa.Table(
    "opengovpe_search_word",
    meta.metadata,
    sa.Column("site_id", sa.Text, primary_key=True),
    sa.Column("word", sa.Text, primary_key=True),
    # lower case, no accents: what a typed word is compared with
    sa.Column("folded", sa.Text, nullable=False),
    sa.Column("ndoc", sa.Integer, nullable=False),
    sa.Index("opengovpe_search_word_folded_idx", "site_id", "folded"),
    sa.Index("opengovpe_search_word_trgm_idx", "folded", postgresql_using="gist",
             postgresql_ops={"folded": "gist_trgm_ops"}),
)
