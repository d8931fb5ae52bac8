"""A buyer's year of procurement: statistics, red flags and the files citizens download."""
from __future__ import annotations

import csv
import gzip
import json
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..translation import N_
from . import flags as rf
from .process import process_date

PROCESS_COLUMNS = ["ocid", "title", "description", "procurement_method", "method_details",
                   "category", "date", "date_source", "estimate_amount", "estimate_currency",
                   "awarded_amount", "awarded_currency", "number_of_tenderers", "cui",
                   "red_flags", "flags_not_computable"]
AWARD_COLUMNS = ["ocid", "award_id", "supplier_ids", "supplier_names", "amount", "currency",
                 "date"]
CONTRACT_COLUMNS = ["ocid", "contract_id", "award_id", "amount", "currency", "date_signed",
                    "start_date", "end_date", "duration_days"]
SUPPLIER_COLUMNS = ["supplier_id", "name", "processes", "awarded_amount", "currency",
                    "consortium"]
FLAG_COLUMNS = ["ocid", "flag", "definition", "title"]
FILES = {
    # labels are stored in the portal's language (procurement/publish.py)
    "processes": ("procesos.csv", "CSV", N_("Processes")),
    "awards": ("adjudicaciones.csv", "CSV", N_("Awards")),
    "contracts": ("contratos.csv", "CSV", N_("Contracts")),
    "suppliers": ("proveedores.csv", "CSV", N_("Suppliers")),
    "red_flags": ("alertas.csv", "CSV", N_("Red flags")),
    "releases": ("releases.jsonl.gz", "JSONL", N_("Compiled releases (OCDS)")),
}


def by_currency(values: list[Any]) -> dict[str, float]:
    """The amounts of some OCDS Values summed per ISO 4217 currency, never across them."""
    totals: dict[str, float] = {}
    for value in values:
        amount = rf.money(value)
        if amount is not None:
            totals[amount[0]] = totals.get(amount[0], 0.0) + amount[1]
    return totals


def summarise(releases: Iterable[dict[str, Any]], directory: str) -> dict[str, Any]:
    """Write the six files of a buyer-year into ``directory``; return its statistics.

    The processes are read once, one at a time: files and figures grow as they come.

    Every amount keeps its ISO 4217 currency: ``totals`` holds the estimated, awarded and
    contracted sums per currency, and the ``*_pen`` figures are the PEN sums alone.
    """
    os.makedirs(directory, exist_ok=True)
    paths = {key: os.path.join(directory, spec[0]) for key, spec in FILES.items()}
    tally = _Tally()
    handles = {key: open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
               for key, path in paths.items() if key != "releases"}
    writers = {key: csv.writer(handle) for key, handle in handles.items()}
    for key, columns in (("processes", PROCESS_COLUMNS), ("awards", AWARD_COLUMNS),
                         ("contracts", CONTRACT_COLUMNS), ("red_flags", FLAG_COLUMNS)):
        writers[key].writerow(columns)
    try:
        with gzip.open(paths["releases"], "wt", encoding="utf-8") as jsonl:
            for release in releases:
                jsonl.write(json.dumps(release, ensure_ascii=False) + "\n")
                _one(release, writers, tally)
        writers["suppliers"].writerow(SUPPLIER_COLUMNS)
        for (sid, currency), row in sorted(tally.suppliers.items(),
                                           key=lambda kv: (kv[0][1], -kv[1]["awarded"])):
            writers["suppliers"].writerow([sid, row["name"], len(row["ocids"]),
                                           round(row["awarded"], 2), currency,
                                           rf.is_consortium(sid, row["name"])])
    finally:
        for handle in handles.values():
            handle.close()
    concentration = tally.concentration.result()
    if concentration["flag"]:
        tally.flags["supplier_concentration"] = 1
    if not concentration["computable"]:
        tally.uncomputable["supplier_concentration"] = 1
    total = max(tally.processes, 1)
    totals = {currency: {kind: round(amount, 2) for kind, amount in sums.items()}
              for currency, sums in sorted(tally.totals.items())}
    pen = totals.get("PEN", {})
    return {
        "processes": tally.processes, "awards": tally.awards, "contracts": tally.contracts,
        "totals": totals,
        "estimate_pen": pen.get("estimate", 0.0),
        "awarded_pen": pen.get("awarded", 0.0),
        "contracted_pen": pen.get("contracted", 0.0),
        "method_shares": {k: round(v / total, 4) for k, v in tally.methods.most_common()},
        "category_shares": {k: round(v / total, 4) for k, v in tally.categories.most_common()},
        "red_flags": {code: tally.flags.get(code, 0) for code in rf.FLAGS},
        "flags_not_computable": {code: tally.uncomputable[code] for code in rf.FLAGS
                                 if tally.uncomputable.get(code)},
        "date_sources": dict(tally.date_sources.most_common()),
        "month_counts": dict(sorted(tally.months.items())),
        "concentration": concentration,
        "first_date": tally.first_date,
        "last_date": tally.last_date,
        "files": paths,
    }


