import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_create_and_find():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Contratación pública de obras",
                      notes="Contratos del SEACE", tags=[{"name": "obras"}])
    result = helpers.call_action("package_search", q="contratacion",
                                 **{"facet.field": '["tags","organization"]'})
    assert result["count"] == 1
    assert result["facets"]["tags"] == {"obras": 1}
