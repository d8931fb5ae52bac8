"""The weekly national portal sync report, kept with its history."""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.model import meta

from ..federation import sync
from ..translation import site_gettext
from ..model.sync_report import sync_report_table
from .registry import JobFailure

log = logging.getLogger(__name__)


def build_and_keep() -> dict[str, Any]:
    """Compare with the national portal (configured address and publisher) and store the
    report; a problem there is stored as the report's error and raised, so the job fails."""
    report = sync.build(tk.config.get("ckanext.opengovpe.national_portal.url"),
                        tk.config.get("ckanext.opengovpe.national_portal.publisher"))
    # stored in the portal's language, the technical detail left to the log
    kept = json.loads(sync.render(report, "json", translate=site_gettext))
    if report.error:
        log.warning("National portal sync report failed: %s", report.error_text())
        kept["error"] = _sentence(report.error)
    meta.Session.execute(sync_report_table.insert().values(
        generated=datetime.datetime.fromisoformat(report.generated),
        portal=report.portal or "", publisher=report.publisher, error=kept["error"],
        report=kept))
    meta.Session.commit()
    if report.error:
        raise JobFailure(kept["error"])
    return kept


def _sentence(error: Any) -> str:
    text = site_gettext(error.message)
    return text % error.params if error.params else text


def latest(limit: int = 2) -> list[dict[str, Any]]:
    """The newest ``limit`` reports, newest first."""
    rows = meta.Session.execute(sa.select(sync_report_table.c.report)
                                .order_by(sync_report_table.c.id.desc()).limit(limit))
    return [row.report for row in rows]


def changes(newer: dict[str, Any], older: dict[str, Any] | None) -> list[dict[str, str]]:
    """Datasets whose status differs between two reports (new ones included)."""
    before = {_row_key(r): r["status"] for r in (older or {}).get("datasets", [])}
    return [{"name": r["name"] or r["remote_name"], "title": r["title"],
             "before": before.get(_row_key(r), ""), "now": r["status"]}
            for r in newer.get("datasets", []) if before.get(_row_key(r)) != r["status"]]


def _row_key(row: dict[str, Any]) -> str:
    return row["name"] or f"remote:{row['remote_name']}"
