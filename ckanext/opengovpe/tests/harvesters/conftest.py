"""A local HTTP server for OCDS files; a synchronous harvest run, as `ckan harvester run-test`."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ckan.tests import factories, helpers
from ckanext.harvest import utils as harvest_utils

LOCAL = "127.0.0.1 localhost"


class Files(http.server.BaseHTTPRequestHandler):
    """Answers each path with what the test put in ``documents``: (status, type, body)."""

    documents: dict[str, tuple[int, str, bytes]] = {}
    requested: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        Files.requested.append(self.path)
        status, content_type, body = self.documents.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    Files.documents, Files.requested = {}, []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def run_test(app):
    """What ``ckan harvester run-test SOURCE`` does: every stage, synchronously, no queues."""
    def run(source_id: str) -> dict[str, Any]:
        with app.flask_app.test_request_context():
            harvest_utils.run_test_harvester(source_id, None)
        job = helpers.call_action("harvest_job_list", source_id=source_id)[0]
        return helpers.call_action("harvest_job_report", id=job["id"])
    return run


@pytest.fixture
def make_source():
    def make(url: str, config: str = "", org: dict[str, Any] | None = None) -> dict[str, Any]:
        org = org or factories.Organization()
        admin = factories.Sysadmin()
        return helpers.call_action("harvest_source_create", {"user": admin["name"]},
                                   name=f"ocds-{org['name']}", url=url, config=config,
                                   source_type="opengovpe_ocds", owner_org=org["id"])
    return make
