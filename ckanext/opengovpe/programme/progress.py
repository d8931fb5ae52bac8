"""Progress of an opening plan, from its items and milestones."""
from __future__ import annotations

import datetime
from collections import Counter
from typing import Any, Iterable, Mapping

COMPLETED = "completado"
CANCELLED = "cancelado"
PUBLISHED = "publicado"
DISCARDED = "descartado"

# IRM completion scale
NOT_STARTED = "no-iniciado"
LIMITED = "limitado"
SUBSTANTIAL = "sustancial"
COMPLETE = "completo"


def is_overdue(milestone: Mapping[str, Any], today: datetime.date) -> bool:
    """Past its end date and neither completed nor cancelled."""
    end = milestone.get("end_date")
    return bool(end) and end < today and milestone.get("status") not in (COMPLETED, CANCELLED)


def is_due_soon(milestone: Mapping[str, Any], today: datetime.date, days: int) -> bool:
    end = milestone.get("end_date")
    return (bool(end) and today <= end <= today + datetime.timedelta(days=days)
            and milestone.get("status") not in (COMPLETED, CANCELLED))


def irm_level(percent: float, started: bool) -> str:
    """IRM-style completion: not started, limited, substantial, complete."""
    if percent >= 100:
        return COMPLETE
    if percent >= 50:
        return SUBSTANTIAL
    if percent > 0 or started:
        return LIMITED
    return NOT_STARTED


def summarise(items: Iterable[Mapping[str, Any]], milestones: Iterable[Mapping[str, Any]],
              today: datetime.date) -> dict[str, Any]:
    """Counts by status, overdue milestones, % complete and the IRM level.

    % complete is the mean progress of the milestones that are not cancelled
    (a completed milestone counts 100). Published share counts items that are
    not discarded.
    """
    items = list(items)
    milestones = list(milestones)
    active = [m for m in milestones if m.get("status") != CANCELLED]
    percent = (sum(100 if m.get("status") == COMPLETED else int(m.get("progress") or 0)
                   for m in active) / len(active)) if active else 0.0
    started = any(m.get("status") != "no-iniciado" or int(m.get("progress") or 0) > 0
                  for m in active)
    overdue = [m for m in milestones if is_overdue(m, today)]
    countable_items = [i for i in items if i.get("status") != DISCARDED]
    published = sum(1 for i in countable_items if i.get("status") == PUBLISHED)
    return {
        "items_total": len(items),
        "items_by_status": dict(Counter(i.get("status") for i in items)),
        "items_published": published,
        "items_published_percent": round(100 * published / len(countable_items), 1)
        if countable_items else 0.0,
        "milestones_total": len(milestones),
        "milestones_by_status": dict(Counter(m.get("status") for m in milestones)),
        "milestones_completed": sum(1 for m in milestones if m.get("status") == COMPLETED),
        "overdue": [
            {"id": m["id"], "name": m["name"], "end_date": m["end_date"].isoformat(),
             "days_overdue": (today - m["end_date"]).days,
             "responsible": m.get("responsible"), "status": m.get("status")}
            for m in sorted(overdue, key=lambda m: m["end_date"])
        ],
        "percent_complete": round(percent, 1),
        "irm_completion": irm_level(percent, started),
    }
