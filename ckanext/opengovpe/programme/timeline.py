"""Geometry of the server-rendered SVG timeline of a plan's milestones."""
from __future__ import annotations

import datetime
from typing import Any

WIDTH = 900
LABEL_WIDTH = 260
ROW_HEIGHT = 22
MAX_ROWS = 60


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
        return {"bars": [], "height": 0, "width": WIDTH, "hidden": len(milestones)}
    starts = [_date(m.get("start_date") or m.get("end_date")) for m in shown]
    ends = [_date(m.get("end_date") or m.get("start_date")) for m in shown]
    first, last = min(starts + [today]), max(ends + [today])
    span = max((last - first).days, 1)
    scale = (WIDTH - LABEL_WIDTH - 10) / span

    def x(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (day - first).days * scale, 1)

    bars = []
    for row, (milestone, start, end) in enumerate(zip(shown, starts, ends)):
        bars.append({
            "y": row * ROW_HEIGHT + 20, "x": x(start), "width": max(x(end) - x(start), 3),
            "label": milestone["name"][:40], "status": milestone.get("status"),
            "overdue": bool(milestone.get("overdue")), "progress": milestone.get("progress", 0),
            "start": start.isoformat(), "end": end.isoformat(),
        })
    # about eight month labels, counted by month number: stored dates may be centuries
    # apart, and stepping a date past 9999-12 overflows
    first_month = _month_number(first) + (0 if first.day == 1 else 1)
    last_month = _month_number(last)
    step = max((last_month - first_month + 1) // 8, 1)
    months = []
    for number in range(first_month, last_month + 1, step):
        day = datetime.date(number // 12, number % 12 + 1, 1)
        months.append({"x": x(day), "label": day.strftime("%m/%Y")})
    return {"bars": bars, "today_x": x(today), "months": months,
            "height": len(shown) * ROW_HEIGHT + 40, "width": WIDTH,
            "hidden": len(milestones) - len(shown)}
