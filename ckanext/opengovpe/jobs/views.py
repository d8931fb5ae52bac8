"""The health page of the portal's recurring work (sysadmins only); its JSON twin is the
``opengovpe_health_show`` action."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ..federation import sync


def health() -> str:
    context = {"user": current_user.name if current_user.is_authenticated else ""}
    try:
        report = tk.get_action("opengovpe_health_show")(context, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only system administrators can see the portal's health"))
    labels = {status: tk._(label) for status, label in sync.STATUS_LABELS.items()}
    for change in report["sync_changes"]["changes"]:
        change["before"] = labels.get(change["before"], change["before"])
        change["now"] = labels.get(change["now"], change["now"])
    return tk.render("opengovpe/health.html", {"health": report})


def get_blueprints() -> list[Blueprint]:
    bp = Blueprint("opengovpe_health", __name__)
    bp.add_url_rule("/ckan-admin/salud", view_func=health)
    return [bp]
