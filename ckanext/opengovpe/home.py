"""What the home page and the scoreboard show beside their tables: the national picture
(entities by programme stage, datasets published against promised, overdue milestones),
the map of entities, and the latest publications and procurement."""
from __future__ import annotations

import math
import time
from typing import Any, Iterable, Mapping

import ckan.plugins.toolkit as tk

from . import charts, peru_map
from .helpers import MILESTONE_LABELS


def _context() -> dict[str, Any]:
    user = tk.g.user if hasattr(tk.g, "user") else ""
    return {"user": user or ""}


def picture(entities: Iterable[Mapping[str, Any]],
            places: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The national picture of these scoreboard rows, as chart geometry and the figures
    its text alternative shows; ``places``: each entity's department (read if not given)."""
    rows = list(entities)
    figures = charts.national_picture(rows)
    total = figures["entities"]
    stage_rows = [{"label": tk._(MILESTONE_LABELS[stage]), "count": figures["reached"][stage],
                   "count_text": tk._("{count} of {total}").format(
                       count=figures["reached"][stage], total=total)}
                  for stage in charts.STAGES]
    items_rows = [
        {"label": tk._("Promised in the opening plans"), "count": figures["items_total"]},
        {"label": tk._("Published"), "count": figures["items_published"]},
    ]
    places = peru_map.entity_places() if places is None else places
    located = [places.get(e["id"]) for e in rows]
    complete = peru_map.count_by_department(
        places.get(e["id"]) for e in rows if e["milestones_done"] == len(charts.STAGES))
    return {
        "figures": figures,
        "stages": charts.bars(stage_rows, ["count"], maximum=total or 1),
        "stage_rows": stage_rows,
        "items": charts.bars(items_rows, ["count"]),
        "items_rows": items_rows,
        "map": peru_map.layout(peru_map.count_by_department(located), complete),
        "unlocated": sum(1 for place in located if not place),
    }


class _Recent:
    """The national picture as last read by this process, when, and drawn in each
    language asked for since (the picture is a function of the rows and the language)."""

    rows: list[dict[str, Any]] = []
    places: dict[str, str] = {}
    pictures: dict[str, dict[str, Any]] = {}
    read_at = -math.inf


def national() -> dict[str, Any]:
    """The picture of every active entity (the scoreboard's rows, all of them), read again
    once ``ckanext.opengovpe.home.cache_seconds`` have passed: the home page is the most
    visited page and the country's picture changes slowly. Its charts and map are drawn
    once per reading and language, not on every visit."""
    keep = tk.config.get("ckanext.opengovpe.home.cache_seconds")
    now = time.monotonic()
    language = tk.h.lang() or ""
    if keep <= 0 or now - _Recent.read_at > keep:
        board = tk.get_action("opengovpe_scoreboard")(_context(), {
            "limit": tk.config.get("ckanext.opengovpe.list.max_limit")})
        rows, places = board["results"], peru_map.entity_places()
        _Recent.pictures = {language: picture(rows, places)}
        _Recent.read_at = now
        _Recent.rows, _Recent.places = rows, places
    elif language not in _Recent.pictures:
        _Recent.pictures[language] = picture(_Recent.rows, _Recent.places)
    return _Recent.pictures[language]


def latest(dataset_type: str, rows: int) -> list[dict[str, Any]]:
    """The public datasets of a type most recently published."""
    result = tk.get_action("package_search")(_context(), {
        "fq": f"+dataset_type:{dataset_type}", "rows": rows,
        "sort": "metadata_created desc", "include_private": False})
    return result["results"]
