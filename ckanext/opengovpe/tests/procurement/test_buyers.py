"""Whose process, when, and in which currency: buyers, dates and amounts of real releases of
other publishers (tests/harvesters/fixtures/publishers) and of OECE."""
from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest

from ckanext.opengovpe import vocab
from ckanext.opengovpe.procurement import build, flags, process
from ckanext.opengovpe.tests.procurement import synthetic

PUBLISHERS = pathlib.Path(__file__).parent.parent / "harvesters" / "fixtures" / "publishers"


def cdmx() -> dict[str, Any]:
    """CDMX's DRM-065 (OCDS 1.0): buyer and procuringEntity by identifier, no parties."""
    package = json.loads((PUBLISHERS / "mx-cdmx_release-package_1.0_drm-065.json").read_text())
    return process.to_json(process.compile_releases(package["releases"]))


def compranet() -> dict[str, Any]:
    package = json.loads((PUBLISHERS / "mx-compranet_record-package_1.1.json").read_text())
    return process.compile_record(package["records"][0])


PIURA = process.compile_record(synthetic.sample(synthetic.SAMPLES[0])["records"][0])


def test_buyer_order_buyer_then_party_then_procuring_entity():
    release = cdmx()
    assert process.buyer_of(release)["key"] == "GDF9712054NA"
    # without ``buyer``, the tender's procuring entity names it
    del release["buyer"]
    assert process.buyer_of(release)["name"] == "SECRETARÍA DE FINANZAS"
    assert process.buyer_of(release)["key"] == "GDF9712054NA"
    # a party with role buyer comes before tender.procuringEntity
    release["parties"] = [{"id": "X-1", "name": "Alcaldía Iztapalapa", "roles": ["buyer"]}]
    assert process.buyer_of(release)["name"] == "Alcaldía Iztapalapa"
    del release["tender"]["procuringEntity"]
    release["parties"][0]["roles"] = ["procuringEntity"]
    assert process.buyer_of(release)["key"] == "X-1"
    release["parties"] = []
    assert process.buyer_of(release) is None


def test_identity_rules():
    # OECE: the party's identifier (scheme and id) gives the same dataset names as before
    assert process.buyer_of(PIURA) == {
        "key": "PE-CONSUCODE-10352", "id": "PE-CONSUCODE-10352", "ruc": "20154477536",
        "name": "GOBIERNO REGIONAL DE PIURA - PROYECTO ESPECIAL CHIRA PIURA",
        "department": "20"}
    # Compranet: buyer SEMAR-272 without identifier; a different procuring entity is ignored
    assert process.buyer_of(compranet())["key"] == "SEMAR-272"
    assert process.buyer_of(PIURA, "name")["key"] == \
        "GOBIERNO REGIONAL DE PIURA PROYECTO ESPECIAL CHIRA PIURA"
    renamed = copy.deepcopy(PIURA)
    renamed["buyer"]["name"] = "Gobierno Regional de Piura – Proyecto Especial Chira-Piura"
    assert process.buyer_of(renamed, "name")["key"] == process.buyer_of(PIURA, "name")["key"]


def test_long_identities_stay_apart():
    first = process.dataset_name("MUNICIPALIDAD DISTRITAL DE " + "X" * 60 + " A", 2026)
    second = process.dataset_name("MUNICIPALIDAD DISTRITAL DE " + "X" * 60 + " B", 2026)
    assert first != second and len(first) <= 100


def test_process_date_order():
    release = cdmx()  # tender period 2015-12-14; releases of 2017
    assert process.process_date(release) == ("2015-12-14T00:00:00-06:00",
                                             "tender.tenderPeriod.startDate")
    del release["tender"]["tenderPeriod"]
    assert process.process_date(release) == ("2015-12-30T00:00:00-06:00", "awards.date")
    release["awards"] = []
    assert process.process_date(release)[1] == "contracts.dateSigned"
    release["contracts"] = []
    assert process.process_date(release)[1] == "date"
    release["tender"]["datePublished"] = "2015-12-01T09:00:00-06:00"
    assert process.year_of(release) == 2015


def test_flags_compare_one_currency_only():
    found, unknown = flags.assess(cdmx())  # MXN estimate, USD award
    assert "award_above_estimate" not in found and "award_above_estimate" in unknown
    same = cdmx()
    same["awards"][0]["value"] = {"amount": 2_000_000, "currency": "MXN"}
    assert "award_above_estimate" in flags.assess(same)[0]


def test_totals_per_currency_never_mixed(tmp_path):
    stats = build.summarise([cdmx(), PIURA], str(tmp_path))
    assert stats["totals"]["USD"]["awarded"] == 75464.96
    assert stats["totals"]["MXN"]["estimate"] == 1471566.72
    assert stats["awarded_pen"] == pytest.approx(7110018.88)  # PEN only
    suppliers = (tmp_path / "proveedores.csv").read_text().splitlines()
    assert any(line.endswith(",75464.96,USD,False") for line in suppliers)
    processes = (tmp_path / "procesos.csv").read_text()
    assert "75464.96,USD" in processes and "award_above_estimate" in processes


def test_the_buyers_department_comes_from_its_address():
    # Mexico City's buyer has no Peruvian department: none is guessed
    assert process.buyer_of(compranet())["department"] == ""
    moved = copy.deepcopy(PIURA)
    for party in moved["parties"]:
        if "buyer" in party["roles"]:
            party["address"] = {"region": "Apurímac"}
    assert process.buyer_of(moved)["department"] == "03"
    for party in moved["parties"]:
        if "buyer" in party["roles"]:
            party["address"] = {"department": ["LIMA"], "region": 15}
    assert process.buyer_of(moved)["department"] == ""


def test_department_codes_by_name():
    assert vocab.department_code("MADRE DE DIOS") == "17"
    assert vocab.department_code("  san martín ") == "22"
    assert vocab.department_code("Callao") == "07"
    assert vocab.department_code("Atlantis") is None
    assert vocab.department_code("") is None
