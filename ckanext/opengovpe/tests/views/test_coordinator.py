"""The coordinator's workflow from the entity's programme page: each stage with why it is
not done and the next step, one-step forms for the programme's records, pickers of the
entity's records, explicit publish and withdraw, deleting items and milestones, demand and
prioritisation criteria on the item form, error summaries with labels."""
from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def entity(clean_db) -> dict[str, Any]:
    users = {role: factories.UserWithToken(name=f"{role}-user")
             for role in ("admin", "editor", "outsider")}
    org = factories.Organization(name="muni", title="Municipalidad de Prueba", users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"}])
    other = factories.Organization(name="otra", title="Otra entidad", users=[
        {"name": users["outsider"]["name"], "capacity": "admin"}])
    return {"users": users, "org": org, "other": other}


def _headers(entity: dict[str, Any], role: str) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": entity["users"][role]["token"]}


def _stage(body: str, key: str) -> str:
    found = re.search(rf'<li class="card mb-2" id="stage-{key}"[^>]*>(.*?)</li>', body, re.S)
    assert found, key
    return found.group(1)


FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*?\sname="([^"]+)"[^>]*>', re.S)


def _create(app: Any, entity: dict[str, Any], kind: str, **fields: str) -> Any:
    """Post the record's form with the fields a browser sends: those it renders outside
    the disabled fieldset that holds CKAN's staged-form fields."""
    form = app.get(f"/{kind}/new?owner_org={entity['org']['id']}",
                   headers=_headers(entity, "editor")).body
    sent = re.sub(r"<fieldset disabled hidden>.*?</fieldset>", "", form, flags=re.S)
    assert "_ckan_phase" in form and "_ckan_phase" not in sent
    data = {"owner_org": entity["org"]["id"], "save": "", **fields}
    assert set(fields) <= set(FIELD.findall(sent))
    return app.post(f"/{kind}/new", headers=_headers(entity, "editor"), data=data,
                    follow_redirects=False)


def test_empty_entity_says_why_and_offers_each_first_step(app, entity):
    page = app.get("/entidad/muni/programa", headers=_headers(entity, "editor"))
    group = _stage(page.body, "group_established")
    assert "Pendiente" in group and "No hay ningún grupo de trabajo registrado" in group
    assert f'/grupo-trabajo/new?owner_org={entity["org"]["id"]}' in group
    assert f'/norma/new?owner_org={entity["org"]["id"]}' in _stage(page.body, "framework_in_force")
    assert f'/plan-apertura/new?owner_org={entity["org"]["id"]}' in _stage(page.body,
                                                                          "plan_approved")


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_visitors_read_why_without_the_buttons(app, entity, role):
    page = app.get("/entidad/muni/programa", headers=_headers(entity, role))
    group = _stage(page.body, "group_established")
    assert "No hay ningún grupo de trabajo registrado" in group
    assert "/grupo-trabajo/new" not in page.body


def test_entity_page_leads_to_the_programme(app, entity):
    page = app.get("/organization/muni")
    assert 'href="/entidad/muni/programa"' in page.body


def test_record_forms_have_one_step_and_no_unpublish_button(app, entity):
    page = app.get(f"/grupo-trabajo/new?owner_org={entity['org']['id']}",
                   headers=_headers(entity, "editor"))
    assert "stages" not in page.body and "Next: Add Data" not in page.body
    created = _create(app, entity, "grupo-trabajo", title="Grupo de datos", name="grupo-muni",
                      private="False")
    assert created.status_code == 302
    assert created.headers["Location"].endswith("/grupo-trabajo/grupo-muni")
    group = helpers.call_action("package_show", id="grupo-muni")
    assert group["state"] == "active" and group["private"] is False
    edit = app.get("/grupo-trabajo/edit/grupo-muni", headers=_headers(entity, "editor"))
    assert "go-metadata-unpublish" not in edit.body


