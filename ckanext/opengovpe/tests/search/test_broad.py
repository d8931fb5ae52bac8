"""Broad queries: the page taken from the title, head and text tiers, and the facet counts
of ``*:*`` that the indexer keeps."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")

FACETS = '["tags", "res_format", "organization", "groups"]'


def search(**params: Any) -> dict[str, Any]:
    params.setdefault("rows", 100)
    return helpers.call_action("package_search", **params)


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_tiers_put_title_then_tags_then_notes_and_count_every_match():
    found = search(q="licitacion", fl="name,score")
    assert [d["name"] for d in found["results"]] == [
        "licitacion-medicamentos", "hospitales", "camas-uci"]
    assert [d["score"] for d in found["results"]] == [1.0, 0.4, 0.1]
    assert found["count"] == 3
    assert [d["name"] for d in search(q="licitacion", rows=1, start=1)["results"]] == [
        "hospitales"]
    # the private dataset is counted only for who may see it
    assert search(q="contratacion")["count"] == 2
    assert search(q="contratacion", include_private=True)["count"] == 3


def test_kept_facet_counts_equal_counting_the_rows(corpus):
    def both(**params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        params = dict(params, q="*:*", **{"facet.field": FACETS, "facet.limit": -1})
        kept = search(**params)["facets"]
        # any other filter counts the matching rows
        counted = search(**dict(params, fq="name:*"))["facets"]
        return kept, counted

    def sysadmin() -> dict[str, Any]:
        return {"user": corpus["sysadmin"]["name"]}

    for params in ({}, {"include_private": True, "context": sysadmin()}):
        kept, counted = both(**params)
        assert kept == counted and kept["tags"]["salud"] == 2
    helpers.call_action("package_patch", sysadmin(), id="hospitales",
                        tags=[{"name": "hospitales"}])
    helpers.call_action("package_delete", sysadmin(), id="camas-uci")
    kept, counted = both()
    assert kept == counted
    assert "salud" not in kept["tags"] and kept["tags"]["hospitales"] == 1
