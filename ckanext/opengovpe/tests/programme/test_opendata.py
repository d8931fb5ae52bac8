"""An opening plan is also an open dataset whose resource is the plan's CSV."""
from __future__ import annotations

import pytest

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
