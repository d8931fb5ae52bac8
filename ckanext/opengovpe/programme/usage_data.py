"""Usage published as open data: views and downloads of each published dataset, month by
month, per entity and for the country.

The ``usage_publish`` job (``jobs/registry.py``) does three things in turn:

1. ``refresh``: sums CKAN's tracking summary (``tracking_summary``, kept by the
   ``tracking_update`` job) into ``opengovpe_usage_month``, one row per dataset and month,
   in one statement; the pages and the scoreboard read this small table instead of the
   raw summary;
2. ``write_files``: writes one CSV file per entity and one for the country under
   ``<ckan.storage_path>/opengovpe/uso/``, in one pass over that table;
3. ``sync_datasets``: each entity gets an open dataset of its own, "Uso de los datos
   abiertos: <entidad>", whose resource is its file (served at
   ``/entidad/<entidad>/uso-mensual.csv``), as each opening plan gets its open dataset
   (``opendata.py``); the country's file is published the same way by the organization
   named in ``ckanext.opengovpe.usage.national_organization``. A dataset is updated only
   when its file changed, so harvesters see a new modification date only then.

The datasets counted are those that publish an opening-plan item (``usage.published``), the
same that every usage figure of the portal counts. A month without any use of a dataset
has no row.
"""
from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import json
import logging
import os
from typing import Any, Callable, Iterator, TypeVar

import sqlalchemy as sa
from redis.exceptions import RedisError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ..model import usage_dataset_table, usage_month_table
from ..translation import N_, site_gettext
from .export import safe_cell
from ..kept import kept

log = logging.getLogger(__name__)

NATIONAL = "nacional"
SUFFIX = "-uso-datos"
NAME_ATTEMPTS = 50
COLUMNS = ("mes", "entidad", "entidad_nombre", "conjunto_de_datos", "titulo",
           "url_conjunto", "visitas", "descargas")

_REFRESH = sa.text("""
WITH published AS (
    SELECT p.id, p.owner_org FROM package p
    WHERE p.state = 'active' AND NOT p.private AND p.owner_org IS NOT NULL
      AND p.id IN (SELECT dataset_id FROM opengovpe_plan_item WHERE dataset_id IS NOT NULL)
),
views AS (
    SELECT ts.package_id AS dataset_id,
           date_trunc('month', ts.tracking_date)::date AS month, sum(ts.count) AS views
    FROM tracking_summary ts
    WHERE ts.tracking_type = 'page' AND ts.package_id IN (SELECT id FROM published)
    GROUP BY 1, 2
),
hits AS (
    SELECT ts.url, ts.tracking_date, ts.count, r.id AS resource_id
    FROM tracking_summary ts JOIN resource r ON r.url = ts.url
    WHERE ts.tracking_type = 'resource'
    UNION
    SELECT ts.url, ts.tracking_date, ts.count, r.id
    FROM tracking_summary ts
    JOIN resource r ON r.id = substring(ts.url, '/resource/([^/]+)/download/')
    WHERE ts.tracking_type = 'resource'
),
downloads AS (
    SELECT r.package_id AS dataset_id,
           date_trunc('month', h.tracking_date)::date AS month, sum(h.count) AS downloads
    FROM hits h JOIN resource r ON r.id = h.resource_id
    WHERE r.state = 'active'
    GROUP BY 1, 2
)
INSERT INTO opengovpe_usage_month (dataset_id, month, owner_org, views, downloads)
SELECT pub.id, coalesce(v.month, d.month), pub.owner_org,
       coalesce(v.views, 0), coalesce(d.downloads, 0)
FROM views v
FULL JOIN downloads d ON d.dataset_id = v.dataset_id AND d.month = v.month
JOIN published pub ON pub.id = coalesce(v.dataset_id, d.dataset_id)
""")


def _key(*parts: str) -> str:
    return ":".join([str(tk.config.get("ckan.site_id")), "opengovpe", "usage", *parts])


def refresh() -> int:
    """Sum the tracking summary into the monthly table, replacing what it held, in one
    transaction: readers see the old figures or the new ones. Returns the rows written."""
    model.Session.execute(usage_month_table.delete())
    written = model.Session.execute(_REFRESH).rowcount
    model.Session.commit()
    # what was read from the table before is read again
    connect_to_redis().set(_key("generation"), datetime.datetime.utcnow().isoformat())
    return int(written or 0)


