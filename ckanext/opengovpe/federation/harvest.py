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
from typing import Any, Optional, cast

import requests

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import plugins as lib_plugins
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


def _schema_errors(context: Context, data_dict: DataDict, action: str) -> dict[str, Any]:
    """The harvest source schema's own errors for ``data_dict``, without saving anything."""
    package_plugin = lib_plugins.lookup_package_plugin(HARVEST_TYPE)
    schema = context.get("schema") or (
        package_plugin.create_package_schema() if action == "package_create"
        else package_plugin.update_package_schema())
    _data, errors = lib_plugins.plugin_validate(
        package_plugin, cast(Context, dict(context)), dict(data_dict), schema, action)
    return errors


def _is_harvest_source(data_dict: DataDict, action: str) -> bool:
    """Whether the dataset being saved is (or becomes) a harvest source.

    An update need not repeat the type: CKAN keeps the stored one, and the edit form of a
    harvest source, ``package_patch`` and API clients leave it out.
    """
    if data_dict.get("type") == HARVEST_TYPE:
        return True
    if action != "package_update":
        return False
    reference = data_dict.get("id") or data_dict.get("name")
    stored = model.Package.get(str(reference)) if reference else None
    return stored is not None and stored.type == HARVEST_TYPE


def _check_source(context: Context, data_dict: DataDict, action: str) -> None:
    """Refuse a harvest source whose URL is not a public http(s) address.

    The form shows every field's error at once: the source's other errors (a missing
    name, a duplicate URL, bad configuration) come with the URL's. The message is the
    portal's sentence only; the technical detail goes to the log.
    """
    if not data_dict.get("url") or not _is_harvest_source(data_dict, action):
        return
    problem = url_problem(str(data_dict["url"]))
    if not problem:
        return
    log.info("Harvest source URL %s refused: %s", data_dict["url"], problem.detail)
    errors: dict[str, Any] = {"url": [tk._(problem.message)]}
    for field, messages in _schema_errors(context, data_dict, action).items():
        if field not in errors:
            errors[field] = messages
        elif isinstance(messages, list):
            errors[field].extend(m for m in messages if m not in errors[field])
    raise tk.ValidationError(errors)


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Harvest sources (type ``harvest``) may only point to public http(s) addresses."""
    _check_source(context, data_dict, "package_create")
    return up_func(context, data_dict)


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Harvest sources (type ``harvest``) may only point to public http(s) addresses."""
    _check_source(context, data_dict, "package_update")
    return up_func(context, data_dict)


HARVEST_FACET_TITLES = {
    "frequency": N_("Update frequency"),
    "source_type": N_("Source type"),
}


def facet_titles(facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
    """The harvest source list's facets, titled in the visitor's language."""
    if package_type != HARVEST_TYPE:
        return facets_dict
    for name, title in HARVEST_FACET_TITLES.items():
        if name in facets_dict:
            facets_dict[name] = tk._(title)
    return facets_dict


def facet_labels(search_results: dict[str, Any]) -> dict[str, Any]:
    """The frequency facet's items by name ("Mensual"), as the source form names them,
    rather than ckanext-harvest's codes ("MONTHLY")."""
    frequency = (search_results.get("search_facets") or {}).get("frequency")
    for item in (frequency or {}).get("items", []):
        code = item.get("name")
        if isinstance(code, str):
            item["display_name"] = tk._(code.title())
    return search_results


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
