"""Synthetic OECE month files, built from the real OECE records in ``procurement/samples/``.

Test and benchmark data (``bench/ocds_bench.py``), not part of the harvester: every record
is a real record with another ocid, buyer, dates inside the month and scaled amounts. The
data are synthetic and say so in their ocids (``ocds-dgv273-synthetic-…``) and in the
package's publisher name.
"""
from __future__ import annotations

import copy
import hashlib
import json
import random
import zipfile
from typing import IO, Any

from ckanext.opengovpe.demo.procurement import SAMPLES, WORKS, sample

FOREIGN = "mx-cdmx_release-package_1.0_drm-065.json"


def base_records() -> list[dict[str, Any]]:
    """The real records, plus the real works release wrapped as a record."""
    records = [sample(name)["records"][0] for name in SAMPLES]
    works = sample(WORKS)
    works.pop("_fixture", None)
    records.append({"ocid": works["ocid"], "compiledRelease": works, "releases": []})
    return records


def _scale(value: Any, factor: float) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("amount", "amount_PEN") and isinstance(item, (int, float)):
                value[key] = round(item * factor, 2)
            else:
                _scale(item, factor)
    elif isinstance(value, list):
        for item in value:
            _scale(item, factor)


def make_record(base: dict[str, Any], index: int, year: int, month: int,
                buyers: int, rng: random.Random, linked: int = 0) -> dict[str, Any]:
    record = copy.deepcopy(base)
    ocid = f"ocds-dgv273-synthetic-{year}{month:02d}-{index}"
    release = record["compiledRelease"]
    old_buyer = (release.get("buyer") or {}).get("id")
    number = rng.randrange(buyers)
    buyer = {"id": f"PE-CONSUCODE-9{number:04d}",
             "name": f"MUNICIPALIDAD SINTÉTICA {number}"}
    release.update(ocid=ocid, id=f"{ocid}-1", buyer=buyer)
    for party in release.get("parties") or []:
        if party.get("id") == old_buyer:
            party.update(id=buyer["id"], name=buyer["name"],
                         identifier={"id": f"9{number:04d}", "scheme": "PE-CONSUCODE",
                                     "legalName": buyer["name"]})
            party["additionalIdentifiers"] = [{"id": f"20{number:09d}", "scheme": "PE-RUC"}]
    day = f"{year}-{month:02d}-{rng.randrange(1, 28):02d}"
    tender = release.get("tender") or {}
    tender["datePublished"] = f"{day}T10:00:00-05:00"
    release["date"] = f"{day}T12:00:00-05:00"
    _scale(release, rng.uniform(0.2, 3.0))
    record["ocid"] = ocid
    for stub in record.get("releases") or []:
        stub["url"] = stub.get("url", "").replace(base["ocid"], ocid)
    # OECE records list every release of the process; ``linked`` adds that many more stubs
    for number in range(linked):
        stamp = f"{day}T{number % 24:02d}:00:00.{number:06d}-05:00"
        record.setdefault("releases", []).append({
            "url": f"https://contratacionesabiertas.oece.gob.pe/api/v1/release/{ocid}-{stamp}",
            "date": stamp, "tag": ["tenderUpdate"],
            "details": {"id": f"{ocid}-{stamp}", "tender": {"id": str(index),
                                                            "title": f"SINTETICO-{index}"}}})
    return record


def write_month(out: IO[str], records: int, year: int, month: int, *, buyers: int = 150,
                seed: int = 1, linked: int = 0) -> None:
    """Write a record package of ``records`` synthetic records, one at a time."""
    rng = random.Random(seed * 10000 + year * 100 + month)
    bases = base_records()
    out.write('{"version": "1.1", "publisher": {"name": "Synthetic data built from OECE records"}, '
              '"license": "https://creativecommons.org/licenses/by/4.0/", "records": [\n')
    for index in range(records):
        if index:
            out.write(",\n")
        out.write(json.dumps(make_record(bases[index % len(bases)], index, year, month, buyers,
                                         rng, linked), ensure_ascii=False))
    out.write("\n]}\n")


def foreign_releases(base: list[dict[str, Any]], index: int, year: int, month: int,
                     buyers: int, rng: random.Random) -> list[dict[str, Any]]:
    """The two releases (tender, then award) of one synthetic process in the CDMX shape:
    OCDS 1.0, a buyer named by an identifier without id, MXN tenders and, one in three, USD
    awards, dates with a -06:00 offset."""
    ocid = f"ocds-87sd3t-synthetic-{year}{month:02d}-{index}"
    number = rng.randrange(buyers)
    buyer = {"identifier": {"id": f"SYN{number:06d}"}, "name": f"ALCALDÍA SINTÉTICA {number}"}
    day = rng.randrange(1, 27)
    factor = rng.uniform(0.2, 3.0)
    out = []
    for step, release in enumerate(copy.deepcopy(base)):
        stamp = f"{year}-{month:02d}-{day + step:02d}T00:00:00-06:00"
        release.update(ocid=ocid, id=f"{ocid}-{step}", date=stamp, buyer=buyer)
        tender = release.setdefault("tender", {})
        tender["procuringEntity"] = buyer
        tender["tenderPeriod"] = {"startDate": f"{year}-{month:02d}-{day:02d}T00:00:00-06:00"}
        for award in release.get("awards") or []:
            award["date"] = stamp
            if index % 3:
                award["value"]["currency"] = "MXN"
        _scale(release, factor)
        out.append(release)
    return out


