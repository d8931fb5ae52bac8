"""One procurement process: its compiled release, its checks and where it belongs.

A record's own ``compiledRelease`` is preferred; records with only linked or embedded
releases, and loose releases, are merged with ocdsmerge (OCDS 1.1 merge rules).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

import ocdsmerge
from babel.numbers import list_currencies

from ckanext.opengovpe import vocab
from ckanext.opengovpe.translation import N_

MAX_STRING = 100_000  # characters in one field; longer is not a description but an attack
MAX_AMOUNT = Decimal("1e13")  # above the whole national budget: an input error
YEARS = (1990, 2100)


class ProcessError(Exception):
    """A process that cannot be used: an English message id (``N_``) and its parameters.

    ``str()`` is the English text for the log; the harvest report translates ``message``.
    """

    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params
        super().__init__(message % params)


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
    """The compiled release of a record: the publisher's own, else its versioned release
    flattened, else one merged from its embedded releases."""
    ocid = record.get("ocid")
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict) and compiled:
        if "ocid" not in compiled and ocid:
            compiled = {**compiled, "ocid": ocid}
        return compiled
    versioned = record.get("versionedRelease")
    if isinstance(versioned, dict) and versioned:
        flat = latest_values(versioned)
        if "ocid" not in flat and ocid:
            flat["ocid"] = ocid
        return flat
    # embedded releases carry their ocid; linked releases ({url, date, tag}) do not
    releases = [r for r in record.get("releases") or [] if isinstance(r, dict) and "ocid" in r]
    if releases:
        return compile_releases(releases)
    raise ProcessError(N_("Process %(ocid)s: the record has no compiledRelease, no "
                          "versionedRelease and no embedded releases to merge. Ask the "
                          "publisher for records with their compiled release, or harvest its "
                          "release package instead."), ocid=ocid or "?")


def _is_history(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and "releaseDate" in v and "value" in v for v in value)


def latest_values(versioned: Any) -> Any:
    """A versioned release as a compiled one: each field's most recent value."""
    if _is_history(versioned):
        return latest_values(versioned[-1]["value"])
    if isinstance(versioned, dict):
        return {key: latest_values(item) for key, item in versioned.items()}
    if isinstance(versioned, list):
        return [latest_values(item) for item in versioned]
    return versioned


