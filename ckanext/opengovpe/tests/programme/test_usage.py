"""Usage figures end to end: page views and downloads recorded by CKAN's tracking middleware,
summed by the scheduled update that a real RQ worker runs, shown on the programme's pages."""
from __future__ import annotations

import datetime
import re

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.opengovpe.jobs import registry

# every recurring job but the two these tests follow, so that a new job does not run here
JOBS_OFF = tuple(job.name for job in registry.JOBS
                 if job.name not in ("tracking_update", "usage_publish"))


def _visit(app, url: str, kind: str, visitor: str) -> None:
    """What tracking.js posts from a visitor's browser."""
    app.post("/_tracking", data={"url": url, "type": kind},
             headers={"User-Agent": f"Navegador {visitor}"},
             extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def _figures(html: str, where: str) -> dict[str, str]:
    block = re.search(where + r'.*?<span class="opengovpe-usage[^"]*" ([^>]*)>', html, re.S)
    assert block, f"no usage figures after {where}"
    return dict(re.findall(r'data-([a-z-]+)="(\d+)"', block.group(1)))


@pytest.mark.ckan_config("ckan.plugins", "opengovpe opengovpe_search activity scheming_datasets "
                         "scheming_organizations dcat tracking")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.tracking_update.interval", "3600")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis", "with_test_worker")
def test_views_and_downloads_reach_the_plan_programme_and_scoreboard(app, cli, ckan_config,
                                                                      monkeypatch):
    for name in JOBS_OFF:
        monkeypatch.setitem(ckan_config, f"ckanext.opengovpe.jobs.{name}.interval", "0")
        monkeypatch.setenv(f"CKANEXT__OPENGOVPE__JOBS__{name.upper()}__INTERVAL", "0")
    org = factories.Organization(name="oece", level_of_government="nacional",
                                 sector="economia-y-finanzas")
    plan = factories.Dataset(name="oece-plan", type="plan-apertura", owner_org=org["id"])
    dataset = factories.Dataset(name="contrataciones-2025", owner_org=org["id"],
                                title="Contrataciones 2025", notes="Datos de prueba.",
                                resources=[{"url": "http://datos.example.org/c2025.csv",
                                            "format": "CSV"}])
    helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                        title="Contrataciones", status="listo-para-publicar",
                        dataset_id=dataset["id"])

    # three visitors see the dataset page, one of them twice; two download its file
    for visitor in ("ana", "luis", "rosa", "ana"):
        _visit(app, "/dataset/contrataciones-2025", "page", visitor)
    for visitor in ("ana", "luis"):
        _visit(app, "http://datos.example.org/c2025.csv", "resource", visitor)

    scheduled = cli.invoke(ckan_command, ["opengovpe", "scheduler", "--once"])
    assert "2 jobs enqueued: tracking_update, usage_publish" in scheduled.output, \
        scheduled.output
    # CKAN's own worker, in this process (the app under test keeps its database session)
    jobs.Worker(["default"]).work(burst=True)

    expected = {"views": "3", "views-recent": "3", "downloads": "2", "downloads-recent": "2"}
    plan_page = app.get("/plan-apertura/oece-plan/avance").body
    assert _figures(plan_page, "Contrataciones") == expected
    programme_page = app.get("/entidad/oece/programa").body
    assert _figures(programme_page, 'id="usage"') == expected
    assert "3 visitas, 3 en los últimos 30 días" in programme_page
    # the scoreboard: views and downloads of the last 12 months, summed by usage_publish
    scoreboard = app.get("/tablero").body
    assert re.search(r'data-entity="oece".*?data-usage="5"', scoreboard, re.S)


def _usage(app, action: str, **params) -> dict:
    response = app.get(f"/api/3/action/{action}", params=params)
    return response.json["result"]


@pytest.mark.ckan_config("ckan.plugins", "opengovpe opengovpe_search activity scheming_datasets "
                         "scheming_organizations dcat tracking")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.tracking_update.interval", "3600")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis", "with_test_worker")
