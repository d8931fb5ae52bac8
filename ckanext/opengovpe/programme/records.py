"""Reading and writing plan items, milestones, evidence and demand rows.

Every write here notes the plan it changes in the database session; once the change is
committed, the plan is among :func:`changed_plans`, which the plan's open dataset follows
(``opendata.py``), whichever action made the change.
"""
from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.model as model

from ..model import demand_table, evidence_table, milestone_table, plan_item_table
from . import board_cache
from . import vocabulary as words


# plans changed in the session's current transaction, and in transactions since committed
_PENDING = "opengovpe_plans_changed"
_COMMITTED = "opengovpe_plans_committed"


def mark_changed(plan_ids: Iterable[str | None]) -> None:
    """Note that these plans changed (every write here does; others call it too)."""
    model.Session.info.setdefault(_PENDING, set()).update(p for p in plan_ids if p)
    board_cache.mark_changed()


def _plans_of(table: sa.Table, where: Any) -> list[str]:
    """The plans of the rows of ``table`` that ``where`` selects."""
    if "plan_id" in table.c:
        statement = sa.select(table.c.plan_id).where(where)
    elif table is evidence_table:
        statement = (sa.select(milestone_table.c.plan_id)
                     .join(evidence_table, evidence_table.c.milestone_id == milestone_table.c.id)
                     .where(where))
    else:
        statement = (sa.select(plan_item_table.c.plan_id)
                     .join(demand_table, demand_table.c.item_id == plan_item_table.c.id)
                     .where(where))
    return list(model.Session.execute(statement).scalars())


@sa.event.listens_for(model.Session, "after_commit")
def _committed(session: Any) -> None:
    # a savepoint's release (CKAN's package_update makes one) commits nothing yet
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, set()).update(pending)


@sa.event.listens_for(model.Session, "after_rollback")
def _rolled_back(session: Any) -> None:
    # a savepoint's rollback fires this too: what the transaction did before it stays
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def changed_plans() -> set[str]:
    """The plans whose records changed in committed transactions since the last call."""
    return model.Session.info.pop(_COMMITTED, set())


def new_id() -> str:
    return str(uuid.uuid4())


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def as_dict(row: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dict(row).items()}


def items(plan_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(plan_item_table).where(plan_item_table.c.plan_id == plan_id)
        .order_by(plan_item_table.c.position, plan_item_table.c.created)).mappings().all()
    return [dict(r) for r in rows]


def milestones(plan_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.select(milestone_table).where(milestone_table.c.plan_id == plan_id)
        .order_by(milestone_table.c.position, milestone_table.c.start_date,
                  milestone_table.c.created)).mappings().all()
    return [dict(r) for r in rows]


def _rows_of(column: sa.Column, owner_ids: Iterable[str],
             *order_by: sa.Column) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``column``'s table whose ``column`` is one of ``owner_ids``, by owner
    (every owner given has its list, empty or not)."""
    ids = list(owner_ids)
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = model.Session.execute(
        sa.select(column.table).where(column.in_(ids)).order_by(*order_by)).mappings().all()
    for row in rows:
        found[row[column.name]].append(dict(row))
    return found


def evidence_for(milestone_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    return _rows_of(evidence_table.c.milestone_id, milestone_ids,
                    evidence_table.c.date, evidence_table.c.created)


def demand_for(item_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    return _rows_of(demand_table.c.item_id, item_ids, demand_table.c.date)


def get(table: sa.Table, record_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(
        sa.select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row else None


# the largest value of a PostgreSQL integer column
MAX_POSITION = 2_147_483_647


def next_position(table: sa.Table, plan_id: str) -> int:
    """A new row goes after the plan's last one (or beside it, at the largest position)."""
    last = model.Session.execute(sa.select(sa.func.max(table.c.position))
                                 .where(table.c.plan_id == plan_id)).scalar()
    return 0 if last is None else min(last + 1, MAX_POSITION)