class _Tally:
    """What a buyer-year adds up while its files are written."""

    def __init__(self) -> None:
        self.processes = self.awards = self.contracts = 0
        self.methods: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.uncomputable: Counter[str] = Counter()
        self.date_sources: Counter[str] = Counter()
        self.months: Counter[str] = Counter()
        self.suppliers: dict[tuple[str, str], dict[str, Any]] = {}
        self.totals: dict[str, dict[str, float]] = {}
        self.concentration = rf.Concentration()
        self.first_date = self.last_date = ""

    def add(self, kind: str, amounts: dict[str, float]) -> None:
        for currency, amount in amounts.items():
            sums = self.totals.setdefault(
                currency, {"estimate": 0.0, "awarded": 0.0, "contracted": 0.0})
            sums[kind] += amount


def _joined(amounts: dict[str, float]) -> tuple[str, str]:
    """An amount and its currency for a CSV cell; several currencies are listed in order."""
    items = sorted(amounts.items())
    return (" | ".join(f"{amount:.2f}" for _, amount in items),
            " | ".join(currency for currency, _ in items))


def _one(release: dict[str, Any], writers: dict[str, Any], tally: _Tally) -> None:
    ocid = release["ocid"]
    tender = release.get("tender") or {}
    awards = release.get("awards") or []
    contracts = release.get("contracts") or []
    codes, unknown = rf.assess(release)
    tally.processes += 1
    tally.awards += len(awards)
    tally.contracts += len(contracts)
    estimate = by_currency([tender.get("value")])
    awarded = by_currency([a.get("value") for a in awards])
    tally.add("estimate", estimate)
    tally.add("awarded", awarded)
    tally.add("contracted", by_currency([c.get("value") for c in contracts]))
    tally.methods[str(tender.get("procurementMethod") or "unknown")] += 1
    tally.categories[str(tender.get("mainProcurementCategory") or "unknown")] += 1
    when, where = process_date(release)
    tally.date_sources[where] += 1
    published = str(when or "")[:10]
    if published:
        tally.first_date = min(tally.first_date or published, published)
        tally.last_date = max(tally.last_date, published)
        tally.months[published[:7]] += 1
    tally.concentration.add(release)
    writers["processes"].writerow([
        ocid, tender.get("title") or "", (tender.get("description") or "")[:2000],
        tender.get("procurementMethod") or "", tender.get("procurementMethodDetails") or "",
        tender.get("mainProcurementCategory") or "", published, where, *_joined(estimate),
        *_joined(awarded), tender.get("numberOfTenderers") or "",
        ((release.get("planning") or {}).get("budget") or {}).get("projectID") or "",
        " ".join(codes), " ".join(unknown)])
    for code in codes:
        tally.flags[code] += 1
        writers["red_flags"].writerow([ocid, code, rf.FLAGS[code][1], tender.get("title") or ""])
    for code in unknown:
        tally.uncomputable[code] += 1
    for award in awards:
        people = award.get("suppliers") or []
        value = award.get("value") or {}
        amount = rf.money(value)
        writers["awards"].writerow([
            ocid, award.get("id") or "", " ".join(str(s.get("id") or "") for s in people),
            " | ".join(str(s.get("name") or "") for s in people), value.get("amount", ""),
            amount[0] if amount else "", award.get("date") or ""])
        for person in people:
            sid = str(person.get("id") or "")
            currency = amount[0] if amount else rf.NO_CURRENCY
            row = tally.suppliers.setdefault((sid, currency), {
                "name": str(person.get("name") or ""), "ocids": set(), "awarded": 0.0})
            row["ocids"].add(ocid)
            row["awarded"] += (amount[1] if amount else 0.0) / max(len(people), 1)
    for contract in contracts:
        value = contract.get("value") or {}
        amount = rf.money(value)
        period = contract.get("period") or {}
        writers["contracts"].writerow([
            ocid, contract.get("id") or "", contract.get("awardID") or "",
            value.get("amount", ""), amount[0] if amount else "",
            contract.get("dateSigned") or "", period.get("startDate") or "",
            period.get("endDate") or "", period.get("durationInDays", "")])