def compile_releases(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Merge the releases of one ocid into a compiled release."""
    ordered = sorted(releases, key=lambda r: str(r.get("date") or ""))
    try:
        return merger().create_compiled_release(ordered)
    except (ocdsmerge.exceptions.OCDSMergeError, TypeError, ValueError) as err:
        raise ProcessError(N_("Process %(ocid)s: its releases cannot be merged (%(error)s). "
                              "Ask the publisher to correct them."),
                           ocid=ordered[0].get("ocid") or "?", error=str(err)[:200]) from err


def _path(parts: list[Any]) -> str:
    """A field's path as messages name it: ``tender.items[0].unit.value.amount``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out = f"{out}[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def parse_date(text: Any) -> Optional[datetime]:
    """An OCDS date (with or without an offset; the date as the publisher wrote it)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def check(release: dict[str, Any]) -> None:
    """Refuse a compiled release the portal cannot show truthfully; the message names the
    ocid and the field."""
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise ProcessError(N_("An object without an ocid was skipped: each record or release "
                              "must carry the ocid of its process. Ask the publisher to "
                              "correct it."))
    _check_node(ocid, release, [])
    if year_of(release) is None:
        raise ProcessError(N_("Process %(ocid)s has no date to place it in a year (tender, "
                              "award, contract or release date) and was skipped. Ask the "
                              "publisher to date its releases."), ocid=ocid)


DATE_FIELDS = frozenset(("date", "startDate", "endDate", "datePublished", "dateSigned"))


# the field names whose values _check_leaf looks at beyond their length
CHECKED_FIELDS = frozenset(("amount", "amount_PEN", "currency")) | DATE_FIELDS
_PLAIN = frozenset((str, int, bool, type(None)))


def _check_node(ocid: str, value: Any, parts: list[Any]) -> None:
    """Check every value under ``value``, depth first; ``parts`` is its path (kept as a list
    and written out only for a message)."""
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in pairs:
        kind = type(item)
        if kind in _PLAIN and not (kind is str and len(item) > MAX_STRING) and not (
                type(key) is str and (key in CHECKED_FIELDS or "." in key)):
            continue  # most leaves: nothing to check (the test costs less than a call)
        if isinstance(item, (dict, list)):
            parts.append(key)
            _check_node(ocid, item, parts)
            parts.pop()
        else:
            _check_leaf(ocid, item, parts, key)


def _check_leaf(ocid: str, value: Any, parts: list[Any], key: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise ProcessError(N_("Process %(ocid)s: %(path)s is longer than %(limit)s "
                              "characters and the process was skipped. Ask the publisher "
                              "to correct it."), ocid=ocid, path=_path([*parts, key]),
                           limit=MAX_STRING)
    if not isinstance(key, str):
        return  # a list's item: its path ends with an index, never with a field's name
    if (parts and key in ("amount", "amount_PEN")) or key.endswith((".amount", ".amount_PEN")):
        _check_amount(ocid, _path([*parts, key]), value)
    elif value is not None and ((parts and key == "currency") or key.endswith(".currency")):
        if value not in currencies():
            raise ProcessError(N_("Process %(ocid)s: %(path)s '%(value)s' is not an ISO 4217 "
                                  "currency code and the process was skipped. Ask the "
                                  "publisher to correct it."),
                               ocid=ocid, path=_path([*parts, key]), value=str(value)[:20])
    elif value is not None and key.rsplit(".", 1)[-1] in DATE_FIELDS:
        when = parse_date(value)
        if when is None or not YEARS[0] <= when.year <= YEARS[1]:
            raise ProcessError(N_("Process %(ocid)s: %(path)s '%(value)s' is not a possible "
                                  "date and the process was skipped. Ask the publisher to "
                                  "correct it."),
                               ocid=ocid, path=_path([*parts, key]), value=str(value)[:40])


def _check_amount(ocid: str, path: str, value: Any) -> None:
    if value is None:
        return
    bad = N_("Process %(ocid)s: %(path)s '%(value)s' is not a number and the process was "
             "skipped. Ask the publisher to correct it.")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ProcessError(bad, ocid=ocid, path=path, value=str(value)[:40])
    try:
        number = Decimal(str(value))
    except InvalidOperation as err:
        raise ProcessError(bad, ocid=ocid, path=path, value=str(value)[:40]) from err
    if not number.is_finite() or isinstance(value, float) and not math.isfinite(value):
        raise ProcessError(N_("Process %(ocid)s: %(path)s is not a finite number and the "
                              "process was skipped. Ask the publisher to correct it."),
                           ocid=ocid, path=path)
    if isinstance(value, str):
        raise ProcessError(N_("Process %(ocid)s: %(path)s '%(value)s' is text, not a number, "
                              "and the process was skipped. Ask the publisher to correct it."),
                           ocid=ocid, path=path, value=value[:40])
    if number < 0:
        raise ProcessError(N_("Process %(ocid)s: %(path)s is negative (%(value)s) and the "
                              "process was skipped. Ask the publisher to correct it."),
                           ocid=ocid, path=path, value=str(number))
    if number > MAX_AMOUNT:
        raise ProcessError(N_("Process %(ocid)s: %(path)s %(value)s is larger than any public "
                              "budget and the process was skipped. Ask the publisher to "
                              "correct it."), ocid=ocid, path=path, value=f"{number:.3e}")


# where a process's date comes from, in order (documented on the buyer-year page)
DATE_SOURCES = ("tender.datePublished", "tender.tenderPeriod.startDate", "awards.date",
                "contracts.dateSigned", "date")


def _earliest(items: Any, key: str) -> Optional[str]:
    dated = [(when, str(item[key])) for item in items or [] if isinstance(item, dict)
             for when in [parse_date(item.get(key))] if when is not None]
    return min(dated, key=lambda pair: pair[0].replace(tzinfo=None))[1] if dated else None


def process_date(release: dict[str, Any]) -> tuple[Optional[str], str]:
    """The date a process belongs to and the field it came from: the call's publication,
    else the tender period's start, else the first award, else the first contract
    signature, else the release's own date."""
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
    candidates = (tender.get("datePublished"), period.get("startDate"),
                  _earliest(release.get("awards"), "date"),
                  _earliest(release.get("contracts"), "dateSigned"), release.get("date"))
    for text, where in zip(candidates, DATE_SOURCES):
        if parse_date(text) is not None:
            return str(text), where
    return None, ""


def year_of(release: dict[str, Any]) -> Optional[int]:
    """The year a process belongs to (see ``process_date``)."""
    when = parse_date(process_date(release)[0])
    return when.year if when is not None else None


# buyers -----------------------------------------------------------------------------------
IDENTITY_RULES = ("identifier", "party_id", "name")


def _parties(release: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in release.get("parties") or [] if isinstance(p, dict)]


def _with_role(release: dict[str, Any], role: str) -> Optional[dict[str, Any]]:
    return next((p for p in _parties(release) if role in (p.get("roles") or [])), None)


def _named(ref: Any) -> bool:
    return isinstance(ref, dict) and any(
        ref.get(key) for key in ("id", "name", "identifier"))


def buyer_of(release: dict[str, Any], rule: str = "identifier") -> Optional[dict[str, str]]:
    """The buyer of a process: ``key`` (its identity under ``rule``), ``name``, ``id``,
    ``ruc`` and ``department`` (the INEI code of its address's department, or "");
    None when the process names no buyer anywhere.

    Looked for in ``buyer``, the party with role ``buyer``, ``tender.procuringEntity`` and
    the party with role ``procuringEntity``, in that order. Under the ``identifier`` rule the
    identity is the party's ``identifier`` (scheme and id), else its first
    ``additionalIdentifiers``, else the publisher's party id, else the normalised name;
    ``party_id`` puts the publisher's id first; ``name`` uses the normalised name only.
    """
    tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    for ref in (release.get("buyer"), _with_role(release, "buyer"),
                tender.get("procuringEntity"), _with_role(release, "procuringEntity")):
        if _named(ref):
            break
    else:
        return None
    party = next((p for p in _parties(release) if ref.get("id") and p.get("id") == ref["id"]),
                 {})
    info = {**party, **{k: v for k, v in ref.items() if v}}
    name = str(info.get("name") or (info.get("identifier") or {}).get("legalName") or "")
    idents = [i for i in [info.get("identifier"), *(info.get("additionalIdentifiers") or [])]
              if isinstance(i, dict) and i.get("id")]
    by_identifier = "-".join(str(part) for part in (idents[0].get("scheme"), idents[0]["id"])
                             if part) if idents else ""
    party_id = str(info.get("id") or "")
    normalised = normalise_name(name)
    order = {"identifier": (by_identifier, party_id, normalised),
             "party_id": (party_id, by_identifier, normalised),
             "name": (normalised, by_identifier, party_id)}[rule]
    key = next((k for k in order if k), "")
    if not key:
        return None
    ruc = next((str(i["id"]) for i in idents if i.get("scheme") == "PE-RUC"), "")
    address = info.get("address") if isinstance(info.get("address"), dict) else {}
    department = next((code for code in (vocab.department_code(address.get(field))
                                         for field in ("department", "region")) if code), "")
    return {"key": key, "name": name or key, "id": party_id or by_identifier, "ruc": ruc,
            "department": department}


def normalise_name(name: str) -> str:
    """A buyer's name without accents, case, punctuation or repeated spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Za-z0-9]+", " ", plain).upper().split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def dataset_name(buyer_key: str, year: int) -> str:
    """The buyer-year dataset's name, the same on every portal and every run."""
    key = slug(buyer_key)
    if len(re.sub(r"[^a-z0-9]+", "-", buyer_key.lower()).strip("-")) > len(key):
        # a long identity cut to fit: a short hash keeps two cut alike apart
        key = f"{key[:52]}-{hashlib.sha256(buyer_key.encode()).hexdigest()[:7]}"
    return f"contrataciones-{key}-{year}"


def no_buyer_name(source_name: str, year: int) -> str:
    """The dataset of a source's processes that name no buyer, per year."""
    return f"contrataciones-sin-entidad-{slug(source_name)[:40]}-{year}"


def month_name(source_name: str, period: str) -> str:
    return f"ocds-{slug(source_name)[:50]}-{slug(period)}"


def digest(release: dict[str, Any]) -> str:
    return digest_of(json.dumps(release, sort_keys=True, default=str))


def canonical(value: Any) -> str:
    """A compiled release as JSON text with sorted keys and ijson's Decimals as plain
    numbers: serialised once, it gives the stored JSON, the digest (``digest_of``, the same
    as ``digest`` of its parsed value) and, parsed, the release (``to_json``'s value)."""
    return json.dumps(value, sort_keys=True, default=_number)


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def to_json(value: Any) -> Any:
    """Decimals from ijson as plain JSON numbers."""
    return json.loads(json.dumps(value, default=_number))


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 \
            else float(value)
    raise TypeError(type(value).__name__)
