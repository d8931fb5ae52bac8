"""Views and downloads of published datasets, from CKAN's ``tracking`` plugin's daily summary.

``ckan tracking update`` (the ``tracking_update`` recurring job) sums the raw page views and
resource downloads per day into ``tracking_summary``; the figures here add those days up, in
total and over the last 30 days. A download is counted against a resource whether its link
was the external URL or the portal's own download address of an uploaded file.
"""
from __future__ import annotations

import csv
import datetime
import io
from typing import Any, Callable, Iterable

import sqlalchemy as sa

import ckan.plugins as p
from ckan import model

from ..model import plan_item_table

RECENT_DAYS = 30
# a prioritised dataset nobody used for this long is marked on its plan
UNUSED_DAYS = 90
ZERO = {"views": 0, "views_recent": 0, "downloads": 0, "downloads_recent": 0}


def enabled() -> bool:
    return p.plugin_loaded("tracking")


def _summary() -> sa.Table:
    from ckanext.tracking.model import TrackingSummary

    return TrackingSummary.__table__


Columns = Callable[[Any], tuple[Any, ...]]


def _views(group: Any, ids: list[str], columns: Columns) -> sa.Select:
    """Page views of the packages whose ``group`` is in ``ids``: ``group`` then
    ``columns(c)``, where ``c`` has the summary's ``count`` and ``tracking_date``."""
    ts = _summary()
    package = model.package_table
    return (sa.select(group.label("key"), *columns(ts.c))
            .select_from(ts.join(package, package.c.id == ts.c.package_id))
            .where(ts.c.tracking_type == "page", group.in_(ids)))


def _downloads(group: Any, ids: list[str], columns: Columns) -> sa.Select:
    """Downloads of those packages' active resources, by external URL or the portal's own
    download address of an uploaded file (two equality joins, so that PostgreSQL can hash
    them, rather than a pattern per resource)."""
    ts = _summary()
    package = model.package_table
    resource = model.resource_table
    rows = (ts.c.url, ts.c.tracking_date, ts.c.count)
    by_url = (sa.select(*rows, resource.c.id.label("resource_id"))
              .select_from(ts.join(resource, resource.c.url == ts.c.url))
              .where(ts.c.tracking_type == "resource"))
    uploaded = sa.func.substring(ts.c.url, "/resource/([^/]+)/download/")
    by_address = (sa.select(*rows, resource.c.id.label("resource_id"))
                  .select_from(ts.join(resource, resource.c.id == uploaded))
                  .where(ts.c.tracking_type == "resource"))
    hits = sa.union(by_url, by_address).subquery()
    return (sa.select(group.label("key"), *columns(hits.c))
            .select_from(hits.join(resource, resource.c.id == hits.c.resource_id)
                         .join(package, package.c.id == resource.c.package_id))
            .where(resource.c.state == "active", group.in_(ids)))


def _figures(group: Any, ids: list[str], today: datetime.date, days: int = RECENT_DAYS
             ) -> dict[str, dict[str, int]]:
    """Figures per value of ``group`` (a column of ``package``) for packages in ``ids``
    (values of ``package.id`` or ``package.owner_org``, as ``group`` is); ``*_recent``
    counts the last ``days`` days."""
    found: dict[str, dict[str, int]] = {i: dict(ZERO) for i in ids}
    if not ids or not enabled():
        return found
    since = today - datetime.timedelta(days=days)

    def sums(c: Any) -> tuple[Any, ...]:
        recent = sa.case((c.tracking_date >= since, c["count"]), else_=0)
        return sa.func.sum(c["count"]), sa.func.sum(recent)

    for key, total, last in model.Session.execute(_views(group, ids, sums).group_by(group)):
        found[key].update(views=int(total or 0), views_recent=int(last or 0))
    for key, total, last in model.Session.execute(_downloads(group, ids, sums)
                                                  .group_by(group)):
        found[key].update(downloads=int(total or 0), downloads_recent=int(last or 0))
    return found


def monthly(dataset_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Views and downloads of these datasets month by month, the oldest first:
    ``[{month: "2026-01", views, downloads}]``, months without any left out."""
    ids = sorted(set(dataset_ids))
    if not ids or not enabled():
        return []
    series: dict[str, dict[str, Any]] = {}
    package_id = model.package_table.c.id

    def by_month(c: Any) -> tuple[Any, ...]:
        return (sa.func.to_char(c.tracking_date, "YYYY-MM").label("month"),
                sa.func.sum(c["count"]))

    for name, query in (("views", _views), ("downloads", _downloads)):
        select = query(package_id, ids, by_month)
        month, total = select.selected_columns[1:]
        rows = model.Session.execute(select.with_only_columns(month, total).group_by(month))
        for key, count in rows:
            series.setdefault(key, {"month": key, "views": 0, "downloads": 0})[name] = \
                int(count or 0)
    return [series[key] for key in sorted(series)]


def unused(dataset_ids: Iterable[str], today: datetime.date | None = None,
           days: int = UNUSED_DAYS) -> set[str]:
    """Those of ``dataset_ids`` nobody viewed or downloaded in the last ``days`` days."""
    ids = sorted(set(dataset_ids))
    if not enabled():
        return set()
    figures = _figures(model.package_table.c.id, ids, today or datetime.date.today(), days)
    return {i for i, f in figures.items() if not f["views_recent"] and not f["downloads_recent"]}


def for_datasets(dataset_ids: Iterable[str], today: datetime.date | None = None
                 ) -> dict[str, dict[str, int]]:
    """``{dataset id: {views, views_recent, downloads, downloads_recent}}``."""
    return _figures(model.package_table.c.id, sorted(set(dataset_ids)),
                    today or datetime.date.today())


def published(org_ids: Iterable[str] | None = None) -> dict[str, str]:
    """``{dataset id: entity id}`` of the active datasets that publish an opening-plan item,
    of these entities or, given ``None``, of every entity."""
    package = model.package_table
    query = (sa.select(package.c.id, package.c.owner_org)
             .where(package.c.state == "active", package.c.private.is_(False),
                    package.c.owner_org.isnot(None),
                    package.c.id.in_(sa.select(plan_item_table.c.dataset_id)
                                     .where(plan_item_table.c.dataset_id.isnot(None)))))
    if org_ids is not None:
        query = query.where(package.c.owner_org.in_(sorted(set(org_ids))))
    return dict(model.Session.execute(query).all())


def summary(dataset_ids: Iterable[str], today: datetime.date | None = None) -> dict[str, Any]:
    """The figures of these datasets together, with their monthly series and, per
    dataset, its own figures and whether nobody used it in the last ``UNUSED_DAYS``."""
    ids = sorted(set(dataset_ids))
    today = today or datetime.date.today()
    each = for_datasets(ids, today)
    idle = unused(ids, today)
    total = dict(ZERO)
    for figures in each.values():
        for name, value in figures.items():
            total[name] += value
    return dict(total, enabled=enabled(), recent_days=RECENT_DAYS, unused_days=UNUSED_DAYS,
                monthly=monthly(ids),
                datasets=[dict(each[i], id=i, unused=i in idle) for i in ids])


MONTHLY_COLUMNS = ("mes", "visitas", "descargas")


def monthly_csv(series: list[dict[str, Any]]) -> str:
    """A monthly series as CSV: one row per month, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MONTHLY_COLUMNS)
    writer.writerows((row["month"], row["views"], row["downloads"]) for row in series)
    return out.getvalue()
