"""Fixtures shared by the whole suite (CKAN's own pytest plugin provides the rest)."""
from __future__ import annotations

import functools
from typing import Iterator

import pytest
import yaml

import ckan.plugins as plugins

from ckan.common import config


def pytest_configure() -> None:
    """Parse YAML with libyaml's loader in the test process.

    Every test that loads the plugins and builds an app re-reads the scheming schemas
    and the config declarations; PyYAML's pure-Python ``safe_load`` spent a third of
    that. libyaml's ``CSafeLoader`` builds the same objects.
    """
    if getattr(yaml, "__with_libyaml__", False):
        yaml.safe_load = functools.partial(yaml.load, Loader=yaml.CSafeLoader)


# plugins with alembic migrations of their own, in the order they are applied
MIGRATING_PLUGINS = ("activity", "harvest", "opengovpe_search", "opengovpe")


def _reset_database(reset_db, migrate_db_for) -> None:
    reset_db()
    enabled = set(config.get("ckan.plugins") or [])
    for plugin in MIGRATING_PLUGINS:
        if plugin in enabled:
            migrate_db_for(plugin)


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
