"""How each indexed field behaves, mirroring the field types of CKAN's Solr schema.

Solr's schema decides per field whether it is tokenised text, an exact string,
a date or a number; this module is the same decision for the PostgreSQL index.
"""
from __future__ import annotations

import re

# Weighted full-text sections of ``tsv``: title above tags above description,
# the way CKAN's dismax boosts name^4 title^4 tags^2 groups^2 text.
WEIGHT_FIELDS: dict[str, tuple[str, ...]] = {
    "A": ("title",),
    "B": ("name", "tags", "groups", "organization"),
    "C": ("notes",),
}
# relative weights of D, C, B, A for ts_rank
RANK_WEIGHTS = (0.1, 0.2, 0.4, 1.0)

# fields tokenised as text in CKAN's Solr schema (besides the dynamic ones below)
TEXT_FIELDS = frozenset({
    "text", "title", "notes", "res_name", "res_description", "author",
    "maintainer", "license", "urls", "ckan_url", "download_url",
})
TEXT_PREFIXES = ("extras_", "res_extras_")

# fields the text section D also covers (Solr copies them into ``text``)
FIELD_WEIGHT = {name: weight for weight, names in WEIGHT_FIELDS.items() for name in names}

# fields whose values are kept out of ``terms`` because they are long prose;
# they are searched through ``tsv`` and returned from ``stored``
PROSE_FIELDS = frozenset({"notes", "text", "res_description"})

# substring match on title and name, like Solr's ngram copies used for autocomplete
NGRAM_FIELDS = {"title_ngram": "title", "name_ngram": "name"}

# fields kept in their own column: faster filters and sorts
COLUMN_FIELDS = frozenset({
    "id", "name", "state", "capacity", "dataset_type", "site_id", "owner_org",
})
DATE_COLUMNS = frozenset({"metadata_created", "metadata_modified"})

# fields that are never indexed as terms
UNINDEXED = frozenset({"data_dict", "validated_data_dict"})

# longest value kept for exact matching (Solr refuses string terms over 32 kB)
MAX_TERM_LENGTH = 1000
# longest text fed to to_tsvector per field (tsvector's own limit is 1 MB)
MAX_TEXT_LENGTH = 200_000

_FIELD_NAME = re.compile(r"^[A-Za-z0-9_\-.]{1,200}$")


def is_valid_field_name(name: str) -> bool:
    return bool(_FIELD_NAME.match(name))


def is_text_field(name: str) -> bool:
    return name in TEXT_FIELDS or name.startswith(TEXT_PREFIXES)


def is_date_field(name: str) -> bool:
    return name in DATE_COLUMNS or name.endswith("_date") or name in (
        "indexed_ts",)
