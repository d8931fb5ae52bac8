"""The suite on several processes (``pytest -n 2``, pytest-xdist): each worker's own services,
and which tests must run on the same worker.

Each worker (``gw0``, ``gw1``…) runs against its own copy of what test.ini names, so that no
two processes share rows, queues or files:

- PostgreSQL: the test database's name plus ``_gw<n>``, created on first use (as postgres,
  like the federation tests' instances) with the extensions of the test database;
- Redis: a database number of its own whose "+2" neighbour, the federation tests' second
  instance (``federation/instance.py``), is free as well;
- storage: ``<storage path>/gw<n>``.

CKAN reads ``CKAN_SQLALCHEMY_URL``, ``CKAN_REDIS_URL`` and ``CKAN_STORAGE_PATH`` over the ini
each time it loads its configuration, so the worker sets them before CKAN's pytest plugin
loads test.ini; the ``ckan`` commands a test runs inherit them. Ports are always free ones
(bound to port 0), so servers need nothing per worker.

Tests that share a fixture wider than a function (module, class, package or session scope,
defined in these tests) go to one worker together, in their order, so the fixture is built
once as in a serial run; the browser tests go to one worker (one Chromium at a time). Every
other test goes to whichever worker is free.
"""
from __future__ import annotations

import os
import re
import subprocess
from typing import Any, Iterable, Optional

import pytest
from sqlalchemy.engine import make_url

from ckan.cli import load_config

# directories whose tests run on one worker, one test at a time, and why
ONE_WORKER = {
    "browser": "a live portal and headless Chromium each: two at once starve two cores",
}

REDIS_DATABASES = 16


def worker_id() -> Optional[str]:
    """``gw0``, ``gw1``… in a pytest-xdist worker; None in a serial run or the controller."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker if worker and re.fullmatch(r"gw\d+", worker) else None


def redis_database(base: int, worker: int) -> int:
    """The Redis database of worker ``n``: pairs (d, d+2) that overlap no other worker's pair
    nor the serial run's (base, base+2): base+1, base+4, base+5, base+8…"""
    slot = worker + 1
    return base + 4 * (slot // 2) + slot % 2


def psql_admin(database: str, sql: str) -> str:
    """Run ``sql`` as the postgres superuser (trust on 127.0.0.1, as the federation tests)."""
    host = os.environ.get("PGHOST", "127.0.0.1")
    done = subprocess.run(["psql", "-h", host, "-U", "postgres", "-d", database, "-v",
                           "ON_ERROR_STOP=1", "-qtAc", sql],
                          check=True, capture_output=True, text=True)
    return done.stdout.strip()


def ensure_database(name: str, like: str, owner: str) -> None:
    """Create database ``name`` for ``owner`` unless it exists, with the extensions ``like``
    has (scripts/lib.sh creates it the same way before a parallel run)."""
    if psql_admin("postgres", f"select 1 from pg_database where datname = '{name}'") == "1":
        return
    psql_admin("postgres", f"create database {name} owner {owner} encoding 'utf8' "
                           "template template0")
    extensions = psql_admin(like, "select string_agg(extname, ' ') from pg_extension "
                                  "where extname <> 'plpgsql'")
    for extension in extensions.split():
        psql_admin(name, f'create extension if not exists "{extension}"')


def schedule_by_group(config: pytest.Config) -> None:
    """``-n N`` alone distributes test by test (``--dist load``): distribute by group instead,
    so the groups below hold however the suite is started. A worker parses the command line
    again, so it learns from the controller (``tell_worker``) to name its tests' groups."""
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
    if getattr(config, "workerinput", {}).get("opengovpe_dist") == "loadgroup":
        config.option.loadgroup = True


def tell_worker(node: Any) -> None:
    """The controller's way of distributing, for ``schedule_by_group`` in the worker."""
    node.workerinput["opengovpe_dist"] = node.config.option.dist


def configure(ckan_ini: Optional[str]) -> None:
    """In a worker, point CKAN at the worker's database, Redis database and storage."""
    worker = worker_id()
    if worker is None or not ckan_ini:
        return
    number = int(worker[2:])
    ini = load_config(ckan_ini)
    setting = {key: os.environ.get(env) or str(ini.get(key, ""))
               for key, env in (("sqlalchemy.url", "CKAN_SQLALCHEMY_URL"),
                                ("ckan.redis.url", "CKAN_REDIS_URL"),
                                ("ckan.storage_path", "CKAN_STORAGE_PATH"))}

    url = make_url(setting["sqlalchemy.url"])
    database = f"{url.database}_{worker}"
    ensure_database(database, like=str(url.database), owner=str(url.username))
    os.environ["CKAN_SQLALCHEMY_URL"] = url.set(database=database).render_as_string(
        hide_password=False)

    base, _, db = setting["ckan.redis.url"].rpartition("/")
    redis_db = redis_database(int(db or 0), number)
    if redis_db + 2 >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"worker {worker} would need Redis database {redis_db + 2}: run fewer workers")
    os.environ["CKAN_REDIS_URL"] = f"{base}/{redis_db}"

    storage = os.path.join(setting["ckan.storage_path"], worker)
    os.makedirs(storage, exist_ok=True)
    os.environ["CKAN_STORAGE_PATH"] = storage


def _group_names(item: pytest.Item) -> set[str]:
    return {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")}


def _shared_keys(item: pytest.Item) -> Iterable[tuple[str, ...]]:
    """What ``item`` shares with other tests: this suite's fixtures wider than a function
    (one instance per module, class or the whole run), and explicit ``xdist_group`` names."""
    for name in _group_names(item):
        yield ("group", name)
    info = getattr(item, "_fixtureinfo", None)
    for name in info.names_closure if info else ():
        definitions = info.name2fixturedefs.get(name)
        fixture = definitions[-1] if definitions else None
        if fixture is None or fixture.scope == "function" or not fixture.baseid:
            continue  # per test, or a plugin's (CKAN's, pytest's own)
        if fixture.scope == "module":
            yield ("fixture", name, fixture.baseid, str(item.path))
        elif fixture.scope == "class":
            yield ("fixture", name, fixture.baseid, str(item.path),
                   str(getattr(item.cls, "__name__", "")))
        else:
            yield ("fixture", name, fixture.baseid)


def _joined(items: list[pytest.Item]) -> list[tuple[set[str], list[pytest.Item]]]:
    """The sets of tests that share a key (transitively), each with its explicit groups."""
    parent: dict[Any, Any] = {}

    def find(key: Any) -> Any:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for item in items:
        for key in _shared_keys(item):
            parent[find(("item", item.nodeid))] = find(key)
    sets: dict[Any, tuple[set[str], list[pytest.Item]]] = {}
    for item in items:
        if ("item", item.nodeid) in parent:
            sets.setdefault(find(("item", item.nodeid)), (set(), []))[1].append(item)
    for key in list(parent):
        if key[0] == "group":
            sets[find(key)][0].add(key[1])
    return list(sets.values())


def group(items: list[pytest.Item]) -> None:
    """Give tests that share something one ``xdist_group``, as ``--dist loadgroup`` reads it.

    A set of joined tests is named after the explicit groups in it, or else after its first
    test's module. xdist joins all of an item's names, so each item gets the set's missing
    ones.
    """
    for item in items:
        for directory in ONE_WORKER:
            if f"/tests/{directory}/" in str(item.path):
                item.add_marker(pytest.mark.xdist_group(directory))
    for names, joined in _joined(items):
        names = names or {joined[0].nodeid.split("::")[0]}
        for item in joined:
            for name in sorted(names - _group_names(item)):
                item.add_marker(pytest.mark.xdist_group(name))