Result = TypeVar("Result")


def remembered(function: Callable[..., Result]) -> Callable[..., Result]:
    """The table changes only when ``refresh`` runs (once a day): what a reader computes
    from it is kept in Redis until the next refresh (or the next day, for the 12 months
    that end today), keyed by the function and its arguments."""
    @functools.wraps(function)
    def read(*args: Any) -> Result:
        try:
            generation = (connect_to_redis().get(_key("generation")) or b"").decode()
        except RedisError as error:
            # without Redis the figures are read from the table each time
            log.warning("Usage cache unavailable: %s", error)
            return function(*args)
        key = _key("read", generation, function.__name__, json.dumps(args, default=str))
        return kept(key, 86400, lambda: function(*args), "Usage cache")
    return read


def directory() -> str:
    storage = tk.config.get("ckan.storage_path")
    if not storage:
        raise RuntimeError("ckan.storage_path is not set")
    return os.path.join(storage, "opengovpe", "uso")


def file_path(scope: str) -> str:
    """The CSV file of an entity (its id) or of the country (``NATIONAL``)."""
    return os.path.join(directory(), f"{scope}.csv")


def _dataset_url(name: str) -> str:
    return f"{tk.config.get('ckan.site_url').rstrip('/')}/dataset/{name}"


def _rows() -> Iterator[sa.Row]:
    month = usage_month_table.c.month
    package = model.package_table
    group = model.group_table
    query = (sa.select(usage_month_table.c.owner_org, month, group.c.name.label("entity"),
                       group.c.title.label("entity_title"), package.c.name, package.c.title,
                       usage_month_table.c.views, usage_month_table.c.downloads)
             .select_from(usage_month_table
                          .join(package, package.c.id == usage_month_table.c.dataset_id)
                          .join(group, group.c.id == usage_month_table.c.owner_org))
             .order_by(group.c.name, month, package.c.name))
    return model.Session.execute(query.execution_options(stream_results=True,
                                                         yield_per=5000))


def _csv_row(row: Any) -> list[Any]:
    return [row.month.strftime("%Y-%m"), row.entity, safe_cell(row.entity_title or ""),
            row.name, safe_cell(row.title or ""), _dataset_url(row.name), row.views,
            row.downloads]


class _File:
    """A CSV file written beside its final place and moved there when complete."""

    def __init__(self, scope: str) -> None:
        self.path = file_path(scope)
        self.partial = f"{self.path}.partial"
        self.out = open(self.partial, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.out, lineterminator="\r\n")
        self.write(COLUMNS)

    def write(self, row: Any) -> None:
        self.writer.writerow(row)

    def close(self) -> str:
        """Put the file in its place; returns its digest."""
        self.out.close()
        digest = hashlib.sha256()
        with open(self.partial, "rb") as written:
            for chunk in iter(lambda: written.read(1 << 16), b""):
                digest.update(chunk)
        os.replace(self.partial, self.path)
        return digest.hexdigest()


def write_files(entity_ids: list[str]) -> dict[str, str]:
    """Write the country's file and one file per entity of ``entity_ids`` (an entity
    without any use gets its header alone); returns each file's digest by scope."""
    os.makedirs(directory(), exist_ok=True)
    national = _File(NATIONAL)
    digests: dict[str, str] = {}
    current: tuple[str, _File] | None = None
    # rows come by entity: one entity's file is open at a time
    for row in _rows():
        values = _csv_row(row)
        national.write(values)
        if current is None or current[0] != row.owner_org:
            if current is not None:
                digests[current[0]] = current[1].close()
            current = (row.owner_org, _File(row.owner_org))
        current[1].write(values)
    if current is not None:
        digests[current[0]] = current[1].close()
    for entity in entity_ids:
        if entity not in digests:
            digests[entity] = _File(entity).close()
    digests[NATIONAL] = national.close()
    return digests


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": site_user["name"]}


