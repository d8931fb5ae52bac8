"""navl schemas of citizens' data requests."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Schema

from .schema import (_email, _required_id, _required_text, _text, max_limit, max_offset,
                     request)
from .validators import opengovpe_plain_text, opengovpe_text

# what a request's moderation may set, and how it may be answered
STATES = ("pendiente", "aprobada", "oculta", "spam")
MODERATION = ("aprobada", "oculta", "spam")
ANSWERS = ("vinculada-item", "vinculada-dataset", "rechazada")
STATUSES = ("abierta", *ANSWERS)
SORTS = ("created desc", "created asc", "supporters desc")


def max_description() -> int:
    """Longest description and reason of a data request."""
    return int(tk.config.get("ckanext.opengovpe.demand.max_description"))


def _one_of(values: tuple[str, ...]) -> Any:
    def check(value: Any, context: Any) -> Any:
        if value not in values:
            raise tk.Invalid(tk._("Value not allowed: {value}").format(value=str(value)[:80]))
        return value
    return check


def _whole(low: int, high: int) -> Any:
    def check(value: Any, context: Any) -> Any:
        text = str(value).strip()
        if isinstance(value, (bool, list, dict)) or not (text.isascii() and text.isdigit()) \
                or len(text) > 10 or not low <= int(text) <= high:
            raise tk.Invalid(tk._("Must be a whole number from {low} to {high}").format(
                low=low, high=high))
        return int(text)
    return check


def _reference() -> list[Any]:
    return [tk.get_validator("not_empty"), opengovpe_plain_text, tk.get_validator("unicode_safe"),
            opengovpe_text(100)]


def data_request_create_schema() -> Schema:
    return request({
        "organization": _reference(),
        "title": _required_text(200),
        "description": _required_text(max_description()),
        "reason": _text(max_description()),
        "contact_name": _text(200),
        "contact_email": [*_email(), opengovpe_text(254)],
    })


def data_request_moderate_schema() -> Schema:
    return request({"id": [*_required_id(), opengovpe_text(100)],
                    "state": [tk.get_validator("not_empty"), _one_of(MODERATION)]})


def data_request_answer_schema() -> Schema:
    return request({
        "id": [*_required_id(), opengovpe_text(100)],
        "status": [tk.get_validator("not_empty"), _one_of(ANSWERS)],
        "item_id": _text(100),
        "dataset_id": _text(100),
        "answer": _text(max_description()),
    })


def data_request_list_schema() -> Schema:
    optional = tk.get_validator("ignore_missing")
    return request({
        "organization": [optional, opengovpe_plain_text, opengovpe_text(100)],
        "state": [optional, _one_of(STATES)],
        "status": [optional, _one_of(STATUSES)],
        "sort": [tk.get_validator("default")("created desc"), _one_of(SORTS)],
        "limit": [tk.get_validator("default")(50), _whole(1, max_limit())],
        "offset": [tk.get_validator("default")(0), _whole(0, max_offset())],
    })
