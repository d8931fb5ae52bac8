"""What a dataset is faceted on beyond its own top-level fields, and the search page's facets.

Top-level scheming fields are indexed by CKAN as they are. Three things are added to
the document CKAN indexes (on Solr or on the embedded index alike), so that any of
them can be named in ``facet.field`` or ``fq`` without further configuration:

* every repeating subfield of the dataset's schema, as ``vocab_<field>_<subfield>`` with
  one value per entry (``vocab_members_member_sector``, ``vocab_sessions_kind``);
* a plan's item and milestone states (``vocab_items_status``,
  ``vocab_milestones_status``), which live in tables of their own;
* the place and time a visitor filters by: ``level_of_government`` (of the publishing
  entity), ``vocab_department`` (the UBIGEO departments the data cover, else the
  entity's) and ``year`` (the dataset's own ``year``, else of its issue date, else of its
  creation).

Fields with several values carry CKAN's ``vocab_`` prefix: in CKAN's Solr schema the
catch-all ``*`` field holds one value, ``vocab_*`` many.

The search page (``/dataset/``) offers the PNDA theme, level of government, department
and year as facets, with the vocabularies' labels instead of their codes.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Optional

import flask

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from . import vocab
from .translation import N_
from .programme import records
from .programme.vocabulary import PLAN_TYPE

# the prefix of CKAN's multi-valued index fields
MULTIPLE = "vocab_"

# the search page's facets, after CKAN's own, with the label each value is shown with
PAGE_FACETS: dict[str, tuple[str, Callable[[str, str], Optional[str]]]] = {
    "pnda_theme": (N_("Topic"), lambda value, lang: vocab.label("pnda_theme", value, lang)),
    "level_of_government": (
        N_("Level of government"),
        lambda value, lang: vocab.label("level_of_government", value, lang)),
    "vocab_department": (N_("Department"), lambda value, lang: vocab.ubigeo_name(value)),
    "year": (N_("Year"), lambda value, lang: None),
}


def _strings(values: Iterable[Any]) -> list[str]:
    found: list[str] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            found.extend(_strings(value))
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                found.append(text)
    return found


def _schema(dataset_type: str) -> Optional[dict[str, Any]]:
    return scheming_get_dataset_schema(dataset_type)


def _validated(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset as its schema shows it (CKAN indexes the core schema's flat extras)."""
    try:
        validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        return {}
    return validated if isinstance(validated, dict) else {}


def _subfields(dataset: dict[str, Any]) -> dict[str, list[str]]:
    schema = _schema(str(dataset.get("type") or ""))
    found: dict[str, list[str]] = {}
    for field in (schema or {}).get("dataset_fields", []):
        entries = dataset.get(field["field_name"])
        if not field.get("repeating_subfields") or not isinstance(entries, list):
            continue
        for sub in field["repeating_subfields"]:
            values = _strings(entry.get(sub["field_name"]) for entry in entries
                              if isinstance(entry, dict))
            if values:
                found[f"{MULTIPLE}{field['field_name']}_{sub['field_name']}"] = values
    return found


def _plan_states(plan_id: str) -> dict[str, list[str]]:
    return {
        f"{MULTIPLE}items_status": _strings(row.get("status") for row in records.items(plan_id)),
        f"{MULTIPLE}milestones_status": _strings(
            row.get("status") for row in records.milestones(plan_id)),
    }


def _entity(owner_org: Any) -> dict[str, str]:
    if not owner_org:
        return {}
    group = model.Group.get(str(owner_org))
    return dict(group.extras) if group is not None else {}


def _departments(codes: Iterable[str]) -> list[str]:
    found = []
    for code in codes:
        department = code[:2]
        if vocab.ubigeo_exists(department) and department not in found:
            found.append(department)
    return found


def _year(dataset: dict[str, Any]) -> Optional[str]:
    for value in (dataset.get("year"), dataset.get("issued"), dataset.get("metadata_created")):
        text = str(value or "").strip()
        if len(text) >= 4 and text[:4].isdigit():
            return text[:4]
    return None


def enrich(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: add the facetable values described above."""
    dataset = _validated(pkg_dict)
    for key, values in _subfields(dataset).items():
        pkg_dict.setdefault(key, values)
    if (pkg_dict.get("type") or pkg_dict.get("dataset_type")) == PLAN_TYPE and pkg_dict.get("id"):
        for key, values in _plan_states(str(pkg_dict["id"])).items():
            if values:
                pkg_dict[key] = values
    entity = _entity(pkg_dict.get("owner_org"))
    level = entity.get("level_of_government")
    if level and "level_of_government" not in pkg_dict:
        pkg_dict["level_of_government"] = level
    coverage = _strings([dataset.get("ubigeo_coverage") or []])
    departments = _departments(coverage or _strings([entity.get("ubigeo")]))
    if departments:
        pkg_dict[f"{MULTIPLE}department"] = departments
    year = _year(dataset)
    if year:
        pkg_dict["year"] = year
    return pkg_dict


def page_facets(facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
    """``IFacets.dataset_facets``: the search page's facets, after CKAN's own."""
    for name, (title, _label) in PAGE_FACETS.items():
        facets_dict.setdefault(name, tk._(title))
    return facets_dict


def label_values(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: the page's facets show labels, not codes."""
    lang = tk.h.lang() if flask.has_request_context() else vocab.DEFAULT_LANG
    for name, (_title, label) in PAGE_FACETS.items():
        facet = (search_results.get("search_facets") or {}).get(name)
        if not facet:
            continue
        for item in facet.get("items", []):
            shown = label(str(item.get("name")), lang)
            if shown:
                item["display_name"] = shown
    return search_results

