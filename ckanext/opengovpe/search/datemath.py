"""Solr date math for range bounds.

Examples: ``NOW``, ``NOW/DAY``, ``NOW-1YEAR``, ``2020-01-01T00:00:00Z+6MONTHS``.
"""
from __future__ import annotations

import datetime

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta


class DateMathError(ValueError):
    pass


# Solr reads ASCII digits only; str.isdigit() also accepts '²' or '٣', which int() may refuse
_DIGITS = frozenset("0123456789")


_UNITS = {
    "YEAR": "years", "YEARS": "years",
    "MONTH": "months", "MONTHS": "months",
    "WEEK": "weeks", "WEEKS": "weeks",
    "DAY": "days", "DAYS": "days", "DATE": "days",
    "HOUR": "hours", "HOURS": "hours",
    "MINUTE": "minutes", "MINUTES": "minutes",
    "SECOND": "seconds", "SECONDS": "seconds",
    "MILLI": "microseconds", "MILLIS": "microseconds",
    "MILLISECOND": "microseconds", "MILLISECONDS": "microseconds",
}


def _round(value: datetime.datetime, unit: str) -> datetime.datetime:
    field = _UNITS.get(unit)
    if field is None:
        raise DateMathError(f"unknown date unit {unit!r}")
    if field == "years":
        return value.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if field == "months":
        return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if field == "weeks":
        start = value - datetime.timedelta(days=value.weekday())
        return start.replace(hour=0, minute=0, second=0, microsecond=0)
    if field == "days":
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    if field == "hours":
        return value.replace(minute=0, second=0, microsecond=0)
    if field == "minutes":
        return value.replace(second=0, microsecond=0)
    if field == "seconds":
        return value.replace(microsecond=0)
    return value


def _split_base(expr: str) -> tuple[str, str]:
    if expr.startswith("NOW"):
        return "NOW", expr[3:]
    # an ISO date ends at its 'Z'; without one, the whole bound is the date
    end = expr.find("Z")
    if end == -1:
        return expr, ""
    return expr[: end + 1], expr[end + 1:]


def _tokens(math: str) -> list[tuple[str, int, str]]:
    """Split ``+1YEAR/DAY-2HOURS`` into (operator, amount, unit) steps."""
    steps: list[tuple[str, int, str]] = []
    pos = 0
    while pos < len(math):
        op = math[pos]
        if op not in "+-/":
            raise DateMathError(f"unexpected {op!r} in date math")
        pos += 1
        digits_start = pos
        while pos < len(math) and math[pos] in _DIGITS:
            pos += 1
        amount_text = math[digits_start:pos]
        unit_start = pos
        while pos < len(math) and math[pos].isascii() and math[pos].isalpha():
            pos += 1
        unit = math[unit_start:pos].upper()
        if not unit:
            raise DateMathError("date math step without a unit")
        if op == "/":
            if amount_text:
                raise DateMathError("rounding takes a unit only, as in /DAY")
            steps.append((op, 0, unit))
        else:
            if not amount_text or len(amount_text) > 6:
                raise DateMathError("date math step needs a number, as in -1DAY")
            steps.append((op, int(amount_text), unit))
    return steps


def resolve(expr: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """Resolve one range bound to an aware UTC datetime."""
    expr = expr.strip().strip('"')
    if not expr:
        raise DateMathError("empty date")
    base_text, math = _split_base(expr)
    if base_text == "NOW":
        value = now or datetime.datetime.now(datetime.timezone.utc)
    else:
        try:
            value = isoparse(base_text.rstrip("Z"))
        except ValueError as exc:
            raise DateMathError(f"not a date: {base_text!r}") from exc
    try:
        # in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts
        value = (value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None
                 else value.astimezone(datetime.timezone.utc))
    except (OverflowError, ValueError) as exc:
        raise DateMathError("date out of range") from exc
    for op, amount, unit in _tokens(math):
        if op == "/":
            value = _round(value, unit)
            continue
        field = _UNITS.get(unit)
        if field is None:
            raise DateMathError(f"unknown date unit {unit!r}")
        if field == "microseconds":
            amount *= 1000
        delta = relativedelta(**{field: amount})
        try:
            value = value + delta if op == "+" else value - delta
        except (OverflowError, ValueError) as exc:
            raise DateMathError("date out of range") from exc
    return value

