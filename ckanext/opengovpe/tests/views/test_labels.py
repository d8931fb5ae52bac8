"""Labels, never codes: what people read on record pages, on the due list and in the plan's
export (where the codes may follow in columns of their own)."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

from ckan.tests import factories, helpers

from . import spanish

pytestmark = [
    pytest.mark.ckan_config("ckan.display_timezone", "America/Lima"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

TODAY = datetime.date.today()


@pytest.fixture
def entity():
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(
        name="municipalidad-cusco", title="Municipalidad Provincial del Cusco",
        level_of_government="local", entity_type="municipalidad-distrital",
        sector="gobiernos-locales", ubigeo="080101")
    plan = factories.Dataset(name="plan-cusco", type="plan-apertura", owner_org=org["id"],
                             title="Plan de apertura del Cusco", period_start="2026-11-01")
    helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                        title="Licencias de funcionamiento", frequency="MONTHLY",
                        status="en-preparacion")
    late = (TODAY - datetime.timedelta(days=4)).isoformat()
    helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                        name="Publicar licencias", start_date=late, end_date=late,
                        status="en-curso")
    return {"headers": {"Authorization": sysadmin["token"]}}


def test_the_entity_page_shows_labels_and_the_place(app, entity):
    texts = set(spanish.visible_texts(app.get("/organization/about/municipalidad-cusco").body))
    assert {"Cusco, Cusco, Cusco (080101)", "Municipalidad distrital", "Gobiernos locales",
            "Local"} <= texts
    assert not texts & {"080101", "municipalidad-distrital", "gobiernos-locales", "local"}


def test_a_record_shows_its_date_as_entered_and_no_empty_rows(app, entity):
    page = app.get("/plan-apertura/plan-cusco", headers=entity["headers"]).body
    assert "1 de noviembre de 2026" in page
    assert "31 de octubre de 2026" not in page
    # empty optional fields have no row; CKAN's state of a public record is not shown
    assert "Fin del período" not in page
    assert ">active<" not in page and ">Activo<" not in page


def test_the_due_list_says_how_late_and_who(app, entity):
    page = app.get("/hitos/pendientes", headers=entity["headers"]).body
    assert "vencido hace 4 días" in page
    assert "Sin asignar" in page
    assert ">None<" not in page and ">-4<" not in page


def test_the_plan_csv_has_labels_with_the_codes_beside(app, entity):
    body = app.get("/plan-apertura/plan-cusco/exportar.csv").body
    rows = list(csv.reader(io.StringIO(body)))
    header, item = rows[0], rows[1]
    assert item[header.index("frecuencia")] == "Mensual"
    assert item[header.index("frecuencia_codigo")] == "MONTHLY"
    assert item[header.index("estado")] == "En preparación"
    assert item[header.index("estado_codigo")] == "en-preparacion"
    assert header[:3] == ["tipo", "orden", "conjunto_de_datos"]
    milestones = rows[rows.index([]) + 1:]
    assert milestones[1][milestones[0].index("estado")] == "En curso"
