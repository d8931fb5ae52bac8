"""Real files of three other OCDS publishers (fixtures/publishers/PROVENANCE.md), harvested end
to end in every packaging they come in: the processes, buyers, years, currencies and flags
each file must give are stated per file."""
from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from ckan.tests import helpers

from .conftest import LOCAL, Files
from .test_ocds import PLUGINS, buyer_years

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckan.harvest.mq.redis_db", "4"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "publishers"
JSON = "application/json"
CDMX = "contrataciones-gdf9712054na-2015"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def harvest(server: str, make_source: Any, run_test: Any, body: bytes, config: str = "",
            path: str = "/ocds.json") -> dict[str, Any]:
    Files.documents[path] = (200, JSON, body)
    return run_test(make_source(f"{server}{path}", config)["id"])


def messages(report: dict[str, Any]) -> str:
    return " | ".join(e["message"] for e in report["gather_errors"])


def cdmx_releases() -> list[dict[str, Any]]:
    """The four releases of the two CDMX processes (two OCDS 1.0 release packages)."""
    return [release for name in ("mx-cdmx_release-package_1.0_drm-063.json",
                                 "mx-cdmx_release-package_1.0_drm-065.json")
            for release in fixture(name)["releases"]]


def test_cdmx_release_package_without_version_and_a_dollar_award(server, make_source,
                                                                 run_test, app):
    # one OCDS 1.0 package as published: DRM-065, a selective tender in MXN with one tenderer,
    # awarded in USD; the buyer is an identifier without id and there are no parties
    body = (FIXTURES / "mx-cdmx_release-package_1.0_drm-065.json").read_bytes()
    report = harvest(server, make_source, run_test, body)
    assert report["gather_errors"] == []
    assert set(buyer_years()) == {CDMX}
    shown = helpers.call_action("package_show", id=CDMX)
    assert shown["buyer_name"] == "SECRETARÍA DE FINANZAS"
    # dated by its tender period (2015-12-14), not by the 2017 release
    assert (shown["year"], shown["temporal_start"]) == ("2015", "2015-12-14")
    assert json.loads(shown["totals_by_currency"]) == {
        "MXN": {"estimate": 1471566.72, "awarded": 0.0, "contracted": 0.0},
        "USD": {"estimate": 0.0, "awarded": 75464.96, "contracted": 75464.96}}
    # no amount in soles: the PEN figures are empty, not 0.00
    assert (shown["estimate_pen"], shown["awarded_pen"]) == ("", "")
    assert json.loads(shown["red_flags"])["single_bidder"] == 1
    # a USD award against an MXN estimate cannot be compared: "no calculable", not 0
    assert json.loads(shown["red_flags"])["award_above_estimate"] == 0
    assert json.loads(shown["flags_not_computable"])["award_above_estimate"] == 1
    page = app.get(f"/contrataciones/{CDMX}").body
    assert "75,464.96 USD" in page and "1,471,566.72 MXN" in page
    assert "No calculable para 1 procesos" in page
    assert "fecha de publicación de la convocatoria" in page
    suppliers = app.get(next(r["url"] for r in shown["resources"] if r["name"] == "Proveedores")
                        .replace("http://test.ckan.net", "")).body
    assert "75464.96,USD" in suppliers


def test_cdmx_json_lines_merge_into_one_buyer(server, make_source, run_test):
    lines = "".join(json.dumps(release) + "\n" for release in cdmx_releases()).encode()
    report = harvest(server, make_source, run_test, lines, path="/cdmx.jsonl")
    assert report["gather_errors"] == []
    assert set(buyer_years()) == {CDMX}
    shown = helpers.call_action("package_show", id=CDMX)
    assert shown["process_count"] == "2"
    assert json.loads(shown["totals_by_currency"])["MXN"]["awarded"] == 1311264.0


@pytest.mark.ckan_config("ckanext.opengovpe.ocds.exchange_rates",
                         str(FIXTURES.parent / "rates.json"))
def test_converted_figures_only_with_the_admins_rates(server, make_source, run_test, app):
    body = (FIXTURES / "mx-cdmx_release-package_1.0_drm-065.json").read_bytes()
    harvest(server, make_source, run_test, body)
    shown = helpers.call_action("package_show", id=CDMX)
    converted = json.loads(shown["converted_pen"])
    # rates.json: MXN 0.2 and USD 3.4 soles, of 2015-12-31, "tipos de cambio de prueba"
    assert converted["awarded"] == pytest.approx(75464.96 * 3.4, abs=0.01)
    assert converted["estimate"] == pytest.approx(1471566.72 * 0.2, abs=0.01)
    assert converted["missing"] == []
    page = app.get(f"/contrataciones/{CDMX}").body
    assert "tipos de cambio del 2015-12-31" in page and "tipos de cambio de prueba" in page


