"""Resource downloads of links a browser must not follow.

CKAN answers ``/dataset/<id>/resource/<resource_id>/download`` of a linked (not uploaded)
resource with a redirect to its URL, and fails with a 500 when that URL is not an http(s) or
ftp link: ``javascript:`` and ``data:`` links stored before they were refused, or a bare name.
Such a download is a 404 here instead, after the same access check CKAN makes.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import current_user

from . import text

# CKAN's redirect follows these; anything else is a route name to it
FOLLOWED_SCHEMES = ("http", "https", "ftp")


def refuse_unfollowable_download() -> Any:
    """Before CKAN's download view of any dataset type: a 404 for a link it cannot follow."""
    endpoint = tk.request.endpoint or ""
    if not (endpoint == "resource.download" or endpoint.endswith("_resource.download")):
        return None
    resource_id = (tk.request.view_args or {}).get("resource_id")
    resource = model.Resource.get(str(resource_id)) if resource_id else None
    if resource is None or resource.url_type == "upload":
        return None
    url = resource.url or ""
    if text.link_scheme(url) in FOLLOWED_SCHEMES and not text.control_character(url):
        return None
    context = {"user": current_user.name if current_user.is_authenticated else "",
               "auth_user_obj": current_user}
    try:
        tk.check_access("resource_show", context, {"id": resource.id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to download resource"))
    return tk.abort(404, tk._("This resource has no link that can be downloaded"))


def get_blueprints() -> list[Blueprint]:
    bp = Blueprint("opengovpe_downloads", __name__)
    bp.before_app_request(refuse_unfollowable_download)
    return [bp]
