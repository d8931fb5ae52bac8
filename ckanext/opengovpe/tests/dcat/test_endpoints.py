"""Catalogue endpoints: one route per URL, formats, content negotiation, published datasets only."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from ckanext.opengovpe.dcat import vocabulary as v

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.opengovpe.dcat.page_size", 1000)]

RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld", "nt": "nt"}


@pytest.fixture
def unpublished(demo, sysadmin):
    """A private dataset, a draft, a deleted one and a harvest source beside the demo's
    programme records (working group, regulations, plan)."""
    org = helpers.call_action("organization_show", id="oece")
    context = {"user": sysadmin["name"]}
    private = helpers.call_action("package_create", context, name="privado", title="Privado",
                                  notes="x", owner_org=org["id"], private=True)
    draft = helpers.call_action("package_create", context, name="borrador", title="Borrador",
                                notes="x", owner_org=org["id"], state="draft")
    deleted = helpers.call_action("package_create", context, name="borrado", title="Borrado",
                                  notes="x", owner_org=org["id"])
    helpers.call_action("package_delete", context, id=deleted["id"])
    source = factories.Dataset(type="harvest", name="fuente-harvest", owner_org=org["id"])
    others = helpers.call_action("package_search", fq="-dataset_type:dataset",
                                 include_private=True, rows=100)["results"]
    assert {d["type"] for d in others} >= {"grupo-trabajo", "norma", "plan-apertura", "harvest"}
    return [private, draft, deleted, source] + others


def _public_dataset_ids() -> set[str]:
    """The demo's public datasets (its own and its plans' open datasets), as search finds
    them; the unpublished records beside them must not be among them."""
    found = helpers.call_action("package_search", fq="dataset_type:dataset", rows=1000)
    assert found["count"] >= 4
    return {d["id"] for d in found["results"]}


def _published_names(app, fmt: str) -> set[str]:
    response = app.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    g = Graph().parse(data=response.body, format=RDF_FORMATS[fmt])
    return {str(g.value(d, v.DCT.identifier)) for d in g.subjects(RDF.type, v.DCAT.Dataset)}


def test_one_route_per_url(app):
    adapter = app.flask_app.url_map.bind("test.ckan.net")
    assert adapter.match("/catalog.ttl")[0] == "opengovpe_dcat.catalog_page"
    assert adapter.match("/dataset/abc.jsonld")[0] == "opengovpe_dcat.dataset_rdf"
    assert adapter.match("/data.json")[0] == "opengovpe_dcat.data_json"
    rules = [r.rule for r in app.flask_app.url_map.iter_rules()]
    for rule in ("/catalog.<any(ttl, rdf, xml, jsonld, nt):fmt>",
                 "/dataset/<id>.<any(ttl, rdf, xml, jsonld, nt):fmt>", "/data.json"):
        assert len([r for r in rules if r == rule]) == 1, rule
    assert not [r for r in app.flask_app.url_map.iter_rules()
                if r.endpoint.startswith("dcat.")]


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_catalogue_lists_only_public_active_datasets(app, unpublished, fmt):
    demo_ids = _public_dataset_ids()
    assert _published_names(app, fmt) == demo_ids


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_unpublished_dataset_pages_are_not_found(app, unpublished, fmt):
    for dataset in unpublished:
        assert app.get(f"/dataset/{dataset['id']}.{fmt}").status_code == 404, dataset["type"]
        assert app.get(f"/dataset/{dataset['name']}.{fmt}").status_code == 404
    response = app.get(f"/dataset/contrataciones-publicas-seace.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        {"ttl": "text/turtle", "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
         "jsonld": "application/ld+json", "nt": "application/n-triples"}[fmt])


def test_content_negotiation(app, unpublished):
    turtle = app.get("/dataset/contrataciones-publicas-seace",
                     headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle.headers["Vary"]
    Graph().parse(data=turtle.body, format="turtle")
    html = app.get("/dataset/contrataciones-publicas-seace",
                   headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["Content-Type"].startswith("text/html")
    jsonld = app.get("/catalog", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    home = app.get("/", headers={"Accept": "application/rdf+xml;q=0.9, text/html;q=0.5"})
    assert home.headers["Content-Type"].startswith("application/rdf+xml")
    private = [d for d in unpublished if d["name"] == "privado"][0]
    assert app.get(f"/dataset/{private['name']}",
                   headers={"Accept": "text/turtle"}).status_code == 404


def test_data_json_lists_only_public_active_datasets(app, unpublished):
    document = json.loads(app.get("/data.json").body)
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    names = {d["title"] for d in document["dataset"]}
    assert names == {d["title"] for d in helpers.call_action(
        "package_search", fq="dataset_type:dataset", rows=1000)["results"]}
    assert not names & {d["title"] for d in unpublished}


def test_dump_writes_only_public_active_datasets(cli, unpublished, tmp_path):
    demo_ids = _public_dataset_ids()
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")):
        target = tmp_path / f"catalog.{fmt}"
        result = cli.invoke(ckan_command, ["opengovpe", "catalog-dump", "--format", fmt,
                                           "--output", str(target), "--batch-size", "3"])
        assert result.exit_code == 0, result.output
        assert f"{len(demo_ids)} datasets" in result.output
        g = Graph().parse(str(target), format=parser)
        ids = {str(g.value(d, v.DCT.identifier)) for d in g.subjects(RDF.type, v.DCAT.Dataset)}
        assert ids == demo_ids, fmt
        catalog = g.value(None, RDF.type, v.DCAT.Catalog)
        assert len(list(g.objects(catalog, v.DCAT.dataset))) == len(demo_ids)
