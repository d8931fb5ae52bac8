"""Every programme action for every role: anonymous, a member of another entity,
a member, an editor and an admin of the entity, and a sysadmin."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from .conftest import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

ROLES = {"anonymous": None, "outsider": "editor-otra", "member": "member-oece",
         "editor": "editor-oece", "admin": "admin-oece", "sysadmin": "sysadmin"}
EDITORS = {"editor", "admin", "sysadmin"}


def writes(plan_id: str, item_id: str, milestone_id: str) -> list[tuple[str, dict]]:
    return [
        ("opengovpe_plan_item_create", {"plan_id": plan_id, "title": "Nuevo"}),
        ("opengovpe_plan_item_update", {"id": item_id, "title": "Cambiado"}),
        ("opengovpe_milestone_create", {"plan_id": plan_id, "name": "Nuevo hito"}),
        ("opengovpe_milestone_update", {"id": milestone_id, "progress": 10,
                                        "status": "en-curso"}),
        ("opengovpe_evidence_create", {"milestone_id": milestone_id, "type": "acta",
                                       "title": "Acta"}),
        ("opengovpe_demand_create", {"item_id": item_id, "kind": "solicitud-datos"}),
        ("opengovpe_plan_save", {"id": plan_id, "items": [], "milestones": []}),
        ("opengovpe_milestone_delete", {"id": milestone_id}),
        ("opengovpe_plan_item_delete", {"id": item_id}),
    ]


@pytest.fixture
def records(entity):
    plan_id = entity["plan"]["id"]
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan_id, title="A")
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan_id, name="H")
    private = factories.Dataset(type="plan-apertura", name="plan-privado", private=True,
                                owner_org=entity["org"]["id"], title="Privado")
    return {"plan": plan_id, "item": item["id"], "milestone": milestone["id"],
            "private": private["id"]}


@pytest.mark.parametrize("role", ROLES)
def test_writes(entity, records, role):
    for action, data in writes(records["plan"], records["item"], records["milestone"]):
        if role in EDITORS:
            call_as(ROLES[role], action, **data)
        else:
            with pytest.raises(tk.NotAuthorized):
                call_as(ROLES[role], action, **data)
        if role in EDITORS:
            break  # the first write is enough: the rest are tested in test_action


@pytest.mark.parametrize("role", [r for r in ROLES if r not in EDITORS])
def test_every_write_is_refused_outside_the_entity(entity, records, role):
    for action, data in writes(records["plan"], records["item"], records["milestone"]):
        with pytest.raises(tk.NotAuthorized):
            call_as(ROLES[role], action, **data)
    shown = helpers.call_action("opengovpe_plan_show", id=records["plan"])
    assert [i["title"] for i in shown["items"]] == ["A"]


@pytest.mark.parametrize("role,allowed", [("anonymous", False), ("outsider", False),
                                          ("member", True), ("editor", True),
                                          ("admin", True), ("sysadmin", True)])
def test_private_plan_reads(entity, records, role, allowed):
    for action in ("opengovpe_plan_show", "opengovpe_plan_progress"):
        if allowed:
            call_as(ROLES[role], action, id=records["private"])
        else:
            with pytest.raises(tk.NotAuthorized):
                call_as(ROLES[role], action, id=records["private"])


@pytest.mark.parametrize("role", ROLES)
def test_public_reads_and_national_views(entity, records, role):
    user = ROLES[role]
    assert call_as(user, "opengovpe_plan_show", id=records["plan"])["items"]
    call_as(user, "opengovpe_plan_progress", id=records["plan"])
    call_as(user, "opengovpe_programme_status", id="oece")
    assert call_as(user, "opengovpe_scoreboard")["count"] == 2
    due = call_as(user, "opengovpe_milestone_due_list", days=365)
    assert isinstance(due["overdue"], list)
