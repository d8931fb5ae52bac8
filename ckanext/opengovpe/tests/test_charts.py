"""Figures and geometry of the bar charts: what each bar stands for and how long it is."""
from __future__ import annotations

import datetime

import pytest

from ckan.tests import factories

from ckanext.opengovpe import charts


def entity(done: list[str], items: int = 0, published: int = 0, overdue: int = 0) -> dict:
    return {"milestones": {s: s in done for s in charts.STAGES},
            "milestones_done": len(done), "items_total": items,
            "items_published": published, "overdue": overdue}


def test_national_picture_counts_entities_by_stage_and_data_promised():
    rows = [entity(list(charts.STAGES), items=4, published=2),
            entity(["framework_in_force"], overdue=3),
            entity([], items=5, overdue=1)]
    picture = charts.national_picture(rows)
    assert picture["entities"] == 3
    assert picture["reached"] == {"group_established": 1, "framework_in_force": 2,
                                  "plan_approved": 1, "datasets_published": 1}
    assert picture["by_stages_done"] == [1, 1, 0, 0, 1]
    assert (picture["items_total"], picture["items_published"]) == (9, 2)
    assert (picture["overdue"], picture["entities_overdue"]) == (4, 2)


def test_bars_scale_to_the_maximum_and_keep_a_sliver_for_small_values():
    chart = charts.bars([{"label": "Todas", "n": 10, "n_text": "10 de 10"},
                         {"label": "Pocas", "n": 0.01}, {"label": "Ninguna", "n": 0}],
                        ["n"], maximum=10)
    full, small, none = (row["bars"][0] for row in chart["rows"])
    assert full["width"] == charts.WIDTH - charts.VALUE_ROOM
    assert full["text"] == "10 de 10"
    assert small["width"] == 1.0 and none["width"] == 0.0
    assert none["text"] == 0
    # labels above their bars, rows one under the other, all inside the drawing
    ys = [row["label_y"] for row in chart["rows"]]
    assert ys == sorted(ys) and chart["height"] > ys[-1]


def test_bars_of_nothing_draw_nothing():
    chart = charts.bars([{"label": "Vacía", "a": 0, "b": None}], ["a", "b"])
    assert [bar["width"] for bar in chart["rows"][0]["bars"]] == [0.0, 0.0]


def test_by_month_fills_the_months_between_and_keeps_the_latest():
    rows = charts.by_month({"a": ["2026-01-15", datetime.date(2026, 3, 2), None, "basura"],
                            "b": [datetime.datetime(2026, 3, 30, 23, 0)]})
    assert rows == [{"month": "2026-01", "a": 1, "b": 0}, {"month": "2026-02", "a": 0, "b": 0},
                    {"month": "2026-03", "a": 1, "b": 1}]
    assert [r["month"] for r in charts.by_month({"a": ["2024-01-01", "2026-12-01"]},
                                                limit=3)] == ["2026-10", "2026-11", "2026-12"]
    assert charts.by_month({"a": []}) == []


def test_month_counts_read_only_months_and_counts():
    rows = charts.month_counts({"2025-11": 3, "2026-01": 2, "2026-13": 9, "x": 1,
                                "2025-12": -1, "2026-02": True})
    assert rows == [{"month": "2025-11", "processes": 3}, {"month": "2025-12", "processes": 0},
                    {"month": "2026-01", "processes": 2}]


def test_months_between_crosses_the_year():
    assert charts.months_between("2025-11", "2026-02") == [
        "2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_plan_history_counts_completed_milestones_and_published_items():
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    created = charts.published_on([dataset["id"], "missing"])
    assert list(created) == [dataset["id"]]
    month = created[dataset["id"]].strftime("%Y-%m")
    rows = charts.plan_history(
        [{"status": "publicado", "dataset_id": dataset["id"]},
         {"status": "planificado", "dataset_id": None}],
        [{"status": "completado", "actual_end_date": datetime.date(2026, 1, 10),
          "end_date": datetime.date(2026, 1, 31)},
         {"status": "completado", "end_date": datetime.date(2026, 2, 3)},
         {"status": "en-curso", "end_date": datetime.date(2026, 2, 3)}],
        created)
    by_month = {r["month"]: r for r in rows}
    assert by_month["2026-01"]["milestones"] == 1 and by_month["2026-02"]["milestones"] == 1
    assert by_month[month]["items"] == 1
    assert sum(r["items"] for r in rows) == 1
