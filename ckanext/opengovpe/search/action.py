"""``package_search`` refuses parameters of the wrong type before CKAN reads them.

CKAN's search schema assumes its values are strings or numbers: a list or an object in
``rows`` fails inside ``limit_to_configured_maximum`` and a number in an ``fl`` list fails
when the action joins it, both as a 500; a list in ``q`` or ``fq`` becomes its JSON text
and is searched for. Those are the caller's mistakes, answered here with a field-level
error (409), in CKAN's words where CKAN has them. The check is by hand rather than a
``@validate`` schema: CKAN's own action validates the parameters next with its schema, and
a navl schema here would pass on only the parameters it names (``ext_*`` and the rest that
plugins read would be lost).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

INTEGER_PARAMETERS = ("rows", "start", "facet.limit", "facet.mincount")
TEXT_PARAMETERS = ("q", "fq", "sort", "facet", "qf", "defType", "df", "mm", "tie", "bf",
                   "boost", "wt", "q.op")
TEXT_LIST_PARAMETERS = ("fq_list",)
TEXT_OR_LIST_PARAMETERS = ("fl",)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float))


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def parameter_errors(data_dict: DataDict) -> dict[str, list[str]]:
    """The parameters whose type no search can use, with a message each."""
    errors: dict[str, list[str]] = {}
    for name in INTEGER_PARAMETERS:
        if not _is_scalar(data_dict.get(name)):
            errors[name] = [tk._("Invalid integer")]
    for name in TEXT_PARAMETERS:
        if not _is_scalar(data_dict.get(name)):
            errors[name] = [tk._("Must be text, not a list or an object")]
    for name in TEXT_LIST_PARAMETERS:
        if data_dict.get(name) is not None and not _is_text_list(data_dict[name]):
            errors[name] = [tk._("Must be a list of texts")]
    for name in TEXT_OR_LIST_PARAMETERS:
        value = data_dict.get(name)
        if not (_is_scalar(value) or _is_text_list(value)):
            errors[name] = [tk._("Must be a text or a list of texts")]
    return errors


@tk.chained_action
@tk.side_effect_free
def package_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Search datasets, refusing first the parameters of a type no search can use."""
    errors = parameter_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)
    return up_func(context, data_dict)
