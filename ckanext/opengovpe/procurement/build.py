"""A buyer's year of procurement: statistics, red flags and the files citizens download."""
from __future__ import annotations

import csv
import gzip
import json
import os
from collections import Counter
from typing import Any

from . import flags as rf

PROCESS_COLUMNS = ["ocid", "title", "description", "procurement_method", "method_details",
                   "category", "date_published", "estimate_pen", "awarded_pen",
                   "number_of_tenderers", "cui", "red_flags"]
AWARD_COLUMNS = ["ocid", "award_id", "supplier_ids", "supplier_names", "amount", "currency",
                 "date"]
CONTRACT_COLUMNS = ["ocid", "contract_id", "award_id", "amount", "currency", "date_signed",
                    "start_date", "end_date", "duration_days"]
SUPPLIER_COLUMNS = ["supplier_id", "name", "processes", "awarded_pen", "consortium"]
FLAG_COLUMNS = ["ocid", "flag", "definition", "title"]
FILES = {
    "processes": ("procesos.csv", "CSV", "Processes"),
    "awards": ("adjudicaciones.csv", "CSV", "Awards"),
    "contracts": ("contratos.csv", "CSV", "Contracts"),
    "suppliers": ("proveedores.csv", "CSV", "Suppliers"),
    "red_flags": ("alertas.csv", "CSV", "Red flags"),
    "releases": ("releases.jsonl.gz", "JSONL", "Compiled releases (OCDS)"),
}


def pen(value: Any) -> float:
    """An amount in soles: PEN amounts, or the publisher's own ``amount_PEN`` conversion."""
    if not isinstance(value, dict):
        return 0.0
    if isinstance(value.get("amount_PEN"), (int, float)):
        return float(value["amount_PEN"])
    if value.get("currency") in (None, "PEN") and isinstance(value.get("amount"), (int, float)):
        return float(value["amount"])
    return 0.0


def buyer_ruc(release: dict[str, Any]) -> str:
    buyer_id = (release.get("buyer") or {}).get("id")
    for party in release.get("parties") or []:
        if party.get("id") == buyer_id:
            for ident in [party.get("identifier") or {}, *(party.get("additionalIdentifiers")
                                                              or [])]:
                if ident.get("scheme") == "PE-RUC" and ident.get("id"):
                    return str(ident["id"])
    return ""


def summarise(releases: list[dict[str, Any]], directory: str) -> dict[str, Any]:
    """Write the six files of a buyer-year into ``directory``; return its statistics."""
    os.makedirs(directory, exist_ok=True)
    paths = {key: os.path.join(directory, spec[0]) for key, spec in FILES.items()}
    methods: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    flag_counts: Counter[str] = Counter()
    supplier_rows: dict[str, dict[str, Any]] = {}
    stats = {"processes": 0, "awards": 0, "contracts": 0, "estimate_pen": 0.0,
             "awarded_pen": 0.0, "contracted_pen": 0.0}
    dates: list[str] = []
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
                _one(release, writers, stats, methods, categories, flag_counts,
                     supplier_rows, dates)
        writers["suppliers"].writerow(SUPPLIER_COLUMNS)
        for sid, row in sorted(supplier_rows.items(), key=lambda kv: -kv[1]["awarded_pen"]):
            writers["suppliers"].writerow([sid, row["name"], len(row["ocids"]),
                                           round(row["awarded_pen"], 2),
                                           rf.is_consortium(sid, row["name"])])
    finally:
        for handle in handles.values():
            handle.close()
    concentration = rf.concentration(releases)
    if concentration["flag"]:
        flag_counts["supplier_concentration"] = 1
    total = max(stats["processes"], 1)
    return {
        **stats,
        "estimate_pen": round(stats["estimate_pen"], 2),
        "awarded_pen": round(stats["awarded_pen"], 2),
        "contracted_pen": round(stats["contracted_pen"], 2),
        "method_shares": {k: round(v / total, 4) for k, v in methods.most_common()},
        "category_shares": {k: round(v / total, 4) for k, v in categories.most_common()},
        "red_flags": {code: flag_counts.get(code, 0) for code in rf.FLAGS},
        "concentration": concentration,
        "first_date": min(dates) if dates else "",
        "last_date": max(dates) if dates else "",
        "files": paths,
    }


def _one(release: dict[str, Any], writers: dict[str, Any], stats: dict[str, Any],
         methods: Counter[str], categories: Counter[str], flag_counts: Counter[str],
         supplier_rows: dict[str, dict[str, Any]], dates: list[str]) -> None:
    ocid = release["ocid"]
    tender = release.get("tender") or {}
    awards = release.get("awards") or []
    contracts = release.get("contracts") or []
    codes = rf.process_flags(release)
    stats["processes"] += 1
    stats["awards"] += len(awards)
    stats["contracts"] += len(contracts)
    estimate = pen(tender.get("value"))
    awarded = sum(pen(a.get("value")) for a in awards)
    stats["estimate_pen"] += estimate
    stats["awarded_pen"] += awarded
    stats["contracted_pen"] += sum(pen(c.get("value")) for c in contracts)
    methods[str(tender.get("procurementMethod") or "unknown")] += 1
    categories[str(tender.get("mainProcurementCategory") or "unknown")] += 1
    published = str(tender.get("datePublished") or release.get("date") or "")[:10]
    if published:
        dates.append(published)
    writers["processes"].writerow([
        ocid, tender.get("title") or "", (tender.get("description") or "")[:2000],
        tender.get("procurementMethod") or "", tender.get("procurementMethodDetails") or "",
        tender.get("mainProcurementCategory") or "", published, round(estimate, 2),
        round(awarded, 2), tender.get("numberOfTenderers") or "",
        ((release.get("planning") or {}).get("budget") or {}).get("projectID") or "",
        " ".join(codes)])
    for code in codes:
        flag_counts[code] += 1
        writers["red_flags"].writerow([ocid, code, rf.FLAGS[code][1], tender.get("title") or ""])
    for award in awards:
        people = award.get("suppliers") or []
        value = award.get("value") or {}
        writers["awards"].writerow([
            ocid, award.get("id") or "", " ".join(str(s.get("id") or "") for s in people),
            " | ".join(str(s.get("name") or "") for s in people), value.get("amount", ""),
            value.get("currency", ""), award.get("date") or ""])
        for person in people:
            sid = str(person.get("id") or "")
            row = supplier_rows.setdefault(sid, {"name": str(person.get("name") or ""),
                                                 "ocids": set(), "awarded_pen": 0.0})
            row["ocids"].add(ocid)
            row["awarded_pen"] += pen(value) / max(len(people), 1)
    for contract in contracts:
        value = contract.get("value") or {}
        period = contract.get("period") or {}
        writers["contracts"].writerow([
            ocid, contract.get("id") or "", contract.get("awardID") or "",
            value.get("amount", ""), value.get("currency", ""), contract.get("dateSigned") or "",
            period.get("startDate") or "", period.get("endDate") or "",
            period.get("durationInDays", "")])
