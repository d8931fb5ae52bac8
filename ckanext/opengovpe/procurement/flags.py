"""Red flags of Peruvian procurement (OECE/SEACE), each with its definition and threshold.

The texts here are what the buyer's dataset page shows (Spanish first through the i18n
catalogue). No flag uses ``tender.tenderPeriod``: OECE publishes start == end.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ckanext.opengovpe.helpers import N_

from .process import parse_date

SHORT_CONTRACT_DAYS = 7
RATIO_THRESHOLD = 1.0
TOP_SUPPLIER_SHARE = 0.5
HHI_THRESHOLD = 2500
COMPETITIVE = {"open", "selective"}
RUC = re.compile(r"^\d{11}$")

# code -> (label, definition and threshold, why it matters); English msgids, shown through _()
FLAGS: dict[str, tuple[str, str, str]] = {
    "direct_award": (
        N_("Direct award"),
        N_("The process used direct contracting (Contratación Directa, procurementMethod "
           "'direct')."),
        N_("Direct awards skip competition; they are legal only in the cases the law lists.")),
    "single_bidder": (
        N_("Single bidder"),
        N_("A competitive method (open or selective) received exactly one tenderer."),
        N_("Competition that attracts one bidder gives no price comparison.")),
    "award_above_estimate": (
        N_("Award above the estimate"),
        N_("The sum of the awards exceeds the estimated value of the call."),
        N_("Paying more than the estimate may point to a poor estimate or to weak "
           "competition.")),
    "short_contract": (
        N_("Very short contract"),
        N_("A contract lasts fewer than 7 days from start to end."),
        N_("Very short periods may mean the goods or works were delivered before the "
           "contract.")),
    "value_hidden": (
        N_("Value protected or reported as 0"),
        N_("The tender information is protected by law, or the estimated value is missing "
           "or 0."),
        N_("Without a value, citizens cannot compare what was estimated and what was paid.")),
    "works_without_cui": (
        N_("Works without CUI"),
        N_("A works process without an investment-project code (CUI, "
           "planning.budget.projectID)."),
        N_("Public works must belong to a registered investment project.")),
    "consortium_supplier": (
        N_("Consortium supplier"),
        N_("A supplier identified by a consortium id rather than an 11-digit RUC, or named "
           "CONSORCIO."),
        N_("Consortia are harder to trace to the companies and people behind them.")),
    "supplier_concentration": (
        N_("Supplier concentration"),
        N_("In the buyer's year, one supplier receives more than half of the awarded amount, "
           "or the Herfindahl-Hirschman index of awarded amounts exceeds 2,500."),
        N_("A buyer whose money goes mostly to one supplier may lack competition.")),
}


def _amount(value: Any) -> float:
    if isinstance(value, dict) and isinstance(value.get("amount"), (int, float)):
        return float(value["amount"])
    return 0.0


def suppliers(release: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(supplier id, name, awarded amount) of each award's suppliers (amount split evenly)."""
    out = []
    for award in release.get("awards") or []:
        people = award.get("suppliers") or []
        for supplier in people:
            out.append((str(supplier.get("id") or ""), str(supplier.get("name") or ""),
                        _amount(award.get("value")) / max(len(people), 1)))
    return out


def _days(contract: dict[str, Any]) -> float:
    """A contract's length in days (infinite when unknown)."""
    period = contract.get("period") or {}
    days = period.get("durationInDays")
    if isinstance(days, (int, float)):
        return float(days)
    start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
    return float((end - start).days) if start and end else float("inf")


def is_consortium(supplier_id: str, name: str) -> bool:
    number = supplier_id.removeprefix("PE-RUC-")
    return (supplier_id.startswith("PE-RUC-") and not RUC.match(number)) \
        or "CONSORCIO" in name.upper()


def process_flags(release: dict[str, Any]) -> list[str]:
    """The codes of the process-level flags a compiled release raises."""
    tender = release.get("tender") or {}
    method = tender.get("procurementMethod")
    details = str(tender.get("procurementMethodDetails") or "")
    found = []
    if method == "direct" or "directa" in details.lower():
        found.append("direct_award")
    tenderers = tender.get("numberOfTenderers")
    if tenderers is None and isinstance(tender.get("tenderers"), list):
        tenderers = len(tender["tenderers"])
    if method in COMPETITIVE and tenderers == 1:
        found.append("single_bidder")
    estimate = _amount(tender.get("value"))
    awarded = sum(_amount(a.get("value")) for a in release.get("awards") or [])
    if estimate > 0 and awarded / estimate > RATIO_THRESHOLD:
        found.append("award_above_estimate")
    if any(_days(contract) < SHORT_CONTRACT_DAYS for contract in release.get("contracts") or []):
        found.append("short_contract")
    if tender.get("hasTenderInformationProtectedByLaw") is True or estimate == 0:
        found.append("value_hidden")
    if tender.get("mainProcurementCategory") == "works" \
            and not ((release.get("planning") or {}).get("budget") or {}).get("projectID"):
        found.append("works_without_cui")
    if any(is_consortium(sid, name) for sid, name, _ in suppliers(release)):
        found.append("consortium_supplier")
    return found


def concentration(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Top supplier's share and HHI (0-10,000) of the awarded amounts of a buyer's year."""
    totals: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for release in releases:
        for sid, name, amount in suppliers(release):
            totals[sid] += amount
            names[sid] = name
    total = sum(totals.values())
    if total <= 0:
        return {"top_supplier": "", "top_share": 0.0, "hhi": 0.0, "flag": False}
    top = max(totals, key=lambda sid: totals[sid])
    share = totals[top] / total
    hhi = sum((amount / total * 100) ** 2 for amount in totals.values())
    return {"top_supplier": f"{names[top]} ({top})", "top_share": round(share, 4),
            "hhi": round(hhi, 1), "flag": share > TOP_SUPPLIER_SHARE or hhi > HHI_THRESHOLD}
