"""Fixtures of the federation tests: a second CKAN as the national portal, a misbehaving server."""
from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest

from ..helpers import QuietServer
from .instance import Instance

LOCAL = "127.0.0.1 localhost"


@pytest.fixture(scope="session")
def national_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A plain CKAN with the PostgreSQL search backend, like the national portal's API."""
    instance = Instance(2, "opengovpe_search", tmp_path_factory.mktemp("national")).start()
    try:
        yield instance
    finally:
        instance.stop()


PAGE = {"success": True, "result": {"count": 1, "results": [
    {"id": "x1", "name": "contratos", "title": "Contratos", "resources": [],
     "metadata_modified": "2030-01-01T00:00:00", "organization": {"name": "oece"}}]}}

ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "html": (200, "text/html", b"<!DOCTYPE html><html><body>Portal en mantenimiento</body></html>"),
    "html-error": (503, "text/html", b"<html><body>Service Unavailable</body></html>"),
    "not-json": (200, "application/json", b"Internal error: database down"),
    "truncated": (200, "application/json", json.dumps(PAGE).encode()[:60]),
    "nested": (200, "application/json", b"[" * 5000 + b"]" * 5000),
    "not-api": (200, "application/json", b'{"datasets": []}'),
    "refused": (200, "application/json",
                b'{"success": false, "error": {"message": "Access denied", "__type": "Auth"}}'),
    "no-results": (200, "application/json", b'{"success": true, "result": {"count": 3}}'),
    "huge": (200, "application/json", b'{"success": true, "result": "' + b"x" * 20000 + b'"}'),
    "ok": (200, "application/json", json.dumps(PAGE).encode()),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        case = self.path.strip("/").split("/", 1)[0]
        if case == "slow":
            time.sleep(2)
            case = "ok"
        status, content_type, body = ANSWERS.get(case, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


CATALOGUE_CONFIG = {
    "scheming.dataset_schemas": "ckanext.opengovpe:schemas/dataset.yaml "
                                "ckanext.opengovpe:schemas/working_group.yaml "
                                "ckanext.opengovpe:schemas/regulation.yaml "
                                "ckanext.opengovpe:schemas/opening_plan.yaml",
    "scheming.organization_schemas": "ckanext.opengovpe:schemas/organization.yaml",
    "scheming.presets": "ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml "
                        "ckanext.opengovpe:schemas/presets.yaml",
    "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3 dcat_ap_pe",
    "ckanext.opengovpe.dcat.page_size": "2",
    "ckanext.opengovpe.dcat.crawl_lag": "0",
}


@pytest.fixture(scope="session")
def other_institution(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Another institution's portal running this extension: it serves our DCAT-AP catalogue."""
    instance = Instance(3, "opengovpe opengovpe_search activity scheming_datasets "
                           "scheming_organizations dcat",
                        tmp_path_factory.mktemp("institution"), CATALOGUE_CONFIG).start()
    try:
        yield instance
    finally:
        instance.stop()
