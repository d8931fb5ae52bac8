"""Where a plan is validated: the rules of an inventory item, a milestone and a whole-plan
save, beyond the form of each field.

Each field's form (a date, a percentage, a value of a vocabulary, the end date not before
the start date) is the schema's (``logic/schema.py``, with the validators of
``logic/validators.py`` that the scheming schemas use too). What needs the record as a
whole or the database is here, and every rule answers with field-level errors shaped like
the request, so an action raises them as one ``ValidationError``:

- an item links a dataset of its own entity, and is "publicado" only when that dataset
  is published;
- a milestone at 100 % is completed, and a completed milestone is at 100 %, has its actual
  end date and at least one piece of evidence; its item is one of the plan's;
- a request holds lists of objects where lists of objects are expected, within the
  configured limits (items and milestones of a plan, evidence at a time);
- a whole-plan save names existing items, milestones and evidence of that plan only, and
  gives each new item a key of its own.
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..model import plan_item_table
from . import publication, records
from . import vocabulary as words

Errors = dict[str, Any]


# the shape of a request ----------------------------------------------------------

def max_items() -> int:
    """Inventory items one ``opengovpe_plan_save`` may hold."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_items"))


def max_milestones() -> int:
    """Milestones one ``opengovpe_plan_save`` may hold."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_milestones"))


def max_evidence() -> int:
    """Pieces of evidence one milestone may receive in one call."""
    return int(tk.config.get("ckanext.opengovpe.plan.max_evidence"))


def list_of_objects(value: Any) -> list[str]:
    """Errors for a field that must be a list of objects (navl would raise DataError)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        return [tk._("Must be a list")]
    if not all(isinstance(entry, dict) for entry in value):
        return [tk._("Each entry must be an object")]
    return []


def too_many(value: Any, limit: int, message: str) -> list[str]:
    """An error when a list holds more than ``limit`` entries."""
    if isinstance(value, list) and len(value) > limit:
        return [message.format(limit=limit)]
    return []


def milestone_shape_errors(data_dict: dict[str, Any]) -> Errors:
    """A milestone's evidence is a list of objects, at most the configured number."""
    errors = list_of_objects(data_dict.get("evidence")) or too_many(
        data_dict.get("evidence"), max_evidence(),
        tk._("At most {limit} pieces of evidence at a time"))
    return {"evidence": errors} if errors else {}


def plan_save_shape_errors(data_dict: dict[str, Any]) -> Errors:
    """Items and milestones are lists of objects within the plan's limits, and each
    milestone's evidence a list of objects."""
    errors = {f: e for f in ("items", "milestones") if (e := list_of_objects(data_dict.get(f)))}
    if errors:
        return errors
    errors = {field: error for field, error in (
        ("items", too_many(data_dict.get("items"), max_items(),
                           tk._("At most {limit} items in a plan"))),
        ("milestones", too_many(data_dict.get("milestones"), max_milestones(),
                                tk._("At most {limit} milestones in a plan")))) if error}
    if errors:
        return errors
    evidence = [{"evidence": e} if (e := list_of_objects(m.get("evidence"))) else {}
                for m in data_dict.get("milestones") or []]
    return {"milestones": evidence} if any(evidence) else {}


# an item -----------------------------------------------------------------------

def item_errors(plan: model.Package, item: dict[str, Any]) -> Errors:
    """The linked dataset is the entity's own; "publicado" needs it published."""
    dataset_id = item.get("dataset_id")
    dataset = model.Package.get(dataset_id) if dataset_id else None
    if dataset_id:
        if dataset is None or dataset.state == "deleted":
            return {"dataset_id": [tk._("Dataset not found")]}
        if dataset.owner_org != plan.owner_org:
            return {"dataset_id": [tk._("The dataset belongs to another entity")]}
    if item.get("status") == words.ITEM_PUBLISHED and not publication.is_published(dataset):
        return {"status": [tk._("An item is published only when it is linked to a "
                                "published (active and public) dataset")]}
    return {}


# a milestone -------------------------------------------------------------------

def complete_defaults(milestone: dict[str, Any], progress_given: bool) -> None:
    """A milestone marked completed without a progress figure is at 100%."""
    if milestone.get("status") == words.MILESTONE_COMPLETED and not progress_given:
        milestone["progress"] = 100


def milestone_errors(milestone: dict[str, Any], evidence_count: int) -> Errors:
    """A completed milestone and one at 100 % are the same thing, with its evidence."""
    errors: Errors = {}
    if milestone.get("status") == words.MILESTONE_COMPLETED:
        if not milestone.get("actual_end_date"):
            errors["actual_end_date"] = [tk._("A completed milestone needs its actual end date")]
        if evidence_count < 1:
            errors["evidence"] = [tk._("A completed milestone needs at least one evidence")]
        if milestone.get("progress") != 100:
            errors["progress"] = [tk._("A completed milestone is at 100%")]
    elif milestone.get("progress") == 100:
        errors["progress"] = [tk._("Only a completed milestone is at 100%")]
    return errors


def item_of_plan_errors(plan_id: str, item_id: str | None) -> Errors:
    """A milestone's item is one of its plan's."""
    if not item_id:
        return {}
    item = records.get(plan_item_table, item_id)
    if item is None or item["plan_id"] != plan_id:
        return {"item_id": [tk._("The item is not part of this plan")]}
    return {}


# a whole plan ------------------------------------------------------------------

def _entry_errors(entries: list[dict[str, Any]],
                  check: Callable[[dict[str, Any]], Errors]) -> list[Errors]:
    found = [check(entry) for entry in entries]
    return found if any(found) else []


def plan_save_errors(plan: model.Package, items: list[dict[str, Any]],
                     milestones: list[dict[str, Any]]) -> Errors:
    """Per-entry errors of a whole-plan save, as lists aligned with the request's."""
    existing = {m["id"]: m for m in records.milestones(plan.id)}
    prior_evidence = records.evidence_for(existing)
    known_items = {i["id"] for i in records.items(plan.id)}
    keys = {str(i.get("key") or i.get("id")) for i in items} | known_items

    seen: set[str] = set()

    def check_item(item: dict[str, Any]) -> Errors:
        errors = item_errors(plan, item)
        key = item.get("key")
        if key:
            if key in seen:
                errors["key"] = [tk._("Two items have the same key")]
            seen.add(key)
        if item.get("id") and item["id"] not in known_items:
            errors["id"] = [tk._("Item not found")]
        return errors

    def check_milestone(milestone: dict[str, Any]) -> Errors:
        stored = {e["id"] for e in prior_evidence.get(milestone.get("id") or "", [])}
        given = milestone.get("evidence", [])
        # evidence sent with an id is evidence already stored: it is kept, not added
        new = [e for e in given if not e.get("id")]
        errors = milestone_errors(milestone, len(stored) + len(new))
        unknown = [{"id": [tk._("Evidence not found")]}
                   if e.get("id") and e["id"] not in stored else {} for e in given]
        if any(unknown):
            errors["evidence"] = unknown
        elif len(new) > max_evidence():
            errors["evidence"] = too_many(new, max_evidence(),
                                          tk._("At most {limit} pieces of evidence at a time"))
        reference = milestone.get("item_key") or milestone.get("item_id")
        if reference and str(reference) not in keys:
            errors["item_key"] = [tk._("The item is not part of this plan")]
        if milestone.get("id") and milestone["id"] not in existing:
            errors["id"] = [tk._("Milestone not found")]
        return errors

    errors = {"items": _entry_errors(items, check_item),
              "milestones": _entry_errors(milestones, check_milestone)}
    return {k: v for k, v in errors.items() if v}
