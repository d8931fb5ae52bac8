"""Field validators of the opengovpe schemas.

Every error is a message on the field that holds the bad value. Validators that take a list
(UBIGEO codes, references, multiple choices) also take a single string.
"""
from __future__ import annotations

import calendar
import datetime
import re
from typing import Any, Callable, Mapping

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from .. import text as text_rules
from .. import vocab

__all__ = [
    "opengovpe_entity_reference",
    "opengovpe_after_installation",
    "opengovpe_ruc",
    "opengovpe_ubigeo",
    "opengovpe_vocabulary",
    "opengovpe_vocab_value",
    "opengovpe_vocab_values",
    "opengovpe_default",
    "opengovpe_date_order",
    "opengovpe_percentage",
    "opengovpe_date",
    "opengovpe_plain_text",
    "opengovpe_dataset_name",
    "opengovpe_text",
    "opengovpe_link",
    "opengovpe_no_control_characters",
    "opengovpe_known_fields",
]

FieldValidator = Callable[[FlattenKey, FlattenDataDict, FlattenErrorDict, Context], None]

RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_RUC = re.compile(r"[0-9]{11}")
# CKAN's rule for dataset names (and ids, which also match)
_DATASET_NAME = re.compile(r"[a-z0-9_-]{2,100}")
_YEAR = re.compile(r"([0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _empty(value: Any) -> bool:
    return value is tk.missing or value is None or value == ""


def ruc_check_digit(first_ten: str) -> int:
    """The check digit of a RUC from its first ten digits (SUNAT's modulus 11)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_ten, RUC_WEIGHTS))
    remainder = 11 - total % 11
    return remainder if remainder < 10 else remainder - 10


def opengovpe_ruc(value: Any, context: Context) -> Any:
    """A RUC (Registro Único de Contribuyentes): 11 digits, the last one a valid check digit."""
    if _empty(value):
        return value
    text = str(value).strip()
    if not _RUC.fullmatch(text):
        raise tk.Invalid(tk._("A RUC has exactly 11 digits"))
    if ruc_check_digit(text[:10]) != int(text[10]):
        raise tk.Invalid(tk._("This RUC is not valid: its check digit is wrong"))
    return text


def _values(value: Any) -> list[Any] | None:
    """The values of a field that takes one string or a list; None when it is neither."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v.strip() if isinstance(v, str) else v for v in value if v not in ("", None)]
    return None


def _store(key: FlattenKey, data: FlattenDataDict, original: Any, cleaned: list[Any]) -> None:
    """Keep the cleaned value: a string stays a string, a list a list."""
    data[key] = original.strip() if isinstance(original, str) else cleaned


def _check_each(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                not_a_list: str, problem: Callable[[Any], str | None]) -> None:
    """A field of one string or a list: ``not_a_list`` when it is neither, else the
    ``problem`` of each value; the cleaned values are kept when there is none."""
    value = data.get(key)
    if _empty(value):
        return
    values = _values(value)
    if values is None:
        errors[key].append(not_a_list)
        return
    problems = [found for found in map(problem, values) if found]
    errors[key].extend(problems)
    if not problems:
        _store(key, data, value, values)


def _ubigeo_error(code: Any) -> str | None:
    if not isinstance(code, str) or not vocab.UBIGEO_PATTERN.fullmatch(code):
        return tk._('"{code}" is not a UBIGEO code: use the 2, 4 or 6 digits of INEI').format(
            code=str(code)[:40])
    if not vocab.ubigeo_exists(code):
        return tk._('UBIGEO code {code} does not exist in the INEI list').format(code=code)
    return None


def opengovpe_ubigeo(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                     context: Context) -> None:
    """One INEI UBIGEO code (department, province or district), or a list of them."""
    _check_each(key, data, errors, tk._("Expecting a UBIGEO code or a list of UBIGEO codes"),
                _ubigeo_error)


def opengovpe_vocabulary(name: str, multiple: bool = False) -> FieldValidator:
    """A value of vocabulary ``name``; with ``multiple``, a list of them (or a single string).

    In a navl schema: ``opengovpe_vocabulary("frequency")``. In scheming YAML, the presets
    ``opengovpe_vocab_select`` and ``opengovpe_vocab_multiple`` use ``opengovpe_vocab_value`` and
    ``opengovpe_vocab_values``, which read the field's ``vocabulary``. An unknown vocabulary
    fails here, when the schema is built.
    """
    vocab.terms(name)

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if not multiple and not _empty(value) and not isinstance(value, str):
            errors[key].append(tk._("Expecting a single value"))
            return
        _check_each(key, data, errors, tk._("Expecting a list of values"),
                    lambda v: None if vocab.is_member(name, v) else tk._(
                        '"{value}" is not one of the allowed values').format(value=str(v)[:80]))

    return validator


def opengovpe_vocab_value(field: Mapping[str, Any], schema: Mapping[str, Any]) -> FieldValidator:
    """Scheming: one value of the vocabulary named by the field's ``vocabulary`` key."""
    return opengovpe_vocabulary(field["vocabulary"])


def opengovpe_vocab_values(field: Mapping[str, Any],
                           schema: Mapping[str, Any]) -> FieldValidator:
    """Scheming: values of the vocabulary named by the field's ``vocabulary`` key.

    Put ``scheming_multiple_choice`` after it, which stores the list.
    """
    return opengovpe_vocabulary(field["vocabulary"], multiple=True)


def opengovpe_default(field: Mapping[str, Any], schema: Mapping[str, Any]) -> FieldValidator:
    """Scheming: an empty value takes the field's ``default`` (which may contain spaces)."""
    default = field.get("default")

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        if default is not None and _empty(data.get(key)):
            data[key] = default

    return validator


# ckanext-scheming calls these with the field and the schema to get the validator
opengovpe_vocab_value.is_a_scheming_validator = True  # type: ignore[attr-defined]
opengovpe_vocab_values.is_a_scheming_validator = True  # type: ignore[attr-defined]
opengovpe_default.is_a_scheming_validator = True  # type: ignore[attr-defined]


def _as_date(value: Any, end_of_period: bool) -> datetime.date | None:
    """A date from a date, a datetime or an ISO 8601 string (also ``YYYY`` or ``YYYY-MM``).

    A year or a month stands for its first day, or with ``end_of_period`` its last day.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _YEAR.fullmatch(text):
            return datetime.date(int(text), 12 if end_of_period else 1, 31 if end_of_period else 1)
        month = _YEAR_MONTH.fullmatch(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            day = calendar.monthrange(year, number)[1] if end_of_period else 1
            return datetime.date(year, number, day)
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


# dates outside these years are typing mistakes, and far ones break date arithmetic
FIRST_YEAR, LAST_YEAR = 1900, 2100


def opengovpe_date(value: Any, context: Context) -> Any:
    """A calendar date (``YYYY-MM-DD``, or a date or datetime), between the years
    :data:`FIRST_YEAR` and :data:`LAST_YEAR`; empty is None."""
    if _empty(value):
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


def opengovpe_date_order(start_field: str) -> FieldValidator:
    """On an end date: it is not before the start date ``start_field`` of the same record.

    The start is the sibling key, so this works for top-level fields (``period_end`` after
    ``period_start``) and inside repeating subfields (``('members', 0, 'date_to')`` after
    ``('members', 0, 'date_from')``). A missing or unreadable date is left to its own validators.
    """

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        end = _as_date(data.get(key), end_of_period=True)
        start = _as_date(data.get(key[:-1] + (start_field,)), end_of_period=False)
        if end is not None and start is not None and end < start:
            errors[key].append(
                tk._("This date cannot be earlier than {start}").format(
                    start=start.isoformat()))

    return validator


def opengovpe_percentage(value: Any, context: Context) -> Any:
    """A whole number from 0 to 100."""
    if _empty(value):
        return value
    if isinstance(value, bool):
        raise tk.Invalid(tk._("A percentage is a whole number from 0 to 100"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text.isdigit() or not text.isascii():
        raise tk.Invalid(tk._("A percentage is a whole number from 0 to 100"))
    number = int(text)
    if number > 100:
        raise tk.Invalid(tk._("A percentage cannot be greater than 100"))
    return number


def opengovpe_dataset_name(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                           context: Context) -> None:
    """The name (or id) of a dataset, or a list of them: a reference to another record.

    Only the form is checked here; whether the record exists and belongs to the same entity is
    checked where references are resolved.
    """
    _check_each(key, data, errors,
                tk._("Expecting a dataset name or a list of dataset names"),
                lambda name: None if isinstance(name, str) and _DATASET_NAME.fullmatch(name)
                else tk._('"{name}" is not a dataset name: use 2 to 100 lowercase letters, '
                          'digits, "-" or "_"').format(name=str(name)[:80]))


def _owner_id(data: FlattenDataDict) -> str | None:
    owner = data.get(("owner_org",))
    if _empty(owner):
        return None
    group = model.Group.get(str(owner))
    return group.id if group else str(owner)


@scheming_validator
def opengovpe_entity_reference(field: Mapping[str, Any], schema: Mapping[str, Any]
                               ) -> FieldValidator:
    """The referenced records exist, are of the field's ``reference_type`` and belong
    to the same entity as the record being saved."""
    record_type = field.get("reference_type")

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if _empty(value) or errors.get(key):
            return
        names = _values(value) or []
        owner = _owner_id(data)
        for name in names:
            record = model.Package.get(str(name))
            if record is None or record.state == "deleted" or (
                    record_type and record.type != record_type):
                errors[key].append(tk._('No record "{name}" of this kind').format(
                    name=str(name)[:80]))
            elif owner and record.owner_org != owner:
                errors[key].append(tk._('"{name}" belongs to another entity').format(
                    name=str(name)[:80]))
    return validator


def opengovpe_after_installation(key: FlattenKey, data: FlattenDataDict,
                                 errors: FlattenErrorDict, context: Context) -> None:
    """A session of the working group is not earlier than the group's installation."""
    session = _as_date(data.get(key), end_of_period=True)
    installed = _as_date(data.get(("installation_date",)), end_of_period=False)
    if session and installed and session < installed:
        errors[key].append(tk._("A session cannot be earlier than the installation of the "
                                "group ({date})").format(date=installed.isoformat()))


def opengovpe_text(limit: int) -> Callable[[Any, Context], Any]:
    """Text of at most ``limit`` characters: not a list or object.

    In a scheming field: ``validators: not_empty opengovpe_text(500) unicode_safe``.
    Without a limit a title of a megabyte was accepted and broke the page and the index.
    Control characters (NUL included) are refused for every field of the record by
    :func:`opengovpe_no_control_characters`.
    """
    maximum = int(limit)

    def check(value: Any, context: Context) -> Any:
        if isinstance(value, (list, dict)):
            raise tk.Invalid(tk._("Must be text"))
        if isinstance(value, str):
            if len(value) > maximum:
                raise tk.Invalid(
                    tk._("Must be at most {limit} characters").format(limit=maximum))
        return value

    return check


def opengovpe_plain_text(value: Any, context: Context) -> Any:
    """Text, not a list or an object turned into text, without control characters
    (PostgreSQL refuses NUL, XML cannot carry the others).

    For the programme's own records; a scheming record refuses control characters in
    every field at once with :func:`opengovpe_no_control_characters`.
    """
    if isinstance(value, (list, dict)):
        raise tk.Invalid(tk._("Must be text"))
    message = control_character_message(value)
    if message:
        raise tk.Invalid(message)
    return value


def opengovpe_link(value: Any, context: Context) -> Any:
    """A resource link a visitor can follow safely: http(s) or ftp, or an uploaded file's name.

    ``javascript:``, ``data:`` and ``vbscript:`` links would run in the visitor's browser when
    clicked; the scheme is read as a browser reads it (any case, leading blanks and control
    characters ignored).
    """
    scheme = text_rules.link_scheme(value)
    if scheme is not None and scheme not in ("http", "https", "ftp"):
        raise tk.Invalid(tk._("Links must start with http://, https:// or ftp://"))
    return value


def control_character_message(value: Any) -> str | None:
    """The error for text (or a list or object holding text) with a refused character."""
    found = _first_control_character(value)
    if found is None:
        return None
    return tk._("Contains a control character ({character}), which is not allowed: "
                "remove it").format(character=found)


def _first_control_character(value: Any) -> str | None:
    if isinstance(value, str):
        return text_rules.control_character(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple)):
        for entry in value:
            found = _first_control_character(entry)
            if found:
                return found
    return None


