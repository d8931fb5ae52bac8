"""How many data requests an address and an account may send, counted in Redis.

Each limit is a fixed window: the first request of a window starts it, and a key that
expires with it counts the requests stored. Only stored requests count, so a refused one
neither uses up the allowance nor extends the wait.
"""
from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

_KINDS = {"address": "ckanext.opengovpe.demand.per_address",
          "account": "ckanext.opengovpe.demand.per_account"}


def _key(kind: str, who: str) -> str:
    # addresses are personal data: only their digest is kept, and only for the window
    digest = hashlib.sha256(who.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{tk.config.get('ckan.site_id')}:opengovpe:demand:{kind}:{digest}"


def _limits(address: str | None, account: str | None) -> list[tuple[str, str, int]]:
    found = []
    for kind, who in (("address", address), ("account", account)):
        limit = int(tk.config.get(_KINDS[kind]))
        if who and limit > 0:
            found.append((kind, who, limit))
    return found


def exceeded(address: str | None, account: str | None) -> str | None:
    """``address`` or ``account`` if it has used up its requests of the window, else None."""
    redis = connect_to_redis()
    for kind, who, limit in _limits(address, account):
        if int(redis.get(_key(kind, who)) or 0) >= limit:
            return kind
    return None


def count(address: str | None, account: str | None) -> None:
    """Count one stored request against the address and the account."""
    window = int(tk.config.get("ckanext.opengovpe.demand.window"))
    pipe = connect_to_redis().pipeline()
    for kind, who, _limit in _limits(address, account):
        key = _key(kind, who)
        pipe.incr(key)
        # the window starts with its first request: a later one does not extend it
        pipe.expire(key, window, nx=True)
    pipe.execute()
