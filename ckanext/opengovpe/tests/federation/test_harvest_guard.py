"""Hostile catalogues: each is refused with a clear gather error and creates nothing."""
from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ckan.tests import factories, helpers
from ckanext.harvest import utils as harvest_utils

from ..helpers import csrf
from .conftest import LOCAL

PLUGINS = ("opengovpe opengovpe_search scheming_datasets scheming_organizations dcat harvest "
           "dcat_rdf_harvester opengovpe_harvest")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
    pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_3 dcat_ap_pe"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


@pytest.fixture
def run_test(app):
    """What ``ckan harvester run-test SOURCE`` does: every stage, synchronously, no queues."""
    def run(source_id: str) -> None:
        with app.flask_app.test_request_context():
            harvest_utils.run_test_harvester(source_id, None)
    return run

TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://example.org/catalog> a dcat:Catalog ; dcat:dataset <http://example.org/ds/1> .
<http://example.org/ds/1> a dcat:Dataset ; dct:title "Contratos" ;
    dct:description "Contratos de la entidad." ; dct:identifier "ds-1" .
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://example.org/ds/1"><dct:title>&i;</dct:title></dcat:Dataset>
</rdf:RDF>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://example.org/ds/1"><dct:title>&secret;</dct:title></dcat:Dataset>
</rdf:RDF>
"""


def jsonld(context: Any) -> str:
    return json.dumps({"@context": context, "@graph": [
        {"@id": "http://example.org/ds/1", "@type": "dcat:Dataset", "dct:title": "Contratos",
         "dct:description": "Contratos de la entidad.", "dct:identifier": "ds-1"}]})


class Catalogues(http.server.BaseHTTPRequestHandler):
    requested: list[str] = []
    documents: dict[str, tuple[str, str]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        Catalogues.requested.append(self.path)
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.path.startswith("/to-metadata"):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        content_type, body = self.documents.get(self.path, ("text/plain", "not found"))
        data = body.encode("utf-8")
        self.send_response(200 if self.path in self.documents else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(data)

    do_GET = do_HEAD = _answer


@pytest.fixture(scope="module")
def catalogues() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Catalogues)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    ttl, xml, ld = "text/turtle", "application/rdf+xml", "application/ld+json"
    Catalogues.documents.update({
        "/good.ttl": (ttl, TURTLE),
        "/laughs.rdf": (xml, LAUGHS),
        "/external.rdf": (xml, EXTERNAL),
        "/remote-context.jsonld": (ld, jsonld(f"{base}/context.jsonld")),
        "/file-context.jsonld": (ld, jsonld("file:///etc/passwd")),
        "/import-context.jsonld": (ld, jsonld({"@import": f"{base}/context.jsonld"})),
        "/nested-context.jsonld": (ld, json.dumps({"@graph": [{"@context": [
            {"dct": "http://purl.org/dc/terms/"}, f"{base}/context.jsonld"]}]})),
        "/context.jsonld": (ld, json.dumps({"@context": {"dct": "http://purl.org/dc/terms/"}})),
        "/next-to-file.ttl": (ttl, TURTLE + """
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<http://example.org/catalog?page=1> a hydra:PartialCollectionView ;
    hydra:next <file:///etc/passwd> .
"""),
    })
    yield base
    httpd.shutdown()
    httpd.server_close()


def harvest(run_test, url: str) -> dict[str, Any]:
    """Create a source for ``url``, run it synchronously, return its last job's report."""
    org = factories.Organization()
    admin = factories.Sysadmin()
    source = helpers.call_action("harvest_source_create", {"user": admin["name"]},
                                 name=f"source-{org['name']}", url=url, source_type="dcat_rdf",
                                 owner_org=org["id"])
    run_test(source["id"])
    job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
    return helpers.call_action("harvest_job_report", id=job["id"])


def gather_errors(report: dict[str, Any]) -> str:
    return " | ".join(e["message"] for e in report["gather_errors"])


def harvested() -> int:
    return helpers.call_action("package_search", fq="+dataset_type:dataset",
                               include_private=True)["count"]


