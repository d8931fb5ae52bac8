"""Reading and writing data requests; their figures per entity and nationally; the demand
points an inventory item earns.

The demand behind an item has one home, ``opengovpe_demand``: a data request answered with
an item is recorded there (``request_id``), beside the access-to-information requests and
other demand the entity records by hand.
"""
from __future__ import annotations

import datetime
import statistics
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

import ckan.model as model

from ..model import demand_table, plan_item_table
from ..model.demand import (data_request_follow_table, data_request_support_table,
                            data_request_table)
from ..programme import records

# what a visitor may read of a request: never the contact, the account or the address
PUBLIC_FIELDS = ("id", "owner_org", "title", "description", "reason", "state", "status",
                 "item_id", "dataset_id", "answer", "answered", "created", "moderated")

# demand points of an item: each kind of demand row, and each support of a linked request
KIND_POINTS = {"solicitud-acceso-informacion": 3, "solicitud-datos": 2}
OTHER_KIND_POINTS = 1
SUPPORT_POINTS = 1


def get(request_id: str) -> dict[str, Any] | None:
    return records.get(data_request_table, request_id)


def insert(values: dict[str, Any]) -> str:
    return records.insert(data_request_table, dict(values, id=records.new_id()))["id"]


def update(request_id: str, values: dict[str, Any]) -> None:
    model.Session.execute(data_request_table.update()
                          .where(data_request_table.c.id == request_id).values(**values))


def _counts(table: sa.Table, request_ids: list[str]) -> dict[str, int]:
    if not request_ids:
        return {}
    rows = model.Session.execute(
        sa.select(table.c.request_id, sa.func.count())
        .where(table.c.request_id.in_(request_ids)).group_by(table.c.request_id))
    return dict(rows.all())


