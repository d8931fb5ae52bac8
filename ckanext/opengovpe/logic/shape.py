"""The shape of a dataset or an entity, checked before CKAN reads it.

CKAN's own actions assume each value has the type its column has: an object in a plain
field reaches the database ("can't adapt type 'dict'"), a number in ``owner_org`` becomes a
SQL comparison of text with an integer, ``resources`` given as text breaks the update, and a
repeating field given as text is refused as an "Integrity Error". Those are the caller's
mistakes; here they get an error on the field, in the shape the scheming schema gives it:

- a plain field holds text, a number or a boolean;
- a repeating field (``repeating_subfields``) holds a list of objects whose values are
  plain, and so do ``resources``, ``tags``, ``extras`` and ``groups``;
- a multiple-choice or multiple-text field holds a text or a list of texts;
- a resource's ``url`` and ``format`` hold text (CKAN parses them before converting);
- ``id``, ``name`` and ``owner_org`` hold text without NUL, since CKAN looks them up in
  the database before any validation.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy.engine import Row
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import DataDict
from ckanext.scheming.helpers import (scheming_get_dataset_schema,
                                      scheming_get_organization_schema)

MULTIPLE_VALIDATORS = ("scheming_multiple_choice", "scheming_multiple_text")
# lists of objects of CKAN's own, besides the schema's repeating fields
DATASET_LISTS = ("resources", "tags", "extras", "groups",
                 "relationships_as_object", "relationships_as_subject")
ORGANIZATION_LISTS = ("users", "extras", "packages", "groups", "tags")
# what package_show / organization_show return that CKAN ignores when it is sent back
IGNORED = ("organization", "tracking_summary")
LOOKED_UP = ("id", "name", "owner_org")
TEXT_OR_LIST = ("tag_string",)
# resource fields CKAN's validators parse as text before any conversion
RESOURCE_TEXT = ("url", "format")


def _plain(value: Any) -> bool:
    # a form's file field (an entity's image_upload, a resource's upload) arrives as a file
    return value is None or isinstance(value, (str, int, float, bool, FileStorage))


def _field_kinds(fields: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Field name -> "plain", "multiple", or the kinds of a repeating field's subfields."""
    kinds: dict[str, Any] = {}
    for field in fields:
        if field.get("repeating_subfields"):
            kinds[field["field_name"]] = _field_kinds(field["repeating_subfields"])
        elif any(v in str(field.get("validators", "")) for v in MULTIPLE_VALIDATORS):
            kinds[field["field_name"]] = "multiple"
        else:
            kinds[field["field_name"]] = "plain"
    return kinds


def _value_errors(value: Any, kind: Any) -> Any:
    """The error of one value of the given kind, or None."""
    if kind == "text":
        return None if value is None or isinstance(value, str) else [tk._("Must be text")]
    if kind == "multiple" or kind == "text or list":
        if isinstance(value, str) or value is None or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return [tk._("Must be a text or a list of texts")]
    if isinstance(kind, dict):
        return _list_errors(value, kind)
    if not _plain(value):
        return [tk._("Must be text, not a list or an object")]
    return None


def _list_errors(value: Any, kinds: dict[str, Any] | None, strict: bool = True) -> Any:
    """Errors of a list of objects whose fields have ``kinds``: a key not there must be
    plain if ``strict``; ``kinds`` None leaves the entries' values unchecked."""
    if not isinstance(value, list):
        return [tk._("Must be a list")]
    if not all(isinstance(entry, dict) for entry in value):
        return [tk._("Each entry must be an object")]
    if kinds is None:
        return None
    entries = [_record_errors(entry, kinds, strict=strict) for entry in value]
    return entries if any(entries) else None


def _record_errors(data: dict[str, Any], kinds: dict[str, Any], strict: bool,
                   lists: Iterable[str] = (), ignored: Iterable[str] = ()) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key)[:100]
        if key in ignored:
            continue
        if key in lists:
            kind: Any = kinds.get(key)
            # a resource keeps any other key CKAN was given, as JSON
            error = _list_errors(value, kind if isinstance(kind, dict) else None,
                                 strict=key != "resources")
        elif key in kinds:
            error = _value_errors(value, kinds[key])
        elif strict:
            error = _value_errors(value, "plain")
        else:
            continue
        if error:
            errors[name] = error
    return errors


def _lookup_errors(data_dict: DataDict) -> dict[str, list[str]]:
    errors = {}
    for key in LOOKED_UP:
        value = data_dict.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[key] = [tk._("Must be text")]
        elif "\x00" in value:
            errors[key] = [tk._("Must not contain NUL characters")]
    return errors


def _dataset_type(data_dict: DataDict) -> str:
    if isinstance(data_dict.get("type"), str) and data_dict["type"]:
        return data_dict["type"]
    stored = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    return stored.type if stored is not None else "dataset"


def dataset_errors(data_dict: DataDict) -> dict[str, Any]:
    """Field errors for values a dataset of its type can never take."""
    errors = _lookup_errors(data_dict)
    if errors:
        return errors
    schema = scheming_get_dataset_schema(_dataset_type(data_dict))
    if schema is None:
        # a type scheming does not describe (ckanext-harvest's sources, whose package_show
        # adds a status object that package_patch sends back) keeps its own validation
        return {}
    kinds = _field_kinds(schema.get("dataset_fields", []))
    kinds["resources"] = _field_kinds(schema.get("resource_fields", []))
    kinds["resources"].update({name: "text" for name in RESOURCE_TEXT})
    kinds.update({name: "text or list" for name in TEXT_OR_LIST})
    for name in DATASET_LISTS:
        kinds.setdefault(name, {})
    return _record_errors(data_dict, kinds, strict=True, lists=DATASET_LISTS, ignored=IGNORED)


def organization_errors(data_dict: DataDict) -> dict[str, Any]:
    """Field errors for values an entity can never take."""
    errors = _lookup_errors(data_dict)
    if errors:
        return errors
    group_type = data_dict.get("type") if isinstance(data_dict.get("type"), str) else None
    schema = scheming_get_organization_schema(group_type or "organization") or {}
    kinds = _field_kinds(schema.get("fields", []))
    return _record_errors(data_dict, kinds, strict=True, lists=ORGANIZATION_LISTS)


def check_dataset(data_dict: DataDict) -> None:
    found = data_dict.get("id")
    if isinstance(found, Row) and len(found) == 1 and isinstance(found[0], str):
        # CKAN's own bulk actions (bulk_update_private/public/delete) pass the query's row
        data_dict["id"] = found[0]
    errors = dataset_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)


def check_organization(data_dict: DataDict) -> None:
    errors = organization_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)


def check_shown_id(data_dict: DataDict, *keys: str) -> None:
    """A record asked for by an id that is not text, or holds NUL, does not exist."""
    for key in keys:
        value = data_dict.get(key)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            raise tk.ObjectNotFound(tk._("Not found"))
