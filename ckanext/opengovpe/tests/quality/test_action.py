"""opengovpe_quality_show: the score of a dataset, for whoever may read the dataset."""
from __future__ import annotations

import copy
import http.server
import threading
from collections.abc import Iterator

import pytest
from ckan.tests import factories, helpers

import ckan.plugins.toolkit as tk

from ckanext.opengovpe.jobs import registry
from ckanext.opengovpe.tests.helpers import QuietServer

from .conftest import DESCRIBED

ANONYMOUS = {"user": "", "ignore_auth": False}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/datos.csv" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_anyone_reads_the_quality_of_a_public_dataset(described):
    quality = helpers.call_action("opengovpe_quality_show", ANONYMOUS,
                                  id=described["name"])
    assert quality["id"] == described["id"]
    # nothing checked yet: the reachability points are the ones to gain
    gains = {c["key"]: c["gain"] for c in quality["criteria"] if c["gain"]}
    assert gains == {"access_url_reachable": 50, "download_url_reachable": 30}
    assert quality["score"] == 325 and quality["rating"] == "good"


def test_a_private_dataset_is_refused_to_others(entity, sysadmin):
    private = helpers.call_action("package_create", {"user": sysadmin["name"]},
                                  owner_org=entity["id"], private=True,
                                  **dict(copy.deepcopy(DESCRIBED), name="privado"))
    stranger = factories.User()
    for visitor in (stranger["name"], ""):
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action("opengovpe_quality_show",
                                {"user": visitor, "ignore_auth": False}, id=private["id"])
    assert helpers.call_action("opengovpe_quality_show", {"user": sysadmin["name"]},
                               id=private["id"])["score"] > 0


def test_an_unknown_dataset_is_not_found(with_plugins, clean_db):
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("opengovpe_quality_show", ANONYMOUS, id="no-existe")


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.0/8")
@pytest.mark.ckan_config("ckanext.opengovpe.quality.link_check.host_delay", "0")
def test_the_link_check_job_feeds_the_accessibility_points(entity, sysadmin, server):
    dataset = copy.deepcopy(DESCRIBED)
    dataset["resources"][0].update(url=server + "/datos.csv", download_url=server + "/datos.csv",
                                   access_url=server + "/desaparecida")
    created = helpers.call_action("package_create", {"user": sysadmin["name"]},
                                  owner_org=entity["id"], **dataset)
    registry.run("link_check")
    assert registry.state("link_check")["result"] == "ok"
    quality = helpers.call_action("opengovpe_quality_show", ANONYMOUS, id=created["id"])
    gains = {c["key"]: c["gain"] for c in quality["criteria"] if c["gain"]}
    # the download URL answers, the access URL is gone
    assert gains == {"access_url_reachable": 50}