def _free_name(base: str) -> str:
    for number in range(1, NAME_ATTEMPTS + 1):
        suffix = SUFFIX if number == 1 else f"{SUFFIX}-{number}"
        name = base[: 100 - len(suffix)] + suffix
        if model.Package.get(name) is None:
            return name
    return f"{base[:60]}{SUFFIX}-{int(datetime.datetime.utcnow().timestamp() * 1000)}"


def file_url(scope: str, entity_name: str | None) -> str:
    site = tk.config.get("ckan.site_url").rstrip("/")
    if scope == NATIONAL:
        return f"{site}/tablero/uso-mensual.csv"
    return f"{site}/entidad/{entity_name}/uso-mensual.csv"


def _values(scope: str, owner: model.Group) -> dict[str, Any]:
    now = datetime.datetime.utcnow().isoformat()
    if scope == NATIONAL:
        title = site_gettext(N_("Use of the open data of the country's entities"))
        notes = site_gettext(N_(
            "Views and downloads of each dataset that the entities publish in their opening "
            "plans, month by month, as the portal records them. Updated every day."))
    else:
        title = site_gettext(N_("Use of the open data: {entity}")).format(
            entity=owner.title or owner.name)
        notes = site_gettext(N_(
            "Views and downloads of each dataset that {entity} publishes in its opening "
            "plans, month by month, as the portal records them. Updated every day.")).format(
                entity=owner.title or owner.name)
    return {
        "type": "dataset", "owner_org": owner.id, "title": title, "notes": notes,
        "private": False, "license_id": "cc-by",
        "tags": [{"name": "uso de datos"}, {"name": "datos abiertos"}],
        "resources": [{"name": site_gettext(N_("Monthly use by dataset (CSV)")),
                       "url": file_url(scope, owner.name), "format": "CSV",
                       "mimetype": "text/csv", "last_modified": now}],
    }


def linked(scope: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(usage_dataset_table).where(
        usage_dataset_table.c.scope == scope)).mappings().first()
    return dict(row) if row else None


def _publish(scope: str, owner: model.Group, digest: str) -> bool:
    """Create or update the open dataset of ``scope`` when its file changed."""
    link = linked(scope)
    if link and link["digest"] == digest:
        return False
    values = _values(scope, owner)
    context = _site_context()
    if link is None:
        created = tk.get_action("package_create")(
            context, dict(values, name=_free_name(owner.name if scope != NATIONAL
                                                  else "uso-nacional")))
        model.Session.execute(usage_dataset_table.insert().values(
            scope=scope, dataset_id=created["id"], digest=digest))
    else:
        dataset = model.Package.get(link["dataset_id"])
        if dataset is None or dataset.state == "deleted":
            # someone deleted it: it stays deleted
            return False
        tk.get_action("package_update")(context, dict(values, id=dataset.id,
                                                      name=dataset.name))
        model.Session.execute(usage_dataset_table.update()
                              .where(usage_dataset_table.c.scope == scope)
                              .values(digest=digest))
    model.Session.commit()
    return True


def national_owner() -> model.Group | None:
    reference = tk.config.get("ckanext.opengovpe.usage.national_organization")
    owner = model.Group.get(reference) if reference else None
    if owner is None or not owner.is_organization or owner.state != "active":
        return None
    return owner


def sync_datasets(digests: dict[str, str]) -> int:
    """Publish each changed file as its entity's (or the country's) open dataset; returns
    how many datasets were created or updated."""
    changed = 0
    for scope in sorted(digests):
        owner = national_owner() if scope == NATIONAL else model.Group.get(scope)
        if owner is None or owner.state != "active":
            continue
        try:
            changed += _publish(scope, owner, digests[scope])
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            model.Session.rollback()
            log.error("Usage dataset of %s not published: %s", scope, error)
    return changed


def publish() -> dict[str, int]:
    """The whole job: sum, write, publish."""
    from . import usage

    rows = refresh()
    entities = sorted(set(usage.published().values()))
    digests = write_files(entities)
    changed = sync_datasets(digests)
    log.info("Usage published: %s monthly rows, %s files, %s datasets changed", rows,
             len(digests), changed)
    return {"rows": rows, "files": len(digests), "datasets": changed}


# reading the monthly table ------------------------------------------------------------

YEAR_MONTHS = 12


