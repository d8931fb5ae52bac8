"""navl schemas of the opening-plan records kept in own tables."""
from __future__ import annotations

import datetime
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context, Schema

from .. import vocab
from .validators import control_character_message

MAX_TEXT = 10_000
MAX_SHORT = 500
MAX_INT = 2_147_483_647  # PostgreSQL integer columns
# dates outside these years are typing mistakes, and far ones break date arithmetic
FIRST_YEAR, LAST_YEAR = 1900, 2100


def max_items() -> int:
    """Inventory items one ``opengovpe_plan_save`` may hold."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_items"))


def max_milestones() -> int:
    """Milestones one ``opengovpe_plan_save`` may hold."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_milestones"))


def max_evidence() -> int:
    """Pieces of evidence one milestone may receive in one call."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_evidence"))


def max_limit() -> int:
    """Largest ``limit`` of the programme's list actions."""
    return int(tk.config.get("ckanext.opengovpe.list.max_limit"))


def max_offset() -> int:
    """Largest ``offset`` of the programme's list actions."""
    return int(tk.config.get("ckanext.opengovpe.list.max_offset"))


def _date(value: Any, context: Context) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        value = value.date().isoformat()
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Date format incorrect: use YYYY-MM-DD"))
    try:
        date = datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise tk.Invalid(tk._("Date format incorrect: use YYYY-MM-DD"))
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise tk.Invalid(tk._("The date must be between the years {first} and {last}").format(
            first=FIRST_YEAR, last=LAST_YEAR))
    return date


def _length(limit: int) -> Callable[[Any, Context], Any]:
    def check(value: Any, context: Context) -> Any:
        if isinstance(value, str) and len(value) > limit:
            raise tk.Invalid(tk._("Must be at most {limit} characters").format(limit=limit))
        return value
    return check


def _in_vocabulary(name: str) -> Callable[[Any, Context], Any]:
    def check(value: Any, context: Context) -> Any:
        if value in (None, ""):
            return value
        if not vocab.is_member(name, value):
            raise tk.Invalid(tk._("Value not allowed: {value}").format(value=str(value)[:80]))
        return value
    return check


def _list_of_vocabulary(name: str) -> Callable[[Any, Context], Any]:
    member = _in_vocabulary(name)

    def check(value: Any, context: Context) -> Any:
        values = _as_list(value, context)
        for item in values:
            member(item, context)
        return values
    return check


def _as_list(value: Any, context: Context) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        _plain_text(value, context)
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        if len(value) > 100:
            raise tk.Invalid(tk._("Too many values"))
        message = control_character_message(list(value))
        if message:
            raise tk.Invalid(message)
        return [str(v).strip()[:MAX_SHORT] for v in value if str(v).strip()]
    raise tk.Invalid(tk._("Must be a list"))


def _percentage(value: Any, context: Context) -> Any:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Must be a whole number from 0 to 100"))
    if not 0 <= number <= 100:
        raise tk.Invalid(tk._("Must be a whole number from 0 to 100"))
    return number


def _number(value: Any, context: Context) -> Any:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise tk.Invalid(tk._("Must be a number"))
    if number != number or number in (float("inf"), float("-inf")):
        raise tk.Invalid(tk._("Must be a number"))
    return number


def _none_if_empty(value: Any, context: Context) -> Any:
    return None if value is missing or value is None or value == "" else value


def _reference() -> list[Any]:
    """An optional id: an empty form field means no link (None), not an empty id."""
    return [_none_if_empty, _plain_text, _length(100)]


def _whole_number(limit: int) -> Callable[[Any, Context], Any]:
    """A whole number from 0 to ``limit``, as a number or ASCII digits; empty is None."""
    def check(value: Any, context: Context) -> Any:
        if value is None or value == "":
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number < 0:
            raise tk.Invalid(tk._("Must be a whole number, 0 or more"))
        if number > limit:
            raise tk.Invalid(tk._("Must be at most {limit}").format(limit=limit))
        return number
    return check


def _position() -> list[Any]:
    """An optional position: empty means "after the last one"."""
    return [_none_if_empty, tk.get_validator("ignore_missing"), _whole_number(MAX_INT)]


def _plain_text(value: Any, context: Context) -> Any:
    """Text, not a list or an object turned into text; no control characters (PostgreSQL
    refuses NUL, XML cannot carry the others)."""
    if isinstance(value, (list, dict)):
        raise tk.Invalid(tk._("Must be text"))
    message = control_character_message(value)
    if message:
        raise tk.Invalid(message)
    return value


def _not_blank(value: Any, context: Context) -> Any:
    if value == "":
        raise tk.Invalid(tk._("Missing value"))
    return value


def _text(limit: int = MAX_SHORT) -> list[Any]:
    return [tk.get_validator("ignore_missing"), _plain_text, tk.get_validator("unicode_safe"),
            tk.get_validator("strip_value"), _length(limit)]


def _required_text(limit: int = MAX_SHORT) -> list[Any]:
    return [tk.get_validator("not_empty"), _plain_text, tk.get_validator("unicode_safe"),
            tk.get_validator("strip_value"), _not_blank, _length(limit)]