def insert(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    columns = {c.name for c in table.columns}
    row = {k: v for k, v in values.items() if k in columns}
    row.setdefault("id", new_id())
    model.Session.execute(table.insert().values(**row))
    mark_changed(_plans_of(table, table.c.id == row["id"]))
    return row


def update(table: sa.Table, record_id: str, values: dict[str, Any]) -> None:
    columns = {c.name for c in table.columns} - {"id", "plan_id", "created"}
    row = {k: v for k, v in values.items() if k in columns}
    if "modified" in {c.name for c in table.columns}:
        row["modified"] = datetime.datetime.utcnow()
    model.Session.execute(table.update().where(table.c.id == record_id).values(**row))
    mark_changed(_plans_of(table, table.c.id == record_id))


def delete(table: sa.Table, record_id: str) -> None:
    mark_changed(_plans_of(table, table.c.id == record_id))
    model.Session.execute(table.delete().where(table.c.id == record_id))


def _sync(table: sa.Table, plan_id: str, rows: list[dict[str, Any]]) -> None:
    """Make the plan's rows in ``table`` exactly ``rows``: update, insert, delete."""
    existing = set(model.Session.execute(
        sa.select(table.c.id).where(table.c.plan_id == plan_id)).scalars())
    # internal columns are the application's to set, never a form's
    columns = sorted({c.name for c in table.columns}
                     - {"created", "modified", "status_before_publication"})
    keep = {r["id"] for r in rows}
    gone = existing - keep
    if gone:
        model.Session.execute(table.delete().where(table.c.id.in_(gone)))
    updates = [dict({c: r.get(c) for c in columns if c != "id"}, _id=r["id"],
                    modified=datetime.datetime.utcnow())
               for r in rows if r["id"] in existing]
    inserts = [{c: r.get(c) for c in columns} for r in rows if r["id"] not in existing]
    if updates:
        values = {c: sa.bindparam(c) for c in columns if c != "id"}
        values["modified"] = sa.bindparam("modified")
        model.Session.execute(table.update().where(table.c.id == sa.bindparam("_id"))
                              .values(**values), updates)
    if inserts:
        model.Session.execute(table.insert(), inserts)


def replace_plan(plan_id: str, new_items: list[dict[str, Any]],
                 new_milestones: list[dict[str, Any]], user_id: str | None) -> None:
    """Make a plan's items and milestones exactly these (the caller commits).

    Rows keep their ids, so evidence and demand recorded against them stay;
    milestones may point at an item by ``item_key`` (its id, or the key given
    to a new item in the same request).
    """
    mark_changed([plan_id])
    keys: dict[str, str] = {}
    item_rows = []
    for position, item in enumerate(new_items):
        row = dict(item, id=item.get("id") or new_id(), plan_id=plan_id, position=position,
                   criteria=item.get("criteria") or [], formats=item.get("formats") or [])
        keys[str(item.get("key") or row["id"])] = row["id"]
        keys[row["id"]] = row["id"]
        item_rows.append(row)
    milestone_rows, evidence_rows = [], []
    for position, milestone in enumerate(new_milestones):
        reference = str(milestone.get("item_key") or milestone.get("item_id") or "")
        row = dict(milestone, id=milestone.get("id") or new_id(), plan_id=plan_id,
                   position=position, item_id=keys.get(reference))
        milestone_rows.append(row)
        for evidence in milestone.get("evidence", []):
            if not evidence.get("id"):
                evidence_rows.append(dict(evidence, id=new_id(), milestone_id=row["id"],
                                          recorded_by=user_id))
    # items first, so milestones can point at new ones; a removed item's
    # milestones lose the link by the foreign key (ON DELETE SET NULL)
    _sync(plan_item_table, plan_id, item_rows)
    _sync(milestone_table, plan_id, milestone_rows)
    if evidence_rows:
        columns = sorted({c.name for c in evidence_table.columns} - {"created"})
        model.Session.execute(evidence_table.insert(),
                              [{c: r.get(c) for c in columns} for r in evidence_rows])


def due_milestones(plan_ids: list[str], horizon: datetime.date, limit: int | None = None,
                   offset: int = 0) -> list[dict[str, Any]]:
    """Open milestones of these plans ending on or before ``horizon``, with their plan and
    its entity, the earliest due first; ``limit`` and ``offset`` page through them."""
    from ckan.model import group_table, package_table
    statement = (
        sa.select(milestone_table, package_table.c.name.label("plan_name"),
                  package_table.c.title.label("plan_title"),
                  package_table.c.owner_org.label("owner_org"),
                  group_table.c.name.label("entity_name"),
                  group_table.c.title.label("entity_title"))
        .join(package_table, package_table.c.id == milestone_table.c.plan_id)
        .outerjoin(group_table, group_table.c.id == package_table.c.owner_org)
        .where(milestone_table.c.plan_id.in_(plan_ids),
               milestone_table.c.end_date <= horizon,
               milestone_table.c.status.notin_(words.MILESTONE_CLOSED))
        .order_by(milestone_table.c.end_date, milestone_table.c.position,
                  milestone_table.c.id)
        .limit(limit).offset(offset))
    return [dict(r) for r in model.Session.execute(statement).mappings()]
