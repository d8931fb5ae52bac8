"""navl schemas of the opening-plan records kept in own tables."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckan.types import Context, Schema

from .validators import (control_character_message, opengovpe_date, opengovpe_date_order,
                         opengovpe_known_fields, opengovpe_percentage, opengovpe_plain_text,
                         opengovpe_text, opengovpe_vocabulary)
from ..programme.vocabulary import PLAN_TYPE, REGULATION_TYPE, WORKING_GROUP_TYPE

MAX_TEXT = 10_000
MAX_SHORT = 500
MAX_INT = 2_147_483_647  # PostgreSQL integer columns

# what plan_show returns besides the editable fields: a client that reads a plan,
# edits it and saves it back sends them, and they are ignored
READ_ONLY_FIELDS = frozenset({"created", "modified", "overdue", "demand",
                              "status_before_publication"})


def request(fields: Schema) -> Schema:
    """An action's schema: ``fields``, and a request naming any other field (or holding
    NUL in a top-level value) refused as a whole (``opengovpe_known_fields``)."""
    return {**fields, "__before": [opengovpe_known_fields(fields, READ_ONLY_FIELDS)]}


def max_limit() -> int:
    """Largest ``limit`` of the programme's list actions."""
    return int(tk.config.get("ckanext.opengovpe.list.max_limit"))


def max_offset() -> int:
    """Largest ``offset`` of the programme's list actions."""
    return int(tk.config.get("ckanext.opengovpe.list.max_offset"))


def _list_of_vocabulary(name: str) -> list[Any]:
    """Values of a vocabulary, as a list or as text separated by commas (a form's field)."""
    return [_as_list, opengovpe_vocabulary(name, multiple=True)]


def _as_list(value: Any, context: Context) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        opengovpe_plain_text(value, context)
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        if len(value) > 100:
            raise tk.Invalid(tk._("Too many values"))
        message = control_character_message(list(value))
        if message:
            raise tk.Invalid(message)
        return [str(v).strip()[:MAX_SHORT] for v in value if str(v).strip()]
    raise tk.Invalid(tk._("Must be a list"))


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
    return [_none_if_empty, opengovpe_plain_text, opengovpe_text(100)]


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


def _not_blank(value: Any, context: Context) -> Any:
    if value == "":
        raise tk.Invalid(tk._("Missing value"))
    return value


def _text(limit: int = MAX_SHORT) -> list[Any]:
    return [tk.get_validator("ignore_missing"), opengovpe_plain_text,
            tk.get_validator("unicode_safe"), tk.get_validator("strip_value"),
            opengovpe_text(limit)]


def _required_text(limit: int = MAX_SHORT) -> list[Any]:
    return [tk.get_validator("not_empty"), opengovpe_plain_text,
            tk.get_validator("unicode_safe"), tk.get_validator("strip_value"), _not_blank,
            opengovpe_text(limit)]


def _optional(*validators: Any) -> list[Any]:
    return [tk.get_validator("ignore_missing"), *validators]


def _email() -> list[Any]:
    return _optional(opengovpe_plain_text, tk.get_validator("unicode_safe"),
                     tk.get_validator("strip_value"), tk.get_validator("email_validator"))


def _url() -> list[Any]:
    return _optional(opengovpe_plain_text, tk.get_validator("unicode_safe"),
                     tk.get_validator("strip_value"), opengovpe_text(2000),
                     tk.get_validator("url_validator"))


def _required_id() -> list[Any]:
    """The id (or name) of the record acted on or in: required text."""
    return [tk.get_validator("not_empty"), _must_be_text, opengovpe_plain_text,
            tk.get_validator("unicode_safe")]


def _must_be_text(value: Any, context: Context) -> Any:
    if not isinstance(value, str):
        raise tk.Invalid(tk._("Must be text"))
    return value


def plan_item_schema() -> Schema:
    return request(_plan_item_fields())


def _plan_item_fields() -> Schema:
    return {
        "id": _text(100),
        "plan_id": _required_id(),
        "position": _position(),
        "title": _required_text(),
        "description": _text(MAX_TEXT),
        "producing_unit": _text(),
        "responsible": _text(),
        "responsible_email": _email(),
        "theme": _optional(opengovpe_vocabulary("pnda_theme")),
        "criteria": _optional(*_list_of_vocabulary("prioritisation_criterion")),
        "score": _optional(_whole_number(MAX_INT)),
        "access_level": _optional(opengovpe_vocabulary("access_level")),
        "access_justification": _text(MAX_TEXT),
        "frequency": _optional(opengovpe_vocabulary("frequency")),
        "formats": _optional(_as_list),
        "temporal_coverage": _text(),
        "geographic_coverage": _text(),
        "committed_date": _optional(opengovpe_date),
        "license_id": _text(100),
        "status": [tk.get_validator("default")("planificado"), opengovpe_vocabulary("item_status")],
        "dataset_id": _reference(),
        "national_portal_url": _url(),
    }


def evidence_schema() -> Schema:
    return request(_evidence_fields())


