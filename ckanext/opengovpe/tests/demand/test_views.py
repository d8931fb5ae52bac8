"""The data-request pages in Spanish: asking (with its honeypot and limits), the public list,
a request's page for each role, moderation and answers in the browser's forms, the CSV
export and an item's demand page."""
from __future__ import annotations

import csv
import io

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.tests.helpers import csrf

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_redis")


@pytest.fixture
def world(clean_db):
    users = {role: factories.UserWithToken(name=f"{role}-user")
             for role in ("admin", "editor", "citizen", "outsider")}
    org = factories.Organization(name="oece", title="OECE", users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"}])
    factories.Organization(name="otra", title="Otra", users=[
        {"name": users["outsider"]["name"], "capacity": "admin"}])
    plan = factories.Dataset(name="plan-publico", type="plan-apertura", owner_org=org["id"],
                             title="Plan de apertura 2025")
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                               title="Contratos de obras", score=2)
    return {"users": users, "org": org, "plan": plan, "item": item}


def _headers(world, role):
    return {} if role == "anonymous" else {"Authorization": world["users"][role]["token"]}


def _ask(app, world, role="anonymous", **extra):
    token = csrf(app.get("/solicitar-datos", headers=_headers(world, role)).body)
    form = {"organization": "oece", "title": "Contratos de obras 2025",
            "description": "=HYPERLINK(\"http://malo\") cada contrato",
            "contact_email": "vecina@example.org", "sitio_web": "", "_csrf_token": token}
    form.update(extra)
    return app.post("/solicitar-datos", data=form, headers=_headers(world, role),
                    follow_redirects=False)


def _post(app, world, role, request_id, **form):
    token = csrf(app.get(f"/solicitudes-datos/{request_id}",
                         headers=_headers(world, "admin")).body)
    return app.post(f"/solicitudes-datos/{request_id}", data=dict(form, _csrf_token=token),
                    headers=_headers(world, role), follow_redirects=False)


def _only_request(role_context=None):
    found = helpers.call_action("opengovpe_data_request_list", organization="oece",
                                state="pendiente")["results"]
    return found[0] if found else None


def test_ask_page_in_spanish_with_a_hidden_trap(app, world):
    page = app.get("/solicitar-datos?entidad=oece")
    assert "Solicitar datos" in page.body
    assert 'value="oece" selected' in page.body
    assert 'name="sitio_web"' in page.body and 'tabindex="-1"' in page.body


def test_asking_waits_for_review_then_is_public(app, world):
    answer = _ask(app, world)
    assert answer.status_code == 302
    request = _only_request()
    assert request is not None
    app.get(f"/solicitudes-datos/{request['id']}", status=404)
    page = app.get(f"/solicitudes-datos/{request['id']}", headers=_headers(world, "admin"))
    assert "Gestionar esta solicitud" in page.body
    _post(app, world, "editor", request["id"], accion="moderar", state="aprobada")
    app.get(f"/solicitudes-datos/{request['id']}", status=404)
    answer = _post(app, world, "admin", request["id"], accion="moderar", state="aprobada")
    assert answer.status_code == 302
    page = app.get(f"/solicitudes-datos/{request['id']}")
    assert "Contratos de obras 2025" in page.body
    assert "vecina@example.org" not in page.body
    assert "Gestionar esta solicitud" not in page.body
    listing = app.get("/solicitudes-datos?entidad=oece")
    assert "Contratos de obras 2025" in listing.body and "Solicitudes recibidas" in listing.body


def test_the_trap_and_bad_fields_store_nothing(app, world):
    page = _ask(app, world, sitio_web="http://spam.example")
    assert page.status_code == 200 and "Deje este campo vacío" in page.body
    page = _ask(app, world, title="", contact_email="no es correo")
    assert page.status_code == 200
    assert "Falta el valor" in page.body and "no tiene un formato válido" in page.body
    assert _only_request() is None


