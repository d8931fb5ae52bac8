"""``opengovpe_ocds``: harvest OCDS procurement data into one dataset per buyer and year.

This module adapts ckanext-harvest's three stages and holds the helpers of the buyer-year
page. Gather makes a ``procurement.gather.Gather`` per job, which reads the source's files
into the process store, and turns its result into harvest objects: one per buyer-year
dataset that changed and one per file read. Import rebuilds those datasets from the stored
processes (``procurement.publish``). A bad object is one line of the report; the rest goes on.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

# report lines are stored: written in the portal's language, not the consumer's (it serves
# no request, and tk._ would leave them in English); forms and pages keep tk._
from ckanext.opengovpe.translation import N_, site_gettext
from ckanext.opengovpe.procurement import gather, publish

from . import recovery

log = logging.getLogger(__name__)


class OcdsHarvester(HarvesterBase, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.ITemplateHelpers)

    def get_helpers(self) -> dict[str, Any]:
        return {"opengovpe_ocds_flags": opengovpe_ocds_flags,
                "opengovpe_ocds_money": opengovpe_ocds_money,
                "opengovpe_ocds_shares": opengovpe_ocds_shares,
                "opengovpe_ocds_resource_url": opengovpe_ocds_resource_url}

    def info(self) -> dict[str, str]:
        return {"name": "opengovpe_ocds",
                "title": tk._("Public procurement (OCDS)"),
                "description": tk._("OECE bulk files, the OECE API or any OCDS record or release "
                                    "package, into one dataset per buyer and year with red flags")}

    def validate_config(self, config: Optional[str]) -> str:
        try:
            gather.parse_config(config)
        except gather.ConfigError as err:
            raise ValueError(tk._("Invalid configuration: %s")
                             % f"{err.field}: {tk._(err.message) % err.params}") from err
        return config or ""

    # gather ---------------------------------------------------------------------------
    def gather_stage(self, harvest_job: Any) -> list[str]:
        # one gather per source at a time: a second one (a job sent twice) waits, then finds
        # the processes stored and nothing left to write
        with recovery.advisory_lock(recovery.gather_lock_name(harvest_job.source_id),
                                    wait=True):
            return self._gather(harvest_job)

    def _gather(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        run = gather.Gather(source.id, source.url, gather.parse_config(source.config),
                            lambda message: self._save_gather_error(message, harvest_job))
        names, files = run.run()
        # the objects are added and committed together: one commit, not one per object
        objects = [HarvestObject(guid=name, job=harvest_job,
                                 content=json.dumps({"type": "buyer_year", "name": name}))
                   for name in names]
        objects += [HarvestObject(guid=info["name"], job=harvest_job,
                                  content=json.dumps({"type": "file", **info}))
                    for info in files]
        model.Session.add_all(objects)
        model.Session.commit()
        ids = [obj.id for obj in objects]
        log.info("OCDS gather of %s: %s datasets to write, %s errors", source.id,
                 len(ids), run.errors)
        return ids

    # fetch and import -------------------------------------------------------------------
    def fetch_stage(self, harvest_object: Any) -> bool:
        return True  # gather already stored every process

    def import_stage(self, harvest_object: Any) -> bool | str:
        # held while importing: the scheduler re-queues an object whose worker died
        with recovery.advisory_lock(recovery.object_lock_name(harvest_object.id), wait=False):
            return self._import(harvest_object)

    def _import(self, harvest_object: Any) -> bool | str:
        content = json.loads(harvest_object.content or "{}")
        source = harvest_object.source or harvest_object.job.source
        config = gather.parse_config(source.config)
        try:
            if content.get("type") == "buyer_year":
                package_id = publish.write_buyer_year(
                    source, config, content["name"], self._get_user_name())
            else:
                package_id = publish.write_file_dataset(source, config, content,
                                                        self._get_user_name())
        except (tk.ValidationError, OSError) as err:
            self._save_object_error(site_gettext("Could not write dataset %(name)s: %(error)s")
                                    % {"name": harvest_object.guid, "error": err},
                                    harvest_object, "Import")
            return False
        if package_id is None:
            harvest_object.current = False
            harvest_object.save()
            return "unchanged"
        previous = model.Session.query(HarvestObject).filter(
            HarvestObject.guid == harvest_object.guid, HarvestObject.current.is_(True),
            HarvestObject.id != harvest_object.id).all()
        for old in previous:
            old.current = False
            old.save()
        harvest_object.package_id = package_id
        harvest_object.current = True
        harvest_object.save()
        return True


def _json_field(data: dict[str, Any], field: str) -> Any:
    try:
        return json.loads(data.get(field) or "{}")
    except ValueError:
        return {}


def opengovpe_ocds_flags(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The red flags of a buyer-year dataset, with counts, the number of processes each could
    not be computed for, and translated explanations."""
    counts = _json_field(data, "red_flags")
    unknown = _json_field(data, "flags_not_computable")
    return [{**flag, "count": counts.get(flag["code"], 0),
             "not_computable": unknown.get(flag["code"], 0)}
            for flag in publish.flag_definitions()]


def opengovpe_ocds_money(data: dict[str, Any]) -> dict[str, Any]:
    """A buyer-year's totals per currency, formatted, its conversion to soles if any, and
    how many processes each date field placed."""
    def fmt(amount: Any) -> str:
        return f"{float(amount or 0):,.2f}"
    totals = [{"currency": currency, **{kind: fmt(sums.get(kind)) for kind in
                                        ("estimate", "awarded", "contracted")}}
              for currency, sums in sorted(_json_field(data, "totals_by_currency").items())]
    converted = _json_field(data, "converted_pen")
    if converted:
        converted = {**converted, **{kind: fmt(converted.get(kind))
                                     for kind in ("estimate", "awarded", "contracted")}}
    return {"totals": totals, "converted": converted,
            "date_sources": sorted(_json_field(data, "date_sources").items())}


# OCDS codes of procurementMethod and mainProcurementCategory, as people read them
SHARE_LABELS = {
    "open": N_("Open"), "selective": N_("Selective"), "limited": N_("Limited"),
    "direct": N_("Direct"), "goods": N_("Goods"), "works": N_("Works"),
    "services": N_("Services"), "unknown": N_("Not stated"),
}


def opengovpe_ocds_shares(data: dict[str, Any], field: str) -> list[dict[str, str]]:
    """A share field (method or category) as labelled percentages, largest first; codes
    outside the OCDS codelists are shown as the publisher wrote them."""
    shares = _json_field(data, field)
    if not isinstance(shares, dict):
        return []
    rows = []
    for code, share in shares.items():
        try:
            percent = float(share) * 100
        except (TypeError, ValueError):
            continue
        label = SHARE_LABELS.get(code)
        rows.append({"code": str(code), "label": tk._(label) if label else str(code),
                     "percent": f"{percent:.1f} %", "share": percent})
    return sorted(rows, key=lambda row: -row["share"])


def opengovpe_ocds_resource_url(data: dict[str, Any], filename: str) -> str:
    for resource in data.get("resources") or []:
        if str(resource.get("url") or "").endswith(filename):
            return str(resource["url"])
    return ""
