"""``ckan opengovpe seed-demo`` creates the demo entity once."""
from __future__ import annotations

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_seed_demo_is_idempotent(cli):
    first = cli.invoke(ckan_command, ["opengovpe", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "created organization oece" in first.output
    second = cli.invoke(ckan_command, ["opengovpe", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert "demo content already present" in second.output
    found = helpers.call_action("package_search", q="contrataciones publicas")
    assert "contrataciones-publicas-seace" in [d["name"] for d in found["results"]]
    assert helpers.call_action("package_search", fq="organization:oece")["count"] == 3
