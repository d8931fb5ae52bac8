"""Fixtures shared by the whole suite (CKAN's own pytest plugin provides the rest)."""
from __future__ import annotations

import functools
import itertools
import os
from typing import Iterator, Optional

import pytest
import yaml

import sqlalchemy as sa
from alembic.script import ScriptDirectory

import ckan.model as model
import ckan.plugins as plugins
from ckan.cli.db import _resolve_alembic_config

from ckan.common import config

from . import workers


def pytest_configure(config: pytest.Config) -> None:
    """In a pytest-xdist worker, use the worker's own database, Redis and storage (before
    CKAN's plugin loads test.ini: see workers.py); parse YAML with libyaml's loader.

    Every test that loads the plugins and builds an app re-reads the scheming schemas
    and the config declarations; PyYAML's pure-Python ``safe_load`` spent a third of
    that. libyaml's ``CSafeLoader`` builds the same objects.
    """
    workers.schedule_by_group(config)
    workers.configure(config.getoption("ckan_ini", None))
    if getattr(yaml, "__with_libyaml__", False):
        yaml.safe_load = functools.partial(yaml.load, Loader=yaml.CSafeLoader)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist's controller starting a worker: see workers.schedule_by_group."""
    workers.tell_worker(node)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that share a fixture wider than a function, or a resource, run on one worker
    (workers.py); tryfirst: xdist reads the groups in its own hook."""
    workers.group(items)


# plugins with alembic migrations of their own, in the order they are applied
MIGRATING_PLUGINS = ("activity", "harvest", "opengovpe_search", "opengovpe")


@functools.lru_cache(maxsize=None)
def _migration_head(plugin: str) -> Optional[str]:
    """The single head revision of a plugin's migrations (None when there are several)."""
    heads = ScriptDirectory(os.path.dirname(_resolve_alembic_config(plugin))).get_heads()
    return heads[0] if len(heads) == 1 else None


def _at_head(plugin: str) -> bool:
    """Whether the plugin's tables are already migrated to its head revision.

    CKAN's reset keeps the tables and deletes their rows, so once a plugin is migrated
    its version table still says so; running alembic again would only re-read every
    migration script (most of a clean database's cost). A dropped or older schema is
    migrated as before.
    """
    head = _migration_head(plugin)
    if head is None:
        return False
    table = f"{plugin}_alembic_version"
    with model.meta.engine.connect() as connection:
        if not sa.inspect(connection).has_table(table):
            return False
        current = connection.execute(sa.text(f'select version_num from "{table}"')).scalars().all()
    return current == [head]


# PostgreSQL may run without autovacuum (a CI machine's setting). Every reset deletes every
# row, and without a vacuum the dead rows stay in the tables from run to run, so that every
# statement reads more dead pages each time the database is reused. The suite vacuums its
# database itself, every few resets (about 0.1 s each).
VACUUM_EVERY = 20
_resets = itertools.count(1)


def _vacuum_now_and_then() -> None:
    if next(_resets) % VACUUM_EVERY:
        return
    model.Session.remove()
    with model.meta.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM"))


def _reset_database(reset_db, migrate_db_for) -> None:
    """CKAN's reset, then the tables of every plugin in MIGRATING_PLUGINS, enabled or not:
    a process's first reset drops every table, and once a test has imported
    ckanext-harvest's model, CKAN's dataset purge reads ``harvest_object`` whatever the
    later tests enable."""
    reset_db()
    _vacuum_now_and_then()
    for plugin in MIGRATING_PLUGINS:
        if _at_head(plugin):
            continue
        if plugins.plugin_loaded(plugin):
            migrate_db_for(plugin)
        else:
            with plugins.use_plugin(plugin):  # CKAN finds its migrations only once loaded
                migrate_db_for(plugin)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Every table exists before the first test, after CKAN's plugin built the app.

    A new database (a worker's, or any on a new machine) is empty, and a test that only
    reads, without ``clean_db``, expects CKAN's and the plugins' tables; in a database
    already migrated this is a check of their versions, those of plugins test.ini does not
    enable included (see _reset_database).
    """
    with model.meta.engine.connect() as connection:
        core = sa.inspect(connection).has_table("package")
    from ckan.cli.db import _run_migrations
    from ckan.tests.helpers import reset_db

    enabled = set(config.get("ckan.plugins") or [])
    # CKAN finds a plugin's migrations only while it is loaded
    with plugins.use_plugin(*[p for p in MIGRATING_PLUGINS if p not in enabled]):
        if core and all(_at_head(p) for p in MIGRATING_PLUGINS):
            return
        _reset_database(reset_db, lambda plugin: _run_migrations(plugin, "head", True))
    model.Session.remove()


@pytest.fixture
def clean_db(reset_db, migrate_db_for, ckan_config):
    """CKAN's clean database, plus the tables of every enabled plugin that has migrations."""
    _reset_database(reset_db, migrate_db_for)


@pytest.fixture(scope="module")
def module_db(reset_db, migrate_db_for) -> Iterator[None]:
    """A clean database shared by one module's tests, filled with test.ini's plugins loaded.

    For modules whose tests only read what a module-scoped fixture built: the world is
    built once instead of once per case. A test that writes must use ``clean_db``.
    """
    plugins.load_all()
    try:
        _reset_database(reset_db, migrate_db_for)
        yield
    finally:
        plugins.unload_all()