def public(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as a visitor may read them, with their numbers of supporters and followers."""
    ids = [r["id"] for r in rows]
    supporters = _counts(data_request_support_table, ids)
    followers = _counts(data_request_follow_table, ids)
    return [dict(records.as_dict({f: r[f] for f in PUBLIC_FIELDS}),
                 supporters=supporters.get(r["id"], 0), followers=followers.get(r["id"], 0),
                 has_contact=bool(r["contact_email"] or r["user_id"])) for r in rows]


def is_marked(table: sa.Table, request_id: str, user_id: str) -> bool:
    return model.Session.execute(sa.select(sa.literal(1)).where(
        table.c.request_id == request_id, table.c.user_id == user_id)).first() is not None


def mark(table: sa.Table, request_id: str, user_id: str, on: bool) -> None:
    """Add (once) or remove a support or follow."""
    if on:
        model.Session.execute(pg.insert(table).values(
            request_id=request_id, user_id=user_id).on_conflict_do_nothing())
    else:
        model.Session.execute(table.delete().where(table.c.request_id == request_id,
                                                   table.c.user_id == user_id))


def search(organizations: list[str] | None, states: tuple[str, ...], status: str | None,
           sort: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Requests of ``organizations`` (None: every entity) in ``states``."""
    where = [data_request_table.c.state.in_(states)]
    if organizations is not None:
        where.append(data_request_table.c.owner_org.in_(organizations))
    if status:
        where.append(data_request_table.c.status == status)
    total = model.Session.execute(sa.select(sa.func.count()).select_from(data_request_table)
                                  .where(*where)).scalar() or 0
    supporters = (sa.select(sa.func.count()).where(
        data_request_support_table.c.request_id == data_request_table.c.id)
        .scalar_subquery())
    order = {"created desc": [data_request_table.c.created.desc()],
             "created asc": [data_request_table.c.created.asc()],
             "supporters desc": [supporters.desc(), data_request_table.c.created.desc()]}[sort]
    rows = model.Session.execute(sa.select(data_request_table).where(*where)
                                 .order_by(*order, data_request_table.c.id)
                                 .limit(limit).offset(offset)).mappings().all()
    return total, [dict(r) for r in rows]


def recipients(request: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, e-mail) of the requester and the followers, each address once."""
    found: dict[str, str] = {}
    if request.get("contact_email"):
        found[request["contact_email"].lower()] = request.get("contact_name") or ""
    user_ids = [request["user_id"]] if request.get("user_id") else []
    user_ids += list(model.Session.execute(
        sa.select(data_request_follow_table.c.user_id)
        .where(data_request_follow_table.c.request_id == request["id"])).scalars())
    for user in model.Session.query(model.User).filter(model.User.id.in_(user_ids),
                                                       model.User.state == "active"):
        if user.email:
            found.setdefault(user.email.lower(), user.fullname or user.name)
    return [(name, email) for email, name in sorted(found.items())]


def link_item(request: dict[str, Any], item_id: str | None) -> None:
    """Record the request as demand of ``item_id`` (or of no item any more)."""
    model.Session.execute(demand_table.delete().where(demand_table.c.request_id == request["id"]))
    if item_id:
        records.insert(demand_table, {
            "item_id": item_id, "kind": "solicitud-datos", "reference": request["id"],
            "date": request["created"].date(), "description": request["title"],
            "request_id": request["id"]})


def plan_of_item(item_id: str | None) -> str | None:
    if not item_id:
        return None
    return model.Session.execute(sa.select(plan_item_table.c.plan_id)
                                 .where(plan_item_table.c.id == item_id)).scalar()


def entity_item(owner_org: str, item_id: str) -> dict[str, Any] | None:
    """The item, if it belongs to an active plan of ``owner_org``."""
    row = model.Session.execute(
        sa.select(plan_item_table.c.id, plan_item_table.c.title)
        .join(model.package_table, model.package_table.c.id == plan_item_table.c.plan_id)
        .where(plan_item_table.c.id == item_id, model.package_table.c.owner_org == owner_org,
               model.package_table.c.state == "active",
               model.package_table.c.type == "plan-apertura")).mappings().first()
    return dict(row) if row else None


def public_item(item_id: str) -> dict[str, Any] | None:
    """The item and its plan's name and title, if the plan is active and public."""
    row = model.Session.execute(
        sa.select(plan_item_table.c.id, plan_item_table.c.title,
                  model.package_table.c.name.label("plan_name"),
                  model.package_table.c.title.label("plan_title"))
        .join(model.package_table, model.package_table.c.id == plan_item_table.c.plan_id)
        .where(plan_item_table.c.id == item_id, model.package_table.c.state == "active",
               model.package_table.c.private.is_(False))).mappings().first()
    return dict(row) if row else None


def entity_item_choices(owner_org: str) -> list[dict[str, Any]]:
    """Items of the entity's active plans, to link a request to."""
    rows = model.Session.execute(
        sa.select(plan_item_table.c.id, plan_item_table.c.title,
                  model.package_table.c.title.label("plan_title"))
        .join(model.package_table, model.package_table.c.id == plan_item_table.c.plan_id)
        .where(model.package_table.c.owner_org == owner_org,
               model.package_table.c.state == "active",
               model.package_table.c.type == "plan-apertura")
        .order_by(model.package_table.c.title, plan_item_table.c.position)).mappings().all()
    return [dict(r) for r in rows]


def days_between(created: Any, answered: Any) -> str:
    """Days from asking to answering, one decimal; empty while unanswered."""
    if not created or not answered:
        return ""
    start = datetime.datetime.fromisoformat(str(created))
    end = datetime.datetime.fromisoformat(str(answered))
    return f"{(end - start).total_seconds() / 86400:.1f}"


def priority(item: dict[str, Any]) -> dict[str, Any]:
    """The item's priority: its own score plus the points of the demand behind it.

    demand points = 3 × access-to-information requests + 2 × citizen data requests
    + 1 × any other demand recorded + 1 × each support ("me sumo") of the portal's data
    requests linked to the item."""
    rows = model.Session.execute(sa.select(demand_table.c.kind, demand_table.c.request_id)
                                 .where(demand_table.c.item_id == item["id"])).all()
    by_kind: dict[str, int] = {}
    for kind, _request in rows:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    request_ids = [r for _kind, r in rows if r]
    supports = sum(_counts(data_request_support_table, request_ids).values())
    points = sum(KIND_POINTS.get(k, OTHER_KIND_POINTS) * n for k, n in by_kind.items())
    points += SUPPORT_POINTS * supports
    score = int(item.get("score") or 0)
    return {"score": score, "demand_by_kind": by_kind, "supports": supports,
            "demand_points": points, "priority": score + points}


def _median_days(pairs: list[tuple[datetime.datetime, datetime.datetime]]) -> float | None:
    days = [(answered - created).total_seconds() / 86400 for created, answered in pairs]
    return round(statistics.median(days), 1) if days else None


def stats(owner_org: str | None = None) -> dict[str, Any]:
    """Public requests (approved) received and answered, the share answered and the median
    days from asking to answer, for one entity or the whole country."""
    where = [data_request_table.c.state == "aprobada"]
    if owner_org:
        where.append(data_request_table.c.owner_org == owner_org)
    rows = model.Session.execute(sa.select(
        data_request_table.c.status, data_request_table.c.created,
        data_request_table.c.answered).where(*where)).all()
    answered = [(c, a) for status, c, a in rows if status != "abierta" and a]
    return {"received": len(rows), "answered": len(answered),
            "answered_percent": round(100 * len(answered) / len(rows), 1) if rows else 0.0,
            "declined": sum(1 for status, _c, _a in rows if status == "rechazada"),
            "median_days_to_answer": _median_days(answered)}


def stats_by_entity() -> dict[str, dict[str, Any]]:
    """``stats`` of every entity that received a public request, by entity id, aggregated
    in one SQL statement (the scoreboard reads it for thousands of entities)."""
    r = data_request_table.c
    answered = sa.and_(r.status != "abierta", r.answered.isnot(None))
    days = sa.cast(sa.extract("epoch", r.answered - r.created) / 86400, sa.Float)
    rows = model.Session.execute(
        sa.select(r.owner_org, sa.func.count(), sa.func.count().filter(answered),
                  sa.func.percentile_cont(0.5).within_group(days).filter(answered))
        .where(r.state == "aprobada").group_by(r.owner_org))
    return {org: {"received": received, "answered": done,
                  "answered_percent": round(100 * done / received, 1),
                  "median_days_to_answer": None if median is None else round(float(median), 1)}
            for org, received, done, median in rows}
