"""Solr local parameters (``{!bool must=...}``) and magic fields, with CKAN's own checks.

CKAN refuses them before a query reaches Solr, except the query parsers an admin lists in
``ckan.search.solr_allowed_query_parsers``; the errors and their messages here are CKAN's,
because clients match them. Of the parsers an admin may allow, those with a meaning in
this index are rewritten into the query syntax it understands: ``bool`` (its ``must``,
``filter``, ``must_not`` and ``should`` clauses) and ``lucene`` (its ``v`` or the text
after the local parameters). Any other gives CKAN's refusal.
"""
from __future__ import annotations

import re
import shlex
from typing import Any

from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import MAGIC_FIELD_RE, QUERY_PARSER_RE

SUPPORTED_PARSERS = ("bool", "lucene")

_LOCAL_PARAMS = re.compile(r"^\{!(?P<inside>[^}]*)\}(?P<rest>.*)$", re.DOTALL)


def _split(text: str, param: str) -> tuple[str, dict[str, list[str]], str]:
    """``{!bool must=a must=b}rest`` -> ('bool', {'must': ['a', 'b']}, 'rest')."""
    match = _LOCAL_PARAMS.match(text)
    if match is None:
        raise SearchQueryError(
            f"Could not parse incoming local parameters: no closing brace in param '{param}'")
    try:
        tokens = shlex.split(match.group("inside"))
    except ValueError as exc:
        raise SearchQueryError(f"Could not parse incoming local parameters: {exc}") from exc
    parser = ""
    values: dict[str, list[str]] = {}
    for position, token in enumerate(tokens):
        key, equals, value = token.partition("=")
        if not equals:
            if position == 0:
                parser = key
            continue
        values.setdefault(key, []).append(value)
    parser = parser or (values.get("type") or [""])[0]
    return parser, values, match.group("rest")


def check(param: str, value: Any) -> None:
    """Refuse magic fields and local parameters in one parameter, as CKAN does."""
    if not isinstance(value, str):
        return
    value = value.strip()
    if MAGIC_FIELD_RE.search(value):
        raise SearchError(f"Magic fields are not supported in param '{param}'.")
    found = QUERY_PARSER_RE.findall(value)
    if not found:
        return
    if len(found) > 1:
        raise SearchError(f"Query parsers are not supported in param '{param}'.")
    if not value.startswith("{!"):
        raise SearchError(
            f"Local parameters must be defined at the beginning of param '{param}'.")
    parser = _split(value, param)[0]
    allowed = config.get("ckan.search.solr_allowed_query_parsers") or []
    if parser not in allowed or parser not in SUPPORTED_PARSERS:
        raise SearchError(f"Local parameters are not supported in param '{param}'.")


def rewrite(param: str, value: str) -> str:
    """The query an allowed local parser means, in plain query syntax."""
    text = value.strip()
    if not text.startswith("{!"):
        return value
    parser, values, rest = _split(text, param)
    if parser == "lucene":
        return (values.get("v") or [rest])[0]
    # bool: every must and filter, no must_not, and one should when there is no must
    required = values.get("must", []) + values.get("filter", [])
    clauses = [f"+({clause})" for clause in required]
    clauses += [f"-({clause})" for clause in values.get("must_not", [])]
    shoulds = values.get("should", [])
    if shoulds and not required:
        clauses.append("+(" + " OR ".join(f"({clause})" for clause in shoulds) + ")")
    return " ".join(clauses) or "*:*"
