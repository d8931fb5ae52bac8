"""An entity's data.json, harvested by the national portal, reads back as that entity's
datasets: the sync report, reading it as DKAN's data.json (publisher by ``publisher.name``),
finds every one of them present."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.federation import portal, sync

from ..helpers import QuietServer
from .conftest import LOCAL

pytestmark = [pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def catalogue_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A portal with no API, only the ``/data.json`` put in ``served``."""
    served: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = served.get(self.path.split("?", 1)[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json" if body else "text/plain")
            body = body if body is not None else b"not found"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    httpd.shutdown()
    httpd.server_close()


def test_an_entity_data_json_reads_back_as_its_datasets(app, catalogue_server):
    url, served = catalogue_server
    entity = factories.Organization(name="miraflores", title="Municipalidad Distrital",
                                    national_portal_name="Municipalidad de Miraflores")
    other = factories.Organization(name="cusco")
    factories.Dataset(name="padron", notes="x", owner_org=entity["id"], modified="2025-07-01",
                      resources=[{"url": "https://www.miraflores.gob.pe/padron.csv",
                                  "format": "CSV"}])
    factories.Dataset(name="poblacion", notes="x", owner_org=entity["id"], resources=[
        {"url": "https://www.miraflores.gob.pe/datos/población 2024.csv", "format": "CSV"},
        {"url": "https://www.miraflores.gob.pe/visor", "format": "formato raro"}])
    factories.Dataset(name="ajeno", notes="x", owner_org=other["id"])
    served["/data.json"] = app.get("/organization/miraflores/data.json").get_data()

    report = sync.build(url, organization="miraflores")
    assert report.error is None
    assert report.mode == portal.DATA_JSON
    assert report.publisher == "Municipalidad de Miraflores"
    assert [(r.status, r.name, r.detail()) for r in report.rows] == [
        (sync.PRESENT, "padron", ""), (sync.PRESENT, "poblacion", "")]


def test_a_dataset_changed_since_the_harvest_reads_as_outdated(app, catalogue_server):
    url, served = catalogue_server
    entity = factories.Organization(name="miraflores")
    dataset = factories.Dataset(name="padron", notes="x", owner_org=entity["id"],
                                modified="2025-07-01")
    served["/data.json"] = app.get("/organization/miraflores/data.json").get_data()
    helpers.call_action("package_patch", {"user": factories.Sysadmin()["name"]},
                        id=dataset["id"], modified="2026-01-15")

    report = sync.build(url, organization="miraflores")
    assert [(r.status, r.name) for r in report.rows] == [(sync.OUTDATED, "padron")]
    assert "2026-01-15" in report.rows[0].detail()
