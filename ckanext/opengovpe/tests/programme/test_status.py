"""The four PE0087 milestones and the national scoreboard, from an entity's records."""
from __future__ import annotations

import datetime

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TODAY = datetime.date.today()


def entity(name, level="nacional", sector="economia-y-finanzas"):
    return factories.Organization(name=name, level_of_government=level, sector=sector)


def full_programme(org, published=True):
    factories.Dataset(name=f"{org['name']}-rpe", type="norma", owner_org=org["id"],
                      validity="vigente")
    factories.Dataset(name=f"{org['name']}-grupo", type="grupo-trabajo", owner_org=org["id"],
                      status="activo", creating_norm=f"{org['name']}-rpe")
    plan = factories.Dataset(name=f"{org['name']}-plan", type="plan-apertura",
                             owner_org=org["id"],
                             status="aprobado",
                                           approving_regulation=f"{org['name']}-rpe")
    dataset = factories.Dataset(owner_org=org["id"], private=not published,
                                notes="Datos de prueba.")
    helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"], title="A",
                        status="listo-para-publicar", dataset_id=dataset["id"])
    helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"], title="B")
    return plan


def test_entity_with_everything_in_place():
    org = entity("oece")
    plan = full_programme(org)
    helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"], name="Vencido",
                        start_date=(TODAY - datetime.timedelta(days=20)).isoformat(),
                        end_date=(TODAY - datetime.timedelta(days=1)).isoformat())
    status = helpers.call_action("opengovpe_programme_status", id="oece")
    assert status["milestones"] == {"group_established": True, "framework_in_force": True,
                                    "plan_approved": True, "datasets_published": True}
    assert (status["items_published"], status["items_total"]) == (1, 2)
    assert status["overdue"] == 1
    assert status["level_of_government"] == "nacional"


def test_each_milestone_needs_its_record():
    org = entity("minsa")
    # a repealed norm is not a framework in force; an inactive group is not established
    factories.Dataset(name="rd-derogada", type="norma", owner_org=org["id"],
                      validity="derogada")
    factories.Dataset(type="grupo-trabajo", owner_org=org["id"],
                      status="inactivo", creating_norm="rd-derogada")
    factories.Dataset(type="plan-apertura", owner_org=org["id"],
                      status="borrador")
    status = helpers.call_action("opengovpe_programme_status", id=org["id"])
    assert not any(status["milestones"].values())


def test_private_records_do_not_count():
    org = entity("sunat")
    full_programme(org, published=False)
    status = helpers.call_action("opengovpe_programme_status", id="sunat")
    assert status["milestones"]["datasets_published"] is False
    assert status["milestones"]["plan_approved"] is True


def test_scoreboard_filters_and_sorts():
    full_programme(entity("oece"))
    entity("cusco", level="regional", sector="presidencia-del-consejo-de-ministros")
    factories.Dataset(type="norma", owner_org=entity("lima", level="local")["id"],
                      validity="vigente")
    board = helpers.call_action("opengovpe_scoreboard")
    assert [e["name"] for e in board["results"]] == ["oece", "lima", "cusco"]
    assert board["results"][0]["milestones_done"] == 4
    regional = helpers.call_action("opengovpe_scoreboard", level_of_government="regional")
    assert [e["name"] for e in regional["results"]] == ["cusco"]
    ascending = helpers.call_action("opengovpe_scoreboard", sort="progress asc")
    assert ascending["results"][0]["name"] == "cusco"


@pytest.mark.parametrize("params", [
    {"level_of_government": "imperial"}, {"sort": "name; drop"}, {"limit": "-1"},
    {"limit": "999999"}, {"sector": "<script>"},
])
def test_scoreboard_bad_input(params):
    with pytest.raises(helpers.logic.ValidationError):
        helpers.call_action("opengovpe_scoreboard", **params)


def test_an_entity_status_is_its_scoreboard_row():
    """The entity's own query (its records only) agrees with the national one, by id and
    by name, with another entity's records beside it."""
    mine, other = entity("oece"), entity("otra", level="regional")
    full_programme(mine)
    full_programme(other, published=False)
    board = helpers.call_action("opengovpe_scoreboard", limit=100)["results"]
    for org in (mine, other):
        row = next(r for r in board if r["id"] == org["id"])
        for reference in (org["name"], org["id"]):
            status = helpers.call_action("opengovpe_programme_status", id=reference)
            # the scoreboard adds the national columns (use over 12 months, quality)
            assert set(row) - set(status) == {"usage_year", "quality"}
            assert status == {key: row[key] for key in status}


def test_unknown_entity():
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("opengovpe_programme_status", id="no-existe")


