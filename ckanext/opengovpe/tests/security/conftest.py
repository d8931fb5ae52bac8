"""The fuzz suite's time budget and its count of examples (``scripts/bench.sh fuzz``)."""
from __future__ import annotations

import json
import os
from typing import Any

import pytest

from ckanext.opengovpe.tests import fuzz


def pytest_collection_finish(session: Any) -> None:
    """The fuzz tests that will run (after ``-k``) share the time of a long run."""
    fuzz.Budget.start(sum(1 for item in session.items if "test_fuzz_" in item.nodeid))


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> Any:
    """A fuzz test whose share of the time is spent has passed."""
    try:
        return (yield)
    except fuzz.OutOfTime:
        return True


def pytest_sessionfinish(session: Any) -> None:
    """With ``OPENGOVPE_FUZZ_STATS`` set, the examples run per entry point go to that file."""
    path = os.environ.get("OPENGOVPE_FUZZ_STATS")
    if path and fuzz.EXAMPLES:
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(dict(fuzz.EXAMPLES), stream, indent=1, sort_keys=True)
