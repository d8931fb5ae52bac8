"""The quality of a published dataset: its own DCAT-AP output, SHACL and link check."""
from __future__ import annotations

from typing import Any

from rdflib import URIRef

from ..dcat import rdf
from ckanext.dcat.utils import dataset_uri
from . import mqa, shacl


def dataset_quality(dataset: dict[str, Any], reachable: dict[str, bool]) -> dict[str, Any]:
    """The MQA score of ``dataset`` (a package_show dict) and what to fix.

    :param reachable: the last link-check result of each access and download URL; a URL
        not checked yet counts as not reachable
    """
    g = rdf.dataset_graph(dataset)
    ref = URIRef(dataset_uri(dataset))
    facts = mqa.Facts(
        dcat_ap_compliant=shacl.compliant(dataset["id"], dataset.get("metadata_modified", ""), g),
        reachable=reachable)
    return dict(mqa.as_dict(mqa.assess(g, ref, facts)), id=dataset["id"], name=dataset["name"])
