"""The national-portal sync report page (sysadmins only).

Besides the whole report, the page tells each entity what to do: for each one with datasets
missing or outdated on the national portal, a CSV of just those datasets for its publisher and
the entity's own data.json, which the national portal harvests to take them in.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ..dcat import catalog
from . import sync

# what an entity's publisher has to act on
TO_UPDATE = (sync.MISSING, sync.OUTDATED)


def _require_sysadmin() -> None:
    if not (current_user.is_authenticated and getattr(current_user, "sysadmin", False)):
        tk.abort(403, tk._("Only system administrators can see the national portal report"))


def _build() -> sync.Report:
    return sync.build(tk.config.get("ckanext.opengovpe.national_portal.url"),
                      tk.config.get("ckanext.opengovpe.national_portal.publisher"))


def _entities(report: sync.Report) -> list[dict[str, Any]]:
    """Per entity with datasets to update there: its counts and where its exports are."""
    found: dict[str, dict[str, Any]] = {}
    for row in report.rows:
        if not row.entity:
            continue
        entity = found.setdefault(row.entity, {
            "name": row.entity, "title": row.entity_title,
            "counts": dict.fromkeys(sync.STATUSES, 0)})
        entity["counts"][row.status] += 1
    return sorted(
        ({**entity,
          "csv_url": tk.url_for("opengovpe_federation.entity_export", entity=entity["name"]),
          "data_json_url": tk.url_for("opengovpe_dcat.entity_data_json", id=entity["name"],
                                      _external=True)}
         for entity in found.values() if any(entity["counts"][s] for s in TO_UPDATE)),
        key=lambda e: e["title"].lower())


def sync_report() -> str:
    _require_sysadmin()
    report = _build() if tk.request.method == "POST" else None
    return tk.render("opengovpe/federation/sync_report.html", {
        "report": report,
        "rows": [dict(r.as_dict(tk._), label=tk._(sync.STATUS_LABELS[r.status]))
                 for r in report.rows] if report else [],
        "counts": [(s, tk._(sync.STATUS_LABELS[s]), n) for s, n in report.counts.items()]
        if report else [],
        "entities": _entities(report) if report and not report.error else [],
        "error": report.error_text(tk._) if report else "",
        "mode": report.mode_text(tk._) if report else "",
        "portal": tk.config.get("ckanext.opengovpe.national_portal.url"),
        "publisher": tk.config.get("ckanext.opengovpe.national_portal.publisher"),
    })


def _error_response(report: sync.Report) -> Response:
    return Response(report.error_text(tk._) + "\n", status=502,
                    mimetype="text/plain; charset=utf-8")


def sync_report_download(fmt: str) -> Any:
    _require_sysadmin()
    report = _build()
    if report.error:
        return _error_response(report)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(sync.render(report, fmt, tk._), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="portal-nacional.{fmt}"'})


def entity_export(entity: str) -> Any:
    """The entity's datasets missing or outdated on the national portal, as CSV."""
    _require_sysadmin()
    found = catalog.find_entity(entity)
    if found is None:
        return tk.abort(404, tk._("Organization not found"))
    report = _build()
    if report.error:
        return _error_response(report)
    mine = dataclasses.replace(report, rows=[
        r for r in report.rows if r.entity == found["name"] and r.status in TO_UPDATE])
    return Response(sync.render(mine, "csv", tk._), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="portal-nacional-{found["name"]}.csv"'})


def get_blueprints() -> list[Blueprint]:
    bp = Blueprint("opengovpe_federation", __name__)
    bp.add_url_rule("/ckan-admin/portal-nacional", view_func=sync_report,
                    methods=["GET", "POST"])
    bp.add_url_rule("/ckan-admin/portal-nacional/informe.<any(csv, json):fmt>",
                    view_func=sync_report_download)
    bp.add_url_rule("/ckan-admin/portal-nacional/entidad/<entity>.csv",
                    view_func=entity_export)
    return [bp]
