"""The demo's procurement on first start: ``seed-demo``'s seeding queues a harvest of the
shipped OECE records; the gather and fetch consumers (run here in-process, on Redis) publish
them. The seeding is called as the command calls it: the command re-reads test.ini, which
does not load the harvest plugins."""
from __future__ import annotations

import pytest

from ckan.tests import helpers
from ckanext.harvest import queue

from ckanext.opengovpe.demo import seed as demo_seed
from ckanext.opengovpe.tests.harvesters.test_ocds import PLUGINS, buyer_years

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckan.harvest.mq.redis_db", "4"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


def consume(app) -> None:
    """What the gather and fetch consumers and ``ckan harvester run`` do, until idle."""
    gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
    context = {"user": helpers.call_action("get_site_user")["name"]}
    with app.flask_app.test_request_context():
        while (reply := gather.basic_get(queue=queue.get_gather_queue_name()))[2] is not None:
            queue.gather_callback(gather, *reply)
        while (reply := fetch.basic_get(queue=queue.get_fetch_queue_name()))[2] is not None:
            queue.fetch_callback(fetch, *reply)
        helpers.call_action("harvest_jobs_run", context)


def test_first_start_shows_procurement_to_citizens(app, ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.ocds.local_directory", str(tmp_path))
    queue.get_gather_consumer().queue_purge(queue.get_gather_queue_name())
    queue.get_fetch_consumer().queue_purge(queue.get_fetch_queue_name())
    with app.flask_app.test_request_context():
        seeded = demo_seed.seed("oece")
    assert "harvest source contrataciones-oece-demo (job queued)" in seeded
    consume(app)
    datasets = buyer_years()
    buyers = {p["buyer_id"] for p in datasets.values()}
    assert len(buyers) >= 3 and {p["year"] for p in datasets.values()} == {"2025", "2026"}
    assert {"contrataciones-pe-demo-cusco-2025", "contrataciones-pe-demo-cusco-2026"} \
        <= set(datasets)
    # the citizen's journey: search, read the flags, download the CSV
    found = helpers.call_action("package_search", q="contrataciones cusco")["results"]
    assert "contrataciones-pe-demo-cusco-2025" in [p["name"] for p in found]
    page = app.get("/contrataciones/contrataciones-pe-demo-cusco-2025").body
    assert "Contratación directa" in page and "Por qué importa" in page
    assert "PEN" in page and "alertas.csv" in page
    # shares and sources as people read them: labels, not codes; no server path
    assert 'data-code="direct">Directo: ' in page and '{"direct"' not in page
    assert "file://" not in page
    cusco = datasets["contrataciones-pe-demo-cusco-2025"]
    processes = next(r["url"] for r in cusco["resources"] if r["name"] == "Procesos")
    body = app.get(processes.replace("http://test.ckan.net", "")).body
    assert body.count("ocds-dgv273-demo-cusco-2025-") == 3
    source = helpers.call_action("harvest_source_show", id="contrataciones-oece-demo")
    job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
    assert job["status"] == "Finished" and job["stats"].get("errored", 0) == 0
    # a second start changes nothing
    with app.flask_app.test_request_context():
        assert demo_seed.seed("oece") == []
