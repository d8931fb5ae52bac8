"""The MQA score of one dataset, read from its DCAT-AP graph.

Point table and rules of data.europa.eu's Metadata Quality Assessment methodology
(https://data.europa.eu/mqa/methodology): 405 points over five dimensions. A criterion on
distributions earns its points in the share of the dataset's distributions that satisfy it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..dcat import vocabulary as v
from ..translation import N_

EU_FILE_TYPE = v.EU + "file-type/"
# EU file-type codes of open, non-proprietary formats and of machine-readable ones, as the
# methodology's lists (a format both open and structured counts in both)
NON_PROPRIETARY = frozenset({
    "CSV", "TSV", "JSON", "JSON_LD", "GEOJSON", "XML", "RDF_XML", "RDF_TURTLE", "N3",
    "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "ODS", "ODT", "ODF", "TXT", "HTML", "PDF",
    "PDFA1A", "GML", "KML", "GPKG", "ATOM", "RSS", "PNG", "SVG", "NETCDF", "PARQUET"})
MACHINE_READABLE = frozenset({
    "CSV", "TSV", "JSON", "JSON_LD", "GEOJSON", "XML", "RDF_XML", "RDF_TURTLE", "N3",
    "RDF_N_TRIPLES", "RDF_N_QUADS", "RDF_TRIG", "ODS", "XLS", "XLSX", "GML", "KML", "GPKG",
    "SHP", "ATOM", "RSS", "NETCDF", "PARQUET", "SPARQLQ"})
IANA_PREFIXES = (v.IANA, "http://www.iana.org/assignments/media-types/")
ACCESS_RIGHTS_SCHEME = v.EU + "access-right/"
LICENCE_SCHEME = v.EU + "licence/"


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the score needs besides the graph: the SHACL result and the link check."""

    dcat_ap_compliant: bool
    reachable: Mapping[str, bool]


@dataclasses.dataclass(frozen=True)
class Criterion:
    key: str
    dimension: str
    points: int
    on_distributions: bool


# the methodology's table, in its order
CRITERIA: tuple[Criterion, ...] = (
    Criterion("keywords", "findability", 30, False),
    Criterion("themes", "findability", 30, False),
    Criterion("spatial", "findability", 20, False),
    Criterion("temporal", "findability", 20, False),
    Criterion("access_url_reachable", "accessibility", 50, True),
    Criterion("download_url", "accessibility", 20, True),
    Criterion("download_url_reachable", "accessibility", 30, True),
    Criterion("format", "interoperability", 20, True),
    Criterion("media_type", "interoperability", 10, True),
    Criterion("format_vocabulary", "interoperability", 10, True),
    Criterion("non_proprietary", "interoperability", 20, True),
    Criterion("machine_readable", "interoperability", 20, True),
    Criterion("dcat_ap", "interoperability", 30, False),
    Criterion("licence", "reusability", 20, True),
    Criterion("licence_vocabulary", "reusability", 10, True),
    Criterion("access_rights", "reusability", 10, False),
    Criterion("access_rights_vocabulary", "reusability", 5, False),
    Criterion("contact_point", "reusability", 20, False),
    Criterion("publisher", "reusability", 10, False),
    Criterion("rights", "contextuality", 5, True),
    Criterion("byte_size", "contextuality", 5, True),
    Criterion("issued", "contextuality", 5, False),
    Criterion("modified", "contextuality", 5, False),
)
MAXIMUM = sum(c.points for c in CRITERIA)
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability",
              "contextuality")


@dataclasses.dataclass(frozen=True)
class Result:
    """The points a criterion earned, and the share of distributions that satisfy it."""

    criterion: Criterion
    share: float

    @property
    def earned(self) -> float:
        return round(self.criterion.points * self.share, 2)

    @property
    def gain(self) -> float:
        """Points a fix of this criterion would add."""
        return round(self.criterion.points - self.earned, 2)


def _file_type_code(g: Graph, dist: Node) -> str | None:
    for fmt in g.objects(dist, v.DCT["format"]):
        if isinstance(fmt, URIRef) and str(fmt).startswith(EU_FILE_TYPE):
            return str(fmt)[len(EU_FILE_TYPE):]
    return None


def _urls(g: Graph, dist: Node, predicate: URIRef) -> list[str]:
    return [str(u) for u in g.objects(dist, predicate) if isinstance(u, URIRef)]


def _licence_known(g: Graph, dist: Node) -> bool:
    return any(str(lic).startswith(LICENCE_SCHEME) for lic in g.objects(dist, v.DCT.license))


DistributionTest = Callable[[Graph, Node, Facts], bool]

