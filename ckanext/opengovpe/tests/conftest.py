"""Fixtures shared by the whole suite (CKAN's own pytest plugin provides the rest)."""
from __future__ import annotations

import pytest

from ckan.common import config

# plugins with alembic migrations of their own, in the order they are applied
MIGRATING_PLUGINS = ("activity", "harvest", "opengovpe_search", "opengovpe")


@pytest.fixture
def clean_db(reset_db, migrate_db_for, ckan_config):
    """CKAN's clean database, plus the tables of every enabled plugin that has migrations."""
    reset_db()
    enabled = set(config.get("ckan.plugins") or [])
    for plugin in MIGRATING_PLUGINS:
        if plugin in enabled:
            migrate_db_for(plugin)
