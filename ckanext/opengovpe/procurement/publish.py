"""Write procurement datasets: one per buyer and year, one per harvested file."""
from __future__ import annotations

import itertools
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.datastructures import FileStorage

from ckanext.opengovpe import net
from ckanext.opengovpe.translation import N_, site_gettext

from . import build, process, store
from .flags import FLAGS

log = logging.getLogger(__name__)

DATASET_TYPE = "contrataciones"
MEDIA = {"CSV": "text/csv", "JSONL": "application/jsonl"}
# the tags of a buyer-year dataset, in the portal's language
TAGS = (N_("public procurement"), "OCDS", N_("alerts"))


def _context(user: str) -> dict[str, Any]:
    return {"model": model, "session": model.Session, "user": user, "ignore_auth": True}


def _existing(name: str) -> Optional[dict[str, str]]:
    """The id and state of the dataset of that name, in any state (read from the model: a
    whole package_show for each dataset written cost as much as its files)."""
    package = model.Package.get(name)
    return {"id": package.id, "state": package.state} if package is not None else None


def owner(source: Any) -> Optional[str]:
    """The entity that publishes a harvest source's datasets: the source's own organization."""
    package = model.Package.get(source.id)
    return package.owner_org if package is not None else None


def stored_checksum(name: str) -> Optional[str]:
    """The checksum recorded by the last complete read of a harvested file, if any."""
    package = model.Package.get(name)
    if package is None or package.state != "active":
        return None
    return package.extras.get("checksum") or None


def stored_reading(name: str) -> Optional[tuple[str, str]]:
    """(checksum, configuration digest) of the last complete read of a harvested file."""
    package = model.Package.get(name)
    if package is None or package.state != "active" or not package.extras.get("checksum"):
        return None
    return package.extras["checksum"], package.extras.get("read_with") or ""


