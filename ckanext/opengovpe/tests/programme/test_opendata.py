"""An opening plan is also an open dataset whose resource is the plan's CSV."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def companion(name):
    return helpers.call_action("package_show", id=f"{name}-datos")


def test_plan_is_published_with_its_csv_and_follows_changes(app):
    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    context = {"user": sysadmin["name"]}
    plan = helpers.call_action("package_create", context, type="plan-apertura",
                               name="plan-2025", title="Plan 2025", owner_org=org["id"])
    dataset = companion("plan-2025")
    assert dataset["type"] == "dataset" and dataset["private"] is False
    # written in the portal's language, whatever the caller's (here none: English before)
    assert dataset["title"] == "Plan de apertura: Plan 2025"
    assert dataset["notes"].startswith("Conjuntos de datos priorizados e hitos del plan")
    assert dataset["resources"][0]["name"] == "Plan de apertura (CSV)"
    resource = dataset["resources"][0]
    assert resource["url"].endswith("/plan-apertura/plan-2025/exportar.csv")
    assert resource["format"] == "CSV"
    first_modified = resource["last_modified"]

    helpers.call_action("opengovpe_milestone_create", context, plan_id=plan["id"],
                        name="Instalar el grupo")
    assert companion("plan-2025")["resources"][0]["last_modified"] > first_modified
    # the resource serves the plan as it is now
    body = app.get("/plan-apertura/plan-2025/exportar.csv").body
    assert "Instalar el grupo" in body

    helpers.call_action("package_patch", context, id=plan["id"], private=True)
    assert companion("plan-2025")["private"] is True
    found = helpers.call_action("package_search", q="Plan 2025", fq="+dataset_type:dataset")
    assert "plan-2025-datos" not in [d["name"] for d in found["results"]]


def test_companion_follows_every_change_of_the_plans_records():
    org = factories.Organization()
    plan = factories.Dataset(type="plan-apertura", name="plan-2026", owner_org=org["id"])
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"], title="Uno")
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                    name="Hito")
    changes = [
        ("package_patch", {"id": plan["id"], "title": "Plan 2026 revisado"}),
        ("opengovpe_plan_item_create", {"plan_id": plan["id"], "title": "Dos"}),
        ("opengovpe_plan_item_update", {"id": item["id"], "title": "Uno bis"}),
        ("opengovpe_milestone_create", {"plan_id": plan["id"], "name": "Otro hito"}),
        ("opengovpe_milestone_update", {"id": milestone["id"], "progress": 20}),
        ("opengovpe_evidence_create", {"milestone_id": milestone["id"], "type": "acta",
                                       "title": "Acta"}),
        ("opengovpe_demand_create", {"item_id": item["id"], "kind": "solicitud-datos"}),
        ("opengovpe_milestone_delete", {"id": milestone["id"]}),
        ("opengovpe_plan_item_delete", {"id": item["id"]}),
        ("opengovpe_plan_save", {"id": plan["id"], "items": [{"title": "Tres"}],
                                 "milestones": []}),
    ]
    sysadmin = factories.Sysadmin()
    for action, data in changes:
        before = companion("plan-2026")["resources"][0]["last_modified"]
        helpers.call_action(action, {"user": sysadmin["name"]}, **data)
        assert companion("plan-2026")["resources"][0]["last_modified"] > before, action


def test_companion_follows_an_item_that_follows_its_dataset():
    """Publishing the linked dataset publishes the item: a change of the plan's records
    made by no programme action."""
    org = factories.Organization()
    plan = factories.Dataset(type="plan-apertura", name="plan-2028", owner_org=org["id"])
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                               title="Uno", dataset_id=dataset["id"])
    before = companion("plan-2028")["resources"][0]["last_modified"]
    helpers.call_action("package_patch", {"user": factories.Sysadmin()["name"]},
                        id=dataset["id"], private=False)
    shown = helpers.call_action("opengovpe_plan_show", id=plan["id"])
    assert [i["status"] for i in shown["items"] if i["id"] == item["id"]] == ["publicado"]
    assert companion("plan-2028")["resources"][0]["last_modified"] > before


def test_a_refused_change_does_not_touch_the_companion():
    org = factories.Organization()
    plan = factories.Dataset(type="plan-apertura", name="plan-2029", owner_org=org["id"])
    before = companion("plan-2029")["resources"][0]["last_modified"]
    with pytest.raises(tk.ValidationError):
        helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"], name="Hito",
                            progress="200")
    helpers.call_action("opengovpe_plan_show", id=plan["id"])
    assert companion("plan-2029")["resources"][0]["last_modified"] == before


def test_deleting_the_plan_makes_its_companion_private():
    org = factories.Organization()
    plan = factories.Dataset(type="plan-apertura", name="plan-2027", owner_org=org["id"])
    assert companion("plan-2027")["private"] is False
    helpers.call_action("package_delete", {"user": factories.Sysadmin()["name"]}, id=plan["id"])
    assert companion("plan-2027")["private"] is True
