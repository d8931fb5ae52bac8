"""Hydra keyset paging: a crawl that runs while datasets change sees each dataset exactly once."""
from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ckan.tests import helpers

from ckanext.opengovpe.dcat import vocabulary as v

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db"),
              pytest.mark.ckan_config("ckanext.opengovpe.dcat.page_size", 3)]


@pytest.fixture
def datasets(full_org, sysadmin):
    context = {"user": sysadmin["name"]}
    return [helpers.call_action("package_create", context, name=f"conjunto-{i:02d}",
                                title=f"Conjunto {i}", notes="Datos.", owner_org=full_org["id"])
            for i in range(10)]


def _fetch(app, url: str) -> tuple[list[str], dict[str, str | None]]:
    path = url.replace("http://test.ckan.net", "")
    response = app.get(path)
    assert response.status_code == 200, response.body
    g = Graph().parse(data=response.body, format="turtle")
    ids = [str(g.value(d, v.DCT.identifier)) for d in g.subjects(RDF.type, v.DCAT.Dataset)]
    view = g.value(None, RDF.type, v.HYDRA.PartialCollectionView)
    links = {key: (str(g.value(view, getattr(v.HYDRA, key)))
                   if g.value(view, getattr(v.HYDRA, key)) else None)
             for key in ("first", "next", "previous")}
    links["total"] = str(g.value(view, v.HYDRA.totalItems))
    return ids, links


def _crawl(app, start: str, between=None) -> list[list[str]]:
    pages, url, count = [], start, 0
    while url:
        ids, links = _fetch(app, url)
        pages.append(ids)
        if between:
            between(count)
        url, count = links["next"], count + 1
    return pages


def test_pages_link_first_next_previous(app, datasets):
    ids, links = _fetch(app, "/catalog.ttl")
    assert len(ids) == 3 and links["total"] == "10"
    assert links["previous"] is None
    assert links["first"] == "http://test.ckan.net/catalog.ttl"
    second, second_links = _fetch(app, links["next"])
    third, third_links = _fetch(app, second_links["next"])
    back, _ = _fetch(app, third_links["previous"])
    assert back == second
    back, _ = _fetch(app, second_links["previous"])
    assert back == ids


def test_crawl_while_datasets_change_sees_each_dataset_once(app, datasets, sysadmin):
    context = {"user": sysadmin["name"]}
    # the order of a crawl: oldest modification first
    order = [d["id"] for d in sorted(datasets, key=lambda d: (d["metadata_modified"], d["id"]))]
    created: list[str] = []

    def edit(page: int) -> None:
        if page == 0:
            # one the crawler has seen, one it has not, and a new dataset
            for dataset_id in (order[1], order[7]):
                helpers.call_action("package_patch", context, id=dataset_id,
                                    notes=f"Editado durante el rastreo {page}")
            created.append(helpers.call_action(
                "package_create", context, name="nuevo", title="Nuevo", notes="x",
                owner_org=datasets[0]["owner_org"])["id"])
        if page == 1:
            helpers.call_action("package_patch", context, id=order[8], title="Otro título")
            helpers.call_action("package_patch", context, id=order[0], title="Visto ya")

    pages = _crawl(app, "/catalog.ttl", between=edit)
    seen = [dataset_id for page in pages for dataset_id in page]
    assert sorted(seen) == sorted(order), "every dataset exactly once"
    assert created[0] not in seen
    # the next crawl, from when this one started, reports the edits and the new dataset
    since = (datetime.datetime.fromisoformat(datasets[-1]["metadata_modified"])
             + datetime.timedelta(microseconds=1)).isoformat()
    changed = [i for page in _crawl(app, f"/catalog.ttl?modified_since={since}") for i in page]
    assert sorted(changed) == sorted([order[0], order[1], order[7], order[8], created[0]])


def test_crawl_pages_keep_modified_since(app, datasets):
    since = datasets[4]["metadata_modified"]
    ids, links = _fetch(app, f"/catalog.ttl?modified_since={since}")
    assert links["total"] == "6"
    assert parse_qs(urlparse(links["next"]).query)["modified_since"] == [since]
    rest = [i for page in _crawl(app, links["next"]) for i in page]
    assert sorted(ids + rest) == sorted(d["id"] for d in datasets[4:])


@pytest.mark.parametrize("query", ["cursor=nonsense", "cursor=eyJhIjoxfQ",
                                   "modified_since=ayer", "modified_since=2024-13-45"])
def test_bad_parameters_are_a_clear_400(app, datasets, query):
    response = app.get(f"/catalog.ttl?{query}")
    assert response.status_code == 400
    assert ("cursor" in response.body) or ("modified_since" in response.body)


def test_catalogue_metadata(app, datasets):
    g = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    catalog = URIRef("http://test.ckan.net")
    assert (catalog, RDF.type, v.DCAT.Catalog) in g
    for predicate in (v.DCT.title, v.DCT.description, v.DCT.publisher, v.FOAF.homepage,
                      v.DCT.language, v.DCAT.themeTaxonomy, v.DCT.modified):
        assert g.value(catalog, predicate) is not None, predicate
    assert str(g.value(catalog, v.DCT.modified)).startswith(
        max(d["metadata_modified"] for d in datasets)[:19])
