"""Red flags of Peruvian procurement (OECE/SEACE), each with its definition and threshold.

The texts here are what the buyer's dataset page shows (Spanish first through the i18n
catalogue). No flag uses ``tender.tenderPeriod``: OECE publishes start == end.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Optional

from ckanext.opengovpe.translation import N_

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


NO_CURRENCY = "XXX"  # ISO 4217's code for "no currency": an amount whose currency is not said


def money(value: Any) -> Optional[tuple[str, float]]:
    """(ISO 4217 code, amount) of an OCDS Value; None when it has no amount."""
    if isinstance(value, dict) and isinstance(value.get("amount"), (int, float)) \
            and not isinstance(value.get("amount"), bool):
        return str(value.get("currency") or NO_CURRENCY), float(value["amount"])
    return None


def suppliers(release: dict[str, Any]) -> list[tuple[str, str, Optional[tuple[str, float]]]]:
    """(supplier id, name, (currency, awarded amount) or None) of each award's suppliers, the
    amount split evenly between an award's suppliers."""
    out = []
    for award in release.get("awards") or []:
        people = award.get("suppliers") or []
        amount = money(award.get("value"))
        for supplier in people:
            share = (amount[0], amount[1] / max(len(people), 1)) if amount else None
            out.append((str(supplier.get("id") or ""), str(supplier.get("name") or ""), share))
    return out


def _days(contract: dict[str, Any]) -> Optional[float]:
    """A contract's length in days (None when unknown)."""
    period = contract.get("period") or {}
    days = period.get("durationInDays")
    if isinstance(days, (int, float)):
        return float(days)
    start, end = parse_date(period.get("startDate")), parse_date(period.get("endDate"))
    if start and end:
        return (end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds() / 86400
    return None


def is_consortium(supplier_id: str, name: str) -> bool:
    number = supplier_id.removeprefix("PE-RUC-")
    return (supplier_id.startswith("PE-RUC-") and not RUC.match(number)) \
        or "CONSORCIO" in name.upper()


def process_flags(release: dict[str, Any]) -> list[str]:
    """The codes of the process-level flags a compiled release raises."""
    return assess(release)[0]


def assess(release: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The process-level flags a compiled release raises, and those it cannot be checked
    for ("no calculable": amounts in different currencies, a missing count or period).
    Amounts are compared within one currency only."""
    tender = release.get("tender") or {}
    method = tender.get("procurementMethod")
    details = str(tender.get("procurementMethodDetails") or "")
    found: list[str] = []
    unknown: list[str] = []
    if method == "direct" or "directa" in details.lower():
        found.append("direct_award")
    _competition(tender, method, found, unknown)
    estimate = money(tender.get("value"))
    _price(estimate, release, found, unknown)
    lengths = [_days(contract) for contract in release.get("contracts") or []]
    if any(days is not None and days < SHORT_CONTRACT_DAYS for days in lengths):
        found.append("short_contract")
    elif any(days is None for days in lengths):
        unknown.append("short_contract")
    if tender.get("hasTenderInformationProtectedByLaw") is True \
            or estimate is None or estimate[1] == 0:
        found.append("value_hidden")
    if tender.get("mainProcurementCategory") == "works" \
            and not ((release.get("planning") or {}).get("budget") or {}).get("projectID"):
        found.append("works_without_cui")
    if any(is_consortium(sid, name) for sid, name, _ in suppliers(release)):
        found.append("consortium_supplier")
    return found, unknown


def _competition(tender: dict[str, Any], method: Any, found: list[str],
                 unknown: list[str]) -> None:
    tenderers = tender.get("numberOfTenderers")
    if tenderers is None and isinstance(tender.get("tenderers"), list):
        tenderers = len(tender["tenderers"])
    if isinstance(method, str) and method in COMPETITIVE:
        if tenderers == 1:
            found.append("single_bidder")
        elif not isinstance(tenderers, int):
            unknown.append("single_bidder")


def _price(estimate: Optional[tuple[str, float]], release: dict[str, Any], found: list[str],
           unknown: list[str]) -> None:
    """Awards above the estimate, when the estimate and every award share one currency."""
    awarded = [money(a.get("value")) for a in release.get("awards") or []]
    known = [a for a in awarded if a is not None]
    if not known:
        return
    if estimate is None or estimate[1] <= 0 or {c for c, _ in known} != {estimate[0]} \
            or len(known) < len(awarded):
        unknown.append("award_above_estimate")
    elif sum(a for _, a in known) / estimate[1] > RATIO_THRESHOLD:
        found.append("award_above_estimate")


class Concentration:
    """The awarded amounts of a buyer's year per currency and supplier, added up process by
    process (a big buyer's year is never held whole)."""

    def __init__(self) -> None:
        self.totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.names: dict[str, str] = {}

    def add(self, release: dict[str, Any]) -> None:
        for sid, name, amount in suppliers(release):
            if amount is not None:
                self.totals[amount[0]][sid] += amount[1]
                self.names[sid] = name

    def result(self) -> dict[str, Any]:
        """Top supplier's share and HHI (0-10,000) of the awarded amounts, per currency
        (amounts in different currencies are never added up). The flag is raised when one
        currency's figures pass a threshold; ``by_currency`` holds each currency's figures."""
        totals, names = self.totals, self.names
        by_currency = {}
        for currency, amounts in sorted(totals.items()):
            total = sum(amounts.values())
            if total <= 0:
                continue
            top = max(amounts, key=lambda sid: amounts[sid])
            share = amounts[top] / total
            hhi = sum((amount / total * 100) ** 2 for amount in amounts.values())
            by_currency[currency] = {
                "top_supplier": f"{names[top]} ({top})", "top_share": round(share, 4),
                "hhi": round(hhi, 1), "flag": share > TOP_SUPPLIER_SHARE or hhi > HHI_THRESHOLD}
        if not by_currency:
            return {"top_supplier": "", "top_share": 0.0, "hhi": 0.0, "flag": False,
                    "computable": False, "currency": "", "by_currency": {}}
        # the headline figures: the currency with the most money awarded, PEN first
        main = "PEN" if "PEN" in by_currency else max(
            by_currency, key=lambda c: sum(totals[c].values()))
        return {**by_currency[main], "currency": main, "computable": True,
                "flag": any(c["flag"] for c in by_currency.values()),
                "by_currency": by_currency}


def concentration(releases: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Supplier concentration of a buyer's year (see :class:`Concentration`)."""
    tally = Concentration()
    for release in releases:
        tally.add(release)
    return tally.result()
