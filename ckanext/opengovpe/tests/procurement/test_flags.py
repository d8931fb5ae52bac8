"""Red flags and statistics on the real OECE records (and small changes of them)."""
from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest

from ckanext.opengovpe.procurement import build, flags, parse, process
from ckanext.opengovpe.tests.procurement import synthetic


def compiled(name: str) -> dict[str, Any]:
    return process.compile_record(synthetic.sample(name)["records"][0])


PIURA, LIMA = (compiled(name) for name in synthetic.SAMPLES)


def works() -> dict[str, Any]:
    release = synthetic.sample(synthetic.WORKS)
    release.pop("_fixture")
    return release


def test_real_direct_award_with_four_day_contracts():
    assert flags.process_flags(PIURA) == ["direct_award", "short_contract"]


def test_real_protected_tender_information():
    assert "value_hidden" in flags.process_flags(LIMA)


def test_real_works_without_cui_and_eight_tenderers():
    found = flags.process_flags(works())
    assert "works_without_cui" in found and "single_bidder" not in found


def test_single_bidder_only_in_a_competitive_method():
    release = works()
    release["tender"]["numberOfTenderers"] = 1
    assert "single_bidder" in flags.process_flags(release)
    release["tender"]["procurementMethod"] = "direct"
    assert "single_bidder" not in flags.process_flags(release)


def test_award_above_the_estimate():
    release = copy.deepcopy(PIURA)
    release["awards"][0]["value"]["amount"] += 1000
    assert "award_above_estimate" in flags.process_flags(release)
    assert "award_above_estimate" not in flags.process_flags(PIURA)  # exactly 100%


def test_consortium_supplier_by_id_or_name():
    assert flags.is_consortium("PE-RUC-1234567", "ALFA")
    assert flags.is_consortium("PE-RUC-20100028698", "CONSORCIO VIAL NORTE")
    assert not flags.is_consortium("PE-RUC-20100028698", "FERREYROS SOCIEDAD ANÓNIMA")


def test_supplier_concentration_and_hhi():
    # two suppliers of PEN 3,728,818.88 and 3,381,200: top share 52.4%, HHI about 5,012
    result = flags.concentration([PIURA])
    assert result["top_share"] == pytest.approx(0.5244, abs=1e-4)
    assert result["hhi"] == pytest.approx(5012, abs=1)
    assert result["flag"] is True


def test_no_flag_reads_the_tender_period():
    release = copy.deepcopy(LIMA)
    release["tender"].pop("tenderPeriod", None)
    assert flags.process_flags(release) == flags.process_flags(LIMA)


def test_statistics_and_files(tmp_path):
    stats = build.summarise([PIURA, LIMA], str(tmp_path))
    assert (stats["processes"], stats["awards"], stats["contracts"]) == (2, 2, 3)
    assert stats["estimate_pen"] == pytest.approx(7110018.88 + 143328)
    assert stats["method_shares"] == {"direct": 0.5, "unknown": 0.5}
    # processes by the month of their date (the call's publication first), for the chart
    assert stats["month_counts"] == {"2026-04": 1, "2026-05": 1}
    assert stats["red_flags"]["direct_award"] == 1
    assert (tmp_path / "alertas.csv").read_text().count("\n") == 4  # header + 3 flags
    assert process.buyer_of(PIURA)["ruc"] == "20154477536"


def test_dataset_names_are_deterministic():
    assert process.dataset_name("PE-CONSUCODE-10352", 2026) == \
        "contrataciones-pe-consucode-10352-2026"


def test_a_record_without_compiled_release_is_merged():
    record = {"ocid": "ocds-x-1", "releases": [
        {"ocid": "ocds-x-1", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
         "buyer": {"id": "B", "name": "B"}, "tender": {"id": "t", "numberOfTenderers": 3}},
        {"ocid": "ocds-x-1", "id": "2", "date": "2026-02-01T00:00:00Z", "tag": ["tenderUpdate"],
         "tender": {"id": "t", "numberOfTenderers": 1}}]}
    release = process.compile_record(record)
    assert release["tender"]["numberOfTenderers"] == 1
    assert release["buyer"]["id"] == "B"


def test_a_record_with_only_linked_releases_cannot_be_used():
    with pytest.raises(process.ProcessError, match="no compiledRelease"):
        process.compile_record(synthetic.sample(synthetic.SAMPLES[0])["records"][0]
                               | {"compiledRelease": None})


def test_parse_keeps_package_metadata_and_streams_items():
    meta: dict[str, Any] = {}
    body = json.dumps({"links": {"next": "http://x/2"},
                       "records": [{"ocid": "a", "compiledRelease": {}}]}).encode()
    items = list(parse.iter_items(io.BufferedReader(io.BytesIO(body)), meta))
    assert [i.data["ocid"] for i in items] == ["a"]
    assert meta["links"] == {"next": "http://x/2"}
