"""Views and downloads of published datasets, from CKAN's ``tracking`` plugin's daily summary.

``ckan tracking update`` (the ``tracking_update`` recurring job) sums the raw page views and
resource downloads per day into ``tracking_summary``; the figures here add those days up, in
total and over the last 30 days. A download is counted against a resource whether its link
was the external URL or the portal's own download address of an uploaded file.
"""
from __future__ import annotations

import datetime
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins as p
from ckan import model

from ..model import plan_item_table

RECENT_DAYS = 30
ZERO = {"views": 0, "views_recent": 0, "downloads": 0, "downloads_recent": 0}


def enabled() -> bool:
    return p.plugin_loaded("tracking")


def _summary() -> sa.Table:
    from ckanext.tracking.model import TrackingSummary

    return TrackingSummary.__table__


def _figures(group: Any, ids: list[str], today: datetime.date
             ) -> dict[str, dict[str, int]]:
    """Figures per value of ``group`` (a column of ``package``) for packages in ``ids``
    (values of ``package.id`` or ``package.owner_org``, as ``group`` is)."""
    found: dict[str, dict[str, int]] = {i: dict(ZERO) for i in ids}
    if not ids or not enabled():
        return found
    ts = _summary()
    package = model.package_table
    resource = model.resource_table
    since = today - datetime.timedelta(days=RECENT_DAYS)
    recent = sa.case((ts.c.tracking_date >= since, ts.c.count), else_=0)
    views = (sa.select(group.label("key"), sa.func.sum(ts.c.count), sa.func.sum(recent))
             .select_from(ts.join(package, package.c.id == ts.c.package_id))
             .where(ts.c.tracking_type == "page", group.in_(ids))
             .group_by(group))
    downloaded = sa.or_(
        ts.c.url == resource.c.url,
        ts.c.url.like(sa.func.concat("%/resource/", resource.c.id, "/download/%")))
    downloads = (sa.select(group.label("key"), sa.func.sum(ts.c.count), sa.func.sum(recent))
                 .select_from(ts.join(resource, downloaded)
                              .join(package, package.c.id == resource.c.package_id))
                 .where(ts.c.tracking_type == "resource", resource.c.state == "active",
                        group.in_(ids))
                 .group_by(group))
    for key, total, last in model.Session.execute(views):
        found[key].update(views=int(total or 0), views_recent=int(last or 0))
    for key, total, last in model.Session.execute(downloads):
        found[key].update(downloads=int(total or 0), downloads_recent=int(last or 0))
    return found


def for_datasets(dataset_ids: Iterable[str], today: datetime.date | None = None
                 ) -> dict[str, dict[str, int]]:
    """``{dataset id: {views, views_recent, downloads, downloads_recent}}``."""
    return _figures(model.package_table.c.id, sorted(set(dataset_ids)),
                    today or datetime.date.today())


def for_entities(org_ids: Iterable[str], today: datetime.date | None = None
                 ) -> dict[str, dict[str, int]]:
    """The same figures per entity, over its datasets that publish an opening-plan item."""
    ids = sorted(set(org_ids))
    found: dict[str, dict[str, int]] = {i: dict(ZERO) for i in ids}
    if not ids or not enabled():
        return found
    package = model.package_table
    published = (sa.select(package.c.id, package.c.owner_org)
                 .where(package.c.owner_org.in_(ids), package.c.state == "active",
                        package.c.id.in_(sa.select(plan_item_table.c.dataset_id)
                                         .where(plan_item_table.c.dataset_id.isnot(None)))))
    owners = dict(model.Session.execute(published).all())
    for dataset_id, figures in for_datasets(owners, today).items():
        for name, value in figures.items():
            found[owners[dataset_id]][name] += value
    return found
