"""One procurement process: its compiled release, its checks and where it belongs.

A record's own ``compiledRelease`` is preferred; records with only linked or embedded
releases, and loose releases, are merged with ocdsmerge (OCDS 1.1 merge rules).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

import ocdsmerge
from babel.numbers import list_currencies

MAX_STRING = 100_000  # characters in one field; longer is not a description but an attack
MAX_AMOUNT = Decimal("1e13")  # above the whole national budget: an input error
YEARS = (1990, 2100)


class ProcessError(Exception):
    """A process that cannot be used; the message names the field."""


@lru_cache(maxsize=1)
def merger() -> ocdsmerge.Merger:
    schema = json.loads(
        resources.files("ckanext.opengovpe.procurement").joinpath("release-schema.json")
        .read_text("utf-8"))
    return ocdsmerge.Merger(schema=schema)


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def compile_record(record: dict[str, Any]) -> dict[str, Any]:
    """The compiled release of a record: the publisher's own, else one merged from releases."""
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict) and compiled:
        if "ocid" not in compiled and record.get("ocid"):
            compiled = {**compiled, "ocid": record["ocid"]}
        return compiled
    # embedded releases carry their ocid; linked releases ({url, date, tag}) do not
    releases = [r for r in record.get("releases") or [] if isinstance(r, dict) and "ocid" in r]
    if releases:
        return compile_releases(releases)
    raise ProcessError("record: no compiledRelease and no embedded releases to merge")


def compile_releases(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Merge the releases of one ocid into a compiled release."""
    ordered = sorted(releases, key=lambda r: str(r.get("date") or ""))
    try:
        return merger().create_compiled_release(ordered)
    except (ocdsmerge.exceptions.OCDSMergeError, TypeError, ValueError) as err:
        raise ProcessError(f"releases cannot be merged: {err}") from err


def _walk(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, value


def parse_date(text: Any) -> Optional[datetime]:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def check(release: dict[str, Any]) -> None:
    """Refuse a compiled release the portal cannot show truthfully; the message names the field."""
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise ProcessError("ocid: missing")
    if not isinstance(release.get("buyer"), dict) or not release["buyer"].get("id"):
        raise ProcessError(f"{ocid}: buyer.id missing")
    for path, value in _walk(release, ""):
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise ProcessError(f"{ocid}: {path} is longer than {MAX_STRING} characters")
        if path.endswith(".amount") or path.endswith(".amount_PEN"):
            _check_amount(ocid, path, value)
        elif path.endswith(".currency") and value is not None and value not in currencies():
            raise ProcessError(f"{ocid}: {path} {str(value)[:20]!r} is not an ISO 4217 currency")
        elif path.split(".")[-1] in ("date", "startDate", "endDate", "datePublished",
                                     "dateSigned") and value is not None:
            when = parse_date(value)
            if when is None or not YEARS[0] <= when.year <= YEARS[1]:
                raise ProcessError(f"{ocid}: {path} {str(value)[:40]!r} is not a possible date")
    if year_of(release) is None:
        raise ProcessError(f"{ocid}: no date to place the process in a year")


def _check_amount(ocid: str, path: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ProcessError(f"{ocid}: {path} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as err:
        raise ProcessError(f"{ocid}: {path} {str(value)[:40]!r} is not a number") from err
    if not number.is_finite() or isinstance(value, float) and not math.isfinite(value):
        raise ProcessError(f"{ocid}: {path} is not a finite number")
    if isinstance(value, str):
        raise ProcessError(f"{ocid}: {path} is text, not a number")
    if number < 0:
        raise ProcessError(f"{ocid}: {path} is negative ({number})")
    if number > MAX_AMOUNT:
        raise ProcessError(f"{ocid}: {path} {number:.3e} is larger than any public budget")


def year_of(release: dict[str, Any]) -> Optional[int]:
    """The year a process belongs to: its call's publication, else the release date."""
    tender = release.get("tender") or {}
    for text in (tender.get("datePublished"), (tender.get("tenderPeriod") or {}).get("startDate"),
                 release.get("date")):
        when = parse_date(text)
        if when is not None:
            return when.year
    return None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def dataset_name(buyer_id: str, year: int) -> str:
    """The buyer-year dataset's name, the same on every portal and every run."""
    return f"contrataciones-{slug(buyer_id)}-{year}"


def month_name(source_name: str, period: str) -> str:
    return f"ocds-{slug(source_name)[:50]}-{slug(period)}"


def digest(release: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(release, sort_keys=True, default=str).encode()).hexdigest()


def to_json(value: Any) -> Any:
    """Decimals from ijson as plain JSON numbers."""
    return json.loads(json.dumps(value, default=_number))


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 \
            else float(value)
    raise TypeError(type(value).__name__)