def test_usage_by_month_and_datasets_nobody_used_in_90_days(app, cli, ckan_config, monkeypatch):
    for name in JOBS_OFF:
        monkeypatch.setitem(ckan_config, f"ckanext.opengovpe.jobs.{name}.interval", "0")
        monkeypatch.setenv(f"CKANEXT__OPENGOVPE__JOBS__{name.upper()}__INTERVAL", "0")
    org = factories.Organization(name="oece")
    plan = factories.Dataset(name="oece-plan", type="plan-apertura", owner_org=org["id"])
    items = {}
    for name in ("contrataciones", "viajes", "obras"):
        dataset = factories.Dataset(name=name, owner_org=org["id"],
                                    resources=[{"url": f"http://datos.example.org/{name}.csv",
                                                "format": "CSV"}])
        items[name] = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                                          title=name.title(), status="publicado",
                                          dataset_id=dataset["id"])

    # 100 days ago someone saw the contracts and the travel expenses; today two people
    # see the contracts and one downloads them; nobody ever looked at the public works
    _visit(app, "/dataset/contrataciones", "page", "ana")
    _visit(app, "/dataset/viajes", "page", "ana")
    long_ago = datetime.datetime.now() - datetime.timedelta(days=100)
    model.Session.execute(sa.text("UPDATE tracking_raw SET access_timestamp = :at"),
                          {"at": long_ago})
    model.Session.commit()
    for visitor in ("luis", "rosa"):
        _visit(app, "/dataset/contrataciones", "page", visitor)
    _visit(app, "http://datos.example.org/contrataciones.csv", "resource", "luis")

    scheduled = cli.invoke(ckan_command, ["opengovpe", "scheduler", "--once"])
    assert "tracking_update" in scheduled.output, scheduled.output
    jobs.Worker(["default"]).work(burst=True)

    entity = _usage(app, "opengovpe_usage_show", id="oece")
    assert (entity["views"], entity["views_recent"]) == (4, 2)
    assert (entity["downloads"], entity["downloads_recent"]) == (1, 1)
    assert entity["monthly"] == [
        {"month": long_ago.strftime("%Y-%m"), "views": 2, "downloads": 0},
        {"month": datetime.date.today().strftime("%Y-%m"), "views": 2, "downloads": 1}]
    unused = {d["id"]: d["unused"] for d in entity["datasets"]}
    assert unused == {items["contrataciones"]["dataset_id"]: False,
                      items["viajes"]["dataset_id"]: True,
                      items["obras"]["dataset_id"]: True}

    assert _usage(app, "opengovpe_usage_show", id="oece-plan", type="plan")["monthly"] == \
        entity["monthly"]
    travel = _usage(app, "opengovpe_usage_show", id=items["viajes"]["id"], type="item")
    assert (travel["views"], travel["views_recent"], travel["downloads"]) == (1, 0, 0)
    assert travel["datasets"] == [dict(id=items["viajes"]["dataset_id"], unused=True, views=1,
                                       views_recent=0, downloads=0, downloads_recent=0)]

    national = _usage(app, "opengovpe_usage_national")
    assert (national["views"], national["downloads"], national["monthly"]) == \
        (4, 1, entity["monthly"])
    assert (national["entities"], national["datasets"], national["unused_datasets"]) == (1, 3, 2)

    plan_page = app.get("/plan-apertura/oece-plan/avance").body
    rows = plan_page.split('id="items"')[1].split("</table>")[0].split("<tr>")[2:]
    assert [("opengovpe-unused" in row, name.title() in row) for row, name in zip(rows, items)] \
        == [(False, True), (True, True), (True, True)]
    assert "Nadie lo usó en los últimos 90 días" in rows[1]

    expected_csv = ("mes,visitas,descargas\r\n"
                    f"{long_ago.strftime('%Y-%m')},2,0\r\n"
                    f"{datetime.date.today().strftime('%Y-%m')},2,1\r\n")
    for url in ("/entidad/oece/uso.csv", "/tablero/uso.csv"):
        response = app.get(url)
        assert response.headers["Content-Type"].startswith("text/csv"), url
        assert response.body == expected_csv, url


@pytest.mark.ckan_config("ckan.plugins", "opengovpe opengovpe_search activity scheming_datasets "
                         "scheming_organizations dcat tracking")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_private_plan_usage_is_for_its_readers_and_unknown_records_are_not_found(app):
    org = factories.Organization(name="oece")
    factories.Dataset(name="plan-secreto", type="plan-apertura", owner_org=org["id"],
                      private=True)
    refused = app.get("/api/3/action/opengovpe_usage_show",
                      params={"id": "plan-secreto", "type": "plan"}, status=403)
    assert refused.json["success"] is False
    for params in ({"id": "nadie"}, {"id": "nadie", "type": "item"},
                   {"id": "nadie", "type": "plan"}):
        app.get("/api/3/action/opengovpe_usage_show", params=params, status=404)
    wrong = app.get("/api/3/action/opengovpe_usage_show",
                    params={"id": "oece", "type": "pais"}, status=409)
    assert "type" in wrong.json["error"]
    assert _usage(app, "opengovpe_usage_show", id="oece")["views"] == 0
    assert app.get("/entidad/oece/uso.csv").body == "mes,visitas,descargas\r\n"
    app.get("/entidad/nadie/uso.csv", status=404)
