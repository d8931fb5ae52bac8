"""Harvest jobs that survive dead workers, a lost queue and two schedulers at once.

ckanext-harvest re-queues an object whose fetch consumer died after three minutes and a
gather after two hours, and only while Redis still holds the consumer's in-flight marker
(a Redis restarted without persistence loses it, and the job stays *Running* for good); two
``ckan harvester run`` started together both create and queue jobs. This module closes those
gaps with PostgreSQL advisory locks, which PostgreSQL releases when the process holding them
dies, however it dies:

- **one scheduler at a time**: ``harvest_jobs_run`` (what ``ckan harvester run`` calls)
  returns at once, doing nothing, while another scheduler holds the lock;
- **one gather per source at a time**: the OCDS gather holds its source's lock for its whole
  run, and a second gather of the same source waits for the first to end;
- **orphans re-queued**: a *Running* job whose gather is gone (its consumer killed,
  PostgreSQL restarted under it, its message lost with Redis) goes back to the gather queue,
  and an object taken by a fetch consumer that is gone (an OCDS import holds the object's
  lock; for other harvesters, no in-flight marker left in Redis) back to the fetch queue,
  once ``ckanext.opengovpe.harvest.requeue_after`` seconds passed.

Nothing is lost by re-running: the OCDS gather stores processes idempotently and its import
rebuilds each buyer-year dataset from them (see :mod:`ckanext.opengovpe.procurement.store`).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, Context, DataDict

log = logging.getLogger(__name__)

LOCK_SPACE = 0x6F67_7065  # "ogpe": the first key of every advisory lock taken here
SCHEDULER = "harvest-scheduler"
OCDS_TYPE = "opengovpe_ocds"


@contextlib.contextmanager
def advisory_lock(name: str, wait: bool) -> Iterator[bool]:
    """Hold the session-level advisory lock ``name`` on a connection of its own.

    Yields whether the lock is held (always True when ``wait``). The connection is outside
    CKAN's session, so the caller's commits and rollbacks do not touch the lock, and it is
    released when the block ends or the process dies.
    """
    connection = model.meta.engine.connect()
    key = {"space": LOCK_SPACE, "name": name}
    try:
        if wait:
            connection.execute(sa.text("SELECT pg_advisory_lock(:space, hashtext(:name))"), key)
            held = True
        else:
            held = bool(connection.execute(sa.text(
                "SELECT pg_try_advisory_lock(:space, hashtext(:name))"), key).scalar())
        connection.commit()  # session-level locks outlive the transaction
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(sa.exc.DBAPIError):
                    connection.execute(sa.text(
                        "SELECT pg_advisory_unlock(:space, hashtext(:name))"), key)
                    connection.commit()
    finally:
        with contextlib.suppress(sa.exc.DBAPIError):
            connection.close()


def gather_lock_name(source_id: str) -> str:
    return f"harvest-gather:{source_id}"


def object_lock_name(object_id: str) -> str:
    return f"harvest-object:{object_id}"


def is_locked(name: str) -> bool:
    """Whether a live process holds ``name`` (tried and given back at once)."""
    with advisory_lock(name, wait=False) as held:
        return not held


def requeue_after() -> int:
    return int(tk.config.get("ckanext.opengovpe.harvest.requeue_after"))


@tk.chained_action
def harvest_jobs_run(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's scheduler, one at a time, followed by the orphan check."""
    tk.check_access("harvest_jobs_run", context, data_dict)
    try:
        with advisory_lock(SCHEDULER, wait=False) as held:
            if not held:
                log.info("Another harvest scheduler is running: this one does nothing")
                return []
            result = up_func(context, data_dict)
            requeue_orphans(data_dict.get("source_id"))
            return result
    except _redis_errors() as err:
        # a cron line, not a traceback: the next run does the work once Redis is back
        log.error("The harvest queue (Redis) cannot be reached: %s", err)
        return []


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis
    except ImportError:  # pragma: no cover - ckanext-harvest installs it
        return ()
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def requeue_orphans(source_id: Optional[str] = None,
                    now: Optional[dt.datetime] = None) -> dict[str, list[str]]:
    """Send back to their queue the jobs and objects nobody is working on any more.

    Only with the Redis queue (the one ckanext-harvest recommends, and ours): AMQP keeps
    unacknowledged messages itself. Returns the ids re-queued, by kind.
    """
    if tk.config.get("ckan.harvest.mq.type") != "redis":
        return {"jobs": [], "objects": []}
    from ckanext.harvest import queue

    now = now or dt.datetime.utcnow()
    grace = dt.timedelta(seconds=requeue_after())
    redis = queue.get_connection()
    return {"jobs": _requeue_jobs(redis, source_id, now, grace),
            "objects": _requeue_objects(redis, source_id, now, grace)}