def test_group_counts_once_its_creating_norm_is_chosen_from_a_picker(app, entity):
    _create(app, entity, "grupo-trabajo", title="Grupo de datos", name="grupo-muni",
            private="False", status="activo")
    page = app.get("/entidad/muni/programa", headers=_headers(entity, "editor"))
    group = _stage(page.body, "group_established")
    assert "cuenta cuando su «Norma de creación» nombre una norma de la entidad" in group
    assert "Registrar su norma de creación" in group

    _create(app, entity, "norma", title="Conforman el grupo de datos abiertos",
            name="rpe-001", private="False", validity="vigente")
    factories.Dataset(type="norma", name="norma-ajena", title="Norma ajena",
                      owner_org=entity["other"]["id"])
    edit = app.get("/grupo-trabajo/edit/grupo-muni", headers=_headers(entity, "editor"))
    picker = re.search(r'<select[^>]*name="creating_norm".*?</select>', edit.body, re.S)
    assert picker and 'value="rpe-001"' in picker.group(0)
    assert "norma-ajena" not in picker.group(0)

    helpers.call_action("package_patch", {"user": entity["users"]["editor"]["name"]},
                        id="grupo-muni", creating_norm="rpe-001")
    page = app.get("/entidad/muni/programa", headers=_headers(entity, "editor"))
    assert 'data-done="yes"' in re.search(r'id="stage-group_established"[^>]*>',
                                          page.body).group(0)
    shown = app.get("/grupo-trabajo/grupo-muni")
    assert '<a href="/norma/rpe-001">Conforman el grupo de datos abiertos</a>' in shown.body


def test_publish_and_withdraw_are_confirmed_and_say_what_changes(app, entity):
    factories.Dataset(type="plan-apertura", name="plan-muni", title="Plan 2026",
                      owner_org=entity["org"]["id"], private=True)
    headers = _headers(entity, "editor")
    confirm = app.get("/registro/plan-muni/publicar", headers=headers)
    assert "cuenta en el estado del programa de la entidad" in confirm.body
    assert helpers.call_action("package_show", id="plan-muni")["private"] is True
    app.post("/registro/plan-muni/publicar", headers=headers, data={"confirm": "yes"})
    assert helpers.call_action("package_show", id="plan-muni")["private"] is False
    confirm = app.get("/registro/plan-muni/retirar", headers=headers)
    assert "deja de contar" in confirm.body
    app.post("/registro/plan-muni/retirar", headers=headers, data={"confirm": "yes"})
    assert helpers.call_action("package_show", id="plan-muni")["private"] is True


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_only_the_entity_publishes_its_records(app, entity, role):
    factories.Dataset(type="norma", name="rpe-002", title="Norma",
                      owner_org=entity["org"]["id"], private=True)
    app.post("/registro/rpe-002/publicar", headers=_headers(entity, role),
             data={"confirm": "yes"}, status=403)
    assert helpers.call_action("package_show", id="rpe-002")["private"] is True


def test_publish_refuses_other_kinds_of_dataset(app, entity):
    factories.Dataset(name="datos", owner_org=entity["org"]["id"], private=True)
    app.get("/registro/datos/publicar", headers=_headers(entity, "editor"), status=404)


@pytest.fixture
def plan(entity) -> dict[str, Any]:
    plan = factories.Dataset(type="plan-apertura", name="plan-muni", title="Plan 2026",
                             owner_org=entity["org"]["id"])
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                               title="Licencias de funcionamiento")
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                    name="Publicar licencias", item_id=item["id"])
    return {"plan": plan, "item": item, "milestone": milestone}


def test_items_and_milestones_are_deleted_after_confirmation(app, entity, plan):
    headers = _headers(entity, "editor")
    item_url = f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}"
    milestone_url = f"/plan-apertura/plan-muni/hitos/{plan['milestone']['id']}/eliminar"
    form = app.get(item_url, headers=headers)
    assert f'href="{item_url}/eliminar"' in form.body
    plan_page = app.get("/plan-apertura/plan-muni/avance", headers=headers).body
    assert f'href="{item_url}/eliminar"' in plan_page
    assert f'href="{milestone_url}"' in plan_page
    assert "/eliminar" not in app.get("/plan-apertura/plan-muni/avance").body
    confirm = app.get(f"{item_url}/eliminar", headers=headers)
    assert "Licencias de funcionamiento" in confirm.body and 'method="post"' in confirm.body
    assert len(helpers.call_action("opengovpe_plan_show", id="plan-muni")["items"]) == 1
    app.post(f"{item_url}/eliminar", headers=headers, data={"confirm": "yes"})
    app.post(milestone_url, headers=headers, data={"confirm": "yes"})
    shown = helpers.call_action("opengovpe_plan_show", id="plan-muni")
    assert shown["items"] == [] and shown["milestones"] == []


