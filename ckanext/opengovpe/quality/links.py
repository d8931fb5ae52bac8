"""The link check of access and download URLs: HEAD, then a ranged GET when HEAD is refused.

Every hop goes through ``net.check_url`` (public addresses only), bodies are never read
beyond ``link_check.max_bytes``, and each host sees at most ``link_check.per_host``
requests at once, started ``link_check.host_delay`` seconds apart.
"""
from __future__ import annotations

import dataclasses
import datetime
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

import requests
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

import ckan.plugins.toolkit as tk
from ckan.model import meta

from .. import net
from ..model.link_check import link_check_table

log = logging.getLogger(__name__)

# answers to HEAD that say "ask with GET" rather than "this is gone"
HEAD_REFUSED = {400, 403, 405, 406, 501}


@dataclasses.dataclass(frozen=True)
class Outcome:
    url: str
    reachable: bool
    status: int | None
    final_url: str | None
    error: str | None
    checked_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class Limits:
    workers: int
    per_host: int
    host_delay: float
    timeout: float
    max_bytes: int
    max_redirects: int

    @classmethod
    def from_config(cls) -> Limits:
        option = "ckanext.opengovpe.quality.link_check."
        return cls(workers=tk.config.get(option + "workers"),
                   per_host=tk.config.get(option + "per_host"),
                   host_delay=tk.config.get(option + "host_delay"),
                   timeout=tk.config.get(option + "timeout"),
                   max_bytes=tk.config.get(option + "max_bytes"),
                   max_redirects=tk.config.get("ckanext.opengovpe.fetch.max_redirects"))


class HostGate:
    """At most ``per_host`` requests at once to a host, their starts ``delay`` apart."""

    def __init__(self, per_host: int, delay: float) -> None:
        self._per_host = max(1, per_host)
        self._delay = max(0.0, delay)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(self._per_host))
        self._next_start: dict[str, float] = {}

    def _slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            return self._slots[host]

    def reserve(self, host: str, now: float) -> float:
        """The time the next request to ``host`` may start, asked at ``now``."""
        with self._lock:
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self._delay
        return start

    def _wait_turn(self, host: str) -> None:
        now = time.monotonic()
        start = self.reserve(host, now)
        if start > now:
            time.sleep(start - now)

    def request(self, session: requests.Session, method: str, url: str,
                max_bytes: int | None, **kwargs: Any) -> requests.Response:
        """``method`` on ``url`` in the host's turn; with ``max_bytes``, the body is
        streamed and read up to that many bytes while the host's slot is held."""
        host = (urlsplit(url).hostname or "").lower()
        with self._slot(host):
            self._wait_turn(host)
            response = session.request(method, url, stream=max_bytes is not None, **kwargs)
            if max_bytes is not None:
                _drain(response, max_bytes)
            return response


def _drain(response: requests.Response, max_bytes: int) -> None:
    read = 0
    try:
        for chunk in response.iter_content(8192):
            read += len(chunk)
            if read >= max_bytes:
                break
    finally:
        response.close()


def _follow(session: requests.Session, gate: HostGate, method: str, url: str,
            limits: Limits) -> requests.Response:
    """``method`` on ``url``, following redirects by hand so every hop is checked."""
    headers = {"User-Agent": net.USER_AGENT}
    if method == "GET":
        headers["Range"] = "bytes=0-0"
    current = url
    for hop in range(limits.max_redirects + 1):
        net.check_url(current)
        cap = limits.max_bytes if method == "GET" else None
        try:
            response = gate.request(session, method, current, cap, headers=headers,
                                    allow_redirects=False,
                                    timeout=(limits.timeout, limits.timeout))
        except requests.exceptions.RequestException as err:
            raise net.FetchError(*_reason(err)) from err
        location = response.headers.get("Location")
        if response.status_code in net.REDIRECT_CODES and location:
            if hop == limits.max_redirects:
                raise net.FetchError("redirects", f"More than {limits.max_redirects} redirects")
            current = urljoin(current, location)
            continue
        return response
    raise net.FetchError("redirects", f"More than {limits.max_redirects} redirects")


def _reason(err: requests.exceptions.RequestException) -> tuple[str, str]:
    if isinstance(err, requests.exceptions.Timeout):
        return "timeout", f"Timed out: {type(err).__name__}"
    return "connection", f"No answer: {type(err).__name__}"


def check(url: str, gate: HostGate, limits: Limits) -> Outcome:
    """Whether ``url`` answers 2xx to HEAD, or to a ranged GET where HEAD is refused."""
    checked_at = datetime.datetime.now(datetime.timezone.utc)
    with requests.Session() as session:
        session.trust_env = False  # never through a proxy from the environment
        try:
            response = _follow(session, gate, "HEAD", url, limits)
            if response.status_code in HEAD_REFUSED:
                response = _follow(session, gate, "GET", url, limits)
        except net.FetchError as err:
            return Outcome(url, False, None, None, err.reason, checked_at)
    ok = 200 <= response.status_code < 300
    return Outcome(url, ok, response.status_code, response.url, None, checked_at)


def check_all(urls: Iterable[str], limits: Limits | None = None) -> list[Outcome]:
    """Check every URL once, in parallel within the politeness limits."""
    limits = limits or Limits.from_config()
    gate = HostGate(limits.per_host, limits.host_delay)
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=max(1, limits.workers)) as pool:
        return list(pool.map(lambda u: check(u, gate, limits), unique))


def store(outcomes: Iterable[Outcome]) -> int:
    """Keep the latest outcome of each URL; returns how many were stored."""
    rows = [dataclasses.asdict(o) for o in outcomes]
    if not rows:
        return 0
    statement = insert(link_check_table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["url"],
        set_={c: statement.excluded[c] for c in
              ("reachable", "status", "final_url", "error", "checked_at")})
    meta.Session.execute(statement)
    meta.Session.commit()
    return len(rows)


def results(urls: Iterable[str]) -> dict[str, bool]:
    """The last known reachability of each of ``urls`` that has been checked."""
    wanted = list(set(urls))
    if not wanted:
        return {}
    rows = meta.Session.execute(
        sa.select(link_check_table.c.url, link_check_table.c.reachable)
        .where(link_check_table.c.url.in_(wanted)))
    return {url: reachable for url, reachable in rows}


def due(urls: Iterable[str], now: datetime.datetime, recheck_after: int) -> list[str]:
    """Those of ``urls`` never checked or checked more than ``recheck_after`` seconds ago."""
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return []
    limit = now - datetime.timedelta(seconds=recheck_after)
    fresh = {url for (url,) in meta.Session.execute(
        sa.select(link_check_table.c.url).where(
            link_check_table.c.url.in_(wanted), link_check_table.c.checked_at > limit))}
    return [u for u in wanted if u not in fresh]
