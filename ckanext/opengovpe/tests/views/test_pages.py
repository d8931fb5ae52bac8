"""The programme's pages in Spanish, for every role: anonymous, a member of another
entity, editor, entity admin and sysadmin."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

import ckan.model as model
from ckan.tests import factories, helpers

from ..helpers import entity_with_members

pytestmark = pytest.mark.usefixtures("with_plugins")

TODAY = datetime.date.today()


@pytest.fixture
def programme(clean_db):
    users, org = entity_with_members()
    factories.Organization(name="otra", users=[
        {"name": users["outsider"]["name"], "capacity": "admin"}])
    public = factories.Dataset(name="plan-publico", type="plan-apertura", owner_org=org["id"],
                               title="Plan de apertura 2025")
    private = factories.Dataset(name="plan-borrador", type="plan-apertura",
                                owner_org=org["id"], private=True,
                                title="Plan en borrador")
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=public["id"],
                               title="=HYPERLINK(\"http://malo\")", responsible="Ana")
    helpers.call_action("opengovpe_milestone_create", plan_id=public["id"],
                        name="Instalar el grupo <script>alert(1)</script>",
                        item_id=item["id"], start_date=str(TODAY - datetime.timedelta(30)),
                        end_date=str(TODAY - datetime.timedelta(2)), status="en-curso",
                        progress=30)
    return {"users": users, "public": public, "private": private, "item": item}


def get(app, url, role, programme, status=None):
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = programme["users"][role]["token"]
    return app.get(url, headers=headers, status=status)


ROLES = ["anonymous", "outsider", "editor", "admin", "sysadmin"]
EDITORS = {"editor", "admin", "sysadmin"}


@pytest.mark.parametrize("role", ROLES)
def test_public_plan_page(app, programme, role):
    page = get(app, "/plan-apertura/plan-publico/avance", role, programme, status=200)
    assert "Plan de apertura 2025" in page.body
    assert "Hitos vencidos" in page.body  # Spanish interface
    assert "<script>alert(1)</script>" not in page.body
    assert "&lt;script&gt;" in page.body
    assert ("Agregar hito" in page.body) == (role in EDITORS)


@pytest.mark.parametrize("role,status", [("anonymous", 403), ("outsider", 403),
                                         ("editor", 200), ("admin", 200), ("sysadmin", 200)])
def test_private_plan_page(app, programme, role, status):
    get(app, "/plan-apertura/plan-borrador/avance", role, programme, status=status)


@pytest.mark.parametrize("role,status", [("anonymous", 403), ("outsider", 403),
                                         ("editor", 200), ("admin", 200), ("sysadmin", 200)])
def test_forms_need_edit_rights(app, programme, role, status):
    get(app, "/plan-apertura/plan-publico/hitos/nuevo", role, programme, status=status)
    get(app, "/plan-apertura/plan-publico/inventario/nuevo", role, programme, status=status)


@pytest.mark.parametrize("role", ["editor", "admin", "sysadmin"])
def test_milestone_form_saves_and_shows_field_errors(app, programme, role):
    url = "/plan-apertura/plan-publico/hitos/nuevo"
    headers = {"Authorization": programme["users"][role]["token"]}
    page = app.post(url, headers=headers, data={
        "name": "Aprobar directiva", "start_date": "2025-05-10", "end_date": "2025-05-01",
        "status": "completado", "progress": "100"})
    assert page.status_code == 200
    assert "no puede ser anterior al 2025-05-10" in page.body  # end before start, in Spanish
    page = app.post(url, headers=headers, data={
        "name": "Aprobar directiva", "start_date": "2025-05-01", "end_date": "2025-05-10",
        "status": "en-curso", "progress": "20"}, follow_redirects=False)
    assert page.status_code == 302
    shown = helpers.call_action("opengovpe_plan_show", id="plan-publico")
    assert "Aprobar directiva" in [m["name"] for m in shown["milestones"]]


def test_post_from_another_entity_is_refused_and_changes_nothing(app, programme):
    headers = {"Authorization": programme["users"]["outsider"]["token"]}
    app.post("/plan-apertura/plan-publico/hitos/nuevo", headers=headers,
             data={"name": "Intruso"}, status=403)
    shown = helpers.call_action("opengovpe_plan_show", id="plan-publico")
    assert "Intruso" not in [m["name"] for m in shown["milestones"]]


def test_csv_export_neutralises_formulas(app, programme):
    response = get(app, "/plan-apertura/plan-publico/exportar.csv", "anonymous", programme,
                   status=200)
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body)))
    assert rows[0][:3] == ["tipo", "orden", "conjunto_de_datos"]
    assert rows[1][2] == "'=HYPERLINK(\"http://malo\")"
    assert any(r and r[0] == "hito" for r in rows)


def test_xlsx_export(app, programme):
    response = get(app, "/plan-apertura/plan-publico/exportar.xlsx", "anonymous", programme,
                   status=200)
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["inventario", "hitos"]
    assert str(workbook["inventario"]["B2"].value).startswith("'=")


def test_private_plan_export_is_refused(app, programme):
    get(app, "/plan-apertura/plan-borrador/exportar.csv", "anonymous", programme, status=403)


@pytest.mark.parametrize("role", ROLES)
def test_scoreboard_and_programme_pages(app, programme, role):
    page = get(app, "/tablero", role, programme, status=200)
    assert "Tablero nacional de datos abiertos" in page.body
    assert 'data-entity="oece"' in page.body
    assert "0 / 1" in page.body  # published of prioritised datasets
    assert "Grupo de trabajo instalado" in page.body
    page = get(app, "/entidad/oece/programa", role, programme, status=200)
    assert "Plan de apertura 2025" in page.body
    assert "Plan en borrador" not in page.body or role in EDITORS


def test_scoreboard_bad_filter_is_a_message_not_a_500(app, programme):
    page = app.get("/tablero", query_string={"level_of_government": "imperial"}, status=200)
    assert "filtros no son válidos" in page.body


def test_unknown_entity_and_plan_are_404(app, programme):
    app.get("/entidad/no-existe/programa", status=404)
    app.get("/plan-apertura/no-existe/avance", status=404)


@pytest.mark.parametrize("role,visible", [("anonymous", False), ("outsider", False),
                                          ("editor", True), ("sysadmin", True)])
def test_due_list_only_shows_visible_plans(app, programme, role, visible):
    helpers.call_action("opengovpe_milestone_create", plan_id="plan-borrador",
                        name="Hito secreto", start_date=str(TODAY),
                        end_date=str(TODAY + datetime.timedelta(3)))
    page = get(app, "/hitos/pendientes", role, programme, status=200)
    assert "Instalar el grupo" in page.body
    assert ("Hito secreto" in page.body) == visible


def test_plan_record_links_to_its_progress_and_nav_to_scoreboard(app, programme):
    page = app.get("/plan-apertura/plan-publico")
    assert "/plan-apertura/plan-publico/avance" in page.body
    assert 'href="/tablero"' in page.body


def test_item_form_with_only_a_title(app, programme):
    """The form always sends every field, most of them empty."""
    headers = {"Authorization": programme["users"]["editor"]["token"]}
    data = {field: "" for field in ("title", "description", "score", "theme", "access_level",
                                    "frequency", "committed_date", "dataset_id", "status",
                                    "formats", "national_portal_url")}
    page = app.post("/plan-apertura/plan-publico/inventario/nuevo", headers=headers,
                    data=dict(data, title="Solo el título"), follow_redirects=False)
    assert page.status_code == 302, page.body[:500]
    shown = helpers.call_action("opengovpe_plan_show", id="plan-publico")
    added = [i for i in shown["items"] if i["title"] == "Solo el título"]
    assert added and added[0]["score"] is None and added[0]["status"] == "planificado"


def test_pages_and_exports_survive_far_dates_stored_earlier(app, programme):
    """Dates that are refused now may have been stored before the check."""
    created = helpers.call_action("opengovpe_milestone_create", plan_id="plan-publico",
                                  name="Hito lejano", start_date="2025-01-01",
                                  end_date="2025-02-01")
    model.Session.execute(
        sa.text("UPDATE opengovpe_milestone SET start_date = '0001-01-01', "
                "end_date = '9999-12-31' WHERE id = :id"), {"id": created["id"]})
    model.repo.commit()
    for url in ("/plan-apertura/plan-publico/avance", "/plan-apertura/plan-publico/exportar.csv",
                "/plan-apertura/plan-publico/exportar.xlsx", "/hitos/pendientes",
                "/entidad/oece/programa", "/tablero"):
        response = get(app, url, "anonymous", programme)
        assert response.status_code == 200, url
    assert "Hito lejano" in get(app, "/plan-apertura/plan-publico/avance", "anonymous",
                                programme).body
