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
    assert "Reporte de sincronización con el portal nacional" in form.body
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
