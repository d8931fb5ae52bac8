"""A JSON value kept in Redis: read it if it is there, else compute and keep it.

Redis is a convenience here, never a dependency: when it cannot be reached the value is
computed and nothing is kept. Used by the scoreboard's shared rows
(``programme/board_cache.py``), the usage figures read from the monthly table
(``programme/usage_data.py``) and the search's facet counts (``search/cache.py``).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

from redis.exceptions import RedisError

from ckan.lib.redis import connect_to_redis

log = logging.getLogger(__name__)


def kept(key: str, ttl: int, compute: Callable[[], Any], what: str) -> Any:
    """The value under ``key``, or ``compute()`` kept there for ``ttl`` seconds; ``what``
    names the cache in the warning logged when Redis is unavailable."""
    try:
        redis = connect_to_redis()
        hit = redis.get(key)
    except RedisError as error:
        log.warning("%s unavailable: %s", what, error)
        return compute()
    if hit is not None:
        return json.loads(hit)
    value = compute()
    try:
        redis.set(key, json.dumps(value), ex=ttl)
    except RedisError as error:
        log.warning("%s unavailable: %s", what, error)
    return value
