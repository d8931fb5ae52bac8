"""Facet counts, and the number of matches counted with them, cached in Redis until the
index changes.

Counting facets over every matching dataset is the one costly part of a
search (the /dataset page asks for five facets over the whole catalogue on
every visit). The counts only change when the index does, so a transaction
that wrote to the index bumps a per-site generation number just before it
commits, and cached counts are keyed on it: a reader that sees the new
generation also sees the new rows, and no stale count is ever served. The
bump happens once per transaction and at its very end, so concurrent writers
(a long rebuild, a dataset edit) do not queue behind each other's row lock
for longer than a commit. A session with index writes not yet committed
does not use the cache at all.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

import ckan.model as model
from ckan.common import config

from ..kept import kept
from .model import search_state_table as S

# Generations follow the clock (in microseconds) as well as the count of writes,
# so numbers never repeat even after the state row is lost, e.g. a database reset.
_NOW = sa.cast(sa.extract("epoch", sa.func.clock_timestamp()) * 1000000, sa.BigInteger)
_INSERT = pg.insert(S).values(site_id=sa.bindparam("site_id"), generation=_NOW,
                              words_stale=sa.bindparam("words_stale"))
# a write that did not keep the word counts (a bulk write, words.py) leaves them stale; one
# that emptied the index leaves them as its own writes after that say
_BUMP = _INSERT.on_conflict_do_update(
    index_elements=[S.c.site_id],
    set_={"generation": sa.func.greatest(S.c.generation + 1, _NOW),
          "words_stale": sa.case(
              (sa.bindparam("emptied", type_=sa.Boolean), _INSERT.excluded.words_stale),
              else_=sa.or_(S.c.words_stale, _INSERT.excluded.words_stale))})
_READ = sa.select(S.c.generation).where(S.c.site_id == sa.bindparam("site_id"))


_PENDING = "opengovpe_search_changed_sites"


def mark_changed(site_id: str, words_kept: bool = True, emptied: bool = False) -> None:
    """Note that this transaction changed the index of ``site_id``; ``words_kept=False``: a
    bulk write that left the word counts alone, marked stale as it commits; ``emptied``:
    the site's index was emptied, so the counts are stale as it commits only if a bulk
    write came after that, whatever they were before.
    """
    pending = model.Session.info.setdefault(_PENDING, {})
    kept_before, emptied_before = pending.get(site_id, (True, False))
    pending[site_id] = (words_kept and (emptied or kept_before), emptied or emptied_before)


def has_pending_changes() -> bool:
    return bool(model.Session.info.get(_PENDING))


def _bump_before_commit(session: Any) -> None:
    for site_id, (words_kept, emptied) in sorted(session.info.pop(_PENDING, {}).items()):
        session.execute(_BUMP, {"site_id": site_id, "words_stale": not words_kept,
                                "emptied": emptied})


def _forget_after_rollback(session: Any) -> None:  # the database transaction rolled back
    # a savepoint's rollback fires this too: what the transaction did before it stays
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def listen() -> None:
    """Bump generations at commit time (once per process)."""
    if not sa.event.contains(model.Session, "before_commit", _bump_before_commit):
        sa.event.listen(model.Session, "before_commit", _bump_before_commit)
        sa.event.listen(model.Session, "after_rollback", _forget_after_rollback)


def current_generation(site_id: str) -> int:
    value = model.Session.execute(_READ, {"site_id": site_id}).scalar()
    return int(value or 0)


def cached_facets(key_parts: list[Any], compute: Callable[[], dict[str, Any]]
                  ) -> dict[str, Any]:
    """Return the facet counts (and the count of matches counted with them) for
    ``key_parts``, computing them on a miss."""
    ttl = int(config.get("ckanext.opengovpe.search.facet_cache_ttl"))
    if ttl <= 0 or has_pending_changes():
        return compute()
    site_id = config.get("ckan.site_id")
    digest = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str)
                            .encode("utf-8")).hexdigest()
    key = f"{site_id}:opengovpe_search:facet_counts:{current_generation(site_id)}:{digest}"
    return kept(key, ttl, compute, "Facet cache")
