"""The home and dataset search pages render and point crawlers at the paged catalogue."""
from __future__ import annotations

import pytest

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.parametrize("path", ["/", "/dataset/", "/dataset/?q=contratos"])
def test_pages_link_the_catalogue_formats(app, path):
    factories.Dataset(name="contratos", title="Contratos", notes="Contratos vigentes.",
                      owner_org=factories.Organization()["id"])
    page = app.get(path, status=200)
    for link in ('type="text/turtle" href="http://test.ckan.net/catalog.ttl"',
                 'type="application/rdf+xml" href="http://test.ckan.net/catalog.rdf"',
                 'type="application/ld+json" href="http://test.ckan.net/catalog.jsonld"',
                 'href="http://test.ckan.net/data.json"'):
        assert link in page.body


def test_dataset_page_renders(app):
    org = factories.Organization()
    factories.Dataset(name="contratos", title="Contratos", notes="x", owner_org=org["id"])
    assert "Contratos" in app.get("/dataset/contratos", status=200).body
