"""The dataset search page (``/dataset/``) shows more than CKAN's single type.

CKAN limits that page to datasets of type ``dataset`` by adding ``+dataset_type:dataset``
to the filter. Citizens searching from the home page also look for the buyers' procurement,
which the harvester publishes as its own type, so the page's filter names every type in
``ckanext.opengovpe.search_page.types``. Only that page is widened: API callers get what
they ask for.
"""
from __future__ import annotations

from typing import Any

import flask

import ckan.plugins.toolkit as tk

PAGE_FILTER = "+dataset_type:dataset"


def widen(search_params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: on the search page, every configured type is listed."""
    if not flask.has_request_context() or tk.get_endpoint() != ("dataset", "search"):
        return search_params
    fq = search_params.get("fq")
    types = tk.config.get("ckanext.opengovpe.search_page.types") or []
    if isinstance(types, str):
        types = types.split()
    if isinstance(fq, str) and PAGE_FILTER in fq and types != ["dataset"]:
        search_params["fq"] = fq.replace(
            PAGE_FILTER, "+dataset_type:({})".format(" OR ".join(types)))
    return search_params
