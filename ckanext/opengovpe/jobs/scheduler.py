"""Enqueues each recurring job when it is due; run by ``ckan opengovpe scheduler``.

A job is due when its Redis marker has expired: the marker is set with the job's interval as
its lifetime at the moment the job is enqueued, so a restarted scheduler, or two of them,
never enqueue a job twice in one interval. A failed run is not retried at once; it runs
again at its next time, like any other.
"""
from __future__ import annotations

import datetime
import logging
import threading
from typing import Optional

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from . import registry

log = logging.getLogger(__name__)


def tick() -> list[str]:
    """Enqueue every job that is due; returns their names."""
    redis = connect_to_redis()
    enqueued = []
    for job in registry.JOBS:
        interval = job.interval()
        if interval <= 0:
            continue
        if not redis.set(registry.key("due", job.name), registry.now().isoformat(),
                         nx=True, ex=interval):
            continue
        tk.enqueue_job(registry.run, [job.name], title=f"opengovpe {job.name}",
                       rq_kwargs={"timeout": interval})
        registry.mark_enqueued(job.name)
        enqueued.append(job.name)
        log.info("Enqueued recurring job %s (every %s s)", job.name, interval)
    redis.set(registry.key("scheduler", "beat"), registry.now().isoformat(),
              ex=max(60, 3 * _tick_seconds()))
    return enqueued


def next_run(name: str) -> Optional[datetime.datetime]:
    """When job ``name`` is enqueued next: now if it is due, None if it is switched off."""
    if registry.BY_NAME[name].interval() <= 0:
        return None
    left = connect_to_redis().ttl(registry.key("due", name))
    return registry.now() + datetime.timedelta(seconds=max(left, 0))


def _tick_seconds() -> int:
    return int(tk.config.get("ckanext.opengovpe.jobs.tick"))


def run(stop: Optional[threading.Event] = None) -> None:
    """Tick until ``stop`` is set (or for ever); an error in one tick is logged, not fatal."""
    stop = stop or threading.Event()
    log.info("Scheduler started: %s", ", ".join(
        f"{job.name} every {job.interval()} s" for job in registry.JOBS if job.interval() > 0))
    while not stop.is_set():
        try:
            tick()
        except Exception:
            log.exception("Scheduler tick failed; trying again in %s s", _tick_seconds())
        stop.wait(_tick_seconds())
