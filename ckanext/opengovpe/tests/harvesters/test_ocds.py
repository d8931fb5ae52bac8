"""The OCDS harvester end to end: real OECE records and synthetic months served by a local
HTTP server, harvested with ``ckan harvester run-test``'s code path."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

import ckan.model as model
from ckan.tests import helpers

from ckanext.opengovpe.procurement import store
from ckanext.opengovpe.tests.procurement import synthetic

from .conftest import LOCAL, Files

PLUGINS = ("opengovpe opengovpe_search scheming_datasets scheming_organizations dcat harvest "
           "opengovpe_harvest opengovpe_ocds")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckan.harvest.mq.redis_db", "4"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

JSON = "application/json"


def real_records() -> bytes:
    """The two real OECE records in one record package."""
    records = [synthetic.sample(name)["records"][0] for name in synthetic.SAMPLES]
    package = synthetic.sample(synthetic.SAMPLES[0])
    package["records"] = records
    return json.dumps(package).encode()


def works_release() -> dict[str, Any]:
    release = synthetic.sample(synthetic.WORKS)
    release.pop("_fixture")
    return release


def procurement(**fq: str) -> list[dict[str, Any]]:
    query = " ".join(f"+{k}:{v}" for k, v in fq.items())
    return helpers.call_action("package_search", fq=f"+dataset_type:contrataciones {query}",
                               rows=1000, include_private=True)["results"]


def buyer_years() -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in procurement() if p["name"].startswith("contrataciones-")}


def test_real_oece_records_become_buyer_year_datasets(server, make_source, run_test, app):
    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    report = run_test(source["id"])
    assert report["gather_errors"] == []
    datasets = buyer_years()
    assert set(datasets) == {"contrataciones-pe-consucode-10352-2026",
                             "contrataciones-pe-consucode-200030-2026"}
    piura = helpers.call_action("package_show", id="contrataciones-pe-consucode-10352-2026")
    assert piura["buyer_name"] == "GOBIERNO REGIONAL DE PIURA - PROYECTO ESPECIAL CHIRA PIURA"
    assert piura["buyer_ruc"] == "20154477536"
    assert piura["year"] == "2026"
    assert (piura["process_count"], piura["award_count"], piura["contract_count"]) == \
        ("1", "2", "3")
    assert piura["awarded_pen"] == "7110018.88"
    assert piura["license_id"] == "cc-by"
    assert piura["owner_org"] == source["owner_org"]
    assert piura["temporal_start"] == "2026-04-14"
    # described in the portal's language (Spanish in test.ini), whoever runs the harvest
    assert piura["title"] == ("Contrataciones públicas: GOBIERNO REGIONAL DE PIURA - "
                              "PROYECTO ESPECIAL CHIRA PIURA (2026)")
    assert piura["notes"] == (
        "Procesos de contratación de GOBIERNO REGIONAL DE PIURA - PROYECTO ESPECIAL CHIRA "
        "PIURA en 2026, con sus adjudicaciones, contratos, proveedores y alertas. "
        f"Fuente: {server}/records.json")
    assert {t["name"] for t in piura["tags"]} == {"contratación pública", "OCDS", "alertas"}
    assert json.loads(piura["method_shares"]) == {"direct": 1.0}
    assert json.loads(piura["month_counts"]) == {"2026-04": 1}
    assert piura["buyer_department"] == "20"
    flags = json.loads(piura["red_flags"])
    assert flags["direct_award"] == 1 and flags["short_contract"] == 1
    assert flags["single_bidder"] == 0
    lima = helpers.call_action("package_show", id="contrataciones-pe-consucode-200030-2026")
    assert json.loads(lima["red_flags"])["value_hidden"] == 1
    # the files are in CKAN's filestore and downloadable
    names = {r["name"]: r for r in piura["resources"]}
    # named in the portal's language when stored
    assert set(names) == {"Procesos", "Adjudicaciones", "Contratos", "Proveedores", "Alertas",
                          "Entregas compiladas (OCDS)"}
    assert all(r["url_type"] == "upload" for r in piura["resources"])
    flags_csv = app.get(names["Alertas"]["url"].replace("http://test.ckan.net", ""))
    assert "direct_award" in flags_csv.body and "ocds-dgv273-seacev3-1202858" in flags_csv.body
    releases = app.get(names["Entregas compiladas (OCDS)"]["url"]
                       .replace("http://test.ckan.net", ""))
    lines = gzip.decompress(releases.data).decode().splitlines()
    assert json.loads(lines[0])["ocid"] == "ocds-dgv273-seacev3-1202858"
    # citizens find their entity's procurement through search
    found = helpers.call_action("package_search", q="Piura",
                                fq="+dataset_type:contrataciones")["results"]
    assert "contrataciones-pe-consucode-10352-2026" in [p["name"] for p in found]
    # one dataset for the file read, with its checksum and counts
    file_dataset = [p for p in procurement() if p["name"].startswith("ocds-")][0]
    assert file_dataset["record_count"] == "2" and file_dataset["error_count"] == "0"
    assert file_dataset["checksum"] == hashlib.sha256(real_records()).hexdigest()
    # the home page maps the processes by their buyer's department, with the same in a table
    home = BeautifulSoup(app.get("/").body, "html.parser")
    assert home.select_one("#map-procurement svg[role=img] path[data-ubigeo='20']")
    assert [[c.get_text(strip=True) for c in row.find_all(["th", "td"])]
            for row in home.select("#map-procurement-table tbody tr")] == [
        ["Lima", "1"], ["Piura", "1"]]
    # a buyer-year written before processes were counted by month is rebuilt by the next run
    assert store.stale(source["id"]) == set()
    model.Session.execute(sa.text(
        "UPDATE package SET extras = extras - 'month_counts' - 'buyer_department'"
        " WHERE name = 'contrataciones-pe-consucode-10352-2026'"))
    model.Session.commit()
    assert store.stale(source["id"]) == {"contrataciones-pe-consucode-10352-2026"}
    assert file_dataset["title"] == f"Archivo OCDS {server}/records.json"
    assert file_dataset["notes"] == ("Archivo de datos de contrataciones (OCDS) leído de "
                                     f"{server}/records.json.")
    assert [r["name"] for r in file_dataset["resources"]] == ["Archivo original"]


def test_buyer_page_explains_each_flag_and_links_to_its_processes(server, make_source,
                                                                    run_test, app):
    Files.documents["/records.json"] = (200, JSON, real_records())
    run_test(make_source(f"{server}/records.json")["id"])
    page = app.get("/contrataciones/contrataciones-pe-consucode-10352-2026").body
    assert "Contratación directa" in page and "Por qué importa" in page
    # the processes by month and by method, as charts with the tables that say the same
    charts = BeautifulSoup(page, "html.parser").select_one("#procurement-charts")
    for chart in ("chart-procurement-months", "chart-procurement-methods"):
        svg = charts.select_one(f"#{chart} svg[role=img]")
        assert charts.select_one("#" + svg["aria-labelledby"]).get_text(strip=True)
    assert [[c.get_text(strip=True) for c in row.find_all(["th", "td"])]
            for row in charts.select("#chart-procurement-months-table tbody tr")] == [
        ["abril 2026", "1"]]
    assert [[c.get_text(strip=True) for c in row.find_all(["th", "td"])]
            for row in charts.select("#chart-procurement-methods-table tbody tr")] == [
        ["Directo", "100.0 %"]]
    assert "Un contrato dura menos de 7 días" in page
    assert "alertas.csv" in page
    english = app.get("/en/contrataciones/contrataciones-pe-consucode-10352-2026").body
    assert "Direct award" in english and "Why it matters" in english


def test_a_second_run_changes_nothing(server, make_source, run_test):
    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    run_test(source["id"])
    before = {name: p["metadata_modified"] for name, p in buyer_years().items()}
    report = run_test(source["id"])
    assert report["gather_errors"] == []
    after = {name: p["metadata_modified"] for name, p in buyer_years().items()}
    assert after == before


def test_release_packages_are_merged_with_ocdsmerge(server, make_source, run_test):
    first = works_release()
    second = json.loads(json.dumps(first))
    second.update(id=first["id"] + "-b", date="2026-09-20T10:00:00-05:00")
    second["tender"] = {"id": first["tender"]["id"], "numberOfTenderers": 1}
    body = json.dumps({"version": "1.1", "releases": [first, second]}).encode()
    Files.documents["/releases.json.gz"] = (200, "application/gzip", gzip.compress(body))
    report = run_test(make_source(f"{server}/releases.json.gz")["id"])
    assert report["gather_errors"] == []
    uchiza = helpers.call_action("package_show", id="contrataciones-pe-consucode-1827-2026")
    assert uchiza["process_count"] == "1"
    flags = json.loads(uchiza["red_flags"])
    # the later release's single tenderer wins the merge; works without a CUI is flagged
    assert flags["single_bidder"] == 1 and flags["works_without_cui"] == 1


def test_json_lines_are_read(server, make_source, run_test):
    line = json.dumps(works_release())
    Files.documents["/releases.jsonl"] = (200, "application/x-ndjson", f"{line}\n".encode())
    report = run_test(make_source(f"{server}/releases.jsonl")["id"])
    assert report["gather_errors"] == []
    assert "contrataciones-pe-consucode-1827-2026" in buyer_years()


def test_a_process_that_changes_buyer_moves(server, make_source, run_test):
    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    run_test(source["id"])
    package = json.loads(real_records())
    moved = package["records"][1]["compiledRelease"]
    moved["buyer"] = {"id": "PE-CONSUCODE-10352", "name": "GOBIERNO REGIONAL DE PIURA"}
    Files.documents["/records.json"] = (200, JSON, json.dumps(package).encode())
    report = run_test(source["id"])
    assert report["gather_errors"] == []
    assert set(buyer_years()) == {"contrataciones-pe-consucode-10352-2026"}
    piura = helpers.call_action("package_show", id="contrataciones-pe-consucode-10352-2026")
    assert piura["process_count"] == "2"


def synthetic_package(records: int) -> bytes:
    out = io.StringIO()
    synthetic.write_month(out, records, 2026, 3, buyers=3)
    return out.getvalue().encode()


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_deletions_only_within_the_allowed_share(server, make_source, run_test):
    full = synthetic_package(30)
    Files.documents["/month.json"] = (200, JSON, full)
    source = make_source(f"{server}/month.json", json.dumps({"max_delete_share": 0.2}))
    run_test(source["id"])
    counted = sum(int(p["process_count"]) for p in buyer_years().values())
    assert counted == 30
    # a snapshot missing half of the processes deletes nothing and says why
    package = json.loads(full)
    package["records"] = package["records"][:15]
    Files.documents["/month.json"] = (200, JSON, json.dumps(package).encode())
    report = run_test(source["id"])
    assert "más de la proporción permitida" in " ".join(e["message"]
                                                     for e in report["gather_errors"])
    assert sum(int(p["process_count"]) for p in buyer_years().values()) == 30
    # within the share they go
    package["records"] = json.loads(full)["records"][:27]
    Files.documents["/month.json"] = (200, JSON, json.dumps(package).encode())
    run_test(source["id"])
    assert sum(int(p["process_count"]) for p in buyer_years().values()) == 27


def test_oece_bulk_checks_checksums_and_skips_unchanged_months(server, make_source, run_test,
                                                               tmp_path):
    entries = []
    for month in (1, 2, 3):
        path = tmp_path / f"{month}.zip"
        sha = synthetic.write_month_zip(str(path), 10, 2026, month, buyers=2)
        Files.documents[f"/api/v1/file/seace_v3/json/2026/{month:02d}"] = (
            200, "application/zip", path.read_bytes())
        entries.append({"year": 2026, "month": month, "sha256": sha,
                        "url": f"{server}/api/v1/file/seace_v3/json/2026/{month:02d}"})
    entries[0]["sha256"] = "0" * 64  # January's published checksum is wrong
    Files.documents["/api/v1/files?page=1"] = (200, JSON, json.dumps(
        {"results": entries[1:], "next": f"{server}/api/v1/files?page=2"}).encode())
    Files.documents["/api/v1/files?page=2"] = (200, JSON, json.dumps(
        {"results": entries[:1], "next": None}).encode())
    source = make_source(f"{server}/api/v1/files?page=1",
                         json.dumps({"kind": "oece_bulk", "months": 3}))
    report = run_test(source["id"])
    messages = " ".join(e["message"] for e in report["gather_errors"])
    assert "no coincide con el publicado" in messages
    months = {p["period"]: p for p in procurement() if p["name"].startswith("ocds-")}
    assert set(months) == {"2026-02", "2026-03"}
    assert months["2026-03"]["checksum"] == entries[2]["sha256"]
    Files.requested.clear()
    report = run_test(source["id"])
    # unchanged months are not downloaded again; January, never complete, is tried again
    assert "/api/v1/file/seace_v3/json/2026/03" not in Files.requested
    assert "/api/v1/file/seace_v3/json/2026/02" not in Files.requested
    assert "/api/v1/file/seace_v3/json/2026/01" in Files.requested


def test_oece_api_follows_links_next(server, make_source, run_test):
    package = json.loads(real_records())
    first = {**package, "records": package["records"][:1],
             "links": {"next": f"{server}/api/v1/recordsAfter/2"}}
    second = {**package, "records": package["records"][1:], "links": {}}
    Files.documents["/api/v1/recordsAfter?format=json"] = (200, JSON, json.dumps(first).encode())
    Files.documents["/api/v1/recordsAfter/2"] = (200, JSON, json.dumps(second).encode())
    report = run_test(make_source(f"{server}/api/v1/recordsAfter?format=json",
                                  json.dumps({"kind": "oece_api"}))["id"])
    assert report["gather_errors"] == []
    assert len(buyer_years()) == 2


def test_a_run_interrupted_before_import_is_completed_by_the_next(server, make_source,
                                                                  run_test, app):
    """Like ``kill -9`` after gather: processes stored, datasets never written."""
    from ckan import model
    from ckanext.harvest.model import HarvestSource

    from ckanext.opengovpe.harvesters.ocds import OcdsHarvester
    from ckanext.harvest.model import HarvestJob

    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    job = HarvestJob(source=HarvestSource.get(source["id"]))
    job.save()
    with app.flask_app.test_request_context():
        assert len(OcdsHarvester().gather_stage(job)) == 3
    job.status = "Finished"
    job.save()
    model.Session.commit()
    assert buyer_years() == {}
    report = run_test(source["id"])
    assert report["gather_errors"] == []
    uninterrupted = {"contrataciones-pe-consucode-10352-2026",
                     "contrataciones-pe-consucode-200030-2026"}
    assert set(buyer_years()) == uninterrupted
    # and a third run has nothing left to do
    before = {name: p["metadata_modified"] for name, p in buyer_years().items()}
    run_test(source["id"])
    assert {name: p["metadata_modified"] for name, p in buyer_years().items()} == before


def test_long_harvests_log_their_progress(server, make_source, run_test, caplog):
    """Every 1,000 records: records per second, share read and time left."""
    Files.documents["/month.json"] = (200, JSON, synthetic_package(2000))
    logger = logging.getLogger("ckanext.opengovpe.procurement.gather")
    logger.addHandler(caplog.handler)  # test.ini stops ckanext logs from reaching the root
    logger.disabled = False  # and logging.config may have disabled loggers made before it
    try:
        with caplog.at_level("INFO", logger=logger.name):
            run_test(make_source(f"{server}/month.json")["id"])
    finally:
        logger.removeHandler(caplog.handler)
    lines = sorted({r.getMessage() for r in caplog.records if "records/s" in r.getMessage()})
    assert len(lines) == 2
    assert "1000 records" in lines[0] and "ETA" in lines[0] and "%" in lines[0]
    assert any("2000 records and 0 releases read, 2000 stored, 0 errors" in r.getMessage()
               for r in caplog.records)


def test_the_gather_and_fetch_consumers_harvest_through_redis(server, make_source, app):
    """The production path: a job queued in Redis, the gather and fetch consumers, the job
    closed by ``harvest_jobs_run``; its status and error counts are what the harvest UI shows."""
    from ckanext.harvest import queue

    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    gather, fetch = queue.get_gather_consumer(), queue.get_fetch_consumer()
    gather.queue_purge(queue.get_gather_queue_name())
    fetch.queue_purge(queue.get_fetch_queue_name())
    context = {"user": helpers.call_action("get_site_user")["name"]}
    with app.flask_app.test_request_context():
        job = helpers.call_action("harvest_job_create", context, source_id=source["id"],
                                  run=True)
        queue.gather_callback(gather, *gather.basic_get(queue=queue.get_gather_queue_name()))
        fetched = 0
        while True:
            reply = fetch.basic_get(queue=queue.get_fetch_queue_name())
            if reply is None or reply[2] is None:
                break
            queue.fetch_callback(fetch, *reply)
            fetched += 1
        helpers.call_action("harvest_jobs_run", context, source_id=source["id"])
    assert fetched == 3  # two buyer-years and the file
    shown = helpers.call_action("harvest_job_show", id=job["id"])
    assert shown["status"] == "Finished"
    assert shown["stats"]["errored"] == 0 and shown["stats"]["added"] == 3
    assert set(buyer_years()) == {"contrataciones-pe-consucode-10352-2026",
                                  "contrataciones-pe-consucode-200030-2026"}
