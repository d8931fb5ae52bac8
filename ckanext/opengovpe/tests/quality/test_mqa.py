"""The MQA score read from the dataset's own DCAT-AP output."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from ckanext.dcat.utils import dataset_uri
from rdflib import URIRef

from ckanext.opengovpe.dcat import rdf, vocabulary as v
from ckanext.opengovpe.quality import mqa
from ckanext.opengovpe.quality.score import dataset_quality

from .conftest import ACCESS_URL, DOWNLOAD_URL

REACHABLE = {ACCESS_URL: True, DOWNLOAD_URL: True}
Change = Callable[[dict[str, Any]], None]


def _resource(key: str, value: Any = "") -> Change:
    def change(dataset: dict[str, Any]) -> None:
        dataset["resources"][0][key] = value
    return change


def _dataset(**values: Any) -> Change:
    def change(dataset: dict[str, Any]) -> None:
        dataset.update(values)
    return change


def _no_download_url(dataset: dict[str, Any]) -> None:
    dataset["resources"][0].update(url="", download_url="")


def _no_format(dataset: dict[str, Any]) -> None:
    dataset["resources"][0].update(format="")


def _no_media_type(dataset: dict[str, Any]) -> None:
    # the profile derives the media type from a known format
    dataset["resources"][0].update(format="", mimetype="")


def _no_licence(dataset: dict[str, Any]) -> None:
    dataset["resources"][0]["license"] = ""
    dataset["license_id"] = ""


def _no_publisher(dataset: dict[str, Any]) -> None:
    dataset.update(publisher=[], organization=None)


def _no_issue_date(dataset: dict[str, Any]) -> None:
    dataset.update(issued="", metadata_created="")


def _no_modification_date(dataset: dict[str, Any]) -> None:
    dataset.update(modified="", metadata_modified="")


def _proprietary_format(dataset: dict[str, Any]) -> None:
    dataset["resources"][0].update(format="DOCX", mimetype="")


def _not_machine_readable(dataset: dict[str, Any]) -> None:
    dataset["resources"][0].update(format="PDF", mimetype="")


def _no_description(dataset: dict[str, Any]) -> None:
    dataset["notes"] = ""


# what is taken away, and the criteria it costs (each its table's points)
MISSING: dict[str, tuple[Change, tuple[str, ...]]] = {
    "keywords": (_dataset(tags=[]), ("keywords",)),
    "themes": (_dataset(eu_theme=[], pnda_theme="", theme=[]), ("themes",)),
    "spatial": (_dataset(ubigeo_coverage=[], spatial_coverage=[]), ("spatial",)),
    "temporal": (_dataset(temporal_coverage=[]), ("temporal",)),
    "download URL": (_no_download_url, ("download_url", "download_url_reachable")),
    "format": (_no_format, ("format", "format_vocabulary", "non_proprietary",
                            "machine_readable")),
    "format and media type": (_no_media_type, (
        "format", "media_type", "format_vocabulary", "non_proprietary", "machine_readable")),
    "proprietary format": (_proprietary_format, ("non_proprietary", "machine_readable")),
    "format not machine-readable": (_not_machine_readable, ("machine_readable",)),
    "licence": (_no_licence, ("licence", "licence_vocabulary")),
    "access rights": (_dataset(access_rights=""),
                      ("access_rights", "access_rights_vocabulary")),
    "contact point": (_dataset(contact=[]), ("contact_point",)),
    "publisher": (_no_publisher, ("publisher",)),
    "rights": (_resource("rights"), ("rights",)),
    "file size": (_resource("size", None), ("byte_size",)),
    "issue date": (_no_issue_date, ("issued",)),
    "modification date": (_no_modification_date, ("modified",)),
    "DCAT-AP compliance": (_no_description, ("dcat_ap",)),
}
POINTS = {c.key: c.points for c in mqa.CRITERIA}


def test_the_table_has_405_points_over_five_dimensions():
    assert mqa.MAXIMUM == 405
    assert {c.dimension for c in mqa.CRITERIA} == set(mqa.DIMENSIONS)


def test_a_fully_described_dataset_scores_405(described):
    quality = dataset_quality(described, REACHABLE)
    assert quality["score"] == 405, [c for c in quality["criteria"] if c["gain"]]
    assert quality["rating"] == "excellent"
    assert quality["dimensions"] == {"findability": 100, "accessibility": 100,
                                     "interoperability": 110, "reusability": 75,
                                     "contextuality": 20}


@pytest.mark.parametrize("missing", sorted(MISSING))
def test_each_missing_property_costs_exactly_its_points(described, missing):
    change, lost = MISSING[missing]
    dataset = dict(copy.deepcopy(described), metadata_modified=f"changed: {missing}")
    change(dataset)
    quality = dataset_quality(dataset, REACHABLE)
    gains = {c["key"]: c["gain"] for c in quality["criteria"] if c["gain"]}
    assert gains == {key: POINTS[key] for key in lost}
    assert quality["score"] == 405 - sum(POINTS[key] for key in lost)


def test_a_licence_outside_the_eu_vocabulary_costs_its_points(described):
    # the profile writes licences of the EU authority only; a graph may carry others
    g = rdf.dataset_graph(described)
    ref = URIRef(dataset_uri(described))
    [dist] = g.objects(ref, v.DCAT.distribution)
    g.set((dist, v.DCT.license, URIRef("https://www.miraflores.gob.pe/licencia")))
    results = mqa.assess(g, ref, mqa.Facts(dcat_ap_compliant=True, reachable=REACHABLE))
    assert {r.criterion.key: r.gain for r in results if r.gain} == {"licence_vocabulary": 10}
    assert mqa.total(results) == 395


@pytest.mark.parametrize("url, lost", [(ACCESS_URL, ("access_url_reachable",)),
                                       (DOWNLOAD_URL, ("download_url_reachable",))])
def test_an_unreachable_url_costs_its_points(described, url, lost):
    quality = dataset_quality(described, dict(REACHABLE, **{url: False}))
    assert quality["score"] == 405 - sum(POINTS[key] for key in lost)


def test_a_distribution_criterion_earns_the_share_of_distributions_meeting_it(described):
    dataset = copy.deepcopy(described)
    second = dict(dataset["resources"][0], id="segunda", size=None, format="XLSX",
                  mimetype="", rights="")
    dataset["resources"].append(second)
    dataset["metadata_modified"] = "two distributions"
    quality = dataset_quality(dataset, REACHABLE)
    gains = {c["key"]: c["gain"] for c in quality["criteria"] if c["gain"]}
    # one distribution of two lacks each: half the points
    assert gains == {"byte_size": 2.5, "rights": 2.5, "non_proprietary": 10}
    assert quality["score"] == 390


def test_no_distribution_earns_no_distribution_points(described):
    dataset = dict(copy.deepcopy(described), resources=[], metadata_modified="none")
    quality = dataset_quality(dataset, {})
    earned = {c["key"]: c["earned"] for c in quality["criteria"]}
    assert all(earned[c.key] == 0 for c in mqa.CRITERIA if c.on_distributions)
