"""Turn the document CKAN would send to Solr into a row of ``opengovpe_search_doc``."""
from __future__ import annotations

import datetime
import unicodedata
from typing import Any, Iterable

from dateutil.parser import isoparse

from . import fields


def fold(value: str) -> str:
    """Lower-case and strip accents, for sorting and substring matching."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _as_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for item in value:
            out.extend(_as_strings(item))
        return out
    if isinstance(value, dict):
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return [value.isoformat()]
    return [str(value)]


def _timestamp(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = isoparse(str(value).rstrip("Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def _clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL
    return value.replace("\x00", "")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


TITLE_SORT_LENGTH = 200


def _join(values: Iterable[str]) -> str:
    return _clean_text(" ".join(values))[: fields.MAX_TEXT_LENGTH]


def build_row(doc: dict[str, Any], facet_fields: Iterable[str] = ()) -> dict[str, Any]:
    """Map one Solr-ready dataset document to the column values of the index row.

    ``tsv_sections`` holds the text of each weight (A-D); the SQL that writes
    the row turns them into a weighted tsvector.
    """
    terms: dict[str, list[str]] = {}
    stored: dict[str, Any] = {}
    sections: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}

    for key, value in doc.items():
        if key in fields.UNINDEXED or not fields.is_valid_field_name(key):
            continue
        strings = [_clean_text(s) for s in _as_strings(value)]
        stored[key] = _jsonable(value)
        if key not in fields.PROSE_FIELDS:
            # empty values are not terms: no blank facet entries
            # each value once: a facet counts datasets, as Solr does, not the resources
            # that repeat a format
            kept = list(dict.fromkeys(s[: fields.MAX_TERM_LENGTH] for s in strings
                                      if s.strip()))
            if kept:
                terms[key] = kept
        weight = fields.FIELD_WEIGHT.get(key)
        if weight:
            sections[weight].extend(strings)
        elif fields.is_text_field(key) or key.startswith("vocab_"):
            sections["D"].extend(strings)

    title = str(doc.get("title") or "")
    facet_terms = [f"{field}={value}" for field in facet_fields
                   for value in terms.get(field, [])]
    return {
        "index_id": doc.get("index_id") or doc["id"],
        "id": doc["id"],
        "site_id": doc.get("site_id") or "",
        "name": doc.get("name"),
        # a btree entry must stay well under PostgreSQL's 2.7 kB: sort on a prefix
        "title_sort": fold(title.strip())[:TITLE_SORT_LENGTH] if title else None,
        "state": doc.get("state"),
        "capacity": doc.get("capacity"),
        "dataset_type": doc.get("dataset_type") or doc.get("type"),
        "owner_org": doc.get("owner_org"),
        "metadata_created": _timestamp(doc.get("metadata_created")),
        "metadata_modified": _timestamp(doc.get("metadata_modified")),
        "permission_labels": [str(p) for p in doc.get("permission_labels") or []],
        "terms": terms,
        "facet_terms": facet_terms,
        "stored": stored,
        "data_dict": doc.get("data_dict"),
        "validated_data_dict": doc.get("validated_data_dict"),
        "tsv_sections": {w: _join(v) for w, v in sections.items()},
    }
