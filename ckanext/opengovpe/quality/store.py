"""Stored MQA scores: one row per active dataset in ``opengovpe_quality_score``.

A score takes around a second (the DCAT-AP serialisation and its SHACL validation), so it
is never computed while a page, a summary or the catalogue is served:

* every committed change of a dataset enqueues a background job that stores its score
  (:func:`refresh_dataset`), so ``package_update`` is not slower;
* the scheduled ``quality_refresh`` job stores the scores missing or stale, and validates
  again those older than ``quality.refresh_after`` (an entity's name or a vocabulary may
  change without the dataset changing);
* the scheduled ``link_check`` job checks a batch of the stored URLs that are due and
  stores again the scores of the datasets whose URLs changed answer (their SHACL result
  is reused: the dataset did not change).

Readers take the stored row; the dataset page computes one only when it is missing or
older than the dataset (the job has not run yet). Summaries count public, active datasets
of type ``dataset`` only, in one SQL query each.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..model.link_check import link_check_table
from ..model.quality_score import quality_score_table as table
from . import links, mqa, score

log = logging.getLogger(__name__)

DATASET_TYPE = "dataset"
_PENDING = "opengovpe_quality_pending"
# the methodology's ratings and the lowest score of each (``mqa.rating``)
RATINGS = (("excellent", 351), ("good", 221), ("sufficient", 121), ("bad", 0))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# --- writing -----------------------------------------------------------------------------

def mark_changed(dataset_id: str) -> None:
    """Note that this dataset changed; its score is computed once the change is committed."""
    model.Session.info.setdefault(_PENDING, set()).add(dataset_id)


@sa.event.listens_for(model.Session, "after_commit")
def _committed(session: Any) -> None:
    # a savepoint's release (CKAN's package_update makes one) commits nothing yet
    if session.in_nested_transaction():
        return
    for dataset_id in sorted(session.info.pop(_PENDING, ())):
        try:
            tk.enqueue_job(refresh_dataset, [dataset_id], title="opengovpe quality score")
        except Exception:  # Redis away: the scheduled refresh stores it later
            log.warning("Quality score of dataset %s not enqueued", dataset_id, exc_info=True)


@sa.event.listens_for(model.Session, "after_rollback")
def _rolled_back(session: Any) -> None:
    # a savepoint's rollback fires this too: what the transaction did before it stays
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def _metadata_modified(dataset: dict[str, Any]) -> datetime.datetime | None:
    value = dataset.get("metadata_modified")
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _fixes(quality: dict[str, Any]) -> list[dict[str, Any]]:
    """The criteria not fully met, worth most first."""
    return sorted(({k: c[k] for k in ("key", "dimension", "points", "gain")}
                   for c in quality["criteria"] if c["gain"]),
                  key=lambda c: (-c["gain"], c["key"]))


def _stored(dataset_id: str) -> dict[str, Any] | None:
    row = model.Session.execute(
        sa.select(table).where(table.c.package_id == dataset_id)).mappings().first()
    return dict(row) if row else None


def compute(dataset: dict[str, Any], revalidate: bool = True) -> dict[str, Any]:
    """Compute and store the score of ``dataset`` (a package_show dict); returns the row.

    :param revalidate: validate the graph with SHACL again; otherwise the stored result
        is reused when it was computed from the same ``metadata_modified``
    """
    modified = _metadata_modified(dataset)
    violations = None
    if not revalidate:
        prior = _stored(dataset["id"])
        if prior and prior["metadata_modified"] == modified:
            violations = list(prior["shacl_violations"])
    quality = score.dataset_quality(dataset, violations=violations)
    row = {
        "package_id": dataset["id"],
        "total": quality["score"],
        **{d: quality["dimensions"][d] for d in mqa.DIMENSIONS},
        "shacl_conforms": quality["shacl"]["conforms"],
        "shacl_violations": quality["shacl"]["violations"],
        "fixes": _fixes(quality),
        "urls": quality["urls"],
        "metadata_modified": modified,
        "computed_at": _now(),
    }
    session = model.Session()
    if not session.in_nested_transaction():
        statement = insert(table).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=["package_id"],
            set_={c: statement.excluded[c] for c in row if c != "package_id"})
        try:
            session.execute(statement)
            session.commit()
        except sa.exc.IntegrityError:  # the dataset was purged meanwhile
            session.rollback()
    return row


def _show(dataset_id: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset_id})
    except tk.ObjectNotFound:
        return None


def refresh_dataset(dataset_id: str) -> None:
    """Background job: store the score of a dataset just changed, or drop it when the
    dataset is gone, deleted or not a dataset."""
    dataset = _show(dataset_id)
    if dataset is None or dataset.get("state") != "active" or dataset.get("type") != DATASET_TYPE:
        model.Session.execute(sa.delete(table).where(table.c.package_id == dataset_id))
        model.Session.commit()
        return
    compute(dataset, revalidate=False)


def _active() -> Any:
    package = model.package_table
    return sa.and_(package.c.state == "active", package.c.type == DATASET_TYPE)


def refresh(limit: int | None = None) -> int:
    """Store the scores missing or older than their dataset, then validate again those
    computed more than ``quality.refresh_after`` seconds ago; at most ``limit``
    (``quality.refresh.batch``) datasets a run. Rows of datasets no longer active go.
    Returns how many scores were stored."""
    package = model.package_table
    limit = limit if limit is not None else tk.config.get(
        "ckanext.opengovpe.quality.refresh.batch")
    old = _now() - datetime.timedelta(
        seconds=tk.config.get("ckanext.opengovpe.quality.refresh_after"))
    model.Session.execute(sa.delete(table).where(table.c.package_id.notin_(
        sa.select(package.c.id).where(_active()))))
    model.Session.commit()
    stale = sa.or_(table.c.package_id.is_(None),
                   table.c.metadata_modified.is_distinct_from(package.c.metadata_modified))
    rows = model.Session.execute(
        sa.select(package.c.id, stale.label("stale"))
        .select_from(package.outerjoin(table, table.c.package_id == package.c.id))
        .where(_active(), sa.or_(stale, table.c.computed_at < old))
        .order_by(stale.desc(), table.c.computed_at.asc().nullsfirst(), package.c.id)
        .limit(limit)).all()
    stored = 0
    for dataset_id, is_stale in rows:
        dataset = _show(dataset_id)
        if dataset is None:
            continue
        compute(dataset, revalidate=not is_stale)
        stored += 1
    log.info("Quality refresh: %s scores stored", stored)
    return stored


def link_check(limit: int | None = None) -> int:
    """Check up to ``limit`` (``quality.link_check.batch``) of the stored access and
    download URLs that are due, never checked first, then the oldest, all in one run
    within the per-host limits; then store again the scores of the datasets whose URLs
    changed answer. Returns how many URLs were checked."""
    limit = limit if limit is not None else tk.config.get(
        "ckanext.opengovpe.quality.link_check.batch")
    refresh()  # datasets without a stored score have no stored URLs yet
    recheck = _now() - datetime.timedelta(
        seconds=tk.config.get("ckanext.opengovpe.quality.link_check.recheck_after"))
    package = model.package_table
    url = sa.func.unnest(table.c.urls).label("url")
    stored_urls = (sa.select(url).select_from(
        table.join(package, package.c.id == table.c.package_id))
        .where(_active()).distinct().subquery())
    due = [u for (u,) in model.Session.execute(
        sa.select(stored_urls.c.url)
        .outerjoin(link_check_table, link_check_table.c.url == stored_urls.c.url)
        .where(sa.or_(link_check_table.c.checked_at.is_(None),
                      link_check_table.c.checked_at <= recheck))
        .order_by(link_check_table.c.checked_at.asc().nullsfirst(), stored_urls.c.url)
        .limit(limit))]
    before = links.results(due)
    outcomes = links.check_all(due)
    links.store(outcomes)
    changed = [o.url for o in outcomes if before.get(o.url) != o.reachable]
    rescored = rescore_urls(changed)
    log.info("Link check: %s URLs checked, %s changed, %s scores stored again",
             len(outcomes), len(changed), rescored)
    return len(outcomes)


def rescore_urls(urls: Iterable[str]) -> int:
    """Store again the scores of the datasets that read any of ``urls``."""
    wanted = list(urls)
    if not wanted:
        return 0
    ids = model.Session.execute(
        sa.select(table.c.package_id).where(
            table.c.urls.overlap(sa.cast(wanted, table.c.urls.type)))).scalars().all()
    for dataset_id in ids:
        dataset = _show(dataset_id)
        if dataset is not None:
            compute(dataset, revalidate=False)
    return len(ids)


# --- reading -----------------------------------------------------------------------------

def as_quality(row: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """What ``opengovpe_quality_show`` answers, from a stored row."""
    gains = {fix["key"]: fix["gain"] for fix in row["fixes"]}
    total = round(row["total"], 2)
    return {
        "id": dataset["id"],
        "name": dataset["name"],
        "score": total,
        "maximum": mqa.MAXIMUM,
        "rating": mqa.rating(total),
        "dimensions": {d: round(row[d], 2) for d in mqa.DIMENSIONS},
        "criteria": [{"key": c.key, "dimension": c.dimension, "points": c.points,
                      "earned": round(c.points - gains.get(c.key, 0), 2),
                      "gain": gains.get(c.key, 0)} for c in mqa.CRITERIA],
        "shacl": {"conforms": row["shacl_conforms"],
                  "violations": list(row["shacl_violations"])},
        "computed_at": row["computed_at"].isoformat(),
    }


def quality_of(dataset: dict[str, Any]) -> dict[str, Any]:
    """The stored quality of ``dataset`` (a package_show dict), computed and stored first
    when missing or older than the dataset."""
    row = _stored(dataset["id"])
    if row is None or row["metadata_modified"] != _metadata_modified(dataset):
        row = compute(dataset, revalidate=False)
    return as_quality(row, dataset)


def stored_rows(dataset_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of these datasets, by id (those without one left out)."""
    wanted = list(dataset_ids)
    if not wanted:
        return {}
    rows = model.Session.execute(
        sa.select(table).where(table.c.package_id.in_(wanted))).mappings()
    return {row["package_id"]: dict(row) for row in rows}