def _requeue_jobs(redis: Any, source_id: Optional[str], now: dt.datetime,
                  grace: dt.timedelta) -> list[str]:
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestSource

    key = queue.get_gather_routing_key()
    queued = _queued(redis, key, "harvest_job_id")
    jobs = model.Session.query(HarvestJob).join(HarvestSource).filter(
        HarvestJob.status == "Running", HarvestJob.gather_finished.is_(None))
    if source_id:
        jobs = jobs.filter(HarvestJob.source_id == source_id)
    sent = []
    publisher = None
    for job in jobs.all():
        if job.id in queued:
            continue
        taken = _taken_at(redis, f"{key}:{job.id}")
        if job.source.type == OCDS_TYPE:
            # the gather holds its source's lock while it lives
            since = taken or job.gather_started or job.created
            orphan = now - since > grace and not is_locked(gather_lock_name(job.source_id))
        else:
            # a consumer that took the job keeps its marker until it ends; ckanext-harvest
            # re-queues those itself, so only a job with no marker at all is ours to re-send
            orphan = taken is None and now - (job.gather_started or job.created) > grace
        if orphan:
            redis.delete(f"{key}:{job.id}")
            publisher = publisher or queue.get_gather_publisher()
            publisher.send({"harvest_job_id": job.id})
            sent.append(job.id)
            log.warning("Harvest job %s had no gather left running: sent to the gather queue "
                        "again", job.id)
    return sent


def _requeue_objects(redis: Any, source_id: Optional[str], now: dt.datetime,
                     grace: dt.timedelta) -> list[str]:
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject

    key = queue.get_fetch_routing_key()
    queued = _queued(redis, key, "harvest_object_id")
    objects = model.Session.query(HarvestObject).join(
        HarvestJob, HarvestObject.harvest_job_id == HarvestJob.id).filter(
        HarvestJob.status == "Running", HarvestObject.state.in_(("FETCH", "IMPORT")))
    if source_id:
        objects = objects.filter(HarvestJob.source_id == source_id)
    sent = []
    publisher = None
    for obj in objects.all():
        started = obj.import_started or obj.fetch_started or obj.gathered
        if obj.id in queued or started is None or now - started <= grace:
            continue
        if _taken_at(redis, f"{key}:{obj.id}") is not None:
            source = obj.source or obj.job.source
            if source.type != OCDS_TYPE or is_locked(object_lock_name(obj.id)):
                continue  # a live consumer, or ckanext-harvest's to re-send when old
            redis.delete(f"{key}:{obj.id}")  # its consumer is gone
        publisher = publisher or queue.get_fetch_publisher()
        publisher.send({"harvest_object_id": obj.id})
        sent.append(obj.id)
        log.warning("Harvest object %s was left in %s with no consumer: sent to the fetch "
                    "queue again", obj.id, obj.state)
    return sent


def _queued(redis: Any, key: str, field: str) -> set[str]:
    ids = set()
    for message in redis.lrange(key, 0, -1):
        try:
            ids.add(json.loads(message)[field])
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def _taken_at(redis: Any, key: str) -> Optional[dt.datetime]:
    """When a consumer took the message whose in-flight marker is ``key`` (local time there,
    as ckanext-harvest writes it), as UTC; None without a marker."""
    value = redis.get(key)
    if value is None:
        return None
    try:
        taken = dt.datetime.strptime(value if isinstance(value, str) else value.decode(),
                                     "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return dt.datetime.min
    offset = dt.datetime.now() - dt.datetime.utcnow()
    return taken - offset
