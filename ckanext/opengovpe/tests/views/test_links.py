"""A link that could run in the visitor's browser is refused, and never rendered as a link.

Resource URLs of every dataset type refuse ``javascript:``, ``data:`` and ``vbscript:`` (any
case, after blanks or control characters). Links stored before that refusal (written here
straight into the database) download as a 404 rather than a 500 and are shown as text; so is
an evidence link typed in the milestone form when the form comes back with its errors.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import search
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins")

TYPES = ("dataset", "norma", "grupo-trabajo", "plan-apertura", "contrataciones")
SCRIPT = "javascript:alert(1)"


def _sql(statement: str, **params: Any) -> None:
    model.Session.execute(sa.text(statement), params)
    model.Session.commit()
    model.Session.remove()


@pytest.fixture(scope="module")
def world(module_db) -> dict[str, Any]:
    """Built once; the bad links are written straight into the tables, as if stored before."""
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(name="oece", title="OECE")
    records = {}
    for type_ in TYPES:
        records[type_] = factories.Dataset(
            name=f"registro-{type_}", type=type_, owner_org=org["id"], title=f"Registro {type_}",
            resources=[{"url": "https://oece.gob.pe/a.csv", "name": "Anexo", "format": "CSV"}])
        _sql("UPDATE resource SET url = :url WHERE id = :id", url=SCRIPT,
             id=records[type_]["resources"][0]["id"])
    plan = records["plan-apertura"]
    milestone = helpers.call_action(
        "opengovpe_milestone_create", plan_id=plan["id"], name="Instalar el grupo de trabajo",
        evidence=[{"type": "acta", "title": "Acta de instalación",
                   "url": "https://oece.gob.pe/acta.pdf"}])
    _sql("UPDATE opengovpe_evidence SET url = :url WHERE milestone_id = :id",
         url="JavaScript:alert(2)", id=milestone["id"])
    _sql("UPDATE package SET url = :url WHERE id = :id", url=SCRIPT,
         id=records["dataset"]["id"])
    _sql("UPDATE resource SET extras = :extras WHERE id = :id",
         extras='{"access_url": "javascript:alert(3)"}',
         id=records["dataset"]["resources"][0]["id"])
    for record in records.values():
        # the index holds the records as they were when stored
        search.rebuild(record["id"])
    return {"headers": {"Authorization": sysadmin["token"]}, "records": records,
            "plan": plan, "milestone": milestone, "user": sysadmin["name"]}


def no_script_link(body: str) -> None:
    """No link of the page runs the stored script (CKAN's own ``javascript:void(0)`` aside)."""
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert not [href for href in hrefs if "alert" in href or "msgbox" in href], hrefs


SCRIPT_LINKS = [
    ("dataset", "javascript:alert(1)"),
    ("norma", "JavaScript:alert(1)"),
    ("grupo-trabajo", "data:text/html,<script>alert(1)</script>"),
    ("plan-apertura", "vbscript:msgbox(1)"),
    ("contrataciones", "  jAvAsCrIpT:alert(1)"),
    ("norma", "\x01javascript:alert(1)"),
    ("plan-apertura", "DATA:text/html;base64,PHNjcmlwdD4="),
]


def test_resource_urls_refuse_script_links(world):
    for type_, url in SCRIPT_LINKS:
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("resource_create", context={"user": world["user"]},
                                package_id=world["records"][type_]["id"], url=url,
                                name="Anexo")
        assert raised.value.error_dict["url"], (type_, url, raised.value.error_dict)


def test_resources_of_a_new_record_refuse_script_links(world):
    for type_ in TYPES:
        with pytest.raises(tk.ValidationError) as raised:
            helpers.call_action("package_create", type=type_, name=f"nuevo-{type_}",
                                title="Nuevo", owner_org="oece", notes="Descripción.",
                                resources=[{"url": "vbscript:msgbox(1)", "name": "Anexo"}])
        assert raised.value.error_dict["resources"][0]["url"], (type_,
                                                                raised.value.error_dict)


def test_the_refusal_is_in_spanish(app, world):
    response = app.post("/api/3/action/resource_create", headers=world["headers"], json={
        "package_id": world["records"]["norma"]["id"], "url": "javascript:alert(1)"})
    assert response.status_code == 409
    assert response.json["error"]["url"] == [
        "Los enlaces deben empezar con http://, https:// o ftp://"]


def test_a_stored_script_link_downloads_as_404(app, world):
    for type_, record in world["records"].items():
        resource_id = record["resources"][0]["id"]
        for prefix in ("dataset", type_):
            response = app.get(f"/{prefix}/{record['name']}/resource/{resource_id}/download",
                               headers=world["headers"], follow_redirects=False)
            assert response.status_code == 404, (prefix, response.body[:300])
            assert "Este recurso no tiene un enlace que se pueda descargar" in response.body


def test_a_stored_script_link_is_shown_as_text(app, world):
    for type_, record in world["records"].items():
        response = app.get(
            f"/{type_}/{record['name']}/resource/{record['resources'][0]['id']}",
            headers=world["headers"])
        assert response.status_code == 200, type_
        no_script_link(response.body)
        assert SCRIPT in response.body, type_
        dataset_page = app.get(f"/{type_}/{record['name']}", headers=world["headers"])
        no_script_link(dataset_page.body)


def test_a_download_of_a_good_link_still_redirects(app, world):
    created = helpers.call_action("resource_create", context={"user": world["user"]},
                                  package_id=world["records"]["norma"]["id"],
                                  url="https://oece.gob.pe/b.csv", name="Bueno")
    response = app.get(f"/dataset/registro-norma/resource/{created['id']}/download",
                       follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://oece.gob.pe/b.csv"
    helpers.call_action("resource_delete", context={"user": world["user"]}, id=created["id"])


def test_stored_evidence_link_is_shown_as_text(app, world):
    plan = world["plan"]
    progress = app.get(f"/plan-apertura/{plan['name']}/avance", headers=world["headers"])
    assert "Acta de instalación" in progress.body
    no_script_link(progress.body)
    form = app.get(f"/plan-apertura/{plan['name']}/hitos/{world['milestone']['id']}",
                   headers=world["headers"])
    assert "Acta de instalación" in form.body
    no_script_link(form.body)


def test_a_refused_evidence_link_is_not_a_link_in_the_form_shown_again(app, world):
    plan = world["plan"]
    response = app.post(f"/plan-apertura/{plan['name']}/hitos/nuevo", headers=world["headers"],
                        data={"name": "Publicar el inventario", "evidence_type": "acta",
                              "evidence_title": "Acta", "evidence_url": SCRIPT})
    assert response.status_code == 200
    no_script_link(response.body)
    # the error is under the evidence URL, in Spanish
    url_input = response.body.index('id="field-evidence_url"')
    assert "URL" in response.body[url_input:url_input + 800]
    assert "error-block" in response.body[url_input:url_input + 800]


def test_stored_landing_page_and_access_url_are_shown_as_text(app, world):
    record = world["records"]["dataset"]
    page = app.get(f"/dataset/{record['name']}", headers=world["headers"])
    no_script_link(page.body)
    resource = app.get(f"/dataset/{record['name']}/resource/{record['resources'][0]['id']}",
                       headers=world["headers"])
    assert "javascript:alert(3)" in resource.body
    no_script_link(resource.body)
