"""Procurement datasets (type ``contrataciones``, written by the OCDS harvester) are
publication datasets: in the DCAT catalogue and data.json with licence, publisher and
temporal coverage, and valid against the DCAT-AP shapes."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckan.tests import factories, helpers

from .conftest import shacl_report, with_vocabulary

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

NAME = "contrataciones-pe-oece-20419026809-2025"


@pytest.fixture
def procurement() -> dict:
    sysadmin = factories.Sysadmin()
    org = factories.Organization(name="oece", title="OECE")
    return helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, type="contrataciones", name=NAME,
        title="Contrataciones de OECE en 2025", owner_org=org["id"], license_id="cc-by",
        notes="Procesos, adjudicaciones y contratos de OECE en 2025, con alertas.",
        buyer_name="OECE", buyer_id="PE-RUC-20419026809", buyer_ruc="20419026809",
        year="2025", temporal_start="2025-01-01", temporal_end="2025-12-31",
        resources=[{"url": "http://example.org/procesos.csv", "format": "CSV",
                    "name": "Procesos"}])


def test_in_the_catalogue_with_licence_publisher_and_period(app, procurement):
    graph = Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
    datasets = [s for s in graph.subjects(RDF.type, DCAT.Dataset)
                if str(graph.value(s, DCTERMS.title)) == procurement["title"]]
    assert datasets, "the procurement dataset is not in the catalogue"
    ref = datasets[0]
    assert graph.value(ref, DCTERMS.publisher) is not None
    distribution = graph.value(ref, DCAT.distribution)
    # the EU licence authority's concept for CC BY 4.0
    assert str(graph.value(distribution, DCTERMS.license)).endswith("/licence/CC_BY_4_0")
    period = graph.value(ref, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)).startswith("2025-01-01")
    assert str(graph.value(period, DCAT.endDate)).startswith("2025-12-31")
    conforms, report = shacl_report(with_vocabulary(graph))
    assert conforms, report


def test_in_data_json_and_its_own_rdf(app, procurement):
    body = json.loads(app.get("/data.json", status=200).body)
    entry = next(d for d in body["dataset"] if d["title"] == procurement["title"])
    assert entry["temporal"].startswith("2025-01-01")
    assert "creativecommons.org/licenses/by/4.0" in entry["license"]
    rdf = Graph().parse(data=app.get(f"/dataset/{NAME}.ttl", status=200).body, format="turtle")
    assert (None, DCTERMS.title, None) in rdf
    assert isinstance(next(rdf.subjects(DCTERMS.title, None)), URIRef)
