"""The dcat_ap_pe profile: every field out, SHACL-valid, and read back."""
from __future__ import annotations

import json
from typing import Any

import pytest
from ckanext.dcat.processors import RDFParser
from ckan.tests import helpers
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ckanext.opengovpe.dcat import vocabulary as v
from ckanext.opengovpe.dcat.profiles import organization_from_graph
from ckanext.opengovpe.quality import store

from .conftest import FULL_DATASET, FULL_ORG, shacl_report

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.opengovpe.dcat.page_size", 1000)]


def _public_datasets() -> int:
    """The demo's public datasets (and any test's), as search counts them."""
    count = helpers.call_action("package_search", fq="dataset_type:dataset", rows=0)["count"]
    assert count >= 4
    return count


def _scored(dataset: dict[str, Any]) -> URIRef:
    """Store the dataset's quality score; the URI of its DCAT dataset."""
    store.compute(helpers.call_action("package_show", id=dataset["id"]))
    return URIRef(f"http://test.ckan.net/dataset/{dataset['id']}")


def _measurements(g: Graph, ref: URIRef) -> dict[str, float]:
    """The dataset's DQV measurements: each metric's name and value."""
    return {str(g.value(m, v.DQV.isMeasurementOf)).rsplit("/", 1)[-1]:
            float(g.value(m, v.DQV.value))
            for m in g.objects(ref, v.DQV.hasQualityMeasurement)
            if (m, RDF.type, v.DQV.QualityMeasurement) in g}


def _catalog(app) -> Graph:
    response = app.get("/catalog.ttl")
    assert response.status_code == 200, response.body
    return Graph().parse(data=response.body, format="turtle")


@pytest.mark.usefixtures("demo")
def test_demo_catalogue_has_no_shacl_violations(app):
    g = _catalog(app)
    assert len(list(g.subjects(RDF.type, v.DCAT.Dataset))) == _public_datasets()
    conforms, report = shacl_report(g)
    assert conforms, report


