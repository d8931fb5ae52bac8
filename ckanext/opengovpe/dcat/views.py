"""Catalogue endpoints: ``/catalog.{fmt}``, ``/dataset/{id}.{fmt}``, ``/data.json`` and
``/organization/{entity}/data.json``.

These are the only routes for those URLs (ckanext-dcat's own are switched off with
``ckanext.dcat.enable_rdf_endpoints = false`` and ``ckanext.dcat.enable_content_negotiation =
false``); content negotiation on ``/``, ``/catalog`` and ``/dataset/{id}`` is done here, before
CKAN's HTML views, when the Accept header prefers an RDF type.
"""
from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan.common import request
from flask import Blueprint, Response

from . import catalog, datajson, rdf

FORMAT_RULE = "<any(ttl, rdf, xml, jsonld, nt):fmt>"
_DATASET_PATH = re.compile(r"^/dataset/([^/.]+)$")


def _rdf_response(body: str, fmt: str, vary: bool = False) -> Response:
    response = Response(body, mimetype=rdf.FORMATS[fmt][1])
    response.charset = "utf-8"
    if vary:
        response.headers["Vary"] = "Accept"
    return response


def _modified_since() -> datetime.datetime | None:
    value = request.args.get("modified_since")
    if not value:
        return None
    try:
        since = catalog.parse_instant(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return tk.abort(400, tk._(
            "modified_since must be an ISO 8601 date or date and time, e.g. 2024-05-31 or "
            "2024-05-31T12:00:00Z, with a time zone offset between -14:00 and +14:00"))
    return since


def _page_url(fmt: str, cursor: catalog.Cursor | None) -> str:
    params: dict[str, Any] = {}
    if request.args.get("modified_since"):
        params["modified_since"] = request.args["modified_since"]
    if cursor is not None:
        params["cursor"] = cursor.token()
    base = f"{rdf.catalog_ref().rstrip('/')}/catalog.{fmt}"
    return base + ("?" + urlencode(params) if params else "")


def catalog_page(fmt: str, vary: bool = False) -> Response:
    since = _modified_since()
    token = request.args.get("cursor")
    cursor = None
    if token:
        try:
            cursor = catalog.Cursor.from_token(token)
        except catalog.InvalidToken:
            return tk.abort(400, tk._(
                "The cursor parameter is not a page token of this catalogue: start again from "
                "the first page and follow the hydra:next links"))
    size = int(tk.config.get("ckanext.opengovpe.dcat.page_size"))
    page = catalog.read_page(cursor, size, since)
    urls = {"current": _page_url(fmt, None if page.is_first and not token else page.cursor),
            "first": _page_url(fmt, None),
            "next": _page_url(fmt, page.next) if page.next else None,
            "previous": _page_url(fmt, page.previous) if page.previous else None}
    return _rdf_response(rdf.serialize(rdf.page_graph(page, urls), fmt), fmt, vary)


def dataset_rdf(id: str, fmt: str, vary: bool = False) -> Response:
    if not catalog.is_possible_reference(id):
        # no dataset has such a name or id, and PostgreSQL cannot compare it (NUL)
        return tk.abort(404, tk._("Dataset not found"))
    dataset = catalog.find_published(id)
    if dataset is None:
        return tk.abort(404, tk._("Dataset not found"))
    return _rdf_response(rdf.serialize(rdf.dataset_graph(dataset), fmt), fmt, vary)


def _data_json_response(body: bytes) -> Response:
    response = Response(body, mimetype="application/json")
    response.charset = "utf-8"
    return response


def _lang() -> str:
    return request.environ.get("CKAN_LANG") or tk.config.get("ckan.locale_default")


def data_json() -> Response:
    return _data_json_response(datajson.document(_lang()))


def entity_data_json(id: str) -> Response:
    """One entity's published datasets, for the national portal to harvest that entity."""
    entity = catalog.find_entity(id)
    if entity is None:
        return tk.abort(404, tk._("Organization not found"))
    return _data_json_response(datajson.document(_lang(), entity))


def negotiate() -> Response | None:
    """Serve RDF for ``/``, ``/catalog`` and ``/dataset/{id}`` when the client prefers it."""
    if request.method != "GET" or not tk.config.get(
            "ckanext.opengovpe.dcat.content_negotiation"):
        return None
    path = request.path.rstrip("/") or "/"
    if path not in ("/", "/catalog") and not _DATASET_PATH.match(path):
        return None
    fmt = rdf.negotiate(request.headers.get("Accept"))
    if fmt is None:
        return None
    match = _DATASET_PATH.match(path)
    if match:
        return dataset_rdf(match.group(1), fmt, vary=True)
    return catalog_page(fmt, vary=True)


def get_blueprints() -> list[Blueprint]:
    """The catalogue endpoints, built when CKAN asks for them."""
    bp = Blueprint("opengovpe_dcat", __name__)
    bp.add_url_rule(f"/catalog.{FORMAT_RULE}", view_func=catalog_page)
    bp.add_url_rule(f"/dataset/<id>.{FORMAT_RULE}", view_func=dataset_rdf)
    bp.add_url_rule("/data.json", view_func=data_json)
    bp.add_url_rule("/organization/<id>/data.json", view_func=entity_data_json)
    bp.before_app_request(negotiate)
    return [bp]
