"""A plan as CSV and XLSX: one row per inventory item, then one per milestone.

Values of a vocabulary (frequency, status, theme…) are written as their Spanish label, the
portal's language for stored text; the codes follow in columns of their own at the end of each
table, for whoever processes the file.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are prefixed with an apostrophe. Control characters stored before they were
refused are left out: an XLSX file cannot hold them (openpyxl refuses to write them).
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from openpyxl import Workbook

from .. import vocab
from ..text import printable

ITEM_COLUMNS = [
    ("position", "orden"), ("title", "conjunto_de_datos"), ("description", "descripcion"),
    ("producing_unit", "unidad_productora"), ("responsible", "responsable"),
    ("theme", "tema_pnda"), ("criteria", "criterios_de_priorizacion"), ("score", "puntaje"),
    ("access_level", "nivel_de_acceso"), ("frequency", "frecuencia"), ("formats", "formatos"),
    ("committed_date", "fecha_comprometida"), ("license_id", "licencia"),
    ("status", "estado"), ("dataset_url", "url_conjunto_publicado"),
    ("national_portal_url", "url_portal_nacional"), ("demand", "demanda_registrada"),
]
MILESTONE_COLUMNS = [
    ("position", "orden"), ("name", "hito"), ("description", "descripcion"),
    ("item_title", "conjunto_de_datos"), ("responsible", "responsable"),
    ("responsible_unit", "unidad_responsable"), ("start_date", "inicio"),
    ("end_date", "fin"), ("actual_end_date", "fin_real"), ("status", "estado"),
    ("progress", "avance_porcentaje"), ("overdue", "vencido"), ("evidence", "evidencias"),
]

# column: vocabulary, for the values written as labels
ITEM_VOCABULARIES = {
    "theme": "pnda_theme", "criteria": "prioritisation_criterion",
    "access_level": "access_level", "frequency": "frequency", "license_id": "license",
    "status": "item_status",
}
MILESTONE_VOCABULARIES = {"status": "milestone_status"}
ITEM_CODE_COLUMNS = [(key, dict(ITEM_COLUMNS)[key] + "_codigo") for key in ITEM_VOCABULARIES]
MILESTONE_CODE_COLUMNS = [(key, dict(MILESTONE_COLUMNS)[key] + "_codigo")
                          for key in MILESTONE_VOCABULARIES]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value ready for a spreadsheet cell: lists joined, control characters left out,
    formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, (int, float)):
        return value
    text = printable(str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _labelled(values: dict[str, Any], vocabularies: dict[str, str]) -> dict[str, Any]:
    """``values`` with each vocabulary value replaced by its label."""
    shown = dict(values)
    for key, name in vocabularies.items():
        value = values.get(key)
        if isinstance(value, (list, tuple)):
            shown[key] = [vocab.label(name, v) for v in value]
        elif value not in (None, ""):
            shown[key] = vocab.label(name, value)
    return shown


def _row(values: dict[str, Any], columns: list[tuple[str, str]],
         vocabularies: dict[str, str]) -> list[Any]:
    shown = _labelled(values, vocabularies)
    return [safe_cell(shown.get(key)) for key, _ in columns] + \
        [safe_cell(values.get(key)) for key in vocabularies]


def rows(plan: dict[str, Any], dataset_url: Any) -> tuple[list[list[Any]], list[list[Any]]]:
    titles = {i["id"]: i["title"] for i in plan["items"]}
    item_rows = []
    for item in plan["items"]:
        values = dict(item, position=item["position"] + 1,
                      dataset_url=dataset_url(item["dataset_id"]) if item.get("dataset_id")
                      else "",
                      demand=[d.get("reference") or d.get("kind") for d in item["demand"]])
        item_rows.append(_row(values, ITEM_COLUMNS, ITEM_VOCABULARIES))
    milestone_rows = []
    for milestone in plan["milestones"]:
        values = dict(milestone, position=milestone["position"] + 1,
                      item_title=titles.get(milestone.get("item_id") or "", ""),
                      evidence=[e.get("url") or e.get("title") for e in milestone["evidence"]])
        milestone_rows.append(_row(values, MILESTONE_COLUMNS, MILESTONE_VOCABULARIES))
    return item_rows, milestone_rows


def _headers(columns: list[tuple[str, str]], codes: list[tuple[str, str]]) -> list[str]:
    return [label for _, label in columns + codes]


def _csv_table(writer: Any, header: Iterable[str], body: list[list[Any]]) -> None:
    writer.writerow(list(header))
    writer.writerows(body)


def to_csv(plan: dict[str, Any], dataset_url: Any) -> str:
    """Two tables in one CSV, each with its header: the inventory, then the milestones."""
    item_rows, milestone_rows = rows(plan, dataset_url)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    _csv_table(writer, ["tipo"] + _headers(ITEM_COLUMNS, ITEM_CODE_COLUMNS),
               [["inventario"] + r for r in item_rows])
    writer.writerow([])
    _csv_table(writer, ["tipo"] + _headers(MILESTONE_COLUMNS, MILESTONE_CODE_COLUMNS),
               [["hito"] + r for r in milestone_rows])
    return out.getvalue()


def to_xlsx(plan: dict[str, Any], dataset_url: Any) -> bytes:
    """A workbook with an inventory sheet and a milestones sheet."""
    item_rows, milestone_rows = rows(plan, dataset_url)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "inventario"
    sheet.append(_headers(ITEM_COLUMNS, ITEM_CODE_COLUMNS))
    for row in item_rows:
        sheet.append(row)
    hitos = workbook.create_sheet("hitos")
    hitos.append(_headers(MILESTONE_COLUMNS, MILESTONE_CODE_COLUMNS))
    for row in milestone_rows:
        hitos.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