def write_buyer_year(source: Any, config: dict[str, Any], name: str,
                     user: str) -> Optional[str]:
    """Rebuild a buyer-year dataset from the stored processes; delete it when none is left."""
    existing = _existing(name)
    releases = store.releases(source.id, name)
    first = next(releases, None)
    if first is None:
        if existing is not None and existing.get("state") == "active":
            tk.get_action("package_delete")(_context(user), {"id": existing["id"]})
        return None
    workdir = tempfile.mkdtemp(prefix="opengovpe-buyer-")
    try:
        named = _Buyer(config["buyer_identity"])
        stats = build.summarise(named.watch(itertools.chain([first], releases)), workdir)
        buyer = named.first or {"name": "", "id": "", "ruc": ""}
        ruc = named.ruc
        department = named.department
        year = name.rsplit("-", 1)[1]
        flags = stats["red_flags"]
        who = buyer["name"] or buyer["id"] or site_gettext("unidentified contracting entity")
        package = {
            "type": DATASET_TYPE,
            "name": name,
            "title": site_gettext("Public procurement: {buyer} ({year})").format(
                buyer=who, year=year),
            "notes": site_gettext(
                "Procurement processes of {buyer} in {year}, with their awards, contracts, "
                "suppliers and red flags. Source: {source}").format(
                    buyer=who, year=year, source=_source_label(source)),
            "owner_org": owner(source),
            "license_id": config["license_id"],
            "tag_string": ",".join(site_gettext(tag) for tag in TAGS),
            "buyer_name": buyer["name"],
            "buyer_id": buyer["id"],
            "buyer_ruc": ruc,
            "buyer_department": department,
            "year": year,
            "process_count": str(stats["processes"]),
            "award_count": str(stats["awards"]),
            "contract_count": str(stats["contracts"]),
            # PEN amounts only; empty (never 0.00) for a buyer-year with no amount in PEN
            **{field: f"{stats[field]:.2f}" if "PEN" in stats["totals"] else ""
               for field in ("estimate_pen", "awarded_pen", "contracted_pen")},
            "method_shares": json.dumps(stats["method_shares"]),
            "category_shares": json.dumps(stats["category_shares"]),
            "totals_by_currency": json.dumps(stats["totals"]),
            "converted_pen": json.dumps(converted(stats["totals"])),
            "date_sources": json.dumps(stats["date_sources"]),
            "month_counts": json.dumps(stats["month_counts"]),
            "red_flags": json.dumps(flags),
            "flags_not_computable": json.dumps(stats["flags_not_computable"]),
            "red_flag_total": str(sum(flags.values())),
            "top_supplier": stats["concentration"]["top_supplier"],
            "top_supplier_share": str(stats["concentration"]["top_share"]),
            "top_supplier_currency": stats["concentration"]["currency"],
            "hhi": str(stats["concentration"]["hhi"]),
            "temporal_start": stats["first_date"],
            "temporal_end": stats["last_date"],
            "harvest_source_id": source.id,
            "content_digest": store.content_digest(source.id, name),
        }
        if existing is None:
            # created as a draft in the update's transaction, neither committed nor indexed
            # on its own (a package_show and an index write less per dataset): a harvest
            # killed before the update commits leaves nothing (store.stale sends it back)
            existing = {"id": tk.get_action("package_create")(
                {**_context(user), "defer_commit": True, "return_id_only": True},
                {**package, "state": "draft", "content_digest": ""})}
        handles = [open(stats["files"][key], "rb") for key in build.FILES]  # noqa: SIM115
        try:
            # one update uploads every file to the filestore (package_update stores uploads)
            package["resources"] = [
                {"name": site_gettext(label), "format": fmt, "mimetype": MEDIA[fmt],
                 "url": filename,
                 "upload": FileStorage(handle, filename, content_type=MEDIA[fmt])}
                for handle, (filename, fmt, label) in zip(handles, build.FILES.values())]
            package["id"] = existing["id"]
            package["state"] = "active"
            result = tk.get_action("package_update")(_context(user), package)
        finally:
            for handle in handles:
                handle.close()
        log.info("Procurement dataset %s: %s processes", name, stats["processes"])
        return result["id"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _Buyer:
    """The buyer a buyer-year's processes name: the first one named, and the first RUC and
    department."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.first: Optional[dict[str, str]] = None
        self.ruc = ""
        self.department = ""

    def watch(self, releases: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for release in releases:
            # once the buyer, its RUC and its department are known, the rest cannot change them
            buyer = None if self.first and self.ruc and self.department \
                else process.buyer_of(release, self.rule)
            if buyer is not None:
                self.first = self.first or buyer
                self.ruc = self.ruc or buyer["ruc"]
                self.department = self.department or buyer.get("department") or ""
            yield release


def _source_label(source: Any) -> str:
    """Where the data came from, as a visitor may follow it: the source's web address, or its
    title when it reads a file on the server (whose path says nothing to a visitor)."""
    url = str(source.url or "")
    if url.lower().startswith(("http://", "https://")):
        return url
    return str(source.title or source.url or "")


def write_file_dataset(source: Any, config: dict[str, Any], info: dict[str, Any],
                       user: str) -> Optional[str]:
    """The dataset of one harvested file: its link, checksum and counts."""
    existing = _existing(info["name"])
    package = {
        "type": DATASET_TYPE,
        "name": info["name"],
        "title": site_gettext("OCDS file {period}").format(
            period=info.get("period") or info["url"]),
        "notes": site_gettext("Procurement data file (OCDS) read from {url}.").format(
            url=info["url"]),
        "owner_org": owner(source),
        "license_id": config["license_id"],
        "source_url": info["url"],
        "period": info.get("period") or "",
        "checksum": info.get("sha256") or "",
        "read_with": info.get("read_with") or "",
        "record_count": str(info.get("records", 0)),
        "release_count": str(info.get("releases", 0)),
        "error_count": str(info.get("errors", 0)),
        "process_count": str(info.get("stored", 0)),
        "harvest_source_id": source.id,
        # a file read from the server's own directory has no address visitors can follow
        "resources": [{"name": site_gettext("Original file"), "url": info["url"],
                       "format": "ZIP" if info["url"].lower().endswith(".zip") else "JSON"}]
        if info["url"].lower().startswith(("http://", "https://")) else [],
    }
    if existing is not None:
        package["id"] = existing["id"]
        package["state"] = "active"
        return tk.get_action("package_update")(_context(user), package)["id"]
    return tk.get_action("package_create")(_context(user), package)["id"]


def exchange_rates() -> Optional[dict[str, Any]]:
    """The admin's exchange rates to soles (``ckanext.opengovpe.ocds.exchange_rates``):
    ``{"date", "source", "rates": {code: soles per unit}}``, or None when not configured."""
    where = tk.config.get("ckanext.opengovpe.ocds.exchange_rates")
    if not where:
        return None
    if where.startswith(("http://", "https://")):
        text = net.get_bytes(where, max_bytes=2**20).decode("utf-8")
    else:
        with open(where, encoding="utf-8") as handle:
            text = handle.read()
    given = json.loads(text)
    rates = {str(code): float(rate) for code, rate in (given.get("rates") or {}).items()
             if isinstance(rate, (int, float)) and rate > 0}
    return {"date": str(given.get("date") or ""), "source": str(given.get("source") or ""),
            "rates": {**rates, "PEN": 1.0}}


def converted(totals: dict[str, dict[str, float]]) -> dict[str, Any]:
    """A buyer-year's totals converted to soles with the configured rates, when it has
    amounts in other currencies; currencies without a rate are listed, never counted."""
    if set(totals) <= {"PEN"}:
        return {}
    try:
        rates = exchange_rates()
    except (OSError, ValueError, AttributeError, net.FetchError) as err:
        log.warning("Exchange rates not read: %s", err)
        return {}
    if rates is None:
        return {}
    out: dict[str, Any] = {"estimate": 0.0, "awarded": 0.0, "contracted": 0.0,
                           "date": rates["date"], "source": rates["source"], "missing": []}
    for currency, sums in totals.items():
        rate = rates["rates"].get(currency)
        if rate is None:
            out["missing"].append(currency)
            continue
        for kind, amount in sums.items():
            out[kind] = round(out[kind] + amount * rate, 2)
    return out


def flag_definitions() -> list[dict[str, str]]:
    """Each red flag with its translated label, definition and reason, for pages."""
    return [{"code": code, "label": tk._(label), "definition": tk._(definition),
             "why": tk._(why)} for code, (label, definition, why) in FLAGS.items()]
