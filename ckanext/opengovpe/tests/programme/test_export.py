"""The plan's exports carry text stored before control characters were refused.

openpyxl refuses to write control characters (IllegalCharacterError), so one in a stored
item title made the XLSX export a 500. They are left out of every cell, before the check
that neutralises formulas.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

import ckan.model as model
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def plan(module_db) -> dict[str, Any]:
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(name="oece", title="OECE")
    plan = factories.Dataset(name="plan-2025", type="plan-apertura", owner_org=org["id"],
                             title="Plan de apertura 2025")
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                               title="Contratos")
    milestone = helpers.call_action(
        "opengovpe_milestone_create", plan_id=plan["id"], name="Instalar el grupo",
        evidence=[{"type": "acta", "title": "Acta"}])
    for statement, params in (
            ("UPDATE opengovpe_plan_item SET title = :title, description = :description "
             "WHERE id = :id", {"title": "Contratos\x01 vigentes\x1f", "id": item["id"],
                                "description": "\x02=HYPERLINK(\"http://malo\")"}),
            ("UPDATE opengovpe_milestone SET name = :name WHERE id = :id",
             {"name": "Instalar\x0b el grupo", "id": milestone["id"]}),
            ("UPDATE opengovpe_evidence SET title = :title WHERE milestone_id = :id",
             {"title": "Acta\x08 firmada", "id": milestone["id"]})):
        model.Session.execute(sa.text(statement), params)
    model.Session.commit()
    model.Session.remove()
    return {"name": plan["name"], "headers": {"Authorization": sysadmin["token"]}}


def test_xlsx_export_leaves_control_characters_out(app, plan):
    response = app.get(f"/plan-apertura/{plan['name']}/exportar.xlsx", headers=plan["headers"])
    assert response.status_code == 200, response.body[:300]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    items = workbook["inventario"]
    assert items["B2"].value == "Contratos vigentes"
    # what was behind the control character is still neutralised as a formula
    assert items["C2"].value == "'=HYPERLINK(\"http://malo\")"
    milestones = workbook["hitos"]
    assert milestones["B2"].value == "Instalar el grupo"
    assert milestones["M2"].value == "Acta firmada"


def test_csv_export_leaves_control_characters_out(app, plan):
    response = app.get(f"/plan-apertura/{plan['name']}/exportar.csv", headers=plan["headers"])
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.body)))
    assert rows[1][2:4] == ["Contratos vigentes", "'=HYPERLINK(\"http://malo\")"]