def year_start(today: datetime.date) -> datetime.date:
    """The first day of the month eleven months before ``today``'s: the last 12 months,
    this one included."""
    month = today.year * 12 + today.month - 1 - (YEAR_MONTHS - 1)
    return datetime.date(month // 12, month % 12 + 1, 1)


def _scope(query: sa.Select, entity_id: str | None) -> sa.Select:
    if entity_id is not None:
        query = query.where(usage_month_table.c.owner_org == entity_id)
    return query


@remembered
def monthly(entity_id: str | None = None) -> list[dict[str, Any]]:
    """Views and downloads by month, of an entity or of the country, the oldest first."""
    u = usage_month_table.c
    query = _scope(sa.select(u.month, sa.func.sum(u.views), sa.func.sum(u.downloads))
                   .group_by(u.month).order_by(u.month), entity_id)
    return [{"month": month.strftime("%Y-%m"), "views": int(views), "downloads": int(down)}
            for month, views, down in model.Session.execute(query)]


@remembered
def totals(entity_id: str | None, since: datetime.date) -> dict[str, int]:
    """Views and downloads of an entity or of the country: all of them and since ``since``,
    with how many datasets were used since then."""
    u = usage_month_table.c
    recent = u.month >= since
    query = _scope(sa.select(
        sa.func.coalesce(sa.func.sum(u.views), 0), sa.func.coalesce(sa.func.sum(u.downloads), 0),
        sa.func.coalesce(sa.func.sum(u.views).filter(recent), 0),
        sa.func.coalesce(sa.func.sum(u.downloads).filter(recent), 0),
        sa.func.count(sa.distinct(u.dataset_id)).filter(recent)), entity_id)
    views, downloads, views_year, downloads_year, used = model.Session.execute(query).one()
    return {"views": int(views), "downloads": int(downloads), "views_year": int(views_year),
            "downloads_year": int(downloads_year), "datasets_used_year": int(used)}


@remembered
def by_entity(since: datetime.date) -> dict[str, int]:
    """Views and downloads together since ``since``, by entity id (those with any)."""
    u = usage_month_table.c
    query = (sa.select(u.owner_org, sa.func.sum(u.views + u.downloads))
             .where(u.month >= since).group_by(u.owner_org))
    return {org: int(total) for org, total in model.Session.execute(query)}


@remembered
def top_datasets(entity_id: str | None, since: datetime.date, limit: int = 20
                 ) -> list[dict[str, Any]]:
    """The datasets most used since ``since`` (views and downloads together)."""
    u = usage_month_table.c
    package = model.package_table
    group = model.group_table
    used = _scope(sa.select(u.dataset_id, sa.func.sum(u.views).label("views"),
                            sa.func.sum(u.downloads).label("downloads"))
                  .where(u.month >= since).group_by(u.dataset_id)
                  .order_by(sa.func.sum(u.views + u.downloads).desc(), u.dataset_id)
                  .limit(limit), entity_id).subquery()
    query = (sa.select(package.c.name, package.c.title, group.c.name.label("entity"),
                       group.c.title.label("entity_title"), used.c.views, used.c.downloads)
             .select_from(used.join(package, package.c.id == used.c.dataset_id)
                          .join(group, group.c.id == package.c.owner_org))
             .order_by((used.c.views + used.c.downloads).desc(), package.c.name))
    return [dict(row._mapping, views=int(row.views), downloads=int(row.downloads))
            for row in model.Session.execute(query)]


@remembered
def top_entities(since: datetime.date, limit: int = 20) -> list[dict[str, Any]]:
    """The entities whose datasets were most used since ``since``."""
    u = usage_month_table.c
    group = model.group_table
    used = (sa.select(u.owner_org, sa.func.sum(u.views).label("views"),
                      sa.func.sum(u.downloads).label("downloads"))
            .where(u.month >= since).group_by(u.owner_org)
            .order_by(sa.func.sum(u.views + u.downloads).desc(), u.owner_org)
            .limit(limit)).subquery()
    query = (sa.select(group.c.name, group.c.title, used.c.views, used.c.downloads)
             .select_from(used.join(group, group.c.id == used.c.owner_org))
             .order_by((used.c.views + used.c.downloads).desc(), group.c.name))
    return [dict(row._mapping, views=int(row.views), downloads=int(row.downloads))
            for row in model.Session.execute(query)]
