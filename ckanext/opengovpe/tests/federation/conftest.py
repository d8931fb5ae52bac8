"""Fixtures of the federation tests: a second CKAN standing in for the national portal."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .instance import Instance

LOCAL = "127.0.0.1 localhost"


@pytest.fixture(scope="session")
def national_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A plain CKAN with the PostgreSQL search backend, like the national portal's API."""
    instance = Instance(2, "opengovpe_search", tmp_path_factory.mktemp("national")).start()
    try:
        yield instance
    finally:
        instance.stop()
