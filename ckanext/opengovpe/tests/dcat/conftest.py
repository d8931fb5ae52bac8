"""Fixtures of the catalogue tests: the demo entity, a dataset with every field, SHACL."""
from __future__ import annotations

import json
import os
from typing import Any

import pytest
from jsonschema import Draft4Validator
from ckan.tests import factories, helpers
from pyshacl import validate
from rdflib import Graph, Namespace
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from ckanext.opengovpe.dcat import vocabulary
from ckanext.opengovpe.quality.shacl import with_vocabulary
from ckanext.opengovpe.demo import seed as demo_seed

SH = Namespace("http://www.w3.org/ns/shacl#")
SHACL_DIR = os.path.join(os.path.dirname(vocabulary.__file__), "shacl")

FULL_ORG: dict[str, Any] = {
    "name": "miraflores-licencias",
    "title": "Municipalidad Distrital de Miraflores",
    "acronym": "MML",
    "description": "Gobierno local del distrito de Miraflores, Lima.",
    "image_url": "https://www.miraflores.gob.pe/logo.png",
    "ruc": "20131377224",
    "level_of_government": "local",
    "entity_type": "municipalidad-distrital",
    "sector": "presidencia-del-consejo-de-ministros",
    "ubigeo": "150122",
    "website": "https://www.miraflores.gob.pe",
    "open_data_email": "datosabiertos@miraflores.gob.pe",
    "data_officer": "Ana Quispe, Oficial de Gobierno de Datos",
    "data_officer_email": "aquispe@miraflores.gob.pe",
    "gtd_leader": "Luis Huamán",
    "national_portal_name": "Municipalidad de Miraflores",
}

FULL_DATASET: dict[str, Any] = {
    "name": "licencias-de-funcionamiento",
    "title": "Licencias de funcionamiento otorgadas",
    "notes": "Licencias de funcionamiento otorgadas por la municipalidad, por giro y fecha.",
    "tags": [{"name": "licencias"}, {"name": "comercio"}],
    "license_id": "cc-zero",
    "pnda_theme": "economia-y-finanzas",
    "eu_theme": ["ECON", "GOVE"],
    "theme": ["http://eurovoc.europa.eu/4370"],
    "access_rights": "publico-restringido",
    "frequency": "MONTHLY",
    "language": ["SPA", "QUE"],
    "temporal_coverage": [{"start": "2020-01-01", "end": "2024-12-31"},
                          {"start": "2025", "end": "2025-06"}],
    "ubigeo_coverage": ["150122", "1501"],
    "spatial_coverage": [{"uri": "https://sws.geonames.org/3935288/", "text": "Miraflores",
                          "geom": '{"type": "Point", "coordinates": [-77.03, -12.12]}'}],
    "contact": [{"name": "Oficina de Gobierno Digital", "email": "gd@miraflores.gob.pe",
                 "uri": "https://www.miraflores.gob.pe/contacto"}],
    "publisher": [{"name": "Gerencia de Desarrollo Económico",
                   "uri": "https://www.miraflores.gob.pe/gde",
                   "email": "gde@miraflores.gob.pe", "url": "https://www.miraflores.gob.pe/gde/web",
                   "type": "http://purl.org/adms/publishertype/LocalAuthority",
                   "identifier": "20131377224-GDE"}],
    "url": "https://www.miraflores.gob.pe/licencias",
    "data_dictionary": "https://www.miraflores.gob.pe/licencias/diccionario.pdf",
    "documentation": ["https://www.miraflores.gob.pe/licencias/metodologia"],
    "conforms_to": ["https://www.w3.org/TR/tabular-data-primer/", "OCDS 1.1"],
    "version": "2.1",
    "identifier": "MIRAFLORES-LIC-001",
    "issued": "2020-02-01",
    "modified": "2025-07-01",
    "resources": [{
        "url": "https://www.miraflores.gob.pe/licencias.csv",
        "name": "Licencias (CSV)",
        "description": "Una fila por licencia.",
        "format": "CSV",
        "mimetype": "text/csv",
        "size": 123456,
        "license": "cc-by",
        "rights": "Datos personales anonimizados.",
        "access_url": "https://www.miraflores.gob.pe/licencias/descargas",
        "download_url": "https://www.miraflores.gob.pe/licencias.csv",
        "availability": "STABLE",
    }, {
        "url": "https://www.miraflores.gob.pe/licencias.xlsx",
        "name": "Licencias (Excel)",
        "format": "XLSX",
    }],
}


@pytest.fixture
def sysadmin(with_plugins, clean_db) -> dict[str, Any]:
    return factories.Sysadmin()


@pytest.fixture
def demo(with_plugins, clean_db) -> None:
    demo_seed.seed("oece")


@pytest.fixture
def full_org(sysadmin) -> dict[str, Any]:
    return helpers.call_action("organization_create", {"user": sysadmin["name"]},
                               **FULL_ORG)


@pytest.fixture
def full_dataset(full_org, sysadmin) -> dict[str, Any]:
    return helpers.call_action("package_create", {"user": sysadmin["name"]},
                               owner_org=full_org["id"], **FULL_DATASET)


# what a consumer knows of the concepts of other vocabularies a dataset uses (EuroVoc here)
EXTERNAL_CONCEPTS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://eurovoc.europa.eu/4370> a skos:Concept ; skos:prefLabel "licencia comercial"@es .
"""


def shacl_report(data: Graph) -> tuple[bool, str]:
    """Whether ``data`` has no SHACL violation (warnings allowed), and the violations."""
    data = data + Graph().parse(data=EXTERNAL_CONCEPTS, format="turtle")
    shapes = Graph()
    for name in ("shapes.ttl", "shapes_recommended.ttl", "range.ttl"):
        shapes.parse(os.path.join(SHACL_DIR, name), format="turtle")
    conforms, results, _text = validate(with_vocabulary(data), shacl_graph=shapes,
                                        inference="none", allow_warnings=True)
    violations = [
        f"{results.value(r, SH.focusNode)} {results.value(r, SH.resultPath)}: "
        f"{results.value(r, SH.resultMessage)}"
        for r in results.subjects(SH.resultSeverity, SH.Violation)]
    return conforms and not violations, "\n".join(sorted(violations))


POD_DIR = os.path.join(os.path.dirname(vocabulary.__file__), "pod")


@pytest.fixture(scope="session")
def pod_validator() -> Draft4Validator:
    """A validator of whole data.json documents against the shipped official POD v1.1
    schema, URI formats included, less the two U.S. federal codes (see pod/PROVENANCE.md)."""
    schemas = {}
    for name in ("catalog", "dataset", "distribution", "organization", "vcard"):
        with open(os.path.join(POD_DIR, f"{name}.json"), encoding="utf-8") as f:
            schemas[name] = json.load(f)
    schemas["dataset"]["required"] = [
        r for r in schemas["dataset"]["required"] if r not in ("bureauCode", "programCode")]
    base = "https://project-open-data.cio.gov/v1.1/schema/"
    registry = Registry().with_resources(
        (base + f"{name}.json", Resource.from_contents(schema, default_specification=DRAFT4))
        for name, schema in schemas.items())
    return Draft4Validator(schemas["catalog"], registry=registry,
                           format_checker=Draft4Validator.FORMAT_CHECKER)
