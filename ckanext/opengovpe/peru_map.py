"""Map of Peru's departments as server-rendered SVG, shaded by a count per department.

Boundaries: INEI's 2023 department limits, simplified (vocab/ubigeo/geo/, with provenance
and licence); each feature carries its 2-digit INEI code. The outlines are projected once
per process (equirectangular, scaled by the cosine of the middle latitude) and kept; a page
only picks a shade per department. No tiles and no script: the picture is the page.
"""
from __future__ import annotations

import functools
import json
import math
import os
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

import ckan.model as model

from . import vocab

GEOJSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vocab", "ubigeo", "geo",
                       "departamentos.geojson")
SCALE = 20.0  # SVG units per degree of latitude
# light to dark; the darkest shades carry no text, the legend's text is outside them
SHADES = ("#e8eef5", "#bcd0e6", "#86abd3", "#4f7fb8", "#1f4e8c")
EMPTY = "#f4f4f4"
SMALL_WORDS = {"de", "del", "la", "las", "los", "y"}


@functools.lru_cache(maxsize=1)
def outlines() -> dict[str, Any]:
    """Each department's SVG path (by INEI code) and the drawing's size."""
    with open(GEOJSON, encoding="utf-8") as source:
        data = json.load(source)
    west, south, east, north = data["bbox"]
    factor = math.cos(math.radians((south + north) / 2))

    def point(lon: float, lat: float) -> tuple[int, int]:
        return (round((lon - west) * factor * SCALE), round((north - lat) * SCALE))

    paths = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points: list[tuple[int, int]] = []
                for lon, lat in ring:
                    p = point(lon, lat)
                    if not points or points[-1] != p:
                        points.append(p)
                if len(points) >= 4:
                    parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
        paths[feature["properties"]["ubigeo"]] = "".join(parts)
    width, height = point(east, south)
    return {"width": width, "height": height, "paths": paths}


def department_name(code: str) -> str:
    """``LA LIBERTAD`` as ``La Libertad``; the INEI code if unknown."""
    name = vocab.ubigeo_name(code) or code
    words = name.lower().split()
    return " ".join(w if (i and w in SMALL_WORDS) else w.capitalize()
                    for i, w in enumerate(words))


def department_of(ubigeo: Any) -> str | None:
    """The 2-digit INEI code of the department a UBIGEO (2, 4 or 6 digits) lies in."""
    if not isinstance(ubigeo, str) or not vocab.ubigeo_exists(ubigeo):
        return None
    return ubigeo[:2]


def entity_places() -> dict[str, str]:
    """The department (INEI code) of each active entity's seat, by entity id."""
    rows = model.Session.execute(sa.text(
        "SELECT id, extras ->> 'ubigeo' AS ubigeo FROM \"group\""
        " WHERE is_organization AND state = 'active' AND extras ->> 'ubigeo' IS NOT NULL"))
    places = {}
    for row in rows:
        department = department_of(row.ubigeo)
        if department:
            places[row.id] = department
    return places


def processes_by_department() -> dict[str, int]:
    """Procurement processes of the public buyer-year datasets, by their buyer's department
    (field ``buyer_department``)."""
    rows = model.Session.execute(sa.text(
        "SELECT extras ->> 'buyer_department' AS department,"
        " sum(CASE WHEN extras ->> 'process_count' ~ '^[0-9]{1,9}$'"
        "     THEN (extras ->> 'process_count')::int ELSE 0 END) AS processes"
        " FROM package WHERE type = 'contrataciones' AND state = 'active' AND NOT private"
        " AND extras ->> 'buyer_department' IS NOT NULL GROUP BY 1"))
    return {row.department: int(row.processes) for row in rows
            if department_of(row.department) and row.processes}


def shade(count: int, largest: int) -> str:
    if count <= 0 or largest <= 0:
        return EMPTY
    step = math.ceil(len(SHADES) * count / largest) - 1
    return SHADES[min(max(step, 0), len(SHADES) - 1)]


def layout(counts: Mapping[str, int], details: Mapping[str, Any] | None = None
           ) -> dict[str, Any]:
    """The map with each department shaded by its count, and the table that says the same
    (departments with a count, largest first). ``details`` adds a figure per department
    to the table (e.g. entities with the four stages done)."""
    drawing = outlines()
    largest = max(counts.values(), default=0)
    regions = [{"code": code, "name": department_name(code), "path": path,
                "count": int(counts.get(code, 0)), "fill": shade(int(counts.get(code, 0)),
                                                                   largest)}
               for code, path in sorted(drawing["paths"].items())]
    table = sorted(({"code": r["code"], "name": r["name"], "count": r["count"],
                     "detail": (details or {}).get(r["code"], 0)}
                    for r in regions if r["count"]),
                   key=lambda r: (-r["count"], r["name"]))
    legend = [{"fill": fill, "from": math.floor(largest * i / len(SHADES)) + 1,
               "to": math.floor(largest * (i + 1) / len(SHADES))}
              for i, fill in enumerate(SHADES)] if largest else []
    return {"width": drawing["width"], "height": drawing["height"], "regions": regions,
            "table": table, "legend": [step for step in legend if step["to"] >= step["from"]],
            "total": sum(counts.values())}


def count_by_department(keys: Iterable[str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        if key:
            counts[key] = counts.get(key, 0) + 1
    return counts
