"""A stand-in for the national portal as it runs: DKAN 7 (Drupal 7) and its CKAN-like API.

Where each shape comes from (fixtures written for these tests from those descriptions):

- the list of actions (``site_read``, ``revision_list``, ``package_list``,
  ``current_package_list_with_resources``, ``package_show``, ``resource_show``,
  ``group_package_show``, ``package_revision_list``, ``group_list``) and the absence of
  ``package_search``: DKAN's "CKAN Dataset API" page (GetDKAN/dkan,
  ``docs/apis/ckan-dataset.md``), all served by the Open Data Schema Map module;
- the envelope ``{"help": "...", "success": true, "result": ...}``, ``package_show``'s
  result as a list holding the dataset, ``current_package_list_with_resources``'s result as
  a list or as ``{"count": n, "result": [...]}``, and each dataset's ``id``,
  ``metadata_created``, ``metadata_modified``, ``resources`` (``id``, ``name``,
  ``revision_id``, ``created``, ``state``): Open Data Schema Map's own PHPUnit test of
  these endpoints (``OpenDataSchemaMapBaseTest::testDkanDatasetAPIRead``);
- publishers as Drupal (Organic Groups) groups, the first group being data.json's
  ``publisher``: Open Data Schema Map's README ("data.json only allows for a single
  publisher… only the first group will be exposed as the publisher");
- Drupal's date format ``Wed, 01/24/2018 - 11:00`` for ``metadata_modified`` and the HTML
  "Page not found" answer to an unknown path, such as ``package_search``: Drupal 7's
  defaults (``medium`` date format, the 404 page);
- ``/data.json``: Project Open Data v1.1, as Open Data Schema Map's ``data_json_1_1``.

Quirks it can show: ``cap`` (most datasets a page, whatever ``limit`` asks), ``delay``
(seconds before each answer), ``broken_api`` (every API path answers an HTML 500 page, only
``/data.json`` works). It counts the requests it answers, and the highest rate it saw.
"""
from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

from ..helpers import QuietServer

NOT_FOUND = (b"<!DOCTYPE html>\n<html lang=\"es\"><head><title>P\xc3\xa1gina no encontrada | "
             b"Plataforma Nacional de Datos Abiertos</title></head><body><h1 class=\"page-header\">"
             b"P\xc3\xa1gina no encontrada</h1><p>No se ha encontrado la p\xc3\xa1gina "
             b"solicitada.</p></body></html>")
SERVER_ERROR = (b"<!DOCTYPE html><html><head><title>Error</title></head><body>"
                b"<p>The website encountered an unexpected error. Please try again later.</p>"
                b"</body></html>")
HELP = {
    "site_read": "Return True.",
    "package_list": "Return a list of the names of the site's datasets (packages).",
    "current_package_list_with_resources":
        "Return a list of the site's datasets (packages) and their resources.",
    "package_show": "Return the metadata of a dataset (package) and its resources.",
    "group_list": "Return a list of the names of the site's groups.",
    "group_package_show": "Return the datasets (packages) of a group.",
}


def drupal_date(moment: datetime.datetime) -> str:
    return moment.strftime("%a, %m/%d/%Y - %H:%M")


@dataclass
class Group:
    name: str
    title: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_dict(self) -> dict[str, Any]:
        return {"description": "", "id": self.id, "image_display_url": "",
                "title": self.title, "name": self.name}


def dataset(name: str, title: str, group: Optional[Group], urls: list[str],
            modified: datetime.datetime, identifier: Optional[str] = None) -> dict[str, Any]:
    """One dataset as DKAN 7's package_show lists it."""
    ident = identifier or str(uuid.uuid4())
    stamp = drupal_date(modified)
    return {
        "id": ident, "name": name, "title": title, "author": None, "author_email": None,
        "maintainer": None, "maintainer_email": None, "license_title": "Creative Commons "
        "Attribution", "notes": f"<p>{title}</p>", "url": "", "state": "Active",
        "log_message": "Update to resource", "private": False, "revision_timestamp": stamp,
        "metadata_created": stamp, "metadata_modified": stamp, "creator_user_id": str(
            uuid.uuid4()), "type": "Dataset", "tags": [],
        "groups": [group.as_dict()] if group else [],
        "resources": [{
            "id": str(uuid.uuid4()), "revision_id": "", "url": url, "description": "",
            "format": "csv", "state": "Active", "revision_timestamp": stamp,
            "name": url.rsplit("/", 1)[-1], "mimetype": "text/csv", "size": "",
            "created": stamp, "resource_group_id": str(uuid.uuid4()),
            "last_modified": "Date changed " + stamp,
        } for url in urls],
    }