@pytest.mark.ckan_config("ckanext.opengovpe.demand.per_address", "2")
def test_the_address_limit_is_hit_and_held(app, world):
    assert [_ask(app, world, title=f"Pedido {n}").status_code for n in range(2)] == [302, 302]
    for _ in range(2):
        page = _ask(app, world, title="Uno más")
        assert page.status_code == 200
        assert "Demasiadas solicitudes" in page.body
    assert helpers.call_action("opengovpe_data_request_list", organization="oece",
                               state="pendiente")["count"] == 2


def test_support_follow_and_answer_in_the_browser(app, world):
    _ask(app, world)
    request = _only_request()
    _post(app, world, "admin", request["id"], accion="moderar", state="aprobada")
    assert _post(app, world, "anonymous", request["id"], accion="apoyar").status_code == 302
    for action in ("apoyar", "seguir"):
        assert _post(app, world, "citizen", request["id"], accion=action).status_code == 302
    page = app.get(f"/solicitudes-datos/{request['id']}", headers=_headers(world, "citizen"))
    assert "Apoyos: 1" in page.body and "Seguidores: 1" in page.body
    assert "Retirar mi apoyo" in page.body
    # another entity's admin cannot answer
    assert _post(app, world, "outsider", request["id"], accion="responder",
                 status="rechazada", answer="No.").status_code == 403
    page = _post(app, world, "admin", request["id"], accion="responder",
                 status="vinculada-item")
    assert page.status_code == 200 and "Elija un ítem" in page.body
    answer = _post(app, world, "admin", request["id"], accion="responder",
                   status="vinculada-item", item_id=world["item"]["id"],
                   answer="Lo publicaremos en marzo.")
    assert answer.status_code == 302
    page = app.get(f"/solicitudes-datos/{request['id']}")
    assert "Contratos de obras" in page.body and "Lo publicaremos en marzo." in page.body
    item_page = app.get(f"/plan-apertura/plan-publico/inventario/{world['item']['id']}/demanda")
    # 2 (score) + 2 (one data request) + 1 (one support)
    assert "Prioridad: 5" in item_page.body


def test_item_page_records_access_to_information_requests(app, world):
    url = f"/plan-apertura/plan-publico/inventario/{world['item']['id']}/demanda"
    assert 'id="demand-form"' not in app.get(url).body
    token = csrf(app.get(url, headers=_headers(world, "editor")).body)
    answer = app.post(url, data={"kind": "solicitud-acceso-informacion",
                                 "reference": "Exp. 77-2025", "date": "2025-03-01",
                                 "_csrf_token": token},
                      headers=_headers(world, "editor"), follow_redirects=False)
    assert answer.status_code == 302
    page = app.get(url)
    assert "Exp. 77-2025" in page.body and "Prioridad: 5" in page.body
    assert app.post(url, data={"kind": "solicitud-acceso-informacion", "_csrf_token": token},
                    headers=_headers(world, "outsider")).status_code == 403
    app.get(f"/plan-apertura/otra-cosa/inventario/{world['item']['id']}/demanda", status=404)


def test_csv_export_has_no_personal_data_and_no_formulas(app, world):
    _ask(app, world)
    request = _only_request()
    _post(app, world, "admin", request["id"], accion="moderar", state="aprobada")
    for url in ("/solicitudes-datos/exportar.csv", "/solicitudes-datos/exportar.csv?entidad=oece"):
        body = app.get(url).body
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "id" and len(rows) == 2
        assert "vecina@example.org" not in body
        assert rows[1][3].startswith("'=")
    rows = list(csv.reader(io.StringIO(app.get(
        "/solicitudes-datos/exportar.csv?entidad=otra").body)))
    assert len(rows) == 1


def test_the_scoreboard_shows_demand_answered_with_a_link(app, world):
    _ask(app, world)
    request = _only_request()
    _post(app, world, "admin", request["id"], accion="moderar", state="aprobada")
    page = app.get("/tablero?sort=demand+desc")
    assert "Demanda respondida" in page.body
    assert "/solicitudes-datos?entidad=oece" in page.body and "0 / 1" in page.body
