"""A plan's progress is one computation: the scoreboard shows what the plan page shows."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.opengovpe import vocab
from ckanext.opengovpe.programme import records

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TODAY = datetime.date.today()
ITEM_STATES = [t["value"] for t in vocab.choices("item_status")]
MILESTONE_STATES = [t["value"] for t in vocab.choices("milestone_status")]


@st.composite
def milestones(draw: st.DrawFn) -> dict:
    status = draw(st.sampled_from(MILESTONE_STATES))
    progress = 100 if status == "completado" else draw(st.integers(0, 99))
    offset = draw(st.none() | st.integers(-30, 30))
    return {"name": "Hito", "status": status, "progress": progress,
            "end_date": None if offset is None else TODAY + datetime.timedelta(days=offset)}


plans = st.tuples(
    st.lists(st.sampled_from(ITEM_STATES), max_size=8).map(
        lambda states: [{"title": "Conjunto", "status": s} for s in states]),
    st.lists(milestones(), max_size=12))


@pytest.fixture
def plan():
    org = factories.Organization(name="entidad-prueba")
    return factories.Dataset(type="plan-apertura", name="plan-prueba", owner_org=org["id"],
                             status="en-ejecucion")


def _scoreboard_row(entity_id: str) -> dict:
    board = helpers.call_action("opengovpe_scoreboard", limit=100)
    return next(e for e in board["results"] if e["id"] == entity_id)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=plans)
# only a cancelled milestone, once under way: the plan has not started
@example(generated=([], [{"name": "Hito", "status": "cancelado", "progress": 40,
                          "end_date": None}]))
def test_scoreboard_figures_equal_the_plan_page(plan, generated):
    items, milestones_ = generated
    records.replace_plan(plan["id"], items, milestones_, None)
    model.repo.commit()

    page = helpers.call_action("opengovpe_plan_show", id=plan["id"])["progress"]
    entity = _scoreboard_row(plan["owner_org"])
    status = helpers.call_action("opengovpe_programme_status", id=plan["owner_org"])

    for shown in (entity, status):
        assert shown["percent_complete"] == page["percent_complete"]
        assert shown["irm_completion"] == page["irm_completion"]
        assert shown["items_published"] == page["items_published"]
        assert shown["items_published_percent"] == page["items_published_percent"]
        assert shown["plan_milestones"] == page["milestones_total"]
        assert shown["plan_milestones_completed"] == page["milestones_completed"]
        assert shown["overdue"] == len(page["overdue"])


def test_progress_of_a_plan_by_hand(plan):
    """Two milestones at 50 % and one completed, one cancelled (left out): 66.7 %."""
    records.replace_plan(plan["id"], [
        {"title": "A", "status": "publicado"}, {"title": "B", "status": "planificado"},
        {"title": "C", "status": "descartado"},
    ], [
        {"name": "a", "status": "en-curso", "progress": 50},
        {"name": "b", "status": "retrasado", "progress": 50,
         "end_date": TODAY - datetime.timedelta(days=3)},
        {"name": "c", "status": "completado", "progress": 100},
        {"name": "d", "status": "cancelado", "progress": 10,
         "end_date": TODAY - datetime.timedelta(days=3)},
    ], None)
    model.repo.commit()
    shown = helpers.call_action("opengovpe_plan_progress", id=plan["id"])
    assert shown["percent_complete"] == 66.7
    assert shown["irm_completion"] == "sustancial"
    assert (shown["items_published"], shown["items_published_percent"]) == (1, 50.0)
    assert [m["name"] for m in shown["overdue"]] == ["b"]
    assert shown["items_by_status"] == {"publicado": 1, "planificado": 1, "descartado": 1}
