"""The four PE0087 milestones of each entity, computed from its public records in one query.

1. working group established: an active working group whose creating norm is
   a regulation of the same entity;
2. internal framework in force: a regulation of the entity in force;
3. plan approved: an approved (or running, or closed) opening plan whose
   approving regulation is a regulation of the same entity;
4. datasets published: inventory items published, of those not discarded.

Only active, public records count: this is what the entity shows the country. Plan
progress is aggregated by ``progress.py``'s figures, the same that a plan's page reads.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ..demand import records as demand_records
from . import board_cache, progress, usage_data

_SQL = sa.text(f"""
WITH records AS (
    SELECT p.id, p.name, p.type, p.owner_org,
           p.extras ->> 'status' AS status,
           p.extras ->> 'creating_norm' AS creating_norm,
           p.extras ->> 'validity' AS validity,
           p.extras ->> 'approving_regulation' AS approving_regulation
    FROM package p
    WHERE p.state = 'active' AND NOT p.private
      AND p.type IN (:working_group_type, :regulation_type, :plan_type)
),
norms AS (
    SELECT owner_org, name, validity FROM records WHERE type = :regulation_type
),
entity_records AS (
    SELECT r.owner_org,
           bool_or(r.type = :working_group_type AND r.status = :group_active AND EXISTS (
               SELECT 1 FROM norms n WHERE n.owner_org = r.owner_org
                                       AND n.name = r.creating_norm)) AS group_established,
           bool_or(r.type = :regulation_type AND r.validity = :in_force) AS framework_in_force,
           bool_or(r.type = :plan_type AND r.status = ANY(:approved) AND EXISTS (
               SELECT 1 FROM norms n WHERE n.owner_org = r.owner_org
                                       AND n.name = r.approving_regulation)) AS plan_approved,
           count(*) FILTER (WHERE r.type = :plan_type) AS plans
    FROM records r GROUP BY r.owner_org
),
entity_items AS (
    SELECT p.owner_org, {progress.ITEM_FIGURES}
    FROM opengovpe_plan_item i JOIN package p ON p.id = i.plan_id
    WHERE p.state = 'active' AND NOT p.private AND p.type = :plan_type
    GROUP BY p.owner_org
),
entity_milestones AS (
    SELECT p.owner_org, {progress.MILESTONE_FIGURES}
    FROM opengovpe_milestone m JOIN package p ON p.id = m.plan_id
    WHERE p.state = 'active' AND NOT p.private AND p.type = :plan_type
    GROUP BY p.owner_org
),
profile AS (
    SELECT id AS group_id,
           extras ->> 'level_of_government' AS level_of_government,
           extras ->> 'sector' AS sector,
           extras ->> 'acronym' AS acronym
    FROM "group" WHERE is_organization
)
SELECT g.id, g.name, g.title, pr.level_of_government, pr.sector, pr.acronym,
       coalesce(er.group_established, false) AS group_established,
       coalesce(er.framework_in_force, false) AS framework_in_force,
       coalesce(er.plan_approved, false) AS plan_approved,
       coalesce(er.plans, 0) AS plans,
       coalesce(ei.items, 0) AS items, coalesce(ei.published, 0) AS published,
       coalesce(em.percent, 0) AS percent, coalesce(em.milestones, 0) AS milestones,
       coalesce(em.completed, 0) AS completed, coalesce(em.overdue, 0) AS overdue,
       coalesce(em.started, false) AS started
FROM "group" g
LEFT JOIN profile pr ON pr.group_id = g.id
LEFT JOIN entity_records er ON er.owner_org = g.id
LEFT JOIN entity_items ei ON ei.owner_org = g.id
LEFT JOIN entity_milestones em ON em.owner_org = g.id
WHERE g.is_organization AND g.state = 'active'
  AND (CAST(:org AS text) IS NULL OR g.id = :org OR g.name = :org)
  AND (CAST(:level AS text) IS NULL OR pr.level_of_government = :level)
  AND (CAST(:sector AS text) IS NULL OR pr.sector = :sector)
