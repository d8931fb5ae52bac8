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


def stale(source_id: str) -> set[str]:
    """Buyer-year datasets whose published content differs from the stored processes.

    Each dataset records ``content_digest``, a hash of its processes' digests; a dataset
    missing, deleted, half written or out of date (a harvest killed between gather and
    import) is rebuilt by the next run, so an interrupted run ends like an uninterrupted one;
    a dataset of the source with no process left is listed too, to be deleted. A dataset
    written by a version that did not count its processes by month (``month_counts``) nor
    record its buyer's department is rebuilt too.
    """
    rows = model.Session.execute(sa.text("""
        SELECT s.dataset_name
        FROM (SELECT dataset_name, md5(string_agg(digest, '' ORDER BY ocid)) AS content
              FROM opengovpe_ocds_process WHERE source_id = :source
              GROUP BY dataset_name) s
        LEFT JOIN package p ON p.name = s.dataset_name AND p.state = 'active'
        WHERE (p.extras ->> 'content_digest') IS DISTINCT FROM s.content
           -- written before the processes were counted by month: rebuilt once
           OR NOT coalesce(p.extras ? 'month_counts', false)
        UNION
        SELECT p.name FROM package p
        WHERE p.state = 'active' AND p.type = 'contrataciones'
          AND p.extras ->> 'harvest_source_id' = :source
          AND p.extras ? 'content_digest'
          AND NOT EXISTS (SELECT 1 FROM opengovpe_ocds_process o
                          WHERE o.source_id = :source AND o.dataset_name = p.name)
    """), {"source": source_id})
    return {name for (name,) in rows}


def content_digest(source_id: str, name: str) -> str:
    """The digest ``stale`` compares with: md5 of the processes' digests in ocid order."""
    return model.Session.execute(sa.text("""
        SELECT md5(string_agg(digest, '' ORDER BY ocid)) FROM opengovpe_ocds_process
        WHERE source_id = :source AND dataset_name = :name
    """), {"source": source_id, "name": name}).scalar() or ""
