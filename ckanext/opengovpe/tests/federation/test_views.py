"""The national-portal report page: sysadmins only, in Spanish and English."""
from __future__ import annotations

import json
import re

import pytest

from ckan.tests import factories

from ..helpers import csrf
from .conftest import LOCAL

PAGE = "/ckan-admin/portal-nacional"

pytestmark = [pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def configured(ckan_config, monkeypatch, server):
    def to(case: str) -> None:
        monkeypatch.setitem(ckan_config, "ckanext.opengovpe.national_portal.url",
                            f"{server}/{case}")
    return to


@pytest.fixture
def sysadmin_headers():
    user = factories.SysadminWithToken()
    return {"Authorization": user["token"]}


def test_only_sysadmins_see_the_page(app, configured):
    configured("ok")
    app.get(PAGE, status=403)
    user = factories.UserWithToken()
    app.get(PAGE, headers={"Authorization": user["token"]}, status=403)
    app.get(f"{PAGE}/informe.json", headers={"Authorization": user["token"]}, status=403)


def test_report_in_spanish_with_counts(app, configured, sysadmin_headers):
    configured("ok")
    org = factories.Organization()
    factories.Dataset(name="contratos", notes="x", owner_org=org["id"])
    factories.Dataset(name="obras", notes="x", owner_org=org["id"])
    form = app.get(PAGE, headers=sysadmin_headers)
    assert "Informe de sincronización con el portal nacional" in form.body
    page = app.post(PAGE, headers=sysadmin_headers, data={"_csrf_token": csrf(form.body)})
    assert 'data-status="missing">Falta allá: 1<' in page.body
    assert "Leído mediante: API de CKAN (package_search)" in page.body
    assert 'data-status="present">Presente: 1<' in page.body
    assert re.search(r'<tr data-status="missing">\s*<td>Falta allá</td>', page.body)


def test_report_in_english(app, configured, sysadmin_headers):
    configured("ok")
    factories.Dataset(name="contratos", notes="x", owner_org=factories.Organization()["id"])
    form = app.get(f"/en{PAGE}", headers=sysadmin_headers)
    assert "National portal sync report" in form.body
    page = app.post(f"/en{PAGE}", headers=sysadmin_headers,
                    data={"_csrf_token": csrf(form.body)})
    assert 'data-status="present">Present: 1<' in page.body


def test_portal_problem_is_shown_not_raised(app, configured, sysadmin_headers):
    configured("html")
    form = app.get(PAGE, headers=sysadmin_headers)
    page = app.post(PAGE, headers=sysadmin_headers, data={"_csrf_token": csrf(form.body)})
    assert 'id="sync-error"' in page.body
    assert "con una página web en lugar de JSON" in page.body
    download = app.get(f"{PAGE}/informe.csv", headers=sysadmin_headers, status=502)
    assert "página web" in download.body


def test_downloads(app, configured, sysadmin_headers):
    configured("ok")
    factories.Dataset(name="contratos", notes="x", owner_org=factories.Organization()["id"])
    answer = app.get(f"{PAGE}/informe.json", headers=sysadmin_headers)
    assert json.loads(answer.body)["counts"]["present"] == 1
    table = app.get(f"{PAGE}/informe.csv", headers=sysadmin_headers)
    assert table.headers["Content-Type"].startswith("text/csv")
    assert table.body.splitlines()[1].startswith("present,contratos,")


def test_without_a_configured_portal_the_button_is_off(app, sysadmin_headers):
    page = app.get(PAGE, headers=sysadmin_headers)
    assert "No configurado" in page.body
    assert re.search(r'<button[^>]*disabled', page.body)


@pytest.fixture
def entities():
    """Two entities: one with a dataset the stand-in has and one it lacks, one with only a
    missing dataset (the stand-in has "contratos")."""
    miraflores = factories.Organization(name="miraflores", title="Municipalidad de Miraflores")
    cusco = factories.Organization(name="cusco", title="Gobierno Regional de Cusco")
    factories.Dataset(name="contratos", notes="x", owner_org=miraflores["id"])
    factories.Dataset(name="obras", title="Obras públicas", notes="x",
                      owner_org=miraflores["id"])
    factories.Dataset(name="escuelas", notes="x", owner_org=cusco["id"])
    return {"miraflores": miraflores, "cusco": cusco}


def test_the_page_says_what_each_entity_has_to_update(app, configured, server,
                                                      sysadmin_headers, entities):
    configured("ok")
    form = app.get(PAGE, headers=sysadmin_headers)
    page = app.post(PAGE, headers=sysadmin_headers, data={"_csrf_token": csrf(form.body)}).body
    assert "Qué debe actualizar cada entidad" in page
    rows = re.findall(r'<tr data-entity="([^"]+)">\s*<td>([^<]*)</td>\s*<td>(\d+)</td>\s*'
                      r'<td>(\d+)</td>\s*<td>(\d+)</td>', page)
    assert rows == [("cusco", "Gobierno Regional de Cusco", "1", "0", "0"),
                    ("miraflores", "Municipalidad de Miraflores", "1", "0", "1")]
    assert f"{PAGE}/entidad/miraflores.csv" in page
    assert "Conjuntos de datos por actualizar (CSV)" in page
    assert "http://test.ckan.net/organization/miraflores/data.json" in page
    # the dataset the national portal has links to its page there
    assert f'href="{server}/ok/dataset/contratos"' in page


def test_an_entity_export_lists_only_its_datasets_to_update(app, configured,
                                                           sysadmin_headers, entities):
    configured("ok")
    answer = app.get(f"{PAGE}/entidad/miraflores.csv", headers=sysadmin_headers)
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert 'filename="portal-nacional-miraflores.csv"' in answer.headers["Content-Disposition"]
    lines = answer.body.splitlines()
    assert lines[0].split(",")[:3] == ["status", "name", "title"]
    assert len(lines) == 2
    assert lines[1].startswith("missing,obras,Obras públicas,http://test.ckan.net/dataset/obras,")
    assert lines[1].endswith(",miraflores")
    by_id = app.get(f"{PAGE}/entidad/cusco.csv", headers=sysadmin_headers).body
    assert [line.split(",")[1] for line in by_id.splitlines()[1:]] == ["escuelas"]


@pytest.mark.parametrize("entity", ["no-existe", "a%00b", "x" * 5000, "obras", "un-grupo"])
def test_an_export_of_anything_but_an_entity_is_a_404(app, configured, sysadmin_headers,
                                                      entities, entity):
    configured("ok")
    factories.Group(name="un-grupo")
    app.get(f"{PAGE}/entidad/{entity}.csv", headers=sysadmin_headers, status=404)


def test_only_sysadmins_export_an_entity(app, configured, entities):
    configured("ok")
    user = factories.UserWithToken()
    app.get(f"{PAGE}/entidad/miraflores.csv", status=403)
    app.get(f"{PAGE}/entidad/miraflores.csv", headers={"Authorization": user["token"]},
            status=403)


def test_an_entity_export_tells_a_portal_problem(app, configured, sysadmin_headers, entities):
    configured("html")
    answer = app.get(f"{PAGE}/entidad/miraflores.csv", headers=sysadmin_headers, status=502)
    assert "página web" in answer.body
