"""``ckan opengovpe seed-demo`` creates the demo entity once."""
from __future__ import annotations

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opengovpe import peru_map


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_seed_demo_is_idempotent(cli):
    first = cli.invoke(ckan_command, ["opengovpe", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "created organization oece" in first.output
    assert "created plan-apertura oece-plan-apertura-2025" in first.output
    second = cli.invoke(ckan_command, ["opengovpe", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert "demo content already present" in second.output
    found = helpers.call_action("package_search", q="contrataciones publicas")
    assert "contrataciones-publicas-seace" in [d["name"] for d in found["results"]]
    assert helpers.call_action("package_search",
                               fq="+organization:oece +dataset_type:dataset")["count"] == 4
    # the plan itself, published as open data
    assert helpers.call_action("package_show", id="oece-plan-apertura-2025-datos")["resources"]
    oece = helpers.call_action("opengovpe_programme_status", id="oece")
    assert oece["milestones_done"] == 4
    assert oece["overdue"] == 1
    board = helpers.call_action("opengovpe_scoreboard")
    assert "oece" in [e["name"] for e in board["results"] if e["milestones_done"] == 4]
    # enough entities, at every stage, level of government and in several departments,
    # for the scoreboard, the charts and the map to tell a story
    assert board["count"] >= 10
    assert {e["milestones_done"] for e in board["results"]} == {0, 1, 2, 3, 4}
    assert {e["level_of_government"] for e in board["results"]} == {
        "nacional", "regional", "local"}
    assert len({e["sector"] for e in board["results"]}) >= 5
    assert sum(e["overdue"] for e in board["results"]) > 1
    assert len(set(peru_map.entity_places().values())) >= 8
    plan = helpers.call_action("opengovpe_plan_show", id="oece-plan-apertura-2025")
    assert plan["progress"]["milestones_by_status"]["completado"] == 2
    assert [i["status"] for i in plan["items"]][0] == "publicado"
