"""The stored quality of datasets as CSV: one row per dataset, in Spanish.

As the plan's export (``programme/export.py``), the rating is written as its label in the
portal's language, and its code and the entity's name follow in columns of their own at
the end.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from ..programme.export import safe_cell
from ..translation import site_gettext
from . import mqa

COLUMNS = [
    ("name", "conjunto_de_datos"), ("title", "titulo"), ("entity_title", "entidad"),
    ("total", "puntaje_total"), ("findability", "hallabilidad"),
    ("accessibility", "accesibilidad"), ("interoperability", "interoperabilidad"),
    ("reusability", "reusabilidad"), ("contextuality", "contextualidad"),
    ("fixes", "correcciones_pendientes"), ("rating", "calificacion"),
]
CODE_COLUMNS = [("entity", "entidad_codigo"), ("rating", "calificacion_codigo")]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One row per dataset; points rounded to two decimals, out of 405."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in COLUMNS + CODE_COLUMNS])
    for row in rows:
        values = {**row, **{k: round(row[k], 2) for k in ("total", *mqa.DIMENSIONS)}}
        values["rating"] = site_gettext(mqa.RATING_LABELS[mqa.rating(values["total"])])
        codes = dict(row, rating=mqa.rating(values["total"]))
        writer.writerow([safe_cell(values.get(key)) for key, _ in COLUMNS] +
                        [safe_cell(codes.get(key)) for key, _ in CODE_COLUMNS])
    return out.getvalue()
