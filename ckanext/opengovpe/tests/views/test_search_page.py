"""The dataset search page, where the home page's search box leads, finds the buyers'
procurement as well as publication datasets; other types and the API are unchanged."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

# as the portal runs (scripts/portal.ini.in, docker/): each type on its own search page
pytestmark = [pytest.mark.ckan_config("ckan.search.show_all_types", "false"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def records():
    org = factories.Organization(name="cusco", title="Municipalidad Provincial del Cusco")
    factories.Dataset(name="presupuesto-cusco", title="Presupuesto del Cusco",
                      owner_org=org["id"])
    factories.Dataset(name="contrataciones-cusco-2025", type="contrataciones",
                      title="Contrataciones públicas: Municipalidad Provincial del Cusco (2025)",
                      owner_org=org["id"])
    factories.Dataset(name="plan-cusco", type="plan-apertura", owner_org=org["id"],
                      title="Plan de apertura del Cusco")


def test_home_search_finds_procurement(app, records):
    page = app.get("/dataset/", query_string={"q": "contrataciones cusco"}).body
    assert 'href="/contrataciones/contrataciones-cusco-2025"' in page
    page = app.get("/dataset/", query_string={"q": "cusco"}).body
    assert "/dataset/presupuesto-cusco" in page
    assert "/contrataciones/contrataciones-cusco-2025" in page
    assert "/plan-apertura/plan-cusco" not in page


def test_the_api_and_the_other_type_pages_are_unchanged(app, records):
    found = helpers.call_action("package_search", q="cusco", fq="+dataset_type:dataset")
    # the plan's open dataset is a publication dataset; the plan itself is not
    assert sorted(d["name"] for d in found["results"]) == ["plan-cusco-datos",
                                                           "presupuesto-cusco"]
    page = app.get("/contrataciones/", query_string={"q": "cusco"}).body
    assert "/contrataciones/contrataciones-cusco-2025" in page
    assert "/dataset/presupuesto-cusco" not in page


@pytest.mark.ckan_config("ckanext.opengovpe.search_page.types", "dataset")
def test_the_page_can_list_publication_datasets_only(app, records):
    page = app.get("/dataset/", query_string={"q": "cusco"}).body
    assert "/contrataciones/contrataciones-cusco-2025" not in page
