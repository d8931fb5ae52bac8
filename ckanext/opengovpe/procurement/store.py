"""The processes of each harvest source, stored once per (source, ocid)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from ckan import model

from ckanext.opengovpe.model.procurement import ocds_process_table as table


# one statement for a whole batch, its rows given as arrays: compiled once, and the releases
# sent as the JSON text they were hashed from (no ORM values, no second serialisation)
_UPSERT = sa.text("""
    INSERT INTO opengovpe_ocds_process (source_id, ocid, dataset_name, digest, release)
    SELECT :source, row.ocid, row.dataset_name, row.digest, row.release::jsonb
    FROM unnest(CAST(:ocids AS text[]), CAST(:names AS text[]), CAST(:digests AS text[]),
                CAST(:releases AS text[])) AS row (ocid, dataset_name, digest, release)
    ON CONFLICT (source_id, ocid) DO UPDATE SET dataset_name = excluded.dataset_name,
        digest = excluded.digest, release = excluded.release, seen = now()
""")


class Batch:
    """Processes of a source waiting to be stored, written ``SIZE`` at a time: one query reads
    what is stored of them, one writes those whose content or dataset changed."""

    SIZE = 100

    def __init__(self, source_id: str) -> None:
        self.source_id = source_id
        self.pending: dict[str, tuple[str, str, str]] = {}
        self.replaced: set[str] = set()

    def add(self, ocid: str, name: str, digest: str, release: str) -> set[str]:
        """Queue a process (``release``: its compiled release as JSON text); returns the
        dataset names changed by the processes written now."""
        if ocid in self.pending:  # read twice in one run: the later one is kept
            self.replaced.add(self.pending[ocid][0])
        self.pending[ocid] = (name, digest, release)
        return self.flush() if len(self.pending) >= self.SIZE else set()

    def flush(self) -> set[str]:
        """Write the queued processes; returns the dataset names they change."""
        if not self.pending:
            return set()
        stored = {row.ocid: row for row in model.Session.execute(
            sa.select(table.c.ocid, table.c.dataset_name, table.c.digest)
            .where(table.c.source_id == self.source_id,
                   table.c.ocid.in_(list(self.pending))))}
        changed, rows = set(self.replaced), []
        for ocid, (name, digest, release) in self.pending.items():
            old = stored.get(ocid)
            if old is not None and old.digest == digest and old.dataset_name == name:
                continue
            changed |= {name} | ({old.dataset_name} if old is not None else set())
            rows.append((ocid, name, digest, release))
        if rows:
            ocids, names, digests, releases = (list(column) for column in zip(*rows))
            model.Session.execute(_UPSERT, {"source": self.source_id, "ocids": ocids,
                                            "names": names, "digests": digests,
                                            "releases": releases})
        self.pending, self.replaced = {}, set()
        return changed


def releases(source_id: str, name: str) -> Iterator[dict[str, Any]]:
    """A buyer-year's processes in ocid order, read from a server-side cursor a few at a time
    (a big buyer's year is never held whole)."""
    result = model.Session.execute(
        sa.select(table.c.release)
        .where(table.c.source_id == source_id, table.c.dataset_name == name)
        .order_by(table.c.ocid).execution_options(yield_per=100))
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