def opengovpe_no_control_characters(key: FlattenKey, data: FlattenDataDict,
                                    errors: FlattenErrorDict, context: Context) -> None:
    """Whole-record check (scheming ``before_validators``): no field holds a control character.

    It sees every field as sent, before any conversion: the schema's own fields, repeating
    subfields (``('contact', 0, 'name')``), resources, tags, extras and unknown keys alike,
    and puts the error on the field that holds the character, in the shape of that field's
    other errors.
    """
    for field, value in list(data.items()):
        if field == key:
            continue
        if field[-1] in ("__extras", "__junk") and isinstance(value, dict):
            # keys the schema does not know, gathered by navl: report them under their name
            for name, extra in value.items():
                message = control_character_message(extra)
                if message:
                    where = name if isinstance(name, tuple) else field[:-1] + (name,)
                    errors.setdefault(where, []).append(message)
            continue
        message = control_character_message(value)
        if message:
            errors.setdefault(field, []).append(message)


def opengovpe_known_fields(fields: Mapping[str, Any],
                           ignored: frozenset[str] = frozenset()) -> FieldValidator:
    """Whole-request check of an action's schema (its ``__before``): a field that
    ``fields`` (the schema, with its nested ones) does not know, ``ignored`` aside, at any
    depth, is refused, and then a NUL in any top-level value. Either refuses the request
    as a whole, before its values are read, with errors in the request's own shape
    (``{"items": [{}, {"x": [...]}]}``): what navl would otherwise drop in silence."""

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        unknown: dict[FlattenKey, list[str]] = {}
        if key in data:  # a field named like the check itself
            unknown[key] = [tk._("Unknown field")]
        for field, value in data.items():
            if field[-1] in ("__extras", "__junk") and isinstance(value, dict):
                for name in value:
                    where = name if isinstance(name, tuple) else field[:-1] + (name,)
                    if not _known(fields, where) and where[-1] not in ignored:
                        unknown[where] = [tk._("Unknown field")]
        if unknown:
            raise tk.ValidationError(_as_request(unknown, data))
        nul = {field[0]: [tk._("Must not contain NUL characters")]
               for field, value in data.items()
               if len(field) == 1 and value is not tk.missing
               and not str(field[0]).startswith("__") and "\x00" in str(value)}
        if nul:
            raise tk.ValidationError(nul)

    return validator


def _known(fields: Mapping[str, Any], where: FlattenKey) -> bool:
    """Whether the schema has the field at ``where`` (navl sets an empty list of a
    nested schema's objects aside as an extra)."""
    for name in where[:-1:2]:
        fields = fields.get(name) if isinstance(fields.get(name), dict) else {}
    return where[-1] in fields


def _as_request(flat: dict[FlattenKey, list[str]], data: FlattenDataDict) -> dict[str, Any]:
    """Flattened errors nested as the request was: a list field's errors are a list with
    one entry (empty where nothing is wrong) for each of its objects."""
    nested: dict[str, Any] = {}
    for where, messages in flat.items():
        node = nested
        for depth in range(0, len(where) - 1, 2):
            prefix = where[:depth + 1]
            size = 1 + max(k[depth + 1] for k in data
                           if k[:depth + 1] == prefix and len(k) > depth + 1
                           and isinstance(k[depth + 1], int))
            node = node.setdefault(str(where[depth])[:100], [{} for _ in range(size)])[
                where[depth + 1]]
        node[str(where[-1])[:100]] = messages
    return nested