def test_cdmx_record_with_a_versioned_release(server, make_source, run_test):
    versioned = fixture("mx-cdmx_versioned-release_drm-065.json")
    body = json.dumps({"version": "1.1", "records": [
        {"ocid": versioned["ocid"], "versionedRelease": versioned}]}).encode()
    report = harvest(server, make_source, run_test, body)
    assert report["gather_errors"] == []
    shown = helpers.call_action("package_show", id=CDMX)
    assert shown["process_count"] == "1"
    assert json.loads(shown["red_flags"])["single_bidder"] == 1


def test_dncp_record_package_dated_by_its_call_not_its_export(server, make_source, run_test):
    body = (FIXTURES / "py-dncp_record-package_1.1.json").read_bytes()
    report = harvest(server, make_source, run_test, body)
    assert report["gather_errors"] == []
    # the buyer's id is the publisher's per-process hash: the default rule keeps it...
    name = "contrataciones-a02fc5eae413fa29686db8eff8b439b6-2010"
    assert set(buyer_years()) == {name}
    shown = helpers.call_action("package_show", id=name)
    assert shown["year"] == "2010"  # tenderPeriod 2010-03-15, not the 2018 export
    assert json.loads(shown["totals_by_currency"])["PYG"]["awarded"] == 135630400
    assert json.loads(shown["red_flags"])["value_hidden"] == 1


def test_dncp_by_name_and_a_process_without_buyer(server, make_source, run_test):
    """The OCDS 1.0 packages (in one package): a buyer named without id, and contracts with
    no buyer at all."""
    packages = [fixture("py-dncp_release-package_1.0_193399.json"),
                fixture("py-dncp_release-package_1.0_246807.json")]
    body = json.dumps({"uri": packages[1]["uri"], "publishedDate": packages[1]["publishedDate"],
                       "releases": packages[0]["releases"] + packages[1]["releases"]}).encode()
    Files.documents["/dncp.json"] = (200, JSON, body)
    source = make_source(f"{server}/dncp.json")
    report = run_test(source["id"])
    dncp = "contrataciones-direccion-nacional-de-contrataciones-publicas-dncp-2010"
    # the contracts-only process is kept, dated by its signature (2013), and reported
    orphan = f"contrataciones-sin-entidad-{source['name']}-2013"
    assert set(buyer_years()) == {dncp, orphan}
    text = messages(report)
    assert "El proceso ocds-03ad3f-246807 no indica su entidad contratante" in text
    assert "Pida al publicador" in text


def test_dncp_record_package_joins_the_named_buyer(server, make_source, run_test):
    body = (FIXTURES / "py-dncp_record-package_1.1.json").read_bytes()
    report = harvest(server, make_source, run_test, body, json.dumps({"buyer_identity": "name"}))
    assert report["gather_errors"] == []
    assert set(buyer_years()) == {
        "contrataciones-direccion-nacional-de-contrataciones-publicas-dncp-2010"}


def test_compranet_buyer_beside_its_procuring_entity(server, make_source, run_test):
    body = (FIXTURES / "mx-compranet_record-package_1.1.json").read_bytes()
    report = harvest(server, make_source, run_test, body)
    assert report["gather_errors"] == []
    name = "contrataciones-semar-272-2017"
    assert set(buyer_years()) == {name}
    shown = helpers.call_action("package_show", id=name)
    assert shown["buyer_name"] == "Secretaría de Marina"
    totals = json.loads(shown["totals_by_currency"])
    # the tender's 0 has no currency ("XXX"); the award is in MXN
    assert totals["MXN"]["awarded"] == 186200.74 and totals["XXX"]["estimate"] == 0
    flags = json.loads(shown["red_flags"])
    assert (flags["direct_award"], flags["value_hidden"]) == (1, 1)
    assert json.loads(shown["flags_not_computable"]) == {"award_above_estimate": 1}


def test_an_unchanged_file_is_read_again_only_when_the_configuration_changes(
        server, make_source, run_test):
    from .test_ocds import procurement

    body = (FIXTURES / "py-dncp_record-package_1.1.json").read_bytes()
    Files.documents["/dncp.json"] = (200, JSON, body)
    source = make_source(f"{server}/dncp.json")
    run_test(source["id"])
    file_dataset = [p for p in procurement() if p["name"].startswith("ocds-")][0]
    report = run_test(source["id"])
    assert report["gather_errors"] == []
    again = [p for p in procurement() if p["name"].startswith("ocds-")][0]
    assert again["metadata_modified"] == file_dataset["metadata_modified"]
    # the same file under another buyer identity is read again: the buyer's dataset moves
    helpers.call_action("harvest_source_patch", id=source["id"],
                        config=json.dumps({"buyer_identity": "name"}))
    run_test(source["id"])
    assert set(buyer_years()) == {
        "contrataciones-direccion-nacional-de-contrataciones-publicas-dncp-2010"}
