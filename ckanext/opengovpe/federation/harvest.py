"""ckanext-dcat's RDF harvester made safe for sources configured by users.

Used by the ``opengovpe_harvest`` plugin through ckanext-dcat's ``IDCATRDFHarvester`` hooks:

- every page URL (the source's, then each ``hydra:next``) is checked with
  :func:`ckanext.opengovpe.net.check_url` before it is fetched, and the requests session
  checks every request again, redirects included, with bounded time;
- each downloaded document passes :func:`guard.check_document` before rdflib parses it,
  and each parsed page :func:`guard.check_graph`;
- a harvest source's URL is checked the same way when the source is saved.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

import requests

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from .. import net
from . import guard
from .messages import N_, FederationError

log = logging.getLogger(__name__)

HARVEST_TYPE = "harvest"

URL_MESSAGES = {
    "scheme": N_("The harvest source URL must be an http or https address."),
    "address": N_("The harvest source URL points to an address that is not public."),
    "connection": N_("The harvest source host name cannot be resolved."),
}


def url_problem(url: str) -> Optional[FederationError]:
    """Why ``url`` may not be harvested, or None."""
    try:
        net.check_url(url)
    except net.FetchError as err:
        message = URL_MESSAGES.get(err.reason, URL_MESSAGES["scheme"])
        return FederationError(err.reason, message, detail=str(err))
    return None


class GuardedSession(requests.Session):
    """A session that checks each request's URL (redirect hops too) and bounds its time."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment
        self.max_redirects = tk.config.get("ckanext.opengovpe.fetch.max_redirects")
        self.headers["User-Agent"] = net.USER_AGENT

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        try:
            net.check_url(request.url or "")
        except net.FetchError as err:
            # ckanext-dcat reports connection errors as gather errors
            raise requests.exceptions.ConnectionError(str(err), request=request) from err
        if not kwargs.get("timeout"):
            kwargs["timeout"] = (tk.config.get("ckanext.opengovpe.fetch.connect_timeout"),
                                 tk.config.get("ckanext.opengovpe.fetch.read_timeout"))
        return super().send(request, **kwargs)


def before_download(url: str) -> tuple[Optional[str], list[str]]:
    problem = url_problem(url)
    if problem:
        log.warning("Harvest of %s refused: %s", url, problem)
        return None, [problem.render()]
    return url, []


def after_download(content: Any) -> tuple[Any, list[str]]:
    if not content:
        return content, []
    try:
        guard.check_document(content)
    except FederationError as err:
        log.warning("Harvested document refused: %s", err)
        return None, [err.render()]
    return content, []


def after_parsing(parser: Any) -> tuple[Any, list[str]]:
    try:
        guard.check_graph(parser.g)
    except FederationError as err:
        log.warning("Harvested graph refused: %s", err)
        return None, [err.render()]
    return parser, []


def _check_source(data_dict: DataDict) -> None:
    if data_dict.get("type") != HARVEST_TYPE or not data_dict.get("url"):
        return
    problem = url_problem(str(data_dict["url"]))
    if problem:
        raise tk.ValidationError({"url": [problem.render(tk._)]})


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Harvest sources (type ``harvest``) may only point to public http(s) addresses."""
    _check_source(data_dict)
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Harvest sources (type ``harvest``) may only point to public http(s) addresses."""
    _check_source(data_dict)
    return up_func(context, data_dict)


def validated_source(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Index a harvest source with its validated form, as CKAN does other datasets.

    After each job ckanext-harvest re-indexes the source with a dict read without
    validation (raw extras, no ``source_type``); cached reads then return that dict and the
    next ``harvester run-test`` or job fails with ``KeyError: 'source_type'``.
    """
    if pkg_dict.get("dataset_type", pkg_dict.get("type")) != HARVEST_TYPE:
        return pkg_dict
    try:
        shown = tk.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                               {"id": pkg_dict["id"]})
    except tk.ObjectNotFound:
        return pkg_dict
    if "source_type" in shown:
        pkg_dict["validated_data_dict"] = json.dumps(shown, default=str)
    return pkg_dict
