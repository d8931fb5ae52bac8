"""Which datasets the catalogue publishes, page by page, and their RDF.

Only public, active datasets of the published types are published. Pages are read with keyset
pagination on ``(metadata_modified, id)`` in ascending order, from CKAN's own ``package`` table
(the ``opengovpe`` migration's partial index on it serves every page with the same cost), and
each dataset's dict from the catalogue's records (:mod:`.records`), so the catalogue answers the
same whether search runs on Solr or on ``opengovpe_search``. A crawl is a snapshot: its first
page fixes an instant ``t0`` (a little before now, see ``ckanext.opengovpe.dcat.crawl_lag``)
that every page token carries with the last key seen.
A dataset edited after ``t0`` keeps, for the rest of that crawl, the key it had at ``t0`` (its
``metadata_modified`` in the activity recorded before ``t0``), so it is listed once, at its old
place, whether the crawler had passed it or not; datasets created after ``t0`` wait for the next
crawl (``modified_since`` finds them).
"""
from __future__ import annotations

import base64
import binascii
import datetime
import functools
import json
import logging
from dataclasses import dataclass
from typing import Any, Iterator

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from . import records

log = logging.getLogger(__name__)

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1, 1, 1, tzinfo=UTC)

PUBLISHED_TYPES = records.PUBLISHED_TYPES
# the predicate of the migration's opengovpe_package_published_idx, word for word
_PUBLISHED = ("d.state = 'active' AND d.private = false "
              "AND d.type IN (" + ", ".join(f"'{t}'" for t in PUBLISHED_TYPES) + ")")


def temporal_periods(dataset: dict[str, Any]) -> list[Any]:
    """The dataset's periods of time: ``temporal_coverage`` of a publication dataset, or
    the single ``temporal_start``/``temporal_end`` of a procurement dataset."""
    periods = dataset.get("temporal_coverage")
    if periods:
        return periods if isinstance(periods, list) else [periods]
    if dataset.get("temporal_start") or dataset.get("temporal_end"):
        return [{"start": dataset.get("temporal_start"), "end": dataset.get("temporal_end")}]
    return []

# the key each published dataset had at :t0 ("key"), in the order of the crawl; :cmp, :order
# and :since_* are filled in by _keys. Times are UTC without a zone, as CKAN stores them.
_KEYS_SQL = """
SELECT id, key FROM (
  (SELECT d.id, d.metadata_modified AS key FROM package d
   WHERE {published} AND d.metadata_modified <= :t0
     AND (d.metadata_modified, d.id) {cmp} (:key, :id) {since_current}
   ORDER BY d.metadata_modified {order}, d.id {order} LIMIT :limit)
  {edited}
) k ORDER BY key {order}, id {order} LIMIT :limit
"""
_EDITED_SQL = """
  UNION ALL
  (SELECT d.id, prev.key FROM package d
   CROSS JOIN LATERAL (
     SELECT (a.data::json #>> '{{package,metadata_modified}}')::timestamp AS key
     FROM activity a
     WHERE a.object_id = d.id AND a.timestamp <= :t0
     ORDER BY a.timestamp DESC LIMIT 1) prev
   WHERE {published} AND d.metadata_modified > :t0
     AND (prev.key, d.id) {cmp} (:key, :id) {since_previous}
   ORDER BY prev.key {order}, d.id {order} LIMIT :limit)
"""


class InvalidToken(ValueError):
    """A page token that this portal did not issue, or no longer understands."""


# real time zones lie between -12:00 and +14:00; PostgreSQL refuses offsets past 15:59
MAX_OFFSET = datetime.timedelta(hours=14)
# dataset names and ids are at most 100 characters (CKAN's PACKAGE_NAME_MAX_LENGTH)
MAX_REFERENCE_LENGTH = 100


def parse_instant(text: str) -> datetime.datetime:
    """An ISO 8601 date or date and time as an aware UTC datetime; naive means UTC.

    :raises ValueError: not a date, a time zone offset past ±14:00, or out of range
    """
    value = datetime.datetime.fromisoformat(text)
    offset = value.utcoffset()
    if offset is None:
        return value.replace(tzinfo=UTC)
    if abs(offset) > MAX_OFFSET:
        raise ValueError(f"time zone offset out of range: {offset}")
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("date out of range") from error


def is_possible_reference(reference: str) -> bool:
    """Whether ``reference`` could be a dataset's name or id at all."""
    return (0 < len(reference) <= MAX_REFERENCE_LENGTH
            and reference.isprintable() and not any(c.isspace() for c in reference))


