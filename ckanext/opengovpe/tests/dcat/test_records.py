"""The catalogue's own dataset records: kept as CKAN indexes, rebuilt when missing."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from rdflib import Graph
from rdflib.namespace import RDF

import ckan.model as model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opengovpe.dcat import vocabulary as v

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def datasets(full_org, sysadmin):
    context = {"user": sysadmin["name"]}
    return [helpers.call_action("package_create", context, name=f"registro-{i}",
                                title=f"Registro {i}", notes="Datos.", owner_org=full_org["id"])
            for i in range(3)]


def _catalogue_titles(app) -> set[str]:
    g = Graph().parse(data=app.get("/catalog.ttl", status=200).body, format="turtle")
    return {str(g.value(d, v.DCT.title)) for d in g.subjects(RDF.type, v.DCAT.Dataset)}


def _data_json_titles(app) -> set[str]:
    return {d["title"] for d in json.loads(app.get("/data.json", status=200).body)["dataset"]}


def _forget_records() -> None:
    """A portal upgraded from a version without records (and without opengovpe_search)."""
    model.Session.execute(sa.text("DELETE FROM opengovpe_catalog_record"))
    model.Session.commit()


def test_a_portal_without_records_still_publishes_and_the_command_writes_them(
        app, cli, datasets):
    _forget_records()
    titles = {d["title"] for d in datasets}
    assert _catalogue_titles(app) == titles
    assert _data_json_titles(app) == titles
    result = cli.invoke(ckan_command, ["opengovpe", "catalog-records"])
    assert result.exit_code == 0, result.output
    assert "3 catalogue records written" in result.output
    again = cli.invoke(ckan_command, ["opengovpe", "catalog-records"])
    assert "0 catalogue records written" in again.output
    assert _catalogue_titles(app) == titles


def test_the_catalogue_shows_a_dataset_as_last_saved(app, datasets, sysadmin):
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=datasets[0]["id"],
                        title="Registro renombrado")
    assert "Registro renombrado" in _catalogue_titles(app)
    graph = Graph().parse(data=app.get(f"/dataset/{datasets[0]['name']}.ttl").body,
                          format="turtle")
    assert "Registro renombrado" in {str(t) for t in graph.objects(None, v.DCT.title)}


def test_bulk_unpublished_and_purged_datasets_leave_catalogue_and_data_json(
        app, datasets, full_org, sysadmin):
    context = {"user": sysadmin["name"]}
    assert len(_data_json_titles(app)) == 3  # and now data.json is cached
    helpers.call_action("bulk_update_private", context, datasets=[datasets[0]["id"]],
                        org_id=full_org["id"])
    helpers.call_action("bulk_update_delete", context, datasets=[datasets[1]["id"]],
                        org_id=full_org["id"])
    assert _data_json_titles(app) == {"Registro 2"}
    assert _catalogue_titles(app) == {"Registro 2"}
    helpers.call_action("dataset_purge", context, id=datasets[2]["id"])
    assert _data_json_titles(app) == set()
    assert _catalogue_titles(app) == set()
    app.get(f"/dataset/{datasets[2]['name']}.ttl", status=404)
