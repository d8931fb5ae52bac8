"""Round trip: another portal serves our DCAT-AP catalogue in pages, this one harvests it."""
from __future__ import annotations

from typing import Any

import pytest
import requests

from ckan.tests import factories, helpers
from ckanext.harvest import utils as harvest_utils

from .conftest import LOCAL
from .instance import Instance

PLUGINS = ("opengovpe opengovpe_search activity scheming_datasets scheming_organizations dcat "
           "harvest dcat_rdf_harvester opengovpe_harvest")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 dcat_ap_pe"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

ENTITY = {
    "name": "municipalidad-de-miraflores", "title": "Municipalidad Distrital de Miraflores",
    "acronym": "MML", "ruc": "20131377224", "level_of_government": "local",
    "entity_type": "municipalidad-distrital", "ubigeo": "150122",
    "website": "https://www.miraflores.gob.pe",
}
DATASETS: list[dict[str, Any]] = [
    {"name": "licencias", "title": "Licencias de funcionamiento",
     "notes": "Licencias otorgadas por giro y fecha.", "license_id": "cc-zero",
     "pnda_theme": "economia-y-finanzas", "eu_theme": ["ECON"], "frequency": "MONTHLY",
     "resources": [{"url": "https://datos.miraflores.gob.pe/licencias.csv", "format": "CSV",
                    "name": "Licencias (CSV)"}]},
    {"name": "arbitrios", "title": "Arbitrios municipales",
     "notes": "Recaudación de arbitrios por mes.", "license_id": "odc-by",
     "pnda_theme": "gobernabilidad", "eu_theme": ["GOVE"], "frequency": "ANNUAL",
     "resources": [{"url": "https://datos.miraflores.gob.pe/arbitrios.json", "format": "JSON",
                    "name": "Arbitrios (JSON)"},
                   {"url": "https://datos.miraflores.gob.pe/arbitrios.csv", "format": "CSV",
                    "name": "Arbitrios (CSV)"}]},
    {"name": "parques", "title": "Parques y áreas verdes",
     "notes": "Inventario de parques del distrito.", "license_id": "cc-by",
     "pnda_theme": "medio-ambiente-y-recursos-naturales", "eu_theme": ["ENVI"],
     "frequency": "IRREG",
     "resources": [{"url": "https://datos.miraflores.gob.pe/parques.csv", "format": "CSV",
                    "name": "Parques (CSV)"}]},
    {"name": "serenazgo", "title": "Incidencias de serenazgo",
     "notes": "Incidencias atendidas por el serenazgo.", "license_id": "cc-by",
     "pnda_theme": "gobernabilidad", "eu_theme": ["JUST"], "frequency": "DAILY",
     "resources": [{"url": "https://datos.miraflores.gob.pe/serenazgo.csv", "format": "CSV",
                    "name": "Serenazgo (CSV)"}]},
    {"name": "presupuesto", "title": "Presupuesto participativo",
     "notes": "Proyectos priorizados en el presupuesto participativo.", "license_id": "odc-by",
     "pnda_theme": "economia-y-finanzas", "eu_theme": ["ECON", "GOVE"],
     "frequency": "ANNUAL",
     "resources": [{"url": "https://datos.miraflores.gob.pe/presupuesto.xlsx",
                    "format": "XLSX", "name": "Presupuesto (XLSX)"}]},
]


@pytest.fixture(scope="module")
def catalogue(other_institution: Instance) -> dict[str, dict[str, Any]]:
    """The other portal's datasets as its own API shows them (five: three pages of two)."""
    portal = other_institution
    if not portal.action("package_search", fq="+dataset_type:dataset")["count"]:
        portal.action("organization_create", **ENTITY)
        for dataset in DATASETS:
            portal.action("package_create", owner_org=ENTITY["name"], **dataset)
        portal.action("package_create", owner_org=ENTITY["name"], name="privado",
                      title="Borrador privado", notes="No se publica.", private=True)
    return {d["name"]: portal.action("package_show", id=d["name"]) for d in DATASETS}


@pytest.fixture
def harvest(app, other_institution):
    org = factories.Organization(name="miraflores-cosechado")
    admin = factories.Sysadmin()
    source = helpers.call_action(
        "harvest_source_create", {"user": admin["name"]}, name="catalogo-miraflores",
        url=f"{other_institution.url}/catalog.ttl", source_type="dcat_rdf", owner_org=org["id"])

    def run() -> dict[str, Any]:
        with app.flask_app.test_request_context():
            harvest_utils.run_test_harvester(source["id"], None)
        job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
        return helpers.call_action("harvest_job_report", id=job["id"])
    return run


def harvested() -> dict[str, dict[str, Any]]:
    found = helpers.call_action("package_search", fq="+dataset_type:dataset", rows=100,
                                include_private=True)["results"]
    return {d["title"]: d for d in found}


def test_catalogue_round_trip(catalogue, harvest, other_institution):
    first = requests.get(f"{other_institution.url}/catalog.ttl", timeout=30).text
    assert "http://www.w3.org/ns/hydra/core#next" in first     # two datasets a page
    report = harvest()
    assert report["gather_errors"] == [], report
    assert report["object_errors"] == {}, report
    got = harvested()
    assert sorted(got) == sorted(d["title"] for d in catalogue.values())
    for original in catalogue.values():
        copy = got[original["title"]]
        assert copy["notes"] == original["notes"]
        assert copy["license_id"] == original["license_id"]
        assert copy["frequency"] == original["frequency"]
        assert copy["pnda_theme"] == original["pnda_theme"]
        assert sorted(copy["eu_theme"]) == sorted(original["eu_theme"])
        publisher = copy["publisher"][0] if copy.get("publisher") else {}
        assert publisher.get("name") == ENTITY["title"]
        assert sorted((r["url"], r["format"]) for r in copy["resources"]) == sorted(
            (r["url"], r["format"]) for r in original["resources"])


def test_second_harvest_creates_no_duplicates(catalogue, harvest):
    harvest()
    first = {title: d["id"] for title, d in harvested().items()}
    report = harvest()
    assert report["gather_errors"] == []
    second = {title: d["id"] for title, d in harvested().items()}
    assert second == first and len(second) == len(catalogue)