def test_references_point_to_records_of_the_same_entity():
    mine, other = entity("oece"), entity("otra")
    factories.Dataset(name="rpe-oece", type="norma", owner_org=mine["id"], validity="vigente")
    factories.Dataset(name="rpe-otra", type="norma", owner_org=other["id"], validity="vigente")
    factories.Dataset(name="un-dataset", owner_org=mine["id"], notes="Datos.")
    for reference, message in (("rpe-otra", "another entity"), ("un-dataset", "of this kind"),
                               ("no-existe", "of this kind")):
        with pytest.raises(helpers.logic.ValidationError) as error:
            factories.Dataset(type="grupo-trabajo", owner_org=mine["id"],
                              creating_norm=reference)
        assert message in error.value.error_dict["creating_norm"][0]
    group = factories.Dataset(type="grupo-trabajo", owner_org=mine["id"],
                              creating_norm="rpe-oece", installation_date="2020-03-01")
    assert group["creating_norm"] == "rpe-oece"


def test_sessions_fall_within_the_life_of_the_group():
    org = entity("oece")
    with pytest.raises(helpers.logic.ValidationError) as error:
        factories.Dataset(type="grupo-trabajo", owner_org=org["id"],
                          installation_date="2020-03-01",
                          sessions=[{"number": "1", "date": "2019-12-01"}])
    assert "installation" in str(error.value.error_dict["sessions"])


@pytest.fixture
def programme_statements():
    """Counts the statements that read the programme's records for every entity."""
    import sqlalchemy as sa

    import ckan.model as model
    from ckanext.opengovpe.programme import status

    seen = []

    def _count(_conn, _cursor, statement, *_args):
        if statement.strip().startswith("WITH records AS") and "g.is_organization" in statement:
            seen.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", _count)
    assert status._SQL.text.strip().startswith("WITH records AS")
    yield seen
    sa.event.remove(model.meta.engine, "before_cursor_execute", _count)


@pytest.mark.usefixtures("reset_redis")
@pytest.mark.ckan_config("ckanext.opengovpe.scoreboard.cache_seconds", 60)
def test_kept_scoreboard_shows_plan_changes_at_once(app, programme_statements):
    """With the rows kept in Redis a second read runs no programme query, and a published
    item or a completed milestone shows on the very next read."""
    import ckan.model as model

    org = entity("oece")
    plan = full_programme(org, published=False)
    milestone = helpers.call_action(
        "opengovpe_milestone_create", plan_id=plan["id"], name="Hito",
        start_date=(TODAY - datetime.timedelta(days=20)).isoformat(),
        end_date=(TODAY + datetime.timedelta(days=5)).isoformat())
    first = helpers.call_action("opengovpe_scoreboard")
    assert helpers.call_action("opengovpe_scoreboard") == first
    assert len(programme_statements) == 1
    assert first["figures_read_at"]
    row = first["results"][0]
    assert (row["items_published"], row["plan_milestones_completed"]) == (0, 0)

    dataset = model.Session.query(model.Package).filter_by(
        type="dataset", owner_org=org["id"], private=True).one()
    helpers.call_action("package_patch", {"user": factories.Sysadmin()["name"]},
                        id=dataset.id, private=False)
    assert helpers.call_action("opengovpe_scoreboard")["results"][0]["items_published"] == 1
    helpers.call_action("opengovpe_milestone_update", id=milestone["id"], status="completado",
                        progress=100, actual_end_date=TODAY.isoformat(),
                        evidence=[{"type": "acta", "title": "Acta"}])
    row = helpers.call_action("opengovpe_scoreboard")["results"][0]
    assert (row["plan_milestones_completed"], row["percent_complete"]) == (1, 100)
    assert len(programme_statements) == 3
    # entities are programme records too
    entity("minsa")
    assert helpers.call_action("opengovpe_scoreboard")["count"] == 2
    # the pages read the kept rows (and the country's story, kept alike) back from JSON
    for _ in range(2):
        page = app.get("/tablero", headers={"Accept-Language": "es"})
        assert 'id="scoreboard-freshness"' in page.body
        assert app.get("/tablero/historia").status_code == 200


@pytest.mark.ckan_config("ckanext.opengovpe.scoreboard.cache_seconds", 60)
def test_scoreboard_answers_without_redis():
    import redis

    import ckan.lib.redis as ckan_redis

    full_programme(entity("oece"))
    kept = ckan_redis._connection_pool
    # a port nothing listens on: every Redis call fails to connect
    ckan_redis._connection_pool = redis.ConnectionPool.from_url("redis://127.0.0.1:1/0")
    try:
        board = helpers.call_action("opengovpe_scoreboard")
        entity("minsa")
    finally:
        ckan_redis._connection_pool = kept
    assert board["results"][0]["milestones_done"] == 4