def _optional(*validators: Any) -> list[Any]:
    return [tk.get_validator("ignore_missing"), *validators]


def _email() -> list[Any]:
    return _optional(_plain_text, tk.get_validator("unicode_safe"), tk.get_validator("strip_value"),
                     tk.get_validator("email_validator"))


def _url() -> list[Any]:
    return _optional(_plain_text, tk.get_validator("unicode_safe"), tk.get_validator("strip_value"),
                     _length(2000), tk.get_validator("url_validator"))


def plan_item_schema() -> Schema:
    return {
        "id": _text(100),
        "plan_id": [tk.get_validator("not_empty"), _plain_text, tk.get_validator("unicode_safe")],
        "position": _position(),
        "title": _required_text(),
        "description": _text(MAX_TEXT),
        "producing_unit": _text(),
        "responsible": _text(),
        "responsible_email": _email(),
        "theme": _optional(_in_vocabulary("pnda_theme")),
        "criteria": _optional(_list_of_vocabulary("prioritisation_criterion")),
        "score": _optional(_whole_number(MAX_INT)),
        "access_level": _optional(_in_vocabulary("access_level")),
        "access_justification": _text(MAX_TEXT),
        "frequency": _optional(_in_vocabulary("frequency")),
        "formats": _optional(_as_list),
        "temporal_coverage": _text(),
        "geographic_coverage": _text(),
        "committed_date": _optional(_date),
        "license_id": _text(100),
        "status": [tk.get_validator("default")("planificado"), _in_vocabulary("item_status")],
        "dataset_id": _reference(),
        "national_portal_url": _url(),
    }


def evidence_schema() -> Schema:
    return {
        "id": _text(100),
        "milestone_id": _text(100),
        "type": [tk.get_validator("not_empty"), _in_vocabulary("evidence_type")],
        "title": _required_text(),
        "url": _url(),
        "date": _optional(_date),
    }


def milestone_schema() -> Schema:
    return {
        "id": _text(100),
        "plan_id": [tk.get_validator("not_empty"), _plain_text, tk.get_validator("unicode_safe")],
        "item_id": _reference(),
        "position": _position(),
        "name": _required_text(),
        "description": _text(MAX_TEXT),
        "responsible": _text(),
        "responsible_email": _email(),
        "responsible_unit": _text(),
        "start_date": _optional(_date),
        "end_date": _optional(_date),
        "actual_end_date": _optional(_date),
        "status": [tk.get_validator("default")("no-iniciado"),
                   _in_vocabulary("milestone_status")],
        "progress": [tk.get_validator("default")(0), _percentage],
        "indicator_name": _text(),
        "indicator_unit": _text(100),
        "indicator_baseline": _optional(_number),
        "indicator_target": _optional(_number),
        "indicator_value": _optional(_number),
        "indicator_date": _optional(_date),
        "evidence": evidence_schema(),
    }


def demand_schema() -> Schema:
    return {
        "item_id": [tk.get_validator("not_empty"), _plain_text, tk.get_validator("unicode_safe")],
        "kind": [tk.get_validator("not_empty"), _in_vocabulary("demand_kind")],
        "reference": _text(),
        "date": _optional(_date),
        "description": _text(MAX_TEXT),
    }


def plan_save_schema() -> Schema:
    return {
        "id": [tk.get_validator("not_empty"), _plain_text, tk.get_validator("unicode_safe")],
        "items": plan_item_schema_without_plan(),
        "milestones": milestone_schema_without_plan(),
    }


def plan_item_schema_without_plan() -> Schema:
    schema = plan_item_schema()
    schema["plan_id"] = _text(100)
    schema["key"] = _text(100)
    return schema


def milestone_schema_without_plan() -> Schema:
    schema = milestone_schema()
    schema["plan_id"] = _text(100)
    schema["item_key"] = _text(100)
    return schema


def due_list_schema() -> Schema:
    return {
        "days": [tk.get_validator("default")(14), _whole_number(365)],
        "organization": _text(200),
        "limit": [tk.get_validator("default")(max_limit()), _whole_number(max_limit())],
        "offset": [tk.get_validator("default")(0), _whole_number(max_offset())],
    }


def scoreboard_schema() -> Schema:
    return {
        "level_of_government": _optional(_in_vocabulary("level_of_government")),
        "sector": _optional(_in_vocabulary("sector")),
        "sort": [tk.get_validator("default")("progress desc"), _one_of(
            ["progress desc", "progress asc", "name asc", "name desc",
             "milestones desc", "milestones asc"])],
        "limit": [tk.get_validator("default")(100), _whole_number(max_limit())],
        "offset": [tk.get_validator("default")(0), _whole_number(max_offset())],
    }


def usage_show_schema() -> Schema:
    return {
        "id": _required_text(200),
        "type": [tk.get_validator("default")("entity"), _one_of(["item", "plan", "entity"])],
    }


def usage_national_schema() -> Schema:
    return {}


def _one_of(options: list[str]) -> Callable[[Any, Context], Any]:
    def check(value: Any, context: Context) -> Any:
        if value not in options:
            raise tk.Invalid(tk._("Value not allowed: {value}").format(value=str(value)[:80]))
        return value
    return check
