"""Figures and geometry of the server-rendered SVG charts (bars, one row per label).

Charts are drawn from data the page already holds (the scoreboard's rows, a plan's items
and milestones, a buyer-year's fields); each template shows the same figures as a table,
so the picture always has a text alternative. Rows are horizontal bars: at a phone's
390 px the labels stay on their own line above the bar, at the same size as the text.
"""
from __future__ import annotations

import datetime
import re
from typing import Any, Iterable, Mapping, Sequence

import sqlalchemy as sa

import ckan.model as model

# the width of the drawing in SVG units: close to a phone's content width, so text drawn
# at 14 units is about 14 px there; wider screens cap the figure (CSS) at 1.4 times this
WIDTH = 360
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 10
VALUE_ROOM = 64

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
STAGES = ("group_established", "framework_in_force", "plan_approved", "datasets_published")


def bars(rows: Sequence[Mapping[str, Any]], series: Sequence[str],
         maximum: float | None = None) -> dict[str, Any]:
    """Layout of a bar chart: each row has a ``label`` and one number per key of ``series``
    (drawn as one bar each, below the label), shown beside its bar as the row's
    ``<key>_text`` if it has one. ``maximum`` sets the full-width value
    (default: the largest value shown)."""
    largest = max([float(row.get(key) or 0) for row in rows for key in series] + [0.0])
    full = float(maximum) if maximum else largest
    room = WIDTH - VALUE_ROOM
    laid, y = [], 0
    for row in rows:
        label_y = y + LABEL_HEIGHT - 4
        y += LABEL_HEIGHT
        drawn = []
        for index, key in enumerate(series):
            value = float(row.get(key) or 0)
            width = round(room * value / full, 1) if full > 0 else 0.0
            drawn.append({"series": index, "key": key, "value": row.get(key) or 0,
                          "text": row.get(f"{key}_text", row.get(key) or 0),
                          "y": y, "width": max(width, 1.0 if value > 0 else 0.0)})
            y += BAR_HEIGHT + 2
        laid.append({"label": row["label"], "label_y": label_y, "bars": drawn})
        y += ROW_GAP
    return {"width": WIDTH, "height": max(y, 1), "rows": laid, "bar_height": BAR_HEIGHT}


def national_picture(entities: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The country at a glance, from the scoreboard's rows: how many entities reached each
    PE0087 stage, datasets published against promised, overdue milestones."""
    rows = list(entities)
    reached = {stage: sum(1 for e in rows if e["milestones"][stage]) for stage in STAGES}
    by_done = [sum(1 for e in rows if e["milestones_done"] == n) for n in range(5)]
    return {
        "entities": len(rows),
        "reached": reached,
        "by_stages_done": by_done,
        "items_total": sum(int(e["items_total"]) for e in rows),
        "items_published": sum(int(e["items_published"]) for e in rows),
        "overdue": sum(int(e["overdue"]) for e in rows),
        "entities_overdue": sum(1 for e in rows if e["overdue"]),
    }


def _month(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value)[:7]
    return text if MONTH.fullmatch(text) else None


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def by_month(series: Mapping[str, Iterable[Any]], limit: int = 24) -> list[dict[str, Any]]:
    """Counts per month of each series of dates (``YYYY-MM-DD`` texts or dates), every
    month between the first and the last shown (at most the latest ``limit``)."""
    counts: dict[str, dict[str, int]] = {}
    for key, dates in series.items():
        for value in dates:
            month = _month(value)
            if month:
                counts.setdefault(month, {}).setdefault(key, 0)
                counts[month][key] += 1
    if not counts:
        return []
    months = months_between(min(counts), max(counts))[-limit:]
    return [dict({key: counts.get(month, {}).get(key, 0) for key in series}, month=month)
            for month in months]


def published_on(dataset_ids: Sequence[str]) -> dict[str, datetime.datetime]:
    """When each of these datasets entered the portal (``metadata_created``), by id."""
    if not dataset_ids:
        return {}
    rows = model.Session.execute(
        sa.select(model.package_table.c.id, model.package_table.c.metadata_created)
        .where(model.package_table.c.id.in_(list(dataset_ids))))
    return {row.id: row.metadata_created for row in rows}


def plan_history(items: Iterable[Mapping[str, Any]],
                 milestones: Iterable[Mapping[str, Any]],
                 published_on: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A plan's progress by month: milestones completed (their actual end, else their end)
    and items published (the day their dataset was published, from ``published_on``)."""
    completed = [m.get("actual_end_date") or m.get("end_date") for m in milestones
                 if m.get("status") == "completado"]
    published = [published_on.get(i.get("dataset_id") or "") for i in items
                 if i.get("status") == "publicado"]
    return by_month({"milestones": completed, "items": published})


def month_counts(counts: Mapping[str, Any], limit: int = 24) -> list[dict[str, Any]]:
    """Stored counts per ``YYYY-MM`` as chart rows, every month between the first and the
    last (at most the latest ``limit``); anything that is not a month is left out."""
    clean = {str(k)[:7]: int(v) for k, v in counts.items()
             if _month(k) and isinstance(v, (int, float)) and not isinstance(v, bool)
             and v >= 0}
    if not clean:
        return []
    months = months_between(min(clean), max(clean))[-limit:]
    return [{"month": month, "processes": clean.get(month, 0)} for month in months]