""")


def _entity(row: Any) -> dict[str, Any]:
    computed = progress.figures(row)
    milestones = {
        "group_established": bool(row["group_established"]),
        "framework_in_force": bool(row["framework_in_force"]),
        "plan_approved": bool(row["plan_approved"]),
        "datasets_published": computed["items_published"] > 0,
    }
    return {
        "id": row["id"], "name": row["name"], "title": row["title"],
        "acronym": row["acronym"],
        "level_of_government": row["level_of_government"], "sector": row["sector"],
        "milestones": milestones,
        "milestones_done": sum(milestones.values()),
        "plans": int(row["plans"]),
        "items_total": computed["items_countable"],
        "items_published": computed["items_published"],
        "items_published_percent": computed["items_published_percent"],
        "plan_milestones": computed["milestones_total"],
        "plan_milestones_completed": computed["milestones_completed"],
        "overdue": computed["overdue_count"],
        "percent_complete": computed["percent_complete"],
        "irm_completion": computed["irm_completion"],
    }


# One entity's status is the same query with each of its record scans limited to the
# entity's records: an entity's page reads its own rows, not the whole country's
# (with 2,000 entities the national query takes most of a second).
_RECORD_SCAN = "WHERE p.state = 'active' AND NOT p.private"
_ONE_SQL = sa.text(_SQL.text.replace(_RECORD_SCAN, f"{_RECORD_SCAN} AND p.owner_org = :owner"))
if _SQL.text.count(_RECORD_SCAN) != 3:
    raise RuntimeError("status._SQL no longer scans records, items and milestones as "
                       "_ONE_SQL expects: limit its scans to one entity again")

_ENTITY_ID = sa.text('SELECT id FROM "group" WHERE is_organization AND state = \'active\''
                     ' AND (id = :org OR name = :org) ORDER BY id = :org DESC LIMIT 1')


def entity(reference: str, today: datetime.date | None = None) -> dict[str, Any] | None:
    """Programme status of one active entity (its id or name), None if there is none."""
    owner = model.Session.execute(_ENTITY_ID, {"org": reference}).scalar()
    if owner is None:
        return None
    row = model.Session.execute(_ONE_SQL, dict(
        progress.parameters(today or datetime.date.today()),
        org=owner, owner=owner, level=None, sector=None)).mappings().first()
    if row is None:
        return None
    found = _entity(row)
    received = demand_records.stats(owner)
    found["demand"] = ({key: received[key] for key in NO_DEMAND} if received["received"]
                       else dict(NO_DEMAND))
    return found


def entities(organization: str | None = None, level: str | None = None,
             sector: str | None = None, today: datetime.date | None = None
             ) -> list[dict[str, Any]]:
    """Programme status of every active entity matching the filters."""
    return _entities(organization, level, sector, today or datetime.date.today())[0]


def _entities(organization: str | None, level: str | None, sector: str | None,
              today: datetime.date) -> tuple[list[dict[str, Any]], float]:
    """The entities and when their demand, usage and quality figures were read (epoch
    seconds). Every entity's rows are kept in Redis (``board_cache.py``): programme records
    as they are committed, the figures for at most ``cache_seconds``."""

    def programme() -> list[dict[str, Any]]:
        rows = model.Session.execute(_SQL, dict(
            progress.parameters(today), org=None, level=None, sector=None)).mappings().all()
        return [_entity(row) for row in rows]

    found = [e for e in board_cache.programme_rows(today, programme)
             if (organization is None or organization in (e["id"], e["name"]))
             and (level is None or e["level_of_government"] == level)
             and (sector is None or e["sector"] == sector)]
    figures = board_cache.figures(today, lambda: _figures(today))
    for entity in found:
        entity["demand"] = figures["demand"].get(entity["id"], dict(NO_DEMAND))
        entity["usage_year"] = figures["usage"].get(entity["id"], 0)
        entity["quality"] = figures["quality"].get(entity["id"], dict(NO_QUALITY))
    return found, figures["read_at"]


def _figures(today: datetime.date) -> dict[str, Any]:
    """Demand, usage and quality of every entity, by entity id."""
    return {
        # citizens' data requests each entity received and answered (demand/records.py)
        "demand": demand_records.stats_by_entity(),
        # views and downloads of the last 12 months (usage_data.py's monthly table)
        "usage": usage_data.by_entity(usage_data.year_start(today)),
        "quality": quality_averages(),
    }


NO_QUALITY: dict[str, Any] = {"count": 0, "average": None}


def quality_averages() -> dict[str, dict[str, Any]]:
    """The stored MQA scores of each entity's public datasets summed up (count, average
    of 405, dimensions), by entity id; entities without a scored dataset are left out.
    One query over every entity: the scoreboard asks for all of them."""
    from ..quality import store

    return store.entity_averages(None)


def quality_summary(entity_id: str | None) -> dict[str, Any]:
    """The stored MQA scores of an entity's (or the country's) public datasets summed up;
    ``average`` is None while none is scored."""
    from ..quality import store

    found = store.summary(entity_id)
    return found if found["count"] else dict(found, average=None)


NO_DEMAND = {"received": 0, "answered": 0, "answered_percent": 0.0,
             "median_days_to_answer": None}


SORTS = {
    "progress": lambda e: (e["milestones_done"], e["percent_complete"],
                           e["items_published_percent"]),
    "milestones": lambda e: (e["plan_milestones_completed"], e["percent_complete"]),
    "name": lambda e: (e["title"] or e["name"]).casefold(),
    "demand": lambda e: (e["demand"]["answered_percent"], e["demand"]["answered"]),
    "usage": lambda e: e["usage_year"],
    "quality": lambda e: e["quality"]["average"] or 0,
}


def scoreboard(level: str | None, sector: str | None, sort: str, limit: int, offset: int,
               today: datetime.date | None = None) -> dict[str, Any]:
    rows, read_at = _entities(None, level, sector, today or datetime.date.today())
    field, direction = sort.split()
    rows.sort(key=lambda e: (e["title"] or e["name"]).casefold())
    rows.sort(key=SORTS[field], reverse=direction == "desc")
    if field == "quality":
        # entities without any scored dataset come last, whichever the direction
        rows.sort(key=lambda e: e["quality"]["average"] is None)
    return {"count": len(rows), "results": rows[offset:offset + limit],
            "figures_read_at": datetime.datetime.fromtimestamp(
                read_at, datetime.timezone.utc).isoformat(timespec="seconds")}


CSV_COLUMNS = ("entidad", "entidad_nombre", "nivel_de_gobierno", "sector",
               "hitos_pe0087_cumplidos", "avance_del_plan_porcentaje",
               "conjuntos_publicados", "conjuntos_comprometidos", "hitos_vencidos",
               "solicitudes_recibidas", "solicitudes_respondidas",
               "solicitudes_respondidas_porcentaje", "uso_12_meses",
               "calidad_mqa_promedio", "conjuntos_evaluados")


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The scoreboard's rows as CSV, in their order; vocabulary values as their Spanish
    label (the portal's language for what it publishes)."""
    import csv
    import io

    from .. import vocab
    from .export import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        average = e["quality"]["average"]
        writer.writerow([
            e["name"], safe_cell(e["title"] or ""),
            vocab.label("level_of_government", e["level_of_government"])
            if e["level_of_government"] else "",
            vocab.label("sector", e["sector"]) if e["sector"] else "",
            e["milestones_done"], e["percent_complete"], e["items_published"],
            e["items_total"], e["overdue"], e["demand"]["received"], e["demand"]["answered"],
            e["demand"]["answered_percent"], e["usage_year"],
            "" if average is None else average, e["quality"]["count"]])
    return out.getvalue()
