"""Stored scores: written by a background job after each committed change, read by the
dataset page, and summed per entity and nationally in one query."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from ckanext.opengovpe.model import quality_score_table
from ckanext.opengovpe.quality import mqa, store


@pytest.mark.usefixtures("clean_redis", "with_test_worker")
def test_the_score_is_stored_by_a_job_after_an_update(described, sysadmin, cli):
    helpers.call_action("package_patch", {"user": sysadmin["name"]},
                        id=described["id"], tags=[])
    # package_update did not compute it: the job does, once the change is committed
    assert store.stored_rows([described["id"]]) == {}
    result = cli.invoke(ckan_command, ["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    row = store.stored_rows([described["id"]])[described["id"]]
    # nothing link-checked yet (80 points) and no keywords (30)
    assert row["total"] == 295 and row["findability"] == 70
    assert row["shacl_conforms"] is True
    assert [(f["key"], f["gain"]) for f in row["fixes"]] == [
        ("access_url_reachable", 50), ("download_url_reachable", 30), ("keywords", 30)]
    assert row["metadata_modified"].isoformat() == helpers.call_action(
        "package_show", {"ignore_auth": True}, id=described["id"])["metadata_modified"]


def _scored(entity_id: str, total: float, **dataset: object) -> str:
    """A dataset of the entity with a stored score: each dimension a fifth of ``total``."""
    created = factories.Dataset(owner_org=entity_id, **dataset)
    model.Session.execute(sa.insert(quality_score_table).values(
        package_id=created["id"], total=total, shacl_conforms=True, fixes=[], urls=[],
        computed_at=datetime.datetime.now(datetime.timezone.utc),
        **{d: total / 5 for d in mqa.DIMENSIONS}))
    model.Session.commit()
    return created["id"]


def test_summaries_average_public_active_datasets_per_entity_and_nationally(app, sysadmin):
    first = factories.Organization(name="primera", title="Municipalidad Primera")
    second = factories.Organization()
    _scored(first["id"], 405, name="licencias", title="Licencias otorgadas")
    _scored(first["id"], 205, name="obras", title="=Obras")
    _scored(second["id"], 100)
    # neither a private nor a deleted dataset counts
    _scored(first["id"], 0, private=True)
    deleted = _scored(second["id"], 0)
    helpers.call_action("package_delete", {"user": sysadmin["name"]}, id=deleted)

    averages = store.entity_averages([first["id"], second["id"]])
    assert averages[first["id"]]["count"] == 2 and averages[first["id"]]["average"] == 305
    assert averages[first["id"]]["dimensions"]["findability"] == 61
    assert averages[first["id"]]["distribution"] == {
        "excellent": 1, "good": 0, "sufficient": 1, "bad": 0}
    assert averages[second["id"]]["average"] == 100
    assert store.entity_averages(None).keys() == averages.keys()

    answer = app.get("/api/3/action/opengovpe_quality_summary").json
    assert "result" in answer, answer
    national = answer["result"]
    assert national["count"] == 3 and national["average"] == round(710 / 3, 2)
    assert national["max"] == 405
    one = app.get("/api/3/action/opengovpe_quality_summary",
                  params={"entity": "primera"}).json["result"]
    assert one["average"] == 305 and one["entity"]["id"] == first["id"]
    missing = app.get("/api/3/action/opengovpe_quality_summary",
                      params={"entity": "no-existe"}, status=409).json["error"]
    assert missing["entity"] == ["Entidad no encontrada"]

    # one row per public dataset, labels in Spanish and codes beside them
    lines = app.get("/entidad/primera/calidad.csv").body.splitlines()
    assert lines[0] == ("conjunto_de_datos,titulo,entidad,puntaje_total,hallabilidad,"
                        "accesibilidad,interoperabilidad,reusabilidad,contextualidad,"
                        "correcciones_pendientes,calificacion,entidad_codigo,"
                        "calificacion_codigo")
    title = first["title"]
    assert lines[1:] == [
        f"licencias,Licencias otorgadas,{title},405.0,81.0,81.0,81.0,81.0,81.0,0,"
        "Excelente,primera,excellent",
        # a cell a spreadsheet would run as a formula is neutralised
        f"obras,'=Obras,{title},205.0,41.0,41.0,41.0,41.0,41.0,0,Suficiente,primera,sufficient"]
    assert len(app.get("/tablero/calidad.csv").body.splitlines()) == 1 + 3
    app.get("/entidad/no-existe/calidad.csv", status=404)
