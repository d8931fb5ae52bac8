"""The national-portal sync report against a second, real CKAN standing in for the portal."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from .conftest import LOCAL
from .instance import Instance

pytestmark = [pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

CSV_URL = "https://datos.oece.gob.pe/files/{}.csv"


def resource(name: str) -> dict[str, Any]:
    return {"url": CSV_URL.format(name), "format": "CSV", "name": name}


@pytest.fixture(scope="module")
def seeded_portal(national_portal: Instance) -> Instance:
    """The portal's own datasets, created once: another entity's, and one only there."""
    portal = national_portal
    for org in ("oece-pnda", "otra-entidad"):
        portal.action("organization_create", name=org, title=org.upper())
    portal.action("package_create", name="presupuesto-oece", title="Presupuesto institucional",
                  owner_org="oece-pnda", resources=[resource("presupuesto")])
    portal.action("package_create", name="ajeno", title="De otra entidad",
                  owner_org="otra-entidad", resources=[resource("ajeno")])
    return portal


@pytest.fixture
def scenario(seeded_portal: Instance) -> dict[str, Any]:
    """Local datasets in every state; their copies on the portal made after them."""
    portal = seeded_portal
    org = factories.Organization(name="oece")
    made = {}
    for name, extra in (("contratos", {}), ("proveedores", {"identifier": "oece-prov-001"}),
                        ("obras", {}), ("adjudicaciones", {}), ("penalidades", {})):
        made[name] = factories.Dataset(name=name, title=name.capitalize(), owner_org=org["id"],
                                       notes="Datos de la entidad.",
                                       resources=[resource(name)], **extra)
    factories.Dataset(name="borrador-privado", owner_org=org["id"], private=True, notes="x")
    factories.Dataset(name="norma-apertura", type="norma", owner_org=org["id"],
                      title="Directiva de datos abiertos")
    # the portal's copies, each newer than the local dataset
    copies = {"contratos": {}, "adjudicaciones": {}, "penalidades": {"resources": "otro"},
              "proveedores-oece": {"resources": "proveedores", "extras": [
                  {"key": "identifier", "value": "oece-prov-001"}]}}
    for name, details in copies.items():
        for old in portal.action("package_search", fq=f"name:{name}")["results"]:
            portal.action("dataset_purge", id=old["id"])
        portal.action("package_create", name=name, title=name.capitalize(),
                      owner_org="oece-pnda",
                      resources=[resource(details.get("resources", name))],
                      extras=details.get("extras", []))
    # changed here after the portal took its copy
    admin = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": admin["name"]}, id="adjudicaciones",
                        notes="Actualizado.")
    return made


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {(row["name"] or row["remote_name"]): row["status"] for row in report["datasets"]}


def run(cli, *args: str) -> Any:
    return cli.invoke(ckan_command, ["opengovpe", "national-sync-report", *args])


def test_report_as_json_classifies_every_dataset(cli, scenario, seeded_portal):
    result = run(cli, "--portal", seeded_portal.url, "--publisher", "oece-pnda",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert statuses(report) == {
        "contratos": "present",
        "proveedores": "present",         # matched by its identifier, another name there
        "obras": "missing",
        "adjudicaciones": "outdated",     # modified here after the portal's copy
        "penalidades": "outdated",        # the portal lists other resources
        "presupuesto-oece": "only_there",
    }
    assert report["counts"] == {"missing": 1, "outdated": 2, "only_there": 1, "present": 2}
    assert report["mode"] == "ckan"
    rows = {row["name"] or row["remote_name"]: row for row in report["datasets"]}
    assert rows["proveedores"]["remote_name"] == "proveedores-oece"
    assert rows["proveedores"]["remote_url"] == f"{seeded_portal.url}/dataset/proveedores-oece"
    assert "modified here on" in rows["adjudicaciones"]["detail"]
    assert rows["penalidades"]["detail"] == "1 resources not there; 1 resources only there"
    assert report["error"] is None


def test_without_publisher_the_whole_portal_is_compared(cli, scenario, seeded_portal):
    result = run(cli, "--portal", seeded_portal.url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert statuses(json.loads(result.output))["ajeno"] == "only_there"


@pytest.mark.ckan_config("ckanext.opengovpe.national_portal.page_size", 2)
def test_report_pages_through_the_portal(cli, scenario, seeded_portal):
    paged = run(cli, "--portal", seeded_portal.url, "--format", "json")
    assert paged.exit_code == 0, paged.output
    assert statuses(json.loads(paged.output)) == {
        "contratos": "present", "proveedores": "present", "obras": "missing",
        "adjudicaciones": "outdated", "penalidades": "outdated",
        "presupuesto-oece": "only_there", "ajeno": "only_there"}


def test_report_as_csv_file_and_table(cli, scenario, seeded_portal, tmp_path):
    target = tmp_path / "report.csv"
    result = run(cli, "--portal", seeded_portal.url, "--publisher", "oece-pnda",
                 "--format", "csv", "--output", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["status"] for r in rows] == ["missing", "outdated", "outdated", "only_there",
                                          "present", "present"]
    assert rows[0]["name"] == "obras" and rows[0]["local_url"].endswith("/dataset/obras")

    table = run(cli, "--portal", seeded_portal.url, "--publisher", "oece-pnda")
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0] == f"National portal: {seeded_portal.url} (publisher: oece-pnda)"
    assert lines[1] == "Read through: CKAN API (package_search)"
    assert lines[2] == ("Missing there: 1, Outdated there: 2, Only there: 1, Present: 2")
    assert any(line.startswith("Missing there") and " obras " in line for line in lines[4:])


@pytest.mark.ckan_config("ckanext.opengovpe.national_portal.publisher", "OECE-PNDA")
def test_the_configured_portal_is_the_default(cli, scenario, seeded_portal, ckan_config,
                                               monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.national_portal.url", seeded_portal.url)
    result = run(cli, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["portal"] == seeded_portal.url
    assert report["counts"]["only_there"] == 1      # the publisher matched by its title


def test_one_entity_against_its_name_on_the_portal(cli, scenario, seeded_portal):
    other = factories.Organization(name="otra-local", national_portal_name="OTRA-ENTIDAD")
    factories.Dataset(name="ajeno", title="De otra entidad", owner_org=other["id"], notes="x",
                      resources=[resource("ajeno")])
    seeded_portal.action("package_patch", id="ajeno", notes="Copia al día.")
    result = run(cli, "--portal", seeded_portal.url, "--organization", "otra-local",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["publisher"] == "OTRA-ENTIDAD"
    assert statuses(report) == {"ajeno": "present"}
