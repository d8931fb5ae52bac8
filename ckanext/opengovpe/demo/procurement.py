"""The demo's procurement: real OECE records harvested through the real harvester.

``seed`` writes one OECE-shaped record package into ``ckanext.opengovpe.ocds.local_directory``
(the shipped real records of ``procurement/samples`` and ``demo/ocds``, plus copies of them
marked as demonstration data for a second year and a Cusco buyer), creates an
``opengovpe_ocds`` harvest source on that file and queues a harvest job; the gather and fetch
consumers (``ckan harvester gather-consumer`` / ``fetch-consumer``) then do the rest.
"""
from __future__ import annotations

import copy
import json
import logging
import os
import pathlib
from collections.abc import Callable
from importlib import resources
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

log = logging.getLogger(__name__)

SOURCE_NAME = "contrataciones-oece-demo"
FILE_NAME = "seace-demo.json"
REAL = ("record_goods_contratada.json", "record_services_adjudicada.json",
        "release_consultoria_convocada.json", "release_convenio_adjudicada.json",
        "release_goods_convocada_sie.json", "release_goods_desierta.json",
        "release_goods_directa.json", "release_services_en_ejecucion.json",
        "release_services_nula.json", "release_works_cancelada.json")
DEMO_BUYER = {"id": "PE-DEMO-CUSCO",
              "name": "MUNICIPALIDAD PROVINCIAL DEL CUSCO (DATOS DE DEMOSTRACIÓN)"}


# the real OECE records shipped in procurement/samples (also the tests' and benchmark's base)
SAMPLES = ("record_ocds-dgv273-seacev3-1202858.json", "record_ocds-dgv273-seacev3-1216217.json")
WORKS = "release_works_trimmed_ocds-dgv273-seacev3-1220672.json"


def sample(name: str) -> dict[str, Any]:
    """A file of ``procurement/samples``, parsed."""
    return json.loads(resources.files("ckanext.opengovpe.procurement")
                      .joinpath("samples", name).read_text("utf-8"))


def _shipped(name: str) -> dict[str, Any]:
    return json.loads(resources.files("ckanext.opengovpe.demo").joinpath("ocds", name)
                      .read_text("utf-8"))


def _as_record(document: dict[str, Any]) -> dict[str, Any]:
    if "records" in document:
        return document["records"][0]
    release = {k: v for k, v in document.items() if not k.startswith("_")}
    return {"ocid": release["ocid"], "compiledRelease": release}


def _demo_copy(record: dict[str, Any], number: int, year: int) -> dict[str, Any]:
    """A real record moved to the demo buyer and ``year``; its ocid says it is a demo."""
    demo = copy.deepcopy(record)
    release = demo["compiledRelease"]
    old = (release.get("buyer") or {}).get("id")
    ocid = f"ocds-dgv273-demo-cusco-{year}-{number}"
    release.update(ocid=ocid, id=f"{ocid}-1", buyer=dict(DEMO_BUYER))
    for party in release.get("parties") or []:
        if party.get("id") == old:
            party.update(id=DEMO_BUYER["id"], name=DEMO_BUYER["name"],
                         identifier={"scheme": "PE-DEMO", "id": "CUSCO",
                                     "legalName": DEMO_BUYER["name"]},
                         additionalIdentifiers=[])
    day = f"{year}-{3 + number:02d}-1{number}"
    (release.setdefault("tender", {}))["datePublished"] = f"{day}T10:00:00-05:00"
    release["date"] = f"{day}T12:00:00-05:00"
    demo.update(ocid=ocid, releases=[])
    return demo


def package() -> dict[str, Any]:
    """The demo record package: real OECE records, then the marked demonstration copies."""
    real = [sample(name)["records"][0] for name in SAMPLES]
    works = sample(WORKS)
    real.append(_as_record(works))
    real.extend(_as_record(_shipped(name)) for name in REAL)
    demo = [_demo_copy(record, number, year) for year in (2025, 2026)
            for number, record in enumerate(real[:3], start=1)]
    return {"version": "1.1", "license": "https://creativecommons.org/licenses/by/4.0/",
            "publisher": {"name": "OECE (registros reales) y datos de demostración marcados"},
            "records": real + demo}


def seed(context: Callable[[], Context], organization: str) -> list[str]:
    """Write the demo file, create its harvest source and queue its first harvest."""
    if not p.plugin_loaded("opengovpe_ocds"):
        return []
    directory = tk.config.get("ckanext.opengovpe.ocds.local_directory")
    if not directory:
        log.warning("No demo procurement: ckanext.opengovpe.ocds.local_directory is not set")
        return []
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(os.path.realpath(directory), FILE_NAME)
    body = json.dumps(package(), ensure_ascii=False, indent=1)
    target = pathlib.Path(path)
    if not target.exists() or target.read_text("utf-8") != body:
        target.write_text(body, "utf-8")
    try:
        tk.get_action("harvest_source_show")(context(), {"id": SOURCE_NAME})
        return []
    except tk.ObjectNotFound:
        pass
    source = tk.get_action("harvest_source_create")(context(), {
        "name": SOURCE_NAME, "title": "Contrataciones públicas (OECE, demostración)",
        "url": f"file://{path}", "source_type": "opengovpe_ocds", "owner_org": organization,
        "frequency": "MANUAL", "config": json.dumps({"license_id": "cc-by"})})
    tk.get_action("harvest_job_create")(context(), {"source_id": source["id"], "run": True})
    return [f"harvest source {SOURCE_NAME} (job queued)"]
