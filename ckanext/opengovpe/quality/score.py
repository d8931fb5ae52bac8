"""The quality of a published dataset: its own DCAT-AP output, SHACL and link check."""
from __future__ import annotations

import datetime
import logging
from typing import Any

import sqlalchemy as sa
from rdflib import URIRef

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..dcat import rdf
from ckanext.dcat.utils import dataset_uri
from . import links, mqa, shacl

log = logging.getLogger(__name__)


def dataset_quality(dataset: dict[str, Any], reachable: dict[str, bool] | None = None
                    ) -> dict[str, Any]:
    """The MQA score of ``dataset`` (a package_show dict) and what to fix.

    :param reachable: the last link-check result of each access and download URL; a URL
        not checked yet counts as not reachable; by default, what the link check stored
    """
    g = rdf.dataset_graph(dataset)
    ref = URIRef(dataset_uri(dataset))
    if reachable is None:
        reachable = links.results(mqa.link_urls(g, ref))
    facts = mqa.Facts(
        dcat_ap_compliant=shacl.compliant(dataset["id"], dataset.get("metadata_modified", ""), g),
        reachable=reachable)
    return dict(mqa.as_dict(mqa.assess(g, ref, facts)), id=dataset["id"], name=dataset["name"])


def published_ids() -> list[str]:
    """Ids of the public, active datasets (plans and harvest sources aside)."""
    return [row[0] for row in model.Session.execute(
        sa.select(model.package_table.c.id).where(
            model.package_table.c.state == "active",
            model.package_table.c.private.is_(False),
            model.package_table.c.type == "dataset")
        .order_by(model.package_table.c.id))]


def link_check() -> int:
    """Check the access and download URLs of published datasets that are due; returns
    how many URLs were checked."""
    context = {"ignore_auth": True}
    urls: list[str] = []
    for dataset_id in published_ids():
        dataset = tk.get_action("package_show")(dict(context), {"id": dataset_id})
        urls += mqa.link_urls(rdf.dataset_graph(dataset), URIRef(dataset_uri(dataset)))
    now = datetime.datetime.now(datetime.timezone.utc)
    due = links.due(urls, now, tk.config.get("ckanext.opengovpe.quality.link_check.recheck_after"))
    checked = links.store(links.check_all(due))
    log.info("Link check: %s URLs checked of %s", checked, len(set(urls)))
    return checked