def test_a_plain_catalogue_is_harvested(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/good.ttl")
    assert report["gather_errors"] == []
    assert harvested() == 1


@pytest.mark.parametrize("path", ["/laughs.rdf", "/external.rdf"])
def test_rdf_xml_with_a_dtd_is_refused(run_test, catalogues, path):
    report = harvest(run_test, catalogues + path)
    assert "The RDF/XML document declares a DTD or entities, which are refused." \
        in gather_errors(report)
    assert harvested() == 0


@pytest.mark.parametrize("path", ["/remote-context.jsonld", "/file-context.jsonld",
                                  "/import-context.jsonld", "/nested-context.jsonld"])
def test_jsonld_context_is_never_fetched(run_test, catalogues, path):
    Catalogues.requested.clear()
    report = harvest(run_test, catalogues + path)
    assert "refers to a remote or local @context, which is never fetched" \
        in gather_errors(report)
    assert "/context.jsonld" not in Catalogues.requested
    assert harvested() == 0


@pytest.mark.ckan_config("ckanext.opengovpe.harvest.max_bytes", 200)
def test_document_larger_than_the_cap(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/good.ttl")
    assert "bytes, more than the 200 allowed" in gather_errors(report)
    assert harvested() == 0


@pytest.mark.ckan_config("ckanext.opengovpe.harvest.max_triples", 3)
def test_graph_with_more_triples_than_the_cap(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/good.ttl")
    assert "The RDF document has 6 triples, more than the 3 allowed." in gather_errors(report)
    assert harvested() == 0


def test_redirect_to_a_private_address_is_refused_at_fetch_time(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/to-metadata")
    assert "169.254.169.254" in gather_errors(report)
    assert "not a public address" in gather_errors(report)
    assert harvested() == 0


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.read_timeout", 0.5)
def test_a_source_that_never_answers_times_out(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/slow")
    assert "timed out" in gather_errors(report)
    assert harvested() == 0


def test_next_page_outside_http_is_refused(run_test, catalogues):
    report = harvest(run_test, f"{catalogues}/next-to-file.ttl")
    assert "The harvest source URL must be an http or https address." in gather_errors(report)
    assert harvested() == 0


def test_source_allowed_when_saved_is_checked_again_when_harvested(run_test, catalogues,
                                                                   ckan_config, monkeypatch):
    org = factories.Organization()
    source = helpers.call_action("harvest_source_create", {"user": factories.Sysadmin()["name"]},
                                 name="fuente", url=f"{catalogues}/good.ttl",
                                 source_type="dcat_rdf", owner_org=org["id"])
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.fetch.allowed_hosts", [])
    run_test(source["id"])
    job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
    errors = gather_errors(helpers.call_action("harvest_job_report", id=job["id"]))
    assert "The harvest source URL points to an address that is not public." in errors
    assert harvested() == 0


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "must be an http or https address"),
    ("/etc/passwd", "must be an http or https address"),
    ("ftp://example.org/catalog.ttl", "must be an http or https address"),
    ("http://10.1.2.3/catalog.ttl", "points to an address that is not public"),
    ("http://169.254.169.254/latest/meta-data/", "points to an address that is not public"),
    # 10.1.2.3 inside IPv6: IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo
    ("http://[::ffff:10.1.2.3]/catalog.ttl", "points to an address that is not public"),
    ("http://[::a01:203]/catalog.ttl", "points to an address that is not public"),
    ("http://[64:ff9b::10.1.2.3]/catalog.ttl", "points to an address that is not public"),
    ("http://[64:ff9b:1::a01:203]/catalog.ttl", "points to an address that is not public"),
    ("http://[2002:a01:203::1]/catalog.ttl", "points to an address that is not public"),
    ("http://[2001::f5fe:fdfc]/catalog.ttl", "points to an address that is not public"),
])
def test_source_url_is_checked_when_saved(url, message):
    org = factories.Organization()
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("harvest_source_create", {"user": factories.Sysadmin()["name"]},
                            name="fuente", url=url, source_type="dcat_rdf", owner_org=org["id"])
    assert message in error.value.error_dict["url"][0]
    assert helpers.call_action("package_search", fq="+dataset_type:harvest")["count"] == 0


def test_source_url_change_is_checked(ckan_config, monkeypatch):
    org = factories.Organization()
    context = {"user": factories.Sysadmin()["name"]}
    source = helpers.call_action("harvest_source_create", context, name="fuente",
                                 url="http://127.0.0.1:9/catalog.ttl", source_type="dcat_rdf",
                                 owner_org=org["id"])
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.fetch.allowed_hosts", [])
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("harvest_source_update", context, id=source["id"], name="fuente",
                            url="http://127.0.0.1:9/otro.ttl", source_type="dcat_rdf",
                            owner_org=org["id"])
    assert "not public" in error.value.error_dict["url"][0]
    assert helpers.call_action("harvest_source_show", id=source["id"])["url"].endswith(
        "/catalog.ttl")


def test_source_url_is_checked_on_every_update_path():
    """``package_update`` without the type and ``package_patch`` are checked too."""
    org = factories.Organization()
    context = {"user": factories.Sysadmin()["name"]}
    source = helpers.call_action("harvest_source_create", context, name="fuente",
                                 url="http://127.0.0.1:9/catalog.ttl", source_type="dcat_rdf",
                                 owner_org=org["id"])
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_update", context, id=source["id"], name="fuente",
                            url="http://10.1.2.3/catalog.ttl", source_type="dcat_rdf",
                            owner_org=org["id"])
    assert "not public" in error.value.error_dict["url"][0]
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_patch", context, id=source["id"],
                            url="http://[64:ff9b::a01:203]/catalog.ttl")
    assert "not public" in error.value.error_dict["url"][0]
    assert helpers.call_action("harvest_source_show", id=source["id"])["url"] == (
        "http://127.0.0.1:9/catalog.ttl")


