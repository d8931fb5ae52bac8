"""Citizens' data requests through the API: asking, moderation, support, follow, answers,
figures and the anti-abuse limits, as each role meets them."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.opengovpe.logic import registry

from .conftest import call_as

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_redis")

ASK = {"title": "Contratos de obras 2025", "description": "Cada contrato con su monto.",
       "reason": "Vigilancia ciudadana de obras.", "contact_email": "vecina@example.org",
       "contact_name": "Vecina"}


def _ask(entity: dict[str, Any], user: str | None = None, **extra: Any) -> dict[str, Any]:
    return call_as(user, "opengovpe_data_request_create",
                   **dict(ASK, organization=entity["org"]["name"], **extra))


def _approved(entity: dict[str, Any], **extra: Any) -> dict[str, Any]:
    request = _ask(entity, **extra)
    return call_as("admin-oece", "opengovpe_data_request_moderate", id=request["id"],
                   state="aprobada")


def _item(entity: dict[str, Any], plan: dict[str, Any] | None = None) -> dict[str, Any]:
    return call_as("sysadmin", "opengovpe_plan_item_create",
                   plan_id=(plan or entity["plan"])["id"], title="Contratos de obras",
                   score=4)


def test_anyone_asks_and_the_request_waits_for_moderation(entity):
    request = _ask(entity)
    assert request["state"] == "pendiente" and request["status"] == "abierta"
    # contact details are kept for the answer and never given back
    assert "vecina@example.org" not in str(request) and "contact_email" not in request
    assert request["has_contact"] is True
    for user in (None, "editor-otra", "editor-oece"):
        with pytest.raises(tk.ObjectNotFound):
            call_as(user, "opengovpe_data_request_show", id=request["id"])
    assert call_as(None, "opengovpe_data_request_list")["count"] == 0
    shown = call_as("admin-oece", "opengovpe_data_request_show", id=request["id"])
    assert shown["can_moderate"] is True
    pending = call_as("admin-oece", "opengovpe_data_request_list",
                      organization="oece", state="pendiente")
    assert [r["id"] for r in pending["results"]] == [request["id"]]
    with pytest.raises(tk.NotAuthorized):
        call_as("editor-otra", "opengovpe_data_request_list", organization="oece",
                state="pendiente")


def test_the_requester_sees_their_own_pending_request(entity):
    citizen = factories.User(name="vecina")
    request = _ask(entity, citizen["name"])
    assert call_as("vecina", "opengovpe_data_request_show", id=request["id"])["id"] == \
        request["id"]


def test_moderation_belongs_to_the_entity_admins(entity):
    request = _ask(entity)
    for user in (None, "editor-oece", "member-oece", "editor-otra"):
        with pytest.raises(tk.NotAuthorized):
            call_as(user, "opengovpe_data_request_moderate", id=request["id"],
                    state="aprobada")
    shown = call_as("admin-oece", "opengovpe_data_request_moderate", id=request["id"],
                    state="aprobada")
    assert shown["state"] == "aprobada"
    assert call_as(None, "opengovpe_data_request_show", id=request["id"])["title"] == \
        ASK["title"]
    call_as("sysadmin", "opengovpe_data_request_moderate", id=request["id"], state="spam")
    with pytest.raises(tk.ObjectNotFound):
        call_as(None, "opengovpe_data_request_show", id=request["id"])
    with pytest.raises(tk.ValidationError) as error:
        call_as("admin-oece", "opengovpe_data_request_moderate", id=request["id"],
                state="borrada")
    assert "state" in error.value.error_dict


def test_support_and_follow_once_per_account(entity):
    request = _approved(entity)
    factories.User(name="vecino")
    with pytest.raises(tk.NotAuthorized):
        call_as(None, "opengovpe_data_request_support", id=request["id"])
    for _ in range(2):
        shown = call_as("vecino", "opengovpe_data_request_support", id=request["id"])
    assert shown["supporters"] == 1 and shown["supported"] is True
    shown = call_as("editor-otra", "opengovpe_data_request_support", id=request["id"])
    assert shown["supporters"] == 2
    shown = call_as("vecino", "opengovpe_data_request_support", id=request["id"], undo=True)
    assert shown["supporters"] == 1 and shown["supported"] is False
    shown = call_as("vecino", "opengovpe_data_request_follow", id=request["id"])
    assert shown["followers"] == 1 and shown["following"] is True
    ranked = call_as(None, "opengovpe_data_request_list", sort="supporters desc")
    assert ranked["results"][0]["supporters"] == 1


def test_a_pending_request_cannot_be_supported(entity):
    request = _ask(entity)
    with pytest.raises(tk.ObjectNotFound):
        call_as("editor-otra", "opengovpe_data_request_support", id=request["id"])


def test_answer_with_an_item_feeds_its_priority(entity):
    request = _approved(entity)
    item = _item(entity)
    call_as("editor-otra", "opengovpe_data_request_support", id=request["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as("editor-oece", "opengovpe_data_request_answer", id=request["id"],
                status="vinculada-item", item_id=item["id"])
    shown = call_as("admin-oece", "opengovpe_data_request_answer", id=request["id"],
                    status="vinculada-item", item_id=item["id"],
                    answer="Lo publicaremos en marzo.")
    assert shown["status"] == "vinculada-item" and shown["item"]["title"] == item["title"]
    call_as("admin-oece", "opengovpe_demand_create", item_id=item["id"],
            kind="solicitud-acceso-informacion", reference="Exp. 123-2025")
    demand = call_as(None, "opengovpe_demand_list", item_id=item["id"])
    assert {d["kind"] for d in demand["demand"]} == {"solicitud-datos",
                                                      "solicitud-acceso-informacion"}
    assert [r["id"] for r in demand["requests"]] == [request["id"]]
    # 4 (score) + 3 (access to information) + 2 (data request) + 1 (one support)
    assert demand["priority"] == {
        "score": 4, "demand_by_kind": {"solicitud-datos": 1, "solicitud-acceso-informacion": 1},
        "supports": 1, "demand_points": 6, "priority": 10}
    # a new answer moves the request's demand, never duplicates it
    call_as("admin-oece", "opengovpe_data_request_answer", id=request["id"],
            status="rechazada", answer="No existe ese registro.")
    demand = call_as(None, "opengovpe_demand_list", item_id=item["id"])
    assert [d["kind"] for d in demand["demand"]] == ["solicitud-acceso-informacion"]
    assert demand["priority"]["priority"] == 7
    plan = call_as(None, "opengovpe_plan_show", id=entity["plan"]["id"])
    assert len(plan["items"][0]["demand"]) == 1


def test_answers_stay_within_the_entity(entity):
    request = _approved(entity)
    other_plan = factories.Dataset(type="plan-apertura", owner_org=entity["other"]["id"])
    foreign_item = _item(entity, other_plan)
    cases = [({"status": "vinculada-item", "item_id": foreign_item["id"]}, "item_id"),
             ({"status": "vinculada-item"}, "item_id"),
             ({"status": "vinculada-dataset", "dataset_id": entity["foreign"]["id"]},
              "dataset_id"),
             # private: the requester could not read it
             ({"status": "vinculada-dataset", "dataset_id": entity["dataset"]["id"]},
              "dataset_id"),
             ({"status": "rechazada"}, "answer"),
             ({"status": "abierta"}, "status")]
    for data, field in cases:
        with pytest.raises(tk.ValidationError) as error:
            call_as("sysadmin", "opengovpe_data_request_answer", id=request["id"], **data)
        assert field in error.value.error_dict, data
    assert call_as(None, "opengovpe_data_request_show", id=request["id"])["status"] == "abierta"
    public = factories.Dataset(owner_org=entity["org"]["id"], name="obras-publicas")
    shown = call_as("admin-oece", "opengovpe_data_request_answer", id=request["id"],
                    status="vinculada-dataset", dataset_id="obras-publicas")
    assert shown["dataset"]["id"] == public["id"]


def test_an_unapproved_request_is_not_answered(entity):
    request = _ask(entity)
    with pytest.raises(tk.ValidationError) as error:
        call_as("admin-oece", "opengovpe_data_request_answer", id=request["id"],
                status="rechazada", answer="No.")
    assert "status" in error.value.error_dict


def test_bad_input_is_a_field_error(entity):
    cases = [({"organization": "no-existe"}, "organization"),
             ({"title": ""}, "title"), ({"title": ["a"]}, "title"),
             ({"description": "x" * 4001}, "description"),
             ({"title": "a\x00b"}, "title"), ({"reason": "\x1b[31m"}, "reason"),
             ({"contact_email": "no es correo"}, "contact_email"),
             ({"organization": {"id": "oece"}}, "organization"),
             ({"unknown": "x"}, "unknown")]
    for change, field in cases:
        with pytest.raises(tk.ValidationError) as error:
            call_as(None, "opengovpe_data_request_create",
                    **{**ASK, "organization": "oece", **change})
        assert field in error.value.error_dict, change
    assert call_as("admin-oece", "opengovpe_data_request_list", organization="oece",
                   state="pendiente")["count"] == 0


@pytest.mark.ckan_config("ckanext.opengovpe.demand.per_account", "2")
def test_an_account_is_limited_and_the_limit_holds(entity):
    factories.User(name="insistente")
    for n in range(2):
        _ask(entity, "insistente", title=f"Pedido {n}")
    for _ in range(3):
        with pytest.raises(tk.ValidationError) as error:
            _ask(entity, "insistente", title="Otro pedido")
        assert "title" in error.value.error_dict
    assert call_as("admin-oece", "opengovpe_data_request_list", organization="oece",
                   state="pendiente")["count"] == 2
    # another account is not held back by this one
    factories.User(name="paciente")
    _ask(entity, "paciente")


@pytest.mark.ckan_config("ckanext.opengovpe.demand.per_address", "2")
def test_an_address_is_limited_and_the_limit_holds(entity, app):
    for n in range(2):
        with app.flask_app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
            _ask(entity, title=f"Pedido {n}")
    for _ in range(2):
        with app.flask_app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
            with pytest.raises(tk.ValidationError):
                _ask(entity)
    with app.flask_app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.8"}):
        _ask(entity)


def test_figures_per_entity_and_nationally(entity):
    answered = _approved(entity)
    _approved(entity)
    _ask(entity)  # pending: not counted
    call_as("admin-oece", "opengovpe_data_request_answer", id=answered["id"],
            status="rechazada", answer="No existe.")
    figures = call_as(None, "opengovpe_data_request_stats", organization="oece")
    assert figures["received"] == 2 and figures["answered"] == 1
    assert figures["answered_percent"] == 50.0
    assert figures["median_days_to_answer"] is not None
    national = call_as(None, "opengovpe_data_request_stats")
    assert national["received"] == 2
    assert national["entities"][entity["org"]["id"]]["answered"] == 1
    with pytest.raises(tk.ValidationError):
        call_as(None, "opengovpe_data_request_stats", organization="no-existe")


def test_every_action_has_an_auth_function_of_its_name():
    actions = set(registry.actions())
    assert {f"opengovpe_data_request_{verb}" for verb in (
        "create", "show", "list", "support", "follow", "answer", "moderate", "stats")} <= actions
    assert actions <= set(registry.auth_functions()) | {
        "package_create", "package_update", "package_patch", "organization_create",
        "organization_update", "package_show", "resource_show", "organization_show",
        "group_show", "user_show"}


def test_the_scoreboard_sorts_by_demand_answered(entity):
    answered = _approved(entity)
    _approved(entity)
    call_as("admin-oece", "opengovpe_data_request_answer", id=answered["id"],
            status="rechazada", answer="No existe.")
    board = call_as(None, "opengovpe_scoreboard", sort="demand desc")
    assert [e["name"] for e in board["results"]] == ["oece", "otra"]
    assert board["results"][0]["demand"]["answered_percent"] == 50.0
    assert board["results"][1]["demand"] == {"received": 0, "answered": 0,
                                             "answered_percent": 0.0,
                                             "median_days_to_answer": None}
    board = call_as(None, "opengovpe_scoreboard", sort="demand asc")
    assert [e["name"] for e in board["results"]] == ["otra", "oece"]
    assert call_as(None, "opengovpe_programme_status", id="oece")["demand"]["received"] == 2


def test_an_answer_with_an_item_updates_the_plans_open_dataset(entity):
    request = _approved(entity)
    item = _item(entity)
    before = call_as("sysadmin", "package_show", id="plan-oece-2025-datos")["metadata_modified"]
    call_as("admin-oece", "opengovpe_data_request_answer", id=request["id"],
            status="vinculada-item", item_id=item["id"])
    after = call_as("sysadmin", "package_show", id="plan-oece-2025-datos")["metadata_modified"]
    assert after > before
