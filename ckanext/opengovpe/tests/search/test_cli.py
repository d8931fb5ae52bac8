"""``ckan search-index`` commands against the PostgreSQL index."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")


def names(**params):
    return [d["name"] for d in helpers.call_action("package_search", rows=100, **params)["results"]]


def run(cli, *args: str) -> str:
    result = cli.invoke(ckan_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_rebuild_picks_up_direct_database_changes(cli):
    model.Session.execute(model.package_table.update()
                          .where(model.package_table.c.name == "hospitales")
                          .values(title="Establecimientos renovados"))
    model.Session.commit()
    assert names(q="renovados") == []
    run(cli, "search-index", "rebuild", "-q")
    assert names(q="renovados") == ["hospitales"]


def test_rebuild_one_dataset(cli):
    model.Session.execute(model.package_table.update()
                          .where(model.package_table.c.name == "camas-uci")
                          .values(notes="Incluye ventiladores."))
    model.Session.commit()
    run(cli, "search-index", "rebuild", "camas-uci")
    assert names(q="ventiladores") == ["camas-uci"]


def test_clear_and_check(cli):
    run(cli, "search-index", "clear")
    assert names() == []
    output = run(cli, "search-index", "check")
    assert "Packages not indexed = 7 out of 7" in output
    run(cli, "search-index", "rebuild", "-q")
    assert "Packages not indexed = 0 out of 7" in run(cli, "search-index", "check")


def test_rebuild_fast_indexes_everything_from_worker_processes(cli):
    """CKAN's multiprocessing rebuild: forked workers write to PostgreSQL safely."""
    visible = sorted(names())
    run(cli, "search-index", "clear")
    assert names() == []
    model.Session.remove()
    run(cli, "search-index", "rebuild-fast")
    model.Session.remove()
    assert "Packages not indexed = 0 out of 7" in run(cli, "search-index", "check")
    assert sorted(names()) == visible
    # the parent's connection still works after the workers used theirs
    assert names(q="proveedores") == ["proveedores"]


def test_clear_one_and_rebuild_only_missing(cli):
    run(cli, "search-index", "clear", "proveedores")
    assert "proveedores" not in names()
    run(cli, "search-index", "rebuild", "--only-missing", "-q")
    assert "proveedores" in names()


def test_show(cli):
    output = run(cli, "search-index", "show", "proveedores")
    assert "Proveedores adjudicados" in output