_DISTRIBUTION_TESTS: dict[str, DistributionTest] = {
    "access_url_reachable": lambda g, d, f: any(
        f.reachable.get(u, False) for u in _urls(g, d, v.DCAT.accessURL)),
    "download_url": lambda g, d, f: bool(_urls(g, d, v.DCAT.downloadURL)),
    "download_url_reachable": lambda g, d, f: any(
        f.reachable.get(u, False) for u in _urls(g, d, v.DCAT.downloadURL)),
    "format": lambda g, d, f: (d, v.DCT["format"], None) in g,
    "media_type": lambda g, d, f: (d, v.DCAT.mediaType, None) in g,
    "format_vocabulary": lambda g, d, f: _file_type_code(g, d) is not None and any(
        str(m).startswith(IANA_PREFIXES) for m in g.objects(d, v.DCAT.mediaType)),
    "non_proprietary": lambda g, d, f: _file_type_code(g, d) in NON_PROPRIETARY,
    "machine_readable": lambda g, d, f: _file_type_code(g, d) in MACHINE_READABLE,
    "licence": lambda g, d, f: (d, v.DCT.license, None) in g,
    "licence_vocabulary": lambda g, d, f: _licence_known(g, d),
    "rights": lambda g, d, f: (d, v.DCT.rights, None) in g,
    "byte_size": lambda g, d, f: (d, v.DCAT.byteSize, None) in g,
}

DatasetTest = Callable[[Graph, Node, Facts], bool]

_DATASET_TESTS: dict[str, DatasetTest] = {
    "keywords": lambda g, ds, f: (ds, v.DCAT.keyword, None) in g,
    "themes": lambda g, ds, f: (ds, v.DCAT.theme, None) in g,
    "spatial": lambda g, ds, f: (ds, v.DCT.spatial, None) in g,
    "temporal": lambda g, ds, f: (ds, v.DCT.temporal, None) in g,
    "dcat_ap": lambda g, ds, f: f.dcat_ap_compliant,
    "access_rights": lambda g, ds, f: (ds, v.DCT.accessRights, None) in g,
    "access_rights_vocabulary": lambda g, ds, f: any(
        str(r).startswith(ACCESS_RIGHTS_SCHEME) for r in g.objects(ds, v.DCT.accessRights)),
    "contact_point": lambda g, ds, f: (ds, v.DCAT.contactPoint, None) in g,
    "publisher": lambda g, ds, f: (ds, v.DCT.publisher, None) in g,
    "issued": lambda g, ds, f: (ds, v.DCT.issued, None) in g,
    "modified": lambda g, ds, f: (ds, v.DCT.modified, None) in g,
}


def link_urls(g: Graph, dataset_ref: URIRef) -> list[str]:
    """The access and download URLs of the dataset's distributions, each once."""
    urls: list[str] = []
    for dist in g.objects(dataset_ref, v.DCAT.distribution):
        urls += _urls(g, dist, v.DCAT.accessURL) + _urls(g, dist, v.DCAT.downloadURL)
    return list(dict.fromkeys(urls))


def assess(g: Graph, dataset_ref: URIRef, facts: Facts) -> list[Result]:
    """Every criterion of the table, with the share of it ``dataset_ref`` satisfies.

    A dataset without distributions satisfies no distribution criterion.
    """
    distributions = list(g.objects(dataset_ref, v.DCAT.distribution))
    results = []
    for criterion in CRITERIA:
        if criterion.on_distributions:
            test = _DISTRIBUTION_TESTS[criterion.key]
            met = sum(1 for d in distributions if test(g, d, facts))
            share = met / len(distributions) if distributions else 0.0
        else:
            share = 1.0 if _DATASET_TESTS[criterion.key](g, dataset_ref, facts) else 0.0
        results.append(Result(criterion, share))
    return results


def total(results: list[Result]) -> float:
    return round(sum(r.earned for r in results), 2)


def rating(score: float) -> str:
    """The methodology's rating of a score: excellent, good, sufficient or bad."""
    if score >= 351:
        return "excellent"
    if score >= 221:
        return "good"
    if score >= 121:
        return "sufficient"
    return "bad"


RATING_LABELS = {"excellent": N_("Excellent"), "good": N_("Good"),
                 "sufficient": N_("Sufficient"), "bad": N_("Bad")}


def as_dict(results: list[Result]) -> dict[str, Any]:
    score = total(results)
    return {
        "score": score,
        "maximum": MAXIMUM,
        "rating": rating(score),
        "dimensions": {d: round(sum(r.earned for r in results if r.criterion.dimension == d), 2)
                       for d in DIMENSIONS},
        "criteria": [{"key": r.criterion.key, "dimension": r.criterion.dimension,
                      "points": r.criterion.points, "earned": r.earned, "gain": r.gain}
                     for r in results],
    }
