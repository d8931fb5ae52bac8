"""Geometry of a plan's milestone timeline, in percent of its track.

The page draws it with HTML and CSS, so the labels are text at the page's own size that
wraps on a phone instead of a drawing scaled down with its words."""
from __future__ import annotations

import datetime
from typing import Any

MAX_ROWS = 60
# month labels past this share of the track are drawn leftwards from their line, so
# the last one ("12/2026") is never cut by the track's right edge
RIGHT_ALIGN_FROM = 85.0


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def layout(milestones: list[dict[str, Any]], today: datetime.date) -> dict[str, Any]:
    """Bars for up to MAX_ROWS milestones (the earliest first), and the 'today' line."""
    dated = [m for m in milestones if _date(m.get("start_date") or m.get("end_date"))]
    dated.sort(key=lambda m: _date(m.get("start_date") or m.get("end_date")))
    shown = dated[:MAX_ROWS]
    if not shown:
        return {"bars": [], "hidden": len(milestones)}
    starts = [_date(m.get("start_date") or m.get("end_date")) for m in shown]
    ends = [_date(m.get("end_date") or m.get("start_date")) for m in shown]
    first, last = min(starts + [today]), max(ends + [today])
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return round((day - first).days * 100 / span, 2)

    bars = []
    for milestone, start, end in zip(shown, starts, ends):
        bars.append({
            "left": x(start), "width": round(x(end) - x(start), 2),
            "label": milestone["name"], "status": milestone.get("status"),
            "overdue": bool(milestone.get("overdue")), "progress": milestone.get("progress", 0),
            "start": start.isoformat(), "end": end.isoformat(),
        })
    # about six month labels, counted by month number: stored dates may be centuries
    # apart, and stepping a date past 9999-12 overflows
    first_month = _month_number(first) + (0 if first.day == 1 else 1)
    last_month = _month_number(last)
    step = max(-(-(last_month - first_month + 1) // 6), 1)
    months = []
    for number in range(first_month, last_month + 1, step):
        day = datetime.date(number // 12, number % 12 + 1, 1)
        left = x(day)
        months.append({"left": left, "label": day.strftime("%m/%Y"),
                       "end": left > RIGHT_ALIGN_FROM})
    return {"bars": bars, "today": x(today), "months": months,
            "hidden": len(milestones) - len(shown)}