def test_source_edit_form_checks_the_url(app):
    org = factories.Organization()
    sysadmin = factories.SysadminWithToken()
    helpers.call_action("harvest_source_create", {"user": sysadmin["name"]}, name="fuente",
                        title="Fuente", url="http://127.0.0.1:9/catalog.ttl",
                        source_type="dcat_rdf", owner_org=org["id"])
    headers = {"Authorization": sysadmin["token"]}
    form = app.get("/harvest/edit/fuente", headers=headers, status=200)
    page = app.post("/harvest/edit/fuente", headers=headers, data={
        "_csrf_token": csrf(form.body), "frequency": "MANUAL", "owner_org": org["id"],
        "save": "", "name": "fuente", "title": "Fuente", "source_type": "dcat_rdf",
        "url": "http://[2002:a01:203::1]/catalog.ttl"})
    assert "La URL de la fuente de cosecha apunta a una dirección que no es pública." in page.body
    assert helpers.call_action("harvest_source_show", id="fuente")["url"] == (
        "http://127.0.0.1:9/catalog.ttl")


def post_source_form(app, **fields: str) -> Any:
    """Fill the new-source form as a sysadmin and save it."""
    org = factories.Organization()
    headers = {"Authorization": factories.SysadminWithToken()["token"]}
    form = app.get("/harvest/new", headers=headers)
    return app.post("/harvest/new", headers=headers, data={
        "_csrf_token": csrf(form.body), "frequency": "MANUAL", "owner_org": org["id"],
        "save": "", **fields})


def test_source_form_shows_the_url_error_in_spanish(app):
    page = post_source_form(app, url="file:///etc/passwd", title="Fuente", name="fuente",
                            source_type="dcat_rdf")
    assert "La URL de la fuente de cosecha debe ser una dirección http o https." in page.body
    assert helpers.call_action("package_search", fq="+dataset_type:harvest")["count"] == 0


def test_source_form_shows_every_error_at_once(app):
    """A private URL and a missing name and harvester: one submit shows all three."""
    page = post_source_form(app, url="http://10.1.2.3/catalogo.ttl", title="", name="",
                            source_type="")
    assert page.status_code == 200
    body = page.body
    assert "La URL de la fuente de cosecha apunta a una dirección que no es pública." in body
    assert "10.1.2.3 is" not in body  # the technical detail stays in the log
    summary = dict(re.findall(r'<li data-field-label="([^"]+)">[^:]+: ([^<]+)</li>', body))
    assert summary["URL"] == ("La URL de la fuente de cosecha apunta a una dirección que no "
                              "es pública.")
    assert summary["Nombre"] == "Falta el valor"
    assert summary["Tipo de fuente"] == "Falta el valor"
    assert helpers.call_action("package_search", fq="+dataset_type:harvest")["count"] == 0


def test_api_reports_the_url_with_the_other_errors():
    org = factories.Organization()
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_create", {"user": factories.Sysadmin()["name"]},
                            type="harvest", name="", url="ftp://example.org/c.ttl",
                            source_type="dcat_rdf", owner_org=org["id"])
    errors = error.value.error_dict
    assert errors["url"] == ["The harvest source URL must be an http or https address."]
    assert "name" in errors
    assert helpers.call_action("package_search", fq="+dataset_type:harvest")["count"] == 0


def test_harvest_pages_speak_spanish(app):
    org = factories.Organization()
    user = factories.SysadminWithToken()
    headers = {"Authorization": user["token"]}
    helpers.call_action("harvest_source_create", {"user": user["name"]}, name="fuente-dcat",
                        title="Fuente DCAT", url="http://127.0.0.1:9/catalog.ttl",
                        source_type="dcat_rdf", owner_org=org["id"])
    listing = app.get("/harvest", headers=headers).body
    assert "Añadir fuente de cosecha" in listing
    assert "Esta fuente de cosecha no tiene descripción" in listing
    assert "Se encontró 1 fuente de cosecha" in listing
    assert "Tipo de fuente" in listing and "Frecuencia de actualización" in listing
    assert "Frequency" not in listing
    searched = app.get("/harvest?q=inexistente", headers=headers).body
    assert 'No se encontraron fuentes de cosecha para "inexistente"' in searched
    admin = app.get("/harvest/admin/fuente-dcat", headers=headers).body
    assert "Volver a cosechar" in admin
    assert "Reharvest" not in admin
