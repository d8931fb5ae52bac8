"""Who sees which dataset in search: permission labels, through the API and the pages."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")

API = "/api/3/action/package_search"


def api_names(app: Any, token: str | None = None, **params: Any) -> list[str]:
    headers = {"Authorization": token} if token else {}
    params.setdefault("rows", 100)
    response = app.get(API, query_string=params, headers=headers)
    assert response.status_code == 200, response.body
    return [d["name"] for d in response.json["result"]["results"]]


def member_of(org: dict[str, Any], role: str) -> dict[str, Any]:
    user = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=org["id"],
                        username=user["name"], role=role)
    return user


class TestPrivateDatasets:
    def test_anonymous_never_sees_private(self, app):
        assert "borrador-interno" not in api_names(app, include_private=True)
        assert "borrador-interno" not in api_names(app, q="reservada", include_private=True)

    def test_member_of_the_entity_sees_private(self, app, corpus):
        user = member_of(corpus["oece"], "member")
        assert "borrador-interno" in api_names(app, user["token"], include_private=True)
        # and only when asking for private datasets
        assert "borrador-interno" not in api_names(app, user["token"])

    def test_member_of_another_entity_does_not(self, app, corpus):
        user = member_of(corpus["minsa"], "editor")
        assert "borrador-interno" not in api_names(app, user["token"], include_private=True)

    def test_sysadmin_sees_everything(self, app):
        sysadmin = factories.SysadminWithToken()
        assert "borrador-interno" in api_names(app, sysadmin["token"], include_private=True)

    def test_private_datasets_do_not_leak_into_facet_counts(self, app):
        response = app.get(API, query_string={"facet.field": '["tags"]',
                                              "include_private": True})
        assert response.json["result"]["facets"]["tags"]["obras"] == 1


class TestPages:
    def test_dataset_page_finds_spanish_without_accents(self, app):
        page = app.get("/dataset/", query_string={"q": "contratacion publica"})
        assert page.status_code == 200
        assert "Contratación de obras públicas" in page.body
        assert "Contratación reservada interna" not in page.body

    def test_dataset_page_shows_facet_counts(self, app):
        page = app.get("/dataset/")
        assert "Formatos" in page.body  # Spanish is the default locale
        assert 'href="/dataset/?res_format=CSV"' in page.body

    def test_organization_page_lists_its_datasets(self, app):
        page = app.get("/organization/minsa")
        assert page.status_code == 200
        for title in ("Hospitales del Perú", "Camas UCI", "Licitación de medicamentos"):
            assert title in page.body
        assert "Proveedores adjudicados" not in page.body

    def test_group_page_lists_its_datasets(self, app):
        page = app.get("/group/compras-publicas")
        assert "Contratación de obras públicas" in page.body

    def test_private_dataset_is_not_on_the_organization_page_for_anonymous(self, app):
        assert "Contratación reservada interna" not in app.get("/organization/oece").body

    def test_dataset_read_uses_the_index(self, app):
        page = app.get("/dataset/contratos-vigentes")
        assert "Registro de contratos vigentes" in page.body