def _published() -> Any:
    package = model.package_table
    return sa.and_(_active(), package.c.private.is_(False))


def _aggregates() -> list[Any]:
    columns = [sa.func.count().label("count"), sa.func.avg(table.c.total).label("average")]
    columns += [sa.func.avg(table.c[d]).label(d) for d in mqa.DIMENSIONS]
    for name, lowest in RATINGS:
        upper = [r for r in RATINGS if r[1] > lowest]
        condition = table.c.total >= lowest
        if upper:
            condition = sa.and_(condition, table.c.total < min(r[1] for r in upper))
        columns.append(sa.func.count().filter(condition).label(name))
    return columns


def _summary(row: Any) -> dict[str, Any]:
    count = row.count or 0
    return {
        "count": count,
        "average": round(float(row.average), 2) if count else 0.0,
        "max": mqa.MAXIMUM,
        "dimensions": {d: round(float(getattr(row, d)), 2) if count else 0.0
                       for d in mqa.DIMENSIONS},
        "distribution": {name: getattr(row, name) or 0 for name, _lowest in RATINGS},
    }


def entity_averages(entity_ids: list[str] | None) -> dict[str, dict[str, Any]]:
    """The quality of each entity's public, active datasets, by entity id, in one query:
    ``{"count", "average", "max", "dimensions": {dimension: average}, "distribution":
    {rating: count}}``. ``None`` asks for every entity; an entity without a scored
    dataset is left out."""
    package = model.package_table
    statement = (sa.select(package.c.owner_org, *_aggregates())
                 .select_from(table.join(package, package.c.id == table.c.package_id))
                 .where(_published(), package.c.owner_org.isnot(None))
                 .group_by(package.c.owner_org))
    if entity_ids is not None:
        if not entity_ids:
            return {}
        statement = statement.where(package.c.owner_org.in_(list(entity_ids)))
    return {row.owner_org: _summary(row) for row in model.Session.execute(statement)}