def _evidence_fields() -> Schema:
    return {
        "id": _text(100),
        "milestone_id": _text(100),
        "type": [tk.get_validator("not_empty"), opengovpe_vocabulary("evidence_type")],
        "title": _required_text(),
        "url": _url(),
        "date": _optional(opengovpe_date),
    }


def milestone_schema() -> Schema:
    return request(_milestone_fields())


def _milestone_fields() -> Schema:
    return {
        "id": _text(100),
        "plan_id": _required_id(),
        "item_id": _reference(),
        "position": _position(),
        "name": _required_text(),
        "description": _text(MAX_TEXT),
        "responsible": _text(),
        "responsible_email": _email(),
        "responsible_unit": _text(),
        "start_date": _optional(opengovpe_date),
        # the end dates are not before the start: the rule every record's period follows
        "end_date": _optional(opengovpe_date, opengovpe_date_order("start_date")),
        "actual_end_date": _optional(opengovpe_date, opengovpe_date_order("start_date")),
        "status": [tk.get_validator("default")("no-iniciado"),
                   opengovpe_vocabulary("milestone_status")],
        "progress": [tk.get_validator("default")(0), opengovpe_percentage],
        "indicator_name": _text(),
        "indicator_unit": _text(100),
        "indicator_baseline": _optional(_number),
        "indicator_target": _optional(_number),
        "indicator_value": _optional(_number),
        "indicator_date": _optional(opengovpe_date),
        "evidence": _evidence_fields(),
    }


def demand_schema() -> Schema:
    return request({
        "item_id": _required_id(),
        "kind": [tk.get_validator("not_empty"), opengovpe_vocabulary("demand_kind")],
        "reference": _text(),
        "date": _optional(opengovpe_date),
        "description": _text(MAX_TEXT),
    })


def plan_save_schema() -> Schema:
    return request({
        "id": _required_id(),
        "items": plan_item_schema_without_plan(),
        "milestones": milestone_schema_without_plan(),
    })


def plan_item_schema_without_plan() -> Schema:
    schema = _plan_item_fields()
    schema["plan_id"] = _text(100)
    schema["key"] = _text(100)
    return schema


def milestone_schema_without_plan() -> Schema:
    schema = _milestone_fields()
    schema["plan_id"] = _text(100)
    schema["item_key"] = _text(100)
    return schema


# fields a record's form never sets: the record and its plan come from the address, and a
# new record goes after the last one
NOT_IN_FORMS = frozenset({"id", "plan_id", "position"})


def form_fields(schema: Schema) -> tuple[str, ...]:
    """The fields of a record a form may send: the schema's own, without nested records."""
    return tuple(name for name, rule in schema.items()
                 if name not in NOT_IN_FORMS and not name.startswith("__")
                 and not isinstance(rule, dict))


def due_list_schema() -> Schema:
    return request({
        "days": [tk.get_validator("default")(14), _whole_number(365)],
        "organization": _text(200),
        "limit": [tk.get_validator("default")(max_limit()), _whole_number(max_limit())],
        "offset": [tk.get_validator("default")(0), _whole_number(max_offset())],
    })


def scoreboard_schema() -> Schema:
    return request({
        "level_of_government": _optional(opengovpe_vocabulary("level_of_government")),
        "sector": _optional(opengovpe_vocabulary("sector")),
        "sort": [tk.get_validator("default")("progress desc"), tk.get_validator("one_of")(
            ["progress desc", "progress asc", "name asc", "name desc",
             "milestones desc", "milestones asc", "demand desc", "demand asc",
             "usage desc", "usage asc", "quality desc", "quality asc"])],
        "limit": [tk.get_validator("default")(100), _whole_number(max_limit())],
        "offset": [tk.get_validator("default")(0), _whole_number(max_offset())],
    })


def usage_show_schema() -> Schema:
    return request({
        "id": _required_text(200),
        "type": [tk.get_validator("default")("entity"),
                 tk.get_validator("one_of")(["item", "plan", "entity"])],
    })


def usage_national_schema() -> Schema:
    return request({})


def entity_or_country_schema() -> Schema:
    """An optional entity (id or name); without it, the whole country."""
    return {"entity": _text(200)}


# the record types a picker lists and that a coordinator publishes from the programme page
PROGRAMME_RECORD_TYPES = (WORKING_GROUP_TYPE, REGULATION_TYPE, PLAN_TYPE)
PICKER_TYPES = (*PROGRAMME_RECORD_TYPES, "dataset")


def record_list_schema() -> Schema:
    return request({
        "organization": _required_text(200),
        "type": [tk.get_validator("not_empty"), tk.get_validator("one_of")(list(PICKER_TYPES))],
        "q": _text(200),
        "limit": [tk.get_validator("default")(100), _whole_number(1000)],
    })


def _yes_or_no(value: Any, context: Context) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise tk.Invalid(tk._("Must be true or false"))


def record_publish_schema() -> Schema:
    return request({
        "id": [*_required_id(), opengovpe_text(100)],
        "publish": [tk.get_validator("default")(True), _yes_or_no],
    })
