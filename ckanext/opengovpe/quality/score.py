"""The quality of a dataset: its own DCAT-AP output, SHACL and link check."""
from __future__ import annotations

import logging
from typing import Any

from rdflib import URIRef

from ..dcat import rdf
from ..dcat.profiles import QUALITY_KEY
from ckanext.dcat.utils import dataset_uri
from . import links, mqa, shacl

log = logging.getLogger(__name__)

# violations kept with a score at most: enough to say what is wrong
MAX_VIOLATIONS = 50


def dataset_quality(dataset: dict[str, Any], reachable: dict[str, bool] | None = None,
                    violations: list[str] | None = None) -> dict[str, Any]:
    """The MQA score of ``dataset`` (a package_show dict) and what to fix, with the SHACL
    result and the access and download URLs it read.

    :param reachable: the last link-check result of each access and download URL; a URL
        not checked yet counts as not reachable; by default, what the link check stored
    :param violations: the SHACL violations of the dataset as it is, when already known;
        by default the graph is validated (around a second)
    """
    # the graph scored is the dataset's own metadata, without its stored measurements
    g = rdf.dataset_graph(dict(dataset, **{QUALITY_KEY: None}))
    ref = URIRef(dataset_uri(dataset))
    urls = mqa.link_urls(g, ref)
    if reachable is None:
        reachable = links.results(urls)
    if violations is None:
        violations = shacl.violations(g)
    facts = mqa.Facts(dcat_ap_compliant=not violations, reachable=reachable)
    return dict(mqa.as_dict(mqa.assess(g, ref, facts)), id=dataset["id"], name=dataset["name"],
                shacl={"conforms": not violations, "violations": violations[:MAX_VIOLATIONS]},
                urls=urls)
