"""The processes of each harvest source, stored once per (source, ocid)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ckan import model

from ckanext.opengovpe.model.procurement import ocds_process_table as table


def upsert(source_id: str, ocid: str, name: str, digest: str,
           release: dict[str, Any]) -> Optional[set[str]]:
    """Store a process; returns the dataset names it changes (none when unchanged)."""
    row = model.Session.execute(
        sa.select(table.c.dataset_name, table.c.digest)
        .where(table.c.source_id == source_id, table.c.ocid == ocid)).first()
    if row is not None and row.digest == digest and row.dataset_name == name:
        return None
    statement = insert(table).values(source_id=source_id, ocid=ocid, dataset_name=name,
                                     digest=digest, release=release)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.source_id, table.c.ocid],
        set_={"dataset_name": name, "digest": digest, "release": release,
              "seen": sa.func.now()}))
    return {name} | ({row.dataset_name} if row is not None else set())


def releases(source_id: str, name: str) -> Iterator[dict[str, Any]]:
    result = model.Session.execute(
        sa.select(table.c.release)
        .where(table.c.source_id == source_id, table.c.dataset_name == name)
        .order_by(table.c.ocid))
    for (release,) in result:
        yield release


def ocids(source_id: str) -> dict[str, str]:
    """ocid -> dataset name of every stored process of a source."""
    return dict(model.Session.execute(
        sa.select(table.c.ocid, table.c.dataset_name).where(table.c.source_id == source_id)).all())


def delete(source_id: str, gone: list[str]) -> None:
    if gone:
        model.Session.execute(sa.delete(table).where(table.c.source_id == source_id,
                                                     table.c.ocid.in_(gone)))
