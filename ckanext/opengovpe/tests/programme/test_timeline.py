"""The plan timeline's geometry: bars and month labels in percent of the track."""
from __future__ import annotations

import datetime

from ckanext.opengovpe.programme import timeline

TODAY = datetime.date(2026, 11, 26)


def milestone(name: str, start: str, end: str, **extra) -> dict:
    return {"name": name, "start_date": start, "end_date": end, **extra}


def test_bars_months_and_today_fit_the_track():
    layout = timeline.layout([
        milestone("Sensibilización e instalación del Grupo de Trabajo de Datos Abiertos",
                  "2026-01-30", "2026-03-31", status="completado", progress=100),
        milestone("Publicación en el portal", "2026-08-28", "2026-12-16", overdue=True),
    ], TODAY)
    first, last = layout["bars"]
    assert first["left"] == 0 and first["label"].endswith("Datos Abiertos")  # whole name
    assert last["left"] + last["width"] == 100
    assert 0 < layout["today"] < 100
    assert 1 <= len(layout["months"]) <= 6
    assert all(0 <= m["left"] <= 100 for m in layout["months"])
    # the last label is drawn leftwards from its line, so it is never cut at the edge
    assert layout["months"][-1]["label"] == "12/2026" and layout["months"][-1]["end"]
    assert not layout["months"][0]["end"]


def test_dates_centuries_apart_give_six_labels_at_most():
    layout = timeline.layout([milestone("Lejano", "1900-01-01", "2100-12-31")], TODAY)
    assert len(layout["months"]) <= 6
    assert layout["bars"][0]["width"] == 100


def test_undated_milestones_draw_nothing():
    assert timeline.layout([{"name": "Sin fechas"}], TODAY) == {"bars": [], "hidden": 1}