def test_another_entity_cannot_delete_an_item(app, entity, plan):
    url = f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}/eliminar"
    app.post(url, headers=_headers(entity, "outsider"), data={"confirm": "yes"}, status=403)
    assert len(helpers.call_action("opengovpe_plan_show", id="plan-muni")["items"]) == 1


def test_item_form_records_criteria_and_demand(app, entity, plan):
    headers = _headers(entity, "editor")
    url = f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}"
    page = app.post(url, headers=headers, data=MultiDict([
        ("title", "Licencias de funcionamiento"), ("criteria", "solicitudes-ciudadanas-de-datos"),
        ("criteria", "registro-publico-oficial")]), follow_redirects=False)
    assert page.status_code == 302, page.body[:400]
    app.post(f"{url}/registrar-demanda", headers=headers, data={
        "demand_kind": "solicitud-acceso-informacion", "demand_reference": "SAIP-2026-12",
        "demand_date": "2026-03-01", "demand_description": "Lista de licencias"})
    item = helpers.call_action("opengovpe_plan_show", id="plan-muni")["items"][0]
    assert sorted(item["criteria"]) == ["registro-publico-oficial",
                                        "solicitudes-ciudadanas-de-datos"]
    assert [d["reference"] for d in item["demand"]] == ["SAIP-2026-12"]
    page = app.get(url, headers=headers)
    assert "SAIP-2026-12" in page.body
    assert ('value="solicitudes-ciudadanas-de-datos" '
            'id="field-criteria-solicitudes-ciudadanas-de-datos" checked') in page.body


def test_a_refused_request_is_a_field_error_and_stores_nothing(app, entity, plan):
    url = f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}/registrar-demanda"
    page = app.post(url, headers=_headers(entity, "editor"),
                    data={"demand_kind": "otra-cosa", "demand_date": "ayer"})
    assert page.status_code == 200
    assert "Tipo de solicitud:" in page.body
    assert helpers.call_action("opengovpe_plan_show", id="plan-muni")["items"][0]["demand"] == []


def test_error_summary_names_fields_by_their_labels(app, entity, plan):
    page = app.post(f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}",
                    headers=_headers(entity, "editor"),
                    data={"title": "Licencias", "score": "mucho",
                          "national_portal_url": "no es url"})
    summary = re.search(r'<div class="error-explanation.*?</div>', page.body, re.S).group(0)
    assert "Puntaje de prioridad" in summary and "URL en el portal nacional" in summary
    assert "score" not in summary and "national_portal_url" not in summary


def test_item_dataset_is_chosen_among_the_entity_datasets(app, entity, plan):
    factories.Dataset(name="licencias-2026", title="Licencias 2026",
                      owner_org=entity["org"]["id"])
    factories.Dataset(name="ajeno", title="Ajeno", owner_org=entity["other"]["id"])
    page = app.get(f"/plan-apertura/plan-muni/inventario/{plan['item']['id']}",
                   headers=_headers(entity, "editor"))
    picker = re.search(r'<select[^>]*name="dataset_id".*?</select>', page.body, re.S).group(0)
    assert 'value="licencias-2026"' in picker and "ajeno" not in picker


def test_dashboard_leads_to_the_entity_programme(app, entity):
    page = app.get("/dashboard/datasets", headers=_headers(entity, "editor"))
    links = re.search(r'id="dashboard-programmes".*?</div>', page.body, re.S).group(0)
    assert 'href="/entidad/muni/programa"' in links and "otra" not in links
