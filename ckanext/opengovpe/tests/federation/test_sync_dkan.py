"""The national-portal sync report against DKAN 7, as datosabiertos.gob.pe runs it."""
from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from .conftest import LOCAL
from .dkan import DkanPortal, serve

pytestmark = [pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
              pytest.mark.ckan_config("ckanext.opengovpe.national_portal.requests_per_second", 0),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

CSV_URL = "https://datos.oece.gob.pe/files/{}.csv"
TITLE = "Organismo Especializado para las Contrataciones Públicas Eficientes"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
LATER, EARLIER = NOW + datetime.timedelta(days=1), datetime.datetime(2020, 1, 6, 9, 30)
EXPECTED = {
    "contratos": "present",
    "proveedores": "present",        # its identifier is the dataset's id there
    "obras": "missing",
    "adjudicaciones": "outdated",    # modified here after the portal's copy
    "penalidades": "outdated",       # the portal lists another resource
    "presupuesto-oece": "only_there",
}


@pytest.fixture(scope="module")
def portal() -> Iterator[DkanPortal]:
    """The national portal: the entity's group, another one, and their datasets."""
    dkan = DkanPortal(cap=2)
    oece, other = dkan.group("oece-pnda", TITLE), dkan.group("otra-entidad", "Otra entidad")
    for name, urls, modified, ident in (
            ("contratos", ["contratos"], LATER, None),
            ("proveedores-oece", ["proveedores"], LATER, "oece-prov-001"),
            ("adjudicaciones", ["adjudicaciones"], EARLIER, None),
            ("penalidades", ["otro"], LATER, None),
            ("presupuesto-oece", ["presupuesto"], LATER, None)):
        dkan.add(name=name, title=name.capitalize(), group=oece, identifier=ident,
                 urls=[CSV_URL.format(u) for u in urls], modified=modified)
    dkan.add(name="ajeno", title="De otra entidad", group=other,
             urls=[CSV_URL.format("ajeno")], modified=LATER)
    with serve(dkan):
        yield dkan


@pytest.fixture
def scenario(portal: DkanPortal) -> DkanPortal:
    org = factories.Organization(name="oece")
    for name, extra in (("contratos", {}), ("proveedores", {"identifier": "oece-prov-001"}),
                        ("obras", {}), ("adjudicaciones", {}), ("penalidades", {})):
        factories.Dataset(name=name, title=name.capitalize(), owner_org=org["id"],
                          notes="Datos de la entidad.",
                          resources=[{"url": CSV_URL.format(name), "format": "CSV"}], **extra)
    portal.broken_api = False
    portal.paths.clear()
    return portal


def report(cli, portal: DkanPortal, *args: str) -> dict[str, Any]:
    result = cli.invoke(ckan_command, ["opengovpe", "national-sync-report", "--portal",
                                       portal.url, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def statuses(found: dict[str, Any]) -> dict[str, str]:
    return {(row["name"] or row["remote_name"]): row["status"] for row in found["datasets"]}


@pytest.mark.parametrize("publisher", ["oece-pnda", TITLE])
def test_dkan_publisher_is_a_group_by_name_or_title(cli, scenario, publisher):
    found = report(cli, scenario, "--publisher", publisher)
    assert found["mode"] == "dkan"
    assert found["error"] is None
    assert statuses(found) == EXPECTED
    rows = {row["name"] or row["remote_name"]: row for row in found["datasets"]}
    assert rows["proveedores"]["remote_url"] == f"{scenario.url}/dataset/proveedores-oece"
    assert "modified here on" in rows["adjudicaciones"]["detail"]


def test_dkan_pages_past_its_limit_cap(cli, scenario):
    found = report(cli, scenario)
    assert statuses(found)["ajeno"] == "only_there"
    pages = [p for p in scenario.paths if "current_package_list_with_resources" in p]
    # six datasets, two a page whatever limit asks, then an empty page
    assert [p.rsplit("offset=", 1)[1] for p in pages] == ["0", "2", "4", "6"]
    assert any("/package_search" in p for p in scenario.paths)  # asked once, then not again


def test_broken_api_falls_back_to_data_json(cli, scenario):
    scenario.broken_api = True
    found = report(cli, scenario, "--publisher", TITLE)
    assert found["mode"] == "data_json"
    assert statuses(found) == EXPECTED


def test_table_names_the_mode(cli, scenario):
    result = cli.invoke(ckan_command, ["opengovpe", "national-sync-report", "--portal",
                                       scenario.url, "--publisher", "oece-pnda"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == "Read through: DKAN 7 API (current_package_list_with_resources)"