@dataclass(frozen=True)
class Cursor:
    """Where a crawl stands: its snapshot instant and the last key it has seen."""

    t0: datetime.datetime
    key: datetime.datetime = EPOCH
    id: str = ""

    def token(self) -> str:
        raw = json.dumps([self.t0.isoformat(), self.key.isoformat(), self.id],
                         separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> "Cursor":
        try:
            padded = token + "=" * (-len(token) % 4)
            t0, key, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            # the portal issues two aware instants and a dataset id (empty on a first page)
            if not all(isinstance(part, str) for part in (t0, key, last_id)) \
                    or (last_id and not is_possible_reference(last_id)) \
                    or any(datetime.datetime.fromisoformat(part).tzinfo is None
                           for part in (t0, key)):
                raise InvalidToken(token)
            return cls(parse_instant(t0), parse_instant(key), last_id)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
            raise InvalidToken(token) from error


@dataclass
class Page:
    """One page of the catalogue: dataset dicts in crawl order and the cursors around it."""

    datasets: list[dict[str, Any]]
    cursor: Cursor
    next: Cursor | None
    previous: Cursor | None
    is_first: bool
    total: int
    modified: datetime.datetime | None


@functools.lru_cache(maxsize=1)
def _activity_table_exists() -> bool:
    return sa.inspect(model.meta.engine).has_table("activity")


def _db(moment: datetime.datetime) -> datetime.datetime:
    """A moment as CKAN stores it: UTC, without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(stored: datetime.datetime | None) -> datetime.datetime | None:
    return stored.replace(tzinfo=UTC) if stored is not None else None


def start_cursor() -> Cursor:
    """The cursor of a new crawl: ``t0`` is the database's now less the crawl lag."""
    lag = float(tk.config.get("ckanext.opengovpe.dcat.crawl_lag"))
    now = model.Session.execute(sa.text("SELECT now()")).scalar()
    return Cursor(t0=now - datetime.timedelta(seconds=lag))


def _keys(cursor: Cursor, limit: int, since: datetime.datetime | None,
          backwards: bool = False, owner_org: str | None = None
          ) -> list[tuple[str, datetime.datetime]]:
    cmp, order = ("<", "DESC") if backwards else (">", "ASC")
    published = _PUBLISHED + (" AND d.owner_org = :owner_org" if owner_org else "")
    edited = ""
    if _activity_table_exists():
        edited = _EDITED_SQL.format(published=published, cmp=cmp, order=order,
                                    since_previous="AND prev.key >= :since" if since else "")
    sql = _KEYS_SQL.format(published=published, cmp=cmp, order=order, edited=edited,
                           since_current="AND d.metadata_modified >= :since" if since else "")
    params: dict[str, Any] = {"t0": _db(cursor.t0), "key": _db(cursor.key),
                              "id": cursor.id, "limit": limit}
    if since:
        params["since"] = _db(since)
    if owner_org:
        params["owner_org"] = owner_org
    return [(row.id, row.key.replace(tzinfo=UTC))
            for row in model.Session.execute(sa.text(sql), params)]


def _count(cursor: Cursor, since: datetime.datetime | None) -> tuple[int, Any]:
    sql = (f"SELECT count(*), max(d.metadata_modified) FROM package d "
           f"WHERE {_PUBLISHED} AND d.metadata_modified <= :t0"
           + (" AND d.metadata_modified >= :since" if since else ""))
    params: dict[str, Any] = {"t0": _db(cursor.t0)}
    if since:
        params["since"] = _db(since)
    row = model.Session.execute(sa.text(sql), params).one()
    return int(row[0]), _aware(row[1])


def load_datasets(ids: list[str]) -> list[dict[str, Any]]:
    """The ``package_show`` dicts of ``ids``, in that order."""
    if not ids:
        return []
    by_id = records.read(ids)
    missing = [i for i in ids if i not in by_id]
    if missing:
        log.warning("%s published datasets have no current catalogue record (first: %s); "
                    "run `ckan opengovpe catalog-records`", len(missing), missing[0])
        for package_id in missing:
            try:
                by_id[package_id] = records.build(package_id)
            except tk.ObjectNotFound:
                continue
    _attach_quality(by_id)
    return [by_id[i] for i in ids if i in by_id]


def _attach_quality(by_id: dict[str, dict[str, Any]]) -> None:
    """Each dataset's stored quality score, for its DQV measurements, in one query."""
    from ..quality import store
    from .profiles import QUALITY_KEY

    stored = store.stored_rows(by_id)
    for package_id, dataset in by_id.items():
        dataset[QUALITY_KEY] = stored.get(package_id)


# set on organization dicts that already hold the entity profile's fields
PROFILE_MARK = "opengovpe_profile"


class Organizations:
    """Entity profiles for the publishers of many datasets, read once, in one query."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, Any]] = {}

    def _load(self, ids: set[str]) -> None:
        rows = model.Session.execute(
            sa.text('SELECT id, name, title, description, image_url, extras FROM "group" '
                    "WHERE id = ANY(:ids)"), {"ids": sorted(ids)})
        for row in rows:
            extras = row.extras if isinstance(row.extras, dict) else json.loads(row.extras or "{}")
            self._cache[row.id] = {**extras, "id": row.id, "name": row.name,
                                   "title": row.title, "description": row.description,
                                   "image_url": row.image_url, PROFILE_MARK: True}

    def attach(self, datasets: list[dict[str, Any]]) -> None:
        """Replace each dataset's ``organization`` with the full entity profile."""
        missing = {d["organization"]["id"] for d in datasets
                   if d.get("organization") and d["organization"]["id"] not in self._cache}
        if missing:
            self._load(missing)
        for dataset in datasets:
            org = dataset.get("organization")
            if org:
                dataset["organization"] = self._cache.get(org["id"], org)


def read_page(cursor: Cursor | None, limit: int,
              since: datetime.datetime | None = None,
              organizations: Organizations | None = None) -> Page:
    """The page after ``cursor`` (the first page of a new crawl when None)."""
    current = cursor or start_cursor()
    is_first = current.key == EPOCH
    keys = _keys(current, limit + 1, since)
    has_more = len(keys) > limit
    keys = keys[:limit]
    datasets = load_datasets([key[0] for key in keys])
    (organizations or Organizations()).attach(datasets)
    following = (Cursor(current.t0, keys[-1][1], keys[-1][0])
                 if has_more and keys else None)
    previous = None
    if current.key != EPOCH:
        # the page before ends with the cursor's dataset and starts after the limit-th
        # dataset before that one
        before = _keys(current, limit, since, backwards=True)
        previous = (Cursor(current.t0, before[limit - 1][1], before[limit - 1][0])
                    if len(before) >= limit else Cursor(current.t0))
    total, modified = _count(current, since)
    return Page(datasets=datasets, cursor=current, next=following, previous=previous,
                is_first=is_first, total=total, modified=modified)


def iter_batches(batch_size: int, since: datetime.datetime | None = None,
                 owner_org: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every published dataset (of the entity whose id is ``owner_org`` if given),
    ``batch_size`` at a time (one snapshot, flat memory)."""
    organizations = Organizations()
    cursor: Cursor | None = Cursor(
        t0=model.Session.execute(sa.text("SELECT now()")).scalar())
    while cursor is not None:
        keys = _keys(cursor, batch_size, since, owner_org=owner_org)
        if not keys:
            return
        datasets = load_datasets([key[0] for key in keys])
        organizations.attach(datasets)
        yield datasets
        model.Session.remove()
        cursor = Cursor(cursor.t0, keys[-1][1], keys[-1][0]) if len(keys) == batch_size \
            else None


def catalog_modified() -> datetime.datetime | None:
    """When a published dataset last changed."""
    sql = f"SELECT max(d.metadata_modified) FROM package d WHERE {_PUBLISHED}"
    return _aware(model.Session.execute(sa.text(sql)).scalar())


def generation() -> str:
    """Changes whenever the published catalogue may have: a dataset's record written (on
    every change CKAN indexes), or a dataset published, unpublished, deleted or purged (the
    count). Both read through an index."""
    row = model.Session.execute(sa.text(
        f"SELECT (SELECT max(written) FROM opengovpe_catalog_record), "
        f"(SELECT count(*) FROM package d WHERE {_PUBLISHED})")).one()
    return f"{row[0].isoformat() if row[0] else '-'}.{row[1]}"


def find_published(id_or_name: str) -> dict[str, Any] | None:
    """The dataset dict of a published dataset by id or name, else None."""
    row = model.Session.execute(
        sa.text(f"SELECT d.id FROM package d "
                f"WHERE {_PUBLISHED} AND (d.id = :ref OR d.name = :ref) LIMIT 1"),
        {"ref": id_or_name}).first()
    if row is None:
        return None
    datasets = load_datasets([row.id])
    if not datasets:
        return None
    Organizations().attach(datasets)
    return datasets[0]


def find_entity(id_or_name: str) -> dict[str, Any] | None:
    """The ``id``, ``name`` and ``title`` of an active entity (organization), else None."""
    if not is_possible_reference(id_or_name):
        return None
    row = model.Session.execute(
        sa.text('SELECT id, name, title FROM "group" WHERE type = \'organization\' '
                "AND is_organization AND state = 'active' AND (id = :ref OR name = :ref) "
                "LIMIT 1"), {"ref": id_or_name}).first()
    return {"id": row.id, "name": row.name, "title": row.title} if row else None
