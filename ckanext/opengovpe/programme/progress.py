"""Progress of an opening plan: the one computation every page, export and e-mail reads.

The figures are aggregated in SQL, by :data:`MILESTONE_FIGURES` and :data:`ITEM_FIGURES`,
over one plan (:func:`of_plan`, for the plan page, the programme page, the exports and the
API) or over all the plans of each entity at once (the scoreboard, ``status.py``), and
turned into percentages and the IRM level by :func:`figures`. So a plan's figure on the
scoreboard is the plan page's figure.

- % complete is the mean progress of the milestones that are not cancelled (a completed
  milestone counts 100); 0 without such milestones.
- A plan has started when one of those milestones is past "no iniciado" or above 0 %.
- Overdue: past its end date and neither completed nor cancelled.
- The published share counts the items that are not discarded.
"""
from __future__ import annotations

import datetime
from collections import Counter
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

import ckan.model as model

from . import vocabulary as words

# aggregates over milestones ``m`` (opengovpe_milestone); parameters: vocabulary.sql_parameters()
# and :today
MILESTONE_FIGURES = """
    avg(CASE WHEN m.status = :completed THEN 100 ELSE m.progress END)
        FILTER (WHERE m.status <> :cancelled) AS percent,
    count(*) AS milestones,
    count(*) FILTER (WHERE m.status = :completed) AS completed,
    count(*) FILTER (WHERE m.end_date < :today
                     AND m.status NOT IN (:completed, :cancelled)) AS overdue,
    coalesce(bool_or(m.status <> :not_started OR m.progress > 0)
             FILTER (WHERE m.status <> :cancelled), false) AS started
"""

# aggregates over inventory items ``i`` (opengovpe_plan_item)
ITEM_FIGURES = """
    count(*) FILTER (WHERE i.status <> :discarded) AS items,
    count(*) FILTER (WHERE i.status = :published) AS published
"""

_PLAN_SQL = sa.text(f"""
SELECT * FROM
    (SELECT {ITEM_FIGURES} FROM opengovpe_plan_item i WHERE i.plan_id = :plan_id) AS items,
    (SELECT {MILESTONE_FIGURES} FROM opengovpe_milestone m WHERE m.plan_id = :plan_id) AS ms
""")


def irm_level(percent: float, started: bool) -> str:
    """IRM-style completion: not started, limited, substantial, complete."""
    if percent >= 100:
        return words.IRM_COMPLETE
    if percent >= 50:
        return words.IRM_SUBSTANTIAL
    if percent > 0 or started:
        return words.IRM_LIMITED
    return words.IRM_NOT_STARTED


def figures(row: Mapping[str, Any]) -> dict[str, Any]:
    """The progress figures from one row of :data:`ITEM_FIGURES` and
    :data:`MILESTONE_FIGURES`."""
    percent = float(row["percent"] or 0)
    items, published = int(row["items"] or 0), int(row["published"] or 0)
    return {
        "items_countable": items,
        "items_published": published,
        "items_published_percent": round(100 * published / items, 1) if items else 0.0,
        "milestones_total": int(row["milestones"] or 0),
        "milestones_completed": int(row["completed"] or 0),
        "overdue_count": int(row["overdue"] or 0),
        "percent_complete": round(percent, 1),
        "irm_completion": irm_level(percent, bool(row["started"])),
    }


def parameters(today: datetime.date) -> dict[str, Any]:
    """The bound parameters of the figures' SQL."""
    return dict(words.sql_parameters(), today=today)


def of_plan(plan_id: str, items: Iterable[Mapping[str, Any]],
            milestones: Iterable[Mapping[str, Any]], today: datetime.date) -> dict[str, Any]:
    """A plan's progress: counts by status, overdue milestones, % complete, IRM level.

    ``items`` and ``milestones`` are the plan's rows as read (for the counts by status and
    the list of overdue milestones); the figures come from the database.
    """
    items = list(items)
    milestones = list(milestones)
    row = model.Session.execute(_PLAN_SQL, dict(parameters(today), plan_id=plan_id)
                                ).mappings().one()
    computed = figures(row)
    overdue = sorted((m for m in milestones if words.is_overdue(m, today)),
                     key=lambda m: m["end_date"])
    return {
        "items_total": len(items),
        "items_by_status": dict(Counter(i.get("status") for i in items)),
        "items_published": computed["items_published"],
        "items_published_percent": computed["items_published_percent"],
        "milestones_total": computed["milestones_total"],
        "milestones_by_status": dict(Counter(m.get("status") for m in milestones)),
        "milestones_completed": computed["milestones_completed"],
        "overdue": [
            {"id": m["id"], "name": m["name"], "end_date": m["end_date"].isoformat(),
             "days_overdue": (today - m["end_date"]).days,
             "responsible": m.get("responsible"), "status": m.get("status")}
            for m in overdue
        ],
        "percent_complete": computed["percent_complete"],
        "irm_completion": computed["irm_completion"],
    }
