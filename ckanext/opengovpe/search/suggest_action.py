"""The typing-help action ``opengovpe_search_suggest`` and its auth function.

Anyone may ask: the answers come from public datasets only (see :mod:`.suggest`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from . import suggest

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 20
DEFAULT_LIMIT = 8
KINDS = ("all", "titles", "spelling")


def _text(value: Any, context: Context) -> Any:
    if value is tk.missing or value is None:
        return value
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text, not a list or an object"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise tk.Invalid(tk._("Contains characters that are not valid text"))
    return value.replace("\x00", "").strip()


def _query_length(value: Any, context: Context) -> Any:
    # navl runs the next validator even after one refused the value: only text is measured
    if isinstance(value, str) and len(value) > MAX_QUERY_LENGTH:
        raise tk.Invalid(tk._("Must be at most %(max)s characters long")
                         % {"max": MAX_QUERY_LENGTH})
    return value


def _limit(value: Any, context: Context) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise tk.Invalid(tk._("Invalid integer"))
    try:
        number = int(value)
    except ValueError:
        raise tk.Invalid(tk._("Invalid integer"))
    if not 1 <= number <= MAX_LIMIT:
        raise tk.Invalid(tk._("Must be a whole number from 1 to %(max)s") % {"max": MAX_LIMIT})
    return number


def _kind(value: Any, context: Context) -> Any:
    if isinstance(value, str) and value not in KINDS:
        raise tk.Invalid(tk._("Must be one of: %(values)s") % {"values": ", ".join(KINDS)})
    return value


def suggest_schema() -> dict[str, list[Any]]:
    not_empty = tk.get_validator("not_empty")
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "q": [_text, not_empty, _query_length],
        "limit": [ignore_missing, _limit],
        "kind": [ignore_missing, _text, _kind],
        "__extras": [ignore_missing],
    }


@tk.side_effect_free
def opengovpe_search_suggest(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Typing help for a search: public dataset titles that match what is being typed,
    and a corrected query when the words typed are not in any public dataset but near
    words that are ("contratasion" → "contratación").

    Only public, active datasets are used, for every caller.

    :param q: the text typed (1 to 200 characters)
    :type q: string
    :param limit: most titles returned, 1 to 20 (default 8)
    :type limit: int
    :param kind: ``titles``, ``spelling`` or ``all`` (default)
    :type kind: string
    :returns: ``{"q": ..., "titles": [{"name", "title"}], "correction":
        {"q": corrected query, "count": public datasets with all its words (up to 1,000)}
        or null}``
    :rtype: dict
    """
    tk.check_access("opengovpe_search_suggest", context, data_dict)
    data, errors = tk.navl_validate(dict(data_dict), suggest_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    query = data["q"]
    kind = data.get("kind") or "all"
    limit = data.get("limit") or DEFAULT_LIMIT
    result: dict[str, Any] = {"q": query, "titles": [], "correction": None}
    if kind in ("all", "titles"):
        result["titles"] = suggest.titles(query, limit)
    if kind in ("all", "spelling"):
        found = suggest.correction(query)
        if found:
            result["correction"] = {"q": found.text, "count": found.count}
    return result


@tk.auth_allow_anonymous_access
def opengovpe_search_suggest_auth(context: Context, data_dict: DataDict | None = None
                                  ) -> AuthResult:
    """Anyone: the typing help only shows what public datasets contain."""
    return {"success": True}
