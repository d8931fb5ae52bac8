"""Usage figures end to end: page views and downloads recorded by CKAN's tracking middleware,
summed by the scheduled update that a real RQ worker runs, shown on the programme's pages."""
from __future__ import annotations

import re

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.lib import jobs
from ckan.tests import factories, helpers

JOBS_OFF = ("harvest_run", "notify_overdue", "national_sync_report", "link_check")


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
    assert "1 jobs enqueued: tracking_update" in scheduled.output, scheduled.output
    # CKAN's own worker, in this process (the app under test keeps its database session)
    jobs.Worker(["default"]).work(burst=True)

    expected = {"views": "3", "views-recent": "3", "downloads": "2", "downloads-recent": "2"}
    plan_page = app.get("/plan-apertura/oece-plan/avance").body
    assert _figures(plan_page, "Contrataciones") == expected
    programme_page = app.get("/entidad/oece/programa").body
    assert _figures(programme_page, 'id="usage"') == expected
    assert "3 visitas, 3 en los últimos 30 días" in programme_page
    scoreboard = app.get("/tablero").body
    assert _figures(scoreboard, 'data-entity="oece"') == expected
