"""The programme's records and the scheming records read a field the same way: a
percentage is ASCII digits from 0 to 100, through the API and through the forms."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.opengovpe.logic import schema

from ..helpers import csrf

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# an Arabic-Indic three and a signed five are no percentages
REFUSED = ["٣", "+5"]
# the pages speak the portal's language
REFUSED_ON_PAGE = "Un porcentaje es un número entero de 0 a 100"


@pytest.fixture
def plan():
    org = factories.Organization()
    return factories.Dataset(type="plan-apertura", owner_org=org["id"], status="borrador")


@pytest.mark.parametrize("value", REFUSED)
def test_milestone_progress_refused_through_the_api(plan, value):
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"], name="Hito",
                            progress=value)
    assert raised.value.error_dict == {
        "progress": ["A percentage is a whole number from 0 to 100"]}


def test_an_empty_progress_is_the_default_0(plan):
    created = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                 name="Hito", progress="")
    assert created["progress"] == 0


@pytest.mark.parametrize("value", REFUSED)
def test_milestone_progress_refused_through_the_form(app, plan, value):
    admin = factories.SysadminWithToken()
    headers = {"Authorization": admin["token"]}
    url = f"/plan-apertura/{plan['name']}/hitos/nuevo"
    form = app.get(url, headers=headers).body
    page = app.post(url, headers=headers, data={
        "_csrf_token": csrf(form), "name": "Hito", "progress": value}, status=200).body
    assert REFUSED_ON_PAGE in page
    assert helpers.call_action("opengovpe_plan_show", id=plan["id"])["milestones"] == []


@pytest.mark.parametrize("value", REFUSED)
def test_session_attendance_refused_through_the_api(value):
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action("package_create", type="grupo-trabajo", name="grupo-prueba",
                            title="Grupo", owner_org=org["id"], group_type="grupo-trabajo",
                            status="activo",
                            sessions=[{"date": "2025-01-10", "attendance_percentage": value}])
    assert raised.value.error_dict["sessions"][0]["attendance_percentage"] == [
        "A percentage is a whole number from 0 to 100"]


@pytest.mark.parametrize("value", REFUSED)
def test_session_attendance_refused_through_the_scheming_form(app, value):
    org = factories.Organization()
    admin = factories.SysadminWithToken()
    headers = {"Authorization": admin["token"]}
    form = app.get("/grupo-trabajo/new", headers=headers).body
    page = app.post("/grupo-trabajo/new", headers=headers, data={
        "_csrf_token": csrf(form), "title": "Grupo", "name": "grupo-prueba",
        "owner_org": org["id"], "group_type": "grupo-trabajo", "status": "activo",
        "sessions-0-date": "2025-01-10", "sessions-0-attendance_percentage": value,
        "save": "continue"}, status=200).body
    assert REFUSED_ON_PAGE in page
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("package_show", id="grupo-prueba")


def test_forms_send_the_fields_of_the_schema():
    fields = schema.form_fields(schema.milestone_schema())
    assert "progress" in fields and "end_date" in fields
    assert not {"id", "plan_id", "position", "evidence"} & set(fields)