class DkanPortal:
    """The stand-in's data and behaviour; ``url`` once :func:`serve` runs it."""

    def __init__(self, cap: int = 20) -> None:
        self.datasets: list[dict[str, Any]] = []
        self.groups: list[Group] = []
        self.cap = cap
        self.delay = 0.0
        self.broken_api = False
        self.url = ""
        self.requests = 0
        self.paths: list[str] = []
        self._times: list[float] = []
        self._lock = threading.Lock()

    def group(self, name: str, title: str) -> Group:
        made = Group(name, title)
        self.groups.append(made)
        return made

    def add(self, **kwargs: Any) -> dict[str, Any]:
        made = dataset(**kwargs)
        self.datasets.append(made)
        return made

    def most_requests_in_a_second(self) -> int:
        times = sorted(self._times)
        best = start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    # answers
    def data_json(self) -> dict[str, Any]:
        entries = []
        for item in self.datasets:
            publisher = item["groups"][0]["title"] if item["groups"] else None
            entries.append({
                "@type": "dcat:Dataset", "accessLevel": "public",
                "contactPoint": {"@type": "vcard:Contact", "fn": "Portal",
                                 "hasEmail": "mailto:datos@example.gob.pe"},
                "description": item["title"], "identifier": item["id"],
                "keyword": ["datos"], "modified": item["metadata_modified"],
                "landingPage": f"{self.url}/dataset/{item['name']}",
                "publisher": {"@type": "org:Organization", "name": publisher},
                "title": item["title"],
                "distribution": [{"@type": "dcat:Distribution", "downloadURL": r["url"],
                                  "mediaType": r["mimetype"], "format": "csv",
                                  "title": r["name"]} for r in item["resources"]],
            })
        return {"@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
                "@id": f"{self.url}/data.json", "@type": "dcat:Catalog",
                "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
                "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
                "dataset": entries}

    def action(self, name: str, query: dict[str, str]) -> Any:
        if name == "site_read":
            return True
        if name == "package_list":
            return [d["name"] for d in self.datasets]
        if name == "current_package_list_with_resources":
            limit = min(int(query.get("limit") or self.cap), self.cap)
            offset = int(query.get("offset") or 0)
            return self.datasets[offset:offset + limit]
        if name == "package_show":
            wanted = query.get("id", "")
            return [d for d in self.datasets if wanted in (d["id"], d["name"])]
        if name == "group_list":
            return [g.name for g in self.groups]
        if name == "group_package_show":
            wanted = query.get("id", "")
            return [d for d in self.datasets
                    if any(wanted in (g["id"], g["name"]) for g in d["groups"])]
        raise KeyError(name)


def _handler(portal: DkanPortal) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with portal._lock:
                portal.requests += 1
                portal.paths.append(self.path)
                portal._times.append(time.monotonic())
            if portal.delay:
                time.sleep(portal.delay)
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/data.json":
                body = json.dumps(portal.data_json()).encode()
                self._send(200, body, "application/json")
                return
            prefix = "/api/3/action/"
            if parts.path.startswith(prefix) and portal.broken_api:
                self._send(500, SERVER_ERROR, "text/html; charset=utf-8")
                return
            name = parts.path[len(prefix):] if parts.path.startswith(prefix) else ""
            try:
                result = portal.action(name, query)
            except KeyError:
                self._send(404, NOT_FOUND, "text/html; charset=utf-8")
                return
            body = json.dumps({"help": HELP.get(name, ""), "success": True,
                               "result": result}).encode()
            self._send(200, body, "application/json")

    return Handler


@contextmanager
def serve(portal: DkanPortal) -> Iterator[DkanPortal]:
    httpd = QuietServer(("127.0.0.1", 0), _handler(portal))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    portal.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield portal
    finally:
        httpd.shutdown()
        httpd.server_close()
