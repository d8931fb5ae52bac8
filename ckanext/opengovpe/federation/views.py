"""The national-portal sync report page (sysadmins only)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from . import sync


def _require_sysadmin() -> None:
    if not (current_user.is_authenticated and getattr(current_user, "sysadmin", False)):
        tk.abort(403, tk._("Only system administrators can see the national portal report"))


def _build() -> sync.Report:
    return sync.build(tk.config.get("ckanext.opengovpe.national_portal.url"),
                      tk.config.get("ckanext.opengovpe.national_portal.publisher"))


def sync_report() -> str:
    _require_sysadmin()
    report = _build() if tk.request.method == "POST" else None
    return tk.render("opengovpe/federation/sync_report.html", {
        "report": report,
        "rows": [dict(r.as_dict(tk._), label=tk._(sync.STATUS_LABELS[r.status]))
                 for r in report.rows] if report else [],
        "counts": [(s, tk._(sync.STATUS_LABELS[s]), n) for s, n in report.counts.items()]
        if report else [],
        "error": report.error_text(tk._) if report else "",
        "mode": report.mode_text(tk._) if report else "",
        "portal": tk.config.get("ckanext.opengovpe.national_portal.url"),
        "publisher": tk.config.get("ckanext.opengovpe.national_portal.publisher"),
    })


def sync_report_download(fmt: str) -> Any:
    _require_sysadmin()
    report = _build()
    if report.error:
        return Response(report.error_text(tk._) + "\n", status=502,
                        mimetype="text/plain; charset=utf-8")
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(sync.render(report, fmt, tk._), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="portal-nacional.{fmt}"'})


def get_blueprints() -> list[Blueprint]:
    bp = Blueprint("opengovpe_federation", __name__)
    bp.add_url_rule("/ckan-admin/portal-nacional", view_func=sync_report,
                    methods=["GET", "POST"])
    bp.add_url_rule("/ckan-admin/portal-nacional/informe.<any(csv, json):fmt>",
                    view_func=sync_report_download)
    return [bp]
