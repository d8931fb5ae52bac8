"""Template helpers of the open-data programme (prefixed ``opengovpe_``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import vocab

MILESTONE_LABELS = {
    "group_established": "Working group established",
    "framework_in_force": "Internal regulatory framework in force",
    "plan_approved": "Opening plan approved",
    "datasets_published": "Datasets published",
}


def opengovpe_label(vocabulary: str, value: Any) -> str:
    """The label of a vocabulary value in the current language (the value if unknown)."""
    if value in (None, ""):
        return ""
    return vocab.label(vocabulary, value, tk.h.lang() or "es")


def opengovpe_choices(vocabulary: str) -> list[dict[str, str]]:
    return [{"value": c["value"], "text": opengovpe_label(vocabulary, c["value"])}
            for c in vocab.choices(vocabulary)]


def opengovpe_milestone_label(key: str) -> str:
    return tk._(MILESTONE_LABELS[key])


def opengovpe_status_class(status: str | None, overdue: bool = False) -> str:
    if overdue:
        return "danger"
    return {"completado": "success", "publicado": "success", "en-curso": "info",
            "retrasado": "warning", "cancelado": "secondary",
            "descartado": "secondary"}.get(status or "", "light")
