"""The scoreboard's rows of every entity kept in Redis, shared by all web processes.

The national scoreboard (``/tablero``, ``opengovpe_scoreboard``, ``/tablero.csv``, the home
page) needs every active entity's programme status and its demand, usage and quality
figures; computed afresh that is over a second with 2,000 entities. Two entries are kept,
both as JSON:

* the programme rows (``status._SQL``: working group, regulation, plan, items, milestones)
  under a generation number that every committed change to a programme record or to an
  organization bumps, and today's date (overdue milestones depend on it): the scoreboard
  shows a plan change on the very next read;
* the demand, usage and quality figures by entity, kept at most
  ``ckanext.opengovpe.scoreboard.cache_seconds`` (0: neither entry is kept), with the time
  they were read, which the scoreboard page shows.

When Redis cannot be reached the figures are computed directly.
"""
from __future__ import annotations

import datetime
import logging
import time
from typing import Any, Callable

import sqlalchemy as sa
from redis.exceptions import RedisError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from . import vocabulary as words
from ..kept import kept

log = logging.getLogger(__name__)

PROGRAMME_TYPES = frozenset({words.PLAN_TYPE, words.WORKING_GROUP_TYPE, words.REGULATION_TYPE})
# a generation bump lost while Redis was unreachable is outlived by this much at most
PROGRAMME_SECONDS = 3600
_PENDING = "opengovpe_scoreboard_changed"


def _key(*parts: Any) -> str:
    return ":".join([tk.config.get("ckan.site_id") or "default", "opengovpe_scoreboard",
                     *map(str, parts)])


def seconds() -> int:
    return max(int(tk.config.get("ckanext.opengovpe.scoreboard.cache_seconds")), 0)


def mark_changed() -> None:
    """Note that this transaction changed programme records; the generation is bumped
    once it commits."""
    model.Session.info[_PENDING] = True


@sa.event.listens_for(model.Session, "before_flush")
def _flushing(session: Any, _context: Any, _instances: Any) -> None:
    # working groups, regulations and plans are datasets; entities are organizations
    for instance in (*session.new, *session.dirty, *session.deleted):
        if (isinstance(instance, model.Package) and instance.type in PROGRAMME_TYPES
                or isinstance(instance, model.Group) and instance.is_organization):
            session.info[_PENDING] = True
            return


@sa.event.listens_for(model.Session, "after_commit")
def _committed(session: Any) -> None:
    # a savepoint's release commits nothing yet
    if session.in_nested_transaction() or not session.info.pop(_PENDING, False):
        return
    bump()


@sa.event.listens_for(model.Session, "after_rollback")
def _rolled_back(session: Any) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def bump() -> None:
    """A new generation: programme rows kept so far are not read again."""
    try:
        connect_to_redis().incr(_key("generation"))
    except RedisError as error:
        log.warning("Scoreboard generation not bumped (kept rows may lag up to %s s): %s",
                    PROGRAMME_SECONDS, error)


def _generational(name: str, today: datetime.date, ttl: int, compute: Callable[[], Any]
                  ) -> Any:
    if not seconds() or model.Session.info.get(_PENDING):
        return compute()
    try:
        generation = int(connect_to_redis().get(_key("generation")) or 0)
    except RedisError as error:
        log.warning("Scoreboard cache unavailable: %s", error)
        return compute()
    return kept(_key(name, generation, today.isoformat()), ttl, compute, "Scoreboard cache")


def programme_rows(today: datetime.date, compute: Callable[[], list[dict[str, Any]]]
                   ) -> list[dict[str, Any]]:
    """Every active entity's programme rows, computed only when a programme record or an
    entity changed since they were kept (or the day changed)."""
    return _generational("rows", today, PROGRAMME_SECONDS, compute)


def national_story(today: datetime.date, compute: Callable[[], dict[str, Any]]
                   ) -> dict[str, Any]:
    """The country's five steps (``story.py``): items follow the programme's records at
    once, demand, usage and quality lag at most ``cache_seconds``."""
    return _generational("story", today, seconds(), compute)


def figures(today: datetime.date, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Demand, usage and quality by entity with ``read_at`` (epoch seconds), read again
    once ``cache_seconds`` have passed."""
    def read() -> dict[str, Any]:
        return dict(compute(), read_at=time.time())

    ttl = seconds()
    if not ttl:
        return read()
    return kept(_key("figures", today.isoformat()), ttl, read, "Scoreboard cache")
