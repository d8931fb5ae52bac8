"""Text stored before control characters were refused still makes well-formed catalogues.

The bad text is written straight into the tables (the actions refuse it now), the search
index rebuilt from them, and every RDF format of the catalogue and of the dataset is parsed;
RDF/XML also by a plain XML parser, which is what broke. data.json stays valid JSON.
"""
from __future__ import annotations

import json
import xml.dom.minidom
from typing import Any

import pytest
import sqlalchemy as sa
from rdflib import Graph, Literal

import ckan.model as model
from ckan.lib import search
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins")

RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld", "nt": "nt"}
BAD_TITLE = "Licencias\x01 de\x0b funcionamiento\x1f\x7f\ufffe"
CLEAN_TITLE = "Licencias de funcionamiento"


@pytest.fixture(scope="module")
def dataset(module_db) -> dict[str, Any]:
    org = factories.Organization(name="oece", title="OECE")
    created = factories.Dataset(
        name="licencias", title="Licencias", notes="Licencias otorgadas.", owner_org=org["id"],
        tags=[{"name": "licencias"}],
        resources=[{"url": "https://oece.gob.pe/licencias.csv", "name": "Licencias",
                    "format": "CSV"}])
    for statement, params in (
            ("UPDATE package SET title = :title, notes = :notes WHERE id = :id",
             {"title": BAD_TITLE, "notes": "Otorgadas\x02 por\x0c la entidad.\r\nLima\t2025",
              "id": created["id"]}),
            ("UPDATE resource SET name = :name WHERE id = :id",
             {"name": "Licencias\x1b CSV", "id": created["resources"][0]["id"]}),
            ("UPDATE tag SET name = :name WHERE name = 'licencias'", {"name": "licencias\x03"})):
        model.Session.execute(sa.text(statement), params)
    model.Session.commit()
    model.Session.remove()
    search.rebuild(created["id"])
    return created


def literals(graph: Graph) -> set[str]:
    return {str(o) for o in graph.objects() if isinstance(o, Literal)}


@pytest.mark.parametrize("path", ["/catalog.{fmt}", "/dataset/{id}.{fmt}"])
def test_every_rdf_format_parses(app, dataset, path):
    for fmt, parser in RDF_FORMATS.items():
        response = app.get(path.format(fmt=fmt, id=dataset["id"]))
        assert response.status_code == 200, (fmt, response.body[:300])
        if parser == "xml":
            xml.dom.minidom.parseString(response.body.encode("utf-8"))
        found = literals(Graph().parse(data=response.body, format=parser))
        assert CLEAN_TITLE in found, (fmt, found)
        assert "Licencias CSV" in found, fmt
        assert "licencias" in found, fmt
        assert "Otorgadas por la entidad.\r\nLima\t2025" in found, fmt


def test_data_json_stays_valid(app, dataset):
    response = app.get("/data.json")
    assert response.status_code == 200
    titles = [d["title"] for d in json.loads(response.body)["dataset"]]
    assert any(title.startswith("Licencias") for title in titles), titles