def test_dataset_with_every_field_has_no_shacl_violations(app, full_dataset):
    ref = _scored(full_dataset)
    response = app.get(f"/dataset/{full_dataset['name']}.ttl")
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format="turtle")
    conforms, report = shacl_report(g)
    assert conforms, report
    # its stored quality score, as DQV measurements: the total and each dimension
    stored = store.stored_rows([full_dataset["id"]])[full_dataset["id"]]
    assert _measurements(g, ref) == {
        "score": stored["total"], "findability": stored["findability"],
        "accessibility": stored["accessibility"],
        "interoperability": stored["interoperability"],
        "reusability": stored["reusability"], "contextuality": stored["contextuality"]}
    # the controlled vocabularies are URIs of their schemes
    assert (ref, v.DCT.accrualPeriodicity,
            URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY")) in g
    assert (ref, v.DCT.spatial, v.PE["ubigeo/150122"]) in g
    assert (ref, v.DCAT.theme, v.PE["pnda-theme/economia-y-finanzas"]) in g
    assert (ref, v.DCT.accessRights, URIRef(
        "http://publications.europa.eu/resource/authority/access-right/RESTRICTED")) in g


@pytest.mark.usefixtures("demo")
def test_catalogue_page_and_dump_with_every_field_have_no_shacl_violations(
        app, full_dataset, cli, tmp_path):
    from ckan.cli.cli import ckan as ckan_command
    ref = _scored(full_dataset)
    g = _catalog(app)
    assert len(list(g.subjects(RDF.type, v.DCAT.Dataset))) == _public_datasets()
    conforms, report = shacl_report(g)
    assert conforms, report
    assert len(_measurements(g, ref)) == 6
    target = tmp_path / "catalog.nt"
    result = cli.invoke(ckan_command, ["opengovpe", "catalog-dump", "--format", "nt",
                                       "--output", str(target), "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    dumped = Graph().parse(str(target), format="nt")
    assert len(list(dumped.subjects(RDF.type, v.DCAT.Dataset))) == _public_datasets()
    conforms, report = shacl_report(dumped)
    assert conforms, report
    assert len(_measurements(dumped, ref)) == 6


def _parse(body: str, fmt: str) -> list[dict[str, Any]]:
    parser = RDFParser()
    parser.parse(body, _format=fmt)
    return list(parser.datasets())


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_output_read_back_recovers_every_field(app, full_dataset, fmt):
    body = app.get(f"/dataset/{full_dataset['name']}.{fmt}").body
    [parsed] = _parse(body, fmt)
    expected = dict(FULL_DATASET)
    for key in ("name", "resources", "tags", "temporal_coverage", "spatial_coverage",
                "contact", "publisher"):
        expected.pop(key)
    for key, value in expected.items():
        got = parsed.get(key)
        if isinstance(value, list):
            assert sorted(got) == sorted(value), key
        else:
            assert got == value, key
    assert sorted(t["name"] for t in parsed["tags"]) == ["comercio", "licencias"]
    assert sorted(parsed["temporal_coverage"], key=lambda p: p["start"]) \
        == FULL_DATASET["temporal_coverage"]
    [spatial] = parsed["spatial_coverage"]
    assert spatial["uri"] == "https://sws.geonames.org/3935288/"
    assert spatial["text"] == "Miraflores"
    assert json.loads(spatial["geom"]) == json.loads(FULL_DATASET["spatial_coverage"][0]["geom"])
    [contact] = parsed["contact"]
    assert {k: contact[k] for k in ("name", "email", "uri")} == FULL_DATASET["contact"][0]
    [publisher] = parsed["publisher"]
    assert {k: publisher[k] for k in FULL_DATASET["publisher"][0]} \
        == FULL_DATASET["publisher"][0]
    by_name = {r["name"]: r for r in parsed["resources"]}
    csv = by_name["Licencias (CSV)"]
    for key, value in FULL_DATASET["resources"][0].items():
        assert csv.get(key) == value, key
    xlsx = by_name["Licencias (Excel)"]
    assert xlsx["format"] == "XLSX"
    assert xlsx["url"] == FULL_DATASET["resources"][1]["url"]
    assert "license" not in xlsx  # the dataset's


def test_publisher_is_the_entity_with_its_ruc(app, full_org, sysadmin):
    from ckan.tests import helpers
    dataset = helpers.call_action("package_create", {"user": sysadmin["name"]},
                                  owner_org=full_org["id"], name="sin-publicador",
                                  title="Sin publicador", notes="Publicado por la entidad.")
    g = Graph().parse(data=app.get("/dataset/sin-publicador.ttl").body, format="turtle")
    publisher = g.value(URIRef(f"http://test.ckan.net/dataset/{dataset['id']}"),
                        v.DCT.publisher)
    assert (publisher, RDF.type, v.FOAF.Organization) in g
    assert str(g.value(publisher, v.DCT.identifier)) == FULL_ORG["ruc"]
    identifier = g.value(publisher, v.ADMS.identifier)
    assert str(g.value(identifier, v.SKOS.notation)) == FULL_ORG["ruc"]
    assert organization_from_graph(g, publisher) == FULL_ORG
    conforms, report = shacl_report(g)
    assert conforms, report
    [parsed] = _parse(app.get("/dataset/sin-publicador.ttl").body, "ttl")
    assert parsed["publisher"][0]["identifier"] == FULL_ORG["ruc"]


def test_the_tests_cover_every_field_of_both_schemas():
    """A field added to the publication or entity schema must be mapped (and added above)."""
    from ckan.tests import helpers
    dataset = helpers.call_action("scheming_dataset_schema_show", type="dataset")
    covered = set(FULL_DATASET) | {"tag_string", "owner_org"}
    assert {f["field_name"] for f in dataset["dataset_fields"]} <= covered
    resource_fields = {f["field_name"] for f in dataset["resource_fields"]}
    assert resource_fields <= set(FULL_DATASET["resources"][0])
    org = helpers.call_action("scheming_organization_schema_show", type="organization")
    assert {f["field_name"] for f in org["fields"]} <= set(FULL_ORG)