def summary(entity_id: str | None = None) -> dict[str, Any]:
    """The quality of the public, active datasets of one entity, or of all of them."""
    package = model.package_table
    statement = (sa.select(*_aggregates())
                 .select_from(table.join(package, package.c.id == table.c.package_id))
                 .where(_published()))
    if entity_id is not None:
        statement = statement.where(package.c.owner_org == entity_id)
    return _summary(model.Session.execute(statement).one())


def dataset_rows(entity_id: str | None = None) -> list[dict[str, Any]]:
    """The stored score of each public, active dataset of one entity, or of all, by
    entity and dataset name: name, title, entity name and title, total, each dimension and
    the number of fixes."""
    package, group = model.package_table, model.group_table
    statement = (
        sa.select(package.c.name, package.c.title, group.c.name.label("entity"),
                  group.c.title.label("entity_title"), table.c.total,
                  *[table.c[d] for d in mqa.DIMENSIONS],
                  sa.func.jsonb_array_length(table.c.fixes).label("fixes"))
        .select_from(table.join(package, package.c.id == table.c.package_id)
                     .outerjoin(group, group.c.id == package.c.owner_org))
        .where(_published())
        .order_by(group.c.name, package.c.name))
    if entity_id is not None:
        statement = statement.where(package.c.owner_org == entity_id)
    return [dict(row) for row in model.Session.execute(statement).mappings()]
