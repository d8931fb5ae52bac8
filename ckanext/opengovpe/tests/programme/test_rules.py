"""The rules of an item, a milestone and a whole-plan save, through the actions."""
from __future__ import annotations

import datetime

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TODAY = datetime.date.today()


def days(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def plan():
    org = factories.Organization()
    return factories.Dataset(type="plan-apertura", owner_org=org["id"], status="borrador")


def errors_of(action: str, **data) -> dict:
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action(action, **data)
    return raised.value.error_dict


def test_end_dates_not_before_the_start(plan):
    errors = errors_of("opengovpe_milestone_create", plan_id=plan["id"], name="Hito",
                       start_date=days(0), end_date=days(-1), actual_end_date=days(-2))
    assert errors["end_date"] == [f"This date cannot be earlier than {days(0)}"]
    assert errors["actual_end_date"] == [f"This date cannot be earlier than {days(0)}"]


def test_end_date_order_in_a_whole_plan_save(plan):
    errors = errors_of("opengovpe_plan_save", id=plan["id"], items=[], milestones=[
        {"name": "Bien", "start_date": days(0), "end_date": days(1)},
        {"name": "Mal", "start_date": days(0), "end_date": days(-1)}])
    assert errors["milestones"][0] == {}
    assert list(errors["milestones"][1]) == ["end_date"]


def test_an_update_keeps_the_order_against_the_stored_start(plan):
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                    name="Hito", start_date=days(0), end_date=days(5))
    errors = errors_of("opengovpe_milestone_update", id=milestone["id"], end_date=days(-1))
    assert list(errors) == ["end_date"]


def test_a_completed_milestone_and_100_percent_go_together(plan):
    errors = errors_of("opengovpe_milestone_create", plan_id=plan["id"], name="Hito",
                       status="en-curso", progress=100)
    assert list(errors) == ["progress"]
    done = helpers.call_action(
        "opengovpe_milestone_create", plan_id=plan["id"], name="Hito", status="completado",
        actual_end_date=days(0), evidence=[{"type": "acta", "title": "Acta 1"}])
    assert done["progress"] == 100


def test_a_published_item_needs_a_published_dataset(plan):
    errors = errors_of("opengovpe_plan_item_create", plan_id=plan["id"], title="Datos",
                       status="publicado")
    assert list(errors) == ["status"]
