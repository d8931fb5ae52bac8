"""An admin adds OECE's procurement data as a harvest source in the browser and runs it; a
citizen then finds a municipality's procurement with its red flags and CSV downloads.

The portal runs with the harvest plugins on a free port, OCDS records (the real OECE records
of shared/fixtures) are served by a local HTTP server, and the job goes through Redis to
the same gather and fetch consumers production runs (``ckan opengovpe harvest-consumer``).
"""
from __future__ import annotations

import http.server
import threading

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.harvesters import consumers

from ..harvesters.test_ocds import real_records
from .test_publish_flow import login

PLUGINS = ("opengovpe opengovpe_search activity scheming_datasets scheming_organizations dcat "
           "harvest opengovpe_harvest opengovpe_ocds")
SETTINGS = {"ckan.plugins": PLUGINS, "ckan.harvest.mq.type": "redis",
            "ckanext.opengovpe.fetch.allowed_hosts": "127.0.0.1 localhost",
            "scheming.dataset_schemas": " ".join(
                f"ckanext.opengovpe:schemas/{name}.yaml" for name in
                ("dataset", "working_group", "regulation", "opening_plan", "procurement"))}

pytestmark = [*(pytest.mark.ckan_config(key, value) for key, value in SETTINGS.items()),
              pytest.mark.usefixtures("with_plugins")]

BUYER = "contrataciones-pe-consucode-10352-2026"


@pytest.fixture
def live_settings():
    return SETTINGS


@pytest.fixture
def oece():
    body = real_records()

    class Records(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Records)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/records.json"
    httpd.shutdown()
    httpd.server_close()


def test_admin_harvests_oece_and_a_citizen_reads_the_red_flags(live_server, browser_page,
                                                               oece, app, ckan_config,
                                                               monkeypatch):
    from ckanext.harvest import queue

    # the consumers run here, with the portal's configuration, as they do beside it
    monkeypatch.setitem(ckan_config, "ckan.site_url", live_server)
    queue.purge_queues()
    page, base = browser_page, live_server
    admin = factories.Sysadmin(password="Contraseña-segura-1")
    entity = factories.Organization(name="oece", title="Organismo Especializado para las "
                                    "Contrataciones Públicas Eficientes")
    login(page, base, admin["name"], "Contraseña-segura-1")

    # the harvest source, through ckanext-harvest's form, in Spanish
    page.goto(f"{base}/harvest/new")
    page.fill("#field-url", oece)
    page.fill("#field-title", "OECE: contrataciones (OCDS)")  # the name follows the title
    page.check("input[name=source_type][value=opengovpe_ocds]")
    page.fill("#field-config", '{"kind": "typo"}')
    page.select_option("#field-organizations", value=entity["id"])
    page.click("#save")
    # a configuration error names the option, in Spanish, and keeps what was typed
    assert "kind" in page.content() and "debe ser uno de" in page.content()
    assert page.input_value("#field-url") == oece
    page.fill("#field-config", '{"kind": "url"}')
    page.click("#save")
    page.wait_for_url(f"{base}/harvest/oece-contrataciones-ocds")

    # run it: a job on the gather queue, then the consumers and the scheduler
    page.goto(f"{base}/harvest/admin/oece-contrataciones-ocds")
    page.click("a[href*='/harvest/refresh/']")  # Reharvest, then its confirmation
    page.click(".modal.show .btn-primary")
    page.wait_for_load_state()
    with app.flask_app.test_request_context():
        assert consumers.run("gather", once=True) == 1
        assert consumers.run("fetch", once=True) == 3  # two buyer-years and the file
        helpers.call_action("harvest_jobs_run",
                            {"user": helpers.call_action("get_site_user")["name"]})
    source = helpers.call_action("harvest_source_show", id="oece-contrataciones-ocds")
    job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
    assert job["status"] == "Finished" and job["stats"].get("errored", 0) == 0
    page.goto(f"{base}/harvest/admin/oece-contrataciones-ocds")
    assert "OECE: contrataciones (OCDS)" in page.content()
    assert "Volver a cosechar" in page.content() and "Último trabajo de cosecha" in page.content()

    # a citizen, not logged in
    citizen = page.context.browser.new_context(locale="es-PE").new_page()
    citizen.goto(f"{base}/dataset/?q=contrataciones+2026")
    citizen.click(f"a[href$='/{BUYER}']")
    text = citizen.content()
    assert "Alertas" in text and "Por qué importa" in text
    assert "Contratación directa" in text  # a flag, explained in Spanish
    downloads = citizen.locator("a[href$='.csv']")
    assert downloads.count() >= 1
    csv_url = downloads.first.get_attribute("href")
    response = citizen.request.get(csv_url)
    assert response.status == 200 and b"," in response.body()
