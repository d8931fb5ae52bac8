"""The programme told as a story, for one entity or for the country: the demand it received,
the datasets it prioritised, those it published (on time or late against the dates its
opening plans committed), how much they are used and how well they are described.

Each step reads the records the rest of the portal reads: the data requests
(``demand/records.py``), the inventory items of public opening plans, the monthly usage
(``usage_data.py``) and the quality scores; every figure can be followed to those records.

An item is published when its status is "publicado" and its dataset is public; it was
published on time when its dataset entered the portal (``metadata_created``) on or before
the item's committed date, late otherwise, and "without a committed date" when it has none.
An item not published whose committed date has passed is overdue.
"""
from __future__ import annotations

import datetime
import math
import time
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..demand import records as demand_records
from . import board_cache, status, usage_data
from . import vocabulary as words

_ITEM_STATE = """
    CASE
      WHEN i.status = :published AND d.id IS NOT NULL THEN
        CASE WHEN i.committed_date IS NULL THEN 'sin_fecha'
             WHEN d.metadata_created::date <= i.committed_date THEN 'a_tiempo'
             ELSE 'tarde' END
      WHEN i.committed_date < :today THEN 'vencido'
      ELSE 'pendiente'
    END
"""

# the plans first, then their items and datasets joined by hash (not one index probe per
# item): the planner cannot tell how many items the plans' filter keeps
_PLANS_AND_ITEMS = """
    FROM (SELECT id, name, title FROM package
          WHERE state = 'active' AND NOT private AND type = :plan_type {entity}
          OFFSET 0) AS p
    JOIN opengovpe_plan_item i ON i.plan_id = p.id
    LEFT JOIN (SELECT id, name, title, metadata_created FROM package
               WHERE state = 'active' AND NOT private) AS d ON d.id = i.dataset_id
"""
_FROM = _PLANS_AND_ITEMS + """
    WHERE i.status <> :discarded
"""
_ENTITY = "AND owner_org = :org"

_COUNTS = f"""
SELECT state, count(*) AS items, count(*) FILTER (WHERE with_demand) AS with_demand
FROM (SELECT {_ITEM_STATE} AS state, dm.item_id IS NOT NULL AS with_demand
      {_PLANS_AND_ITEMS}
      LEFT JOIN (SELECT DISTINCT item_id FROM opengovpe_demand) AS dm ON dm.item_id = i.id
      WHERE i.status <> :discarded) AS items
GROUP BY state
"""

_ITEMS = f"""
SELECT i.id, i.title, i.status, i.committed_date, p.name AS plan_name, p.title AS plan_title,
       d.name AS dataset_name, d.title AS dataset_title,
       d.metadata_created::date AS published_on, {_ITEM_STATE} AS state,
       (SELECT count(*) FROM opengovpe_demand dm WHERE dm.item_id = i.id) AS demand
{_FROM}
ORDER BY p.name, i.position, i.title
"""


def _sql(template: str, entity_id: str | None) -> sa.TextClause:
    return sa.text(template.replace("{entity}", _ENTITY if entity_id else ""))


STATES = ("a_tiempo", "tarde", "sin_fecha", "vencido", "pendiente")
PUBLISHED_STATES = ("a_tiempo", "tarde", "sin_fecha")


def _parameters(entity_id: str | None, today: datetime.date) -> dict[str, Any]:
    return {"published": words.ITEM_PUBLISHED, "discarded": words.ITEM_DISCARDED,
            "plan_type": words.PLAN_TYPE, "org": entity_id, "today": today}


def items(entity_id: str, today: datetime.date) -> list[dict[str, Any]]:
    """An entity's prioritised items (not discarded) of its public plans, with their
    dataset, when it was published and whether that was on time."""
    rows = model.Session.execute(_sql(_ITEMS, entity_id),
                                 _parameters(entity_id, today)).mappings()
    return [dict(row) for row in rows]


def steps(entity_id: str | None, today: datetime.date) -> dict[str, Any]:
    """The five steps of an entity (its id) or of the country (``None``)."""
    counts = {state: 0 for state in STATES}
    with_demand = 0
    for row in model.Session.execute(_sql(_COUNTS, entity_id),
                                     _parameters(entity_id, today)).mappings():
        counts[row["state"]] = int(row["items"])
        with_demand += int(row["with_demand"])
    prioritised = sum(counts.values())
    published = sum(counts[s] for s in PUBLISHED_STATES)
    since = usage_data.year_start(today)
    used = usage_data.totals(entity_id, since)
    return {
        "demand": demand_records.stats(entity_id),
        "prioritised": {"items": prioritised, "with_demand": with_demand},
        "published": dict(counts, items=published,
                          percent=round(100 * published / prioritised, 1) if prioritised
                          else 0.0),
        "used": dict(used, since=since.isoformat(),
                     monthly=usage_data.monthly(entity_id)[-24:]),
        "quality": status.quality_summary(entity_id),
    }


class _Recent:
    """The country's steps as last read by this process, the day and when."""

    found: dict[str, Any] = {}
    day: datetime.date | None = None
    read_at = -math.inf


def national(today: datetime.date) -> dict[str, Any]:
    """The country's steps, read again once ``ckanext.opengovpe.home.cache_seconds`` have
    passed, as the home page's national picture is: they sum every item, request and
    dataset of the country, and change slowly."""
    keep = tk.config.get("ckanext.opengovpe.home.cache_seconds")
    now = time.monotonic()
    if keep <= 0 or now - _Recent.read_at > keep or _Recent.day != today:
        # shared by the web processes in Redis (board_cache.py)
        found = board_cache.national_story(today, lambda: steps(None, today))
        _Recent.found, _Recent.day, _Recent.read_at = found, today, now
    return dict(_Recent.found)
