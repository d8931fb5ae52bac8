"""From demand to use, in a small world of two entities: data requests, prioritised items,
datasets published on time or late, page views and downloads recorded by CKAN's tracking
middleware and summed by the scheduled jobs (a real RQ worker), the usage files and open
datasets they publish, the story pages, the usage page and the scoreboard's new columns."""
from __future__ import annotations

import csv
import datetime
import io
import re

import pytest

from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.opengovpe.jobs import registry
from ckanext.opengovpe.programme import usage_data
from ckanext.opengovpe.quality import store as quality_store

# every recurring job but the two these tests follow, so that a new job does not run here
JOBS_OFF = tuple(job.name for job in registry.JOBS
                 if job.name not in ("tracking_update", "usage_publish"))
PLUGINS = ("opengovpe opengovpe_search activity scheming_datasets scheming_organizations "
           "dcat tracking")


def _visit(app, url: str, kind: str, visitor: str) -> None:
    """What tracking.js posts from a visitor's browser."""
    app.post("/_tracking", data={"url": url, "type": kind},
             headers={"User-Agent": f"Navegador {visitor}"},
             extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def _figures(html: str) -> dict[str, str]:
    """Each figure of a story page by its name, as the link or text shows it."""
    return dict(re.findall(r'data-figure="([a-z_-]+)"[^>]*>([\d.]+)<', html))


def _request(org: str, answer: bool) -> None:
    sysadmin = {"user": "sysadmin", "ignore_auth": False}
    request = helpers.call_action("opengovpe_data_request_create", dict(sysadmin),
                                  organization=org, title="Datos de contratos",
                                  description="Cada contrato.", reason="Vigilancia.",
                                  contact_email="vecina@example.org", contact_name="Vecina")
    helpers.call_action("opengovpe_data_request_moderate", dict(sysadmin), id=request["id"],
                        state="aprobada")
    if answer:
        helpers.call_action("opengovpe_data_request_answer", dict(sysadmin),
                            id=request["id"], status="rechazada", answer="No existe.")


def _world() -> dict[str, str]:
    factories.Sysadmin(name="sysadmin")
    oece = factories.Organization(name="oece", title="Organismo de Contrataciones")
    otra = factories.Organization(name="otra", title="Otra Entidad")
    factories.Organization(name="pcm", title="Presidencia del Consejo de Ministros")
    today = datetime.date.today()
    ids = {}
    for org, plan_name, items in (
            (oece, "plan-oece", [("Contrataciones", today + datetime.timedelta(days=30), True),
                                 ("Viajes", today - datetime.timedelta(days=10), True),
                                 ("Obras", today - datetime.timedelta(days=5), False),
                                 ("Planillas", today + datetime.timedelta(days=5), False),
                                 ("Descartado", None, None)]),
            (otra, "plan-otra", [("Presupuesto", None, True)])):
        plan = factories.Dataset(name=plan_name, type="plan-apertura", owner_org=org["id"])
        for title, committed, published in items:
            values = {"plan_id": plan["id"], "title": title,
                      "committed_date": committed.isoformat() if committed else "",
                      "status": "descartado" if published is None else "planificado"}
            if published:
                name = title.lower()
                dataset = factories.Dataset(
                    name=name, title=title, owner_org=org["id"],
                    resources=[{"url": f"http://datos.example.org/{name}.csv",
                                "format": "CSV"}])
                values.update(status="publicado", dataset_id=dataset["id"])
            ids[title] = helpers.call_action("opengovpe_plan_item_create", **values)["id"]
    helpers.call_action("opengovpe_demand_create", item_id=ids["Contrataciones"],
                        kind="solicitud-datos", reference="S-1", description="Contratos")
    _request("oece", answer=True)
    _request("oece", answer=False)
    _request("otra", answer=False)
    return ids


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.tracking_update.interval", "3600")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.usage_publish.interval", "86400")
@pytest.mark.ckan_config("ckanext.opengovpe.usage.national_organization", "pcm")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis", "with_test_worker")
def test_from_demand_to_use_for_two_entities_and_the_country(app, cli, ckan_config,
                                                              monkeypatch):
    for name in JOBS_OFF:
        monkeypatch.setitem(ckan_config, f"ckanext.opengovpe.jobs.{name}.interval", "0")
        monkeypatch.setenv(f"CKANEXT__OPENGOVPE__JOBS__{name.upper()}__INTERVAL", "0")
    monkeypatch.setenv("CKANEXT__OPENGOVPE__USAGE__NATIONAL_ORGANIZATION", "pcm")
    _world()
    # three people see the contracts and one downloads them; two see the budget
    for visitor in ("ana", "luis", "rosa"):
        _visit(app, "/dataset/contrataciones", "page", visitor)
    _visit(app, "http://datos.example.org/contrataciones.csv", "resource", "ana")
    for visitor in ("ana", "luis"):
        _visit(app, "/dataset/presupuesto", "page", visitor)

    scheduled = cli.invoke(ckan_command, ["opengovpe", "scheduler", "--once"])
    assert "2 jobs enqueued: tracking_update, usage_publish" in scheduled.output, \
        scheduled.output
    # the worker also stores the quality score of each dataset created or changed
    jobs.Worker(["default"]).work(burst=True)
    month = datetime.date.today().strftime("%Y-%m")
    site = ckan_config["ckan.site_url"].rstrip("/")

    # the files: one per entity with published datasets, one for the country
    with open(usage_data.file_path(usage_data.NATIONAL), encoding="utf-8") as national:
        rows = list(csv.reader(national))
    assert rows == [list(usage_data.COLUMNS),
                    [month, "oece", "Organismo de Contrataciones", "contrataciones",
                     "Contrataciones", f"{site}/dataset/contrataciones", "3", "1"],
                    [month, "otra", "Otra Entidad", "presupuesto", "Presupuesto",
                     f"{site}/dataset/presupuesto", "2", "0"]]
    entity_file = app.get("/entidad/oece/uso-mensual.csv")
    assert entity_file.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(entity_file.body))) == rows[:2]
    assert app.get("/tablero/uso-mensual.csv").body.count("\r\n") == 3

    # each entity's file is the resource of an open dataset of its own; the country's, of
    # the coordinator's
    published = {}
    for scope, owner, url in (
            ("oece", "oece", "/entidad/oece/uso-mensual.csv"),
            ("otra", "otra", "/entidad/otra/uso-mensual.csv"),
            ("nacional", "pcm", "/tablero/uso-mensual.csv")):
        key = usage_data.NATIONAL if scope == "nacional" else model.Group.get(scope).id
        dataset = helpers.call_action("package_show", id=usage_data.linked(key)["dataset_id"])
        assert dataset["organization"]["name"] == owner and not dataset["private"]
        assert dataset["resources"][0]["url"] == site + url
        published[scope] = dataset
    assert published["oece"]["title"] == "Uso de los datos abiertos: Organismo de Contrataciones"
    # the job again, nothing used since: the datasets are not touched
    usage_data.publish()
    assert helpers.call_action("package_show", id=published["oece"]["id"])[
        "metadata_modified"] == published["oece"]["metadata_modified"]

    # the entity's story: each figure is what its records say
    page = app.get("/entidad/oece/historia").body
    figures = _figures(page)
    stats = helpers.call_action("opengovpe_data_request_stats", organization="oece")
    plan = helpers.call_action("opengovpe_plan_show", id="plan-oece")
    counted = [i for i in plan["items"] if i["status"] != "descartado"]
    assert (figures["demand-received"], figures["demand-answered"]) == \
        (str(stats["received"]), str(stats["answered"])) == ("2", "1")
    assert figures["with-demand"] == "1"
    assert figures["published"] == str(sum(1 for i in counted if i["status"] == "publicado"))
    assert {k: figures[k] for k in ("a_tiempo", "tarde", "sin_fecha", "vencido",
                                    "pendiente")} == {
        "a_tiempo": "1", "tarde": "1", "sin_fecha": "0", "vencido": "1", "pendiente": "1"}
    assert len(re.findall(r'<tr data-item=', page)) == len(counted) == 4
    assert "3 visitas y 1 descargas de 1 conjuntos" in page
    late = app.get("/entidad/oece/historia", params={"estado": "tarde"}).body
    assert re.findall(r'data-state="([a-z_]+)"', late) == ["tarde"] and "Viajes" in late

    oece_quality = quality_store.summary(model.Group.get("oece").id)
    assert oece_quality["count"] > 0
    assert figures["quality-average"] == str(oece_quality["average"])

    country = _figures(app.get("/tablero/historia").body)
    assert (country["demand-received"], country["published"], country["sin_fecha"]) == \
        ("3", "3", "1")

    # the usage page: by month, the most used datasets and entities
    usage = app.get("/tablero/uso").body
    assert 'data-views-year="5" data-downloads-year="1"' in usage
    assert re.findall(r'<tr data-dataset="([a-z]+)"', usage) == ["contrataciones",
                                                                 "presupuesto"]
    assert re.findall(r'<tr data-entity="([a-z]+)"', usage) == ["oece", "otra"]

    # the scoreboard sorts by use (views and downloads of the last 12 months)
    for sort, order in (("usage desc", ["oece", "otra", "pcm"]),
                        ("usage asc", ["pcm", "otra", "oece"])):
        board = app.get("/tablero", params={"sort": sort}).body
        assert re.findall(r'<tr data-entity="([a-z]+)"', board) == order, sort
    assert re.findall(r'data-usage="(\d+)"', board) == ["0", "2", "4"]
    scoreboard_csv = list(csv.DictReader(io.StringIO(
        app.get("/tablero.csv", params={"sort": "usage desc"}).body)))
    assert [(r["entidad"], r["uso_12_meses"], r["solicitudes_recibidas"])
            for r in scoreboard_csv] == [("oece", "4", "2"), ("otra", "2", "1"),
                                         ("pcm", "0", "0")]

    # and by metadata quality: the average of each entity's stored scores
    averages = quality_store.entity_averages(None)
    names = {model.Group.get(n).id: n for n in ("oece", "otra", "pcm")}
    by_quality = sorted(names, key=lambda i: (-averages[i]["average"], names[i]))
    board = app.get("/tablero", params={"sort": "quality desc"}).body
    assert re.findall(r'<tr data-entity="([a-z]+)"', board) == [names[i] for i in by_quality]
    board = app.get("/tablero", params={"sort": "quality asc"}).body
    assert re.findall(r'<tr data-entity="([a-z]+)"', board) == \
        [names[i] for i in sorted(names, key=lambda i: (averages[i]["average"], names[i]))]