def write_foreign_month(out: IO[str], records: int, year: int, month: int, *,
                        buyers: int = 150, seed: int = 1) -> None:
    """An OCDS 1.0 release package (no ``version``) of ``records`` synthetic processes of two
    releases each, built from a real CDMX package; written one release at a time."""
    rng = random.Random(seed * 10000 + year * 100 + month)
    base = sample(FOREIGN)["releases"]
    out.write('{"uri": "https://example.org/synthetic", "publishedDate": '
              f'"{year}-{month:02d}-28T00:00:00-06:00", "publisher": {{"name": "Synthetic data '
              'built from a CDMX release package"}, "releases": [\n')
    for index in range(records):
        for number, release in enumerate(foreign_releases(base, index, year, month, buyers,
                                                          rng)):
            if index or number:
                out.write(",\n")
            out.write(json.dumps(release, ensure_ascii=False))
    out.write("\n]}\n")


def _set_currency(value: Any, currency: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "currency" and isinstance(item, str):
                value[key] = currency
            else:
                _set_currency(item, currency)
    elif isinstance(value, list):
        for item in value:
            _set_currency(item, currency)


def procuring_entity_record(base: dict[str, Any], index: int, year: int, month: int,
                            buyers: int, rng: random.Random) -> dict[str, Any]:
    """One record in another publisher's shape: its compiled release only, no ``buyer`` (the
    buyer is ``tender.procuringEntity``, named without an id), amounts in guaraníes (PYG)
    and dates with -04:00 and -03:00 offsets."""
    release = copy.deepcopy(base["compiledRelease"])
    ocid = f"ocds-03ad3f-synthetic-{year}{month:02d}-{index}"
    old_buyer = (release.pop("buyer", None) or {}).get("id")
    number = rng.randrange(buyers)
    release["parties"] = [party for party in release.get("parties") or []
                          if party.get("id") != old_buyer
                          and "buyer" not in (party.get("roles") or [])]
    day = f"{year}-{month:02d}-{rng.randrange(1, 28):02d}"
    tender = release.setdefault("tender", {})
    tender["procuringEntity"] = {"name": f"Municipalidad Sintética de San {number}"}
    tender["datePublished"] = f"{day}T09:00:00-04:00"
    release.update(ocid=ocid, id=f"{ocid}-1", date=f"{day}T18:30:00-03:00")
    for award in release.get("awards") or []:
        award["date"] = f"{day}T11:00:00-03:00"
    _set_currency(release, "PYG")
    _scale(release, rng.uniform(400.0, 3000.0))  # soles to guaraníes, roughly
    return {"ocid": ocid, "compiledRelease": release}


def write_procuring_entity_month(out: IO[str], records: int, year: int, month: int, *,
                                 buyers: int = 150, seed: int = 1) -> None:
    """A record package of ``records`` records in the shape of ``procuring_entity_record``,
    written one record at a time."""
    rng = random.Random(seed * 10000 + year * 100 + month)
    bases = base_records()
    out.write('{"version": "1.1", "publisher": {"name": "Synthetic data built from OECE '
              'records, in guaraníes"}, "publishedDate": '
              f'"{year}-{month:02d}-28T00:00:00-04:00", "records": [\n')
    for index in range(records):
        if index:
            out.write(",\n")
        out.write(json.dumps(procuring_entity_record(bases[index % len(bases)], index, year,
                                                     month, buyers, rng), ensure_ascii=False))
    out.write("\n]}\n")


def write_month_zip(path: str, records: int, year: int, month: int, **kwargs: Any) -> str:
    """A zipped synthetic month like OECE's; returns the SHA-256 of the JSON inside."""
    inner = f"{year}-{month:02d}_seace_v3.json"
    digest = hashlib.sha256()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(inner, "w") as raw:
            writer = _HashingWriter(raw, digest)
            write_month(writer, records, year, month, **kwargs)
    return digest.hexdigest()


class _HashingWriter:
    def __init__(self, raw: IO[bytes], digest: Any) -> None:
        self.raw, self.digest = raw, digest

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.digest.update(data)
        self.raw.write(data)
        return len(text)
