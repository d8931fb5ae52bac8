"""Each opening plan is also published as an open dataset, whose resource is the
plan's live CSV export (as Mexico's ADELA did for its "planes de apertura").

The companion dataset follows the plan: public while the plan is public and
active, private otherwise; its resource is touched whenever the plan, its items,
milestones, evidence or demand change, so harvesters see a new modification date.
It listens to every action CKAN runs: after one that changed a plan dataset, and after
any action once a change to a plan's records (noted by ``records.py``, which makes every
such write) is committed, deletes included.

The extension writes to a companion as the site user, so it writes only to the
dataset it created itself: the link is stored by id (table
``opengovpe_plan_dataset``) when the dataset is created, and a dataset is never
taken over because of its name. When ``<plan name>-datos`` is already taken, the
companion gets the first free name (``-datos-2``, ``-datos-3``...).

Plans published before the link was stored: their companion is adopted only when
it is a dataset of the plan's own entity named ``<plan name>-datos`` whose
resource is the plan's CSV export, which is what the extension itself created;
any other dataset with that name is left alone and a new companion is created.
A companion someone deleted stays deleted.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import sqlalchemy as sa

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk

from ..translation import N_, site_gettext
from ..model import plan_dataset_table
from . import records
from .vocabulary import PLAN_TYPE

log = logging.getLogger(__name__)

SUFFIX = "-datos"
# names tried before falling back to a random one
NAME_ATTEMPTS = 50


def companion_name(plan_name: str, number: int = 1) -> str:
    """``<plan name>-datos``, or ``<plan name>-datos-<number>``, within CKAN's 100 characters."""
    suffix = SUFFIX if number == 1 else f"{SUFFIX}-{number}"
    return plan_name[: 100 - len(suffix)] + suffix


def _free_name(plan_name: str) -> str:
    for number in range(1, NAME_ATTEMPTS + 1):
        name = companion_name(plan_name, number)
        if model.Package.get(name) is None:
            return name
    return companion_name(plan_name, int(datetime.datetime.utcnow().timestamp() * 1000))


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": site_user["name"]}


def linked_dataset(plan_id: str) -> model.Package | None:
    """The companion the extension created for this plan, if any."""
    dataset_id = model.Session.execute(
        sa.select(plan_dataset_table.c.dataset_id)
        .where(plan_dataset_table.c.plan_id == plan_id)).scalar()
    return model.Package.get(dataset_id) if dataset_id else None


def _earlier_companion(plan: model.Package, csv_url: str) -> model.Package | None:
    """The companion of a plan published before links were stored, if it is one."""
    dataset = model.Package.get(companion_name(plan.name))
    if (dataset is None or dataset.type != "dataset" or dataset.state == "deleted"
            or dataset.owner_org != plan.owner_org
            or not any(r.url == csv_url for r in dataset.resources)):
        return None
    linked = model.Session.execute(sa.select(plan_dataset_table.c.plan_id).where(
        plan_dataset_table.c.dataset_id == dataset.id)).scalar()
    return None if linked else dataset


def _link(plan_id: str, dataset_id: str) -> None:
    model.Session.execute(plan_dataset_table.insert().values(plan_id=plan_id,
                                                             dataset_id=dataset_id))
    model.repo.commit()


def sync(plan_id: str) -> dict[str, Any] | None:
    """Create or update the companion dataset of a plan; return it."""
    plan = model.Package.get(plan_id)
    if plan is None or plan.type != PLAN_TYPE:
        return None
    csv_url = tk.h.url_for("opengovpe.export_plan", id=plan.name, fmt="csv", qualified=True)
    now = datetime.datetime.utcnow().isoformat()
    title = site_gettext(N_("Opening plan: {title}")).format(title=plan.title)
    notes = site_gettext(N_("Prioritised datasets and milestones of the opening plan "
                            "\"{title}\", with their status, progress and evidence. "
                            "Updated whenever the plan changes.")).format(title=plan.title)
    resource_name = site_gettext(N_("Opening plan (CSV)"))
    values = {
        "type": "dataset", "owner_org": plan.owner_org,
        "title": title,
        "notes": notes,
        "private": plan.private or plan.state != "active",
        "license_id": "cc-by",
        "tags": [{"name": "plan de apertura"}, {"name": "datos abiertos"}],
        "resources": [{"name": resource_name, "url": csv_url, "format": "CSV",
                       "mimetype": "text/csv", "last_modified": now}],
    }
    context = _context()
    existing = linked_dataset(plan.id)
    if existing is None:
        existing = _earlier_companion(plan, csv_url)
        if existing is not None:
            log.info("Plan %s adopts its earlier open dataset %s", plan.id, existing.id)
            _link(plan.id, existing.id)
    if existing is None:
        created = tk.get_action("package_create")(
            context, dict(values, name=_free_name(plan.name)))
        _link(plan.id, created["id"])
        return created
    if existing.state == "deleted":
        return None
    return tk.get_action("package_update")(
        context, dict(values, id=existing.id, name=existing.name))


def _changed_plan(sender: str, data_dict: Any, result: Any) -> str | None:
    """The plan dataset this action created, changed or deleted, if any."""
    if sender == "package_delete":
        reference = data_dict.get("id") if isinstance(data_dict, dict) else None
        plan = model.Package.get(reference) if isinstance(reference, str) else None
        return plan.id if plan is not None and plan.type == PLAN_TYPE else None
    if isinstance(result, dict) and result.get("type") == PLAN_TYPE and sender in (
            "package_create", "package_update"):
        return result.get("id")
    return None


def on_action(sender: str, **kwargs: Any) -> None:
    """Signal receiver of every action: keep companions in step with plans and their
    records. An action that reads only changes nothing, and runs nested in others: the
    records it sees committed wait for the action that wrote them."""
    if getattr(tk.get_action(sender), "side_effect_free", False):
        return
    if model.Session().in_nested_transaction():
        # an action called inside another's savepoint (a hook of package_update asking for
        # the site user, say): committing here would close the outer action's savepoint;
        # the changes wait for the next action that runs on its own
        return
    record_plans = records.changed_plans()
    plan_ids = set(record_plans)
    plan_id = _changed_plan(sender, kwargs.get("data_dict"), kwargs.get("result"))
    if plan_id:
        plan_ids.add(plan_id)
    for plan_id in sorted(plan_ids):
        try:
            sync(plan_id)
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            log.error("Open dataset of plan %s not updated: %s", plan_id, error)
    for plan_id in sorted(record_plans):
        _reindex(plan_id)


def _reindex(plan_id: str) -> None:
    """A plan's search entry carries its items' and milestones' states (``facets.py``)."""
    if model.Package.get(plan_id) is None:
        return
    try:
        search.rebuild(plan_id)
        model.Session.commit()
    except search.SearchIndexError as error:
        model.Session.rollback()
        log.error("Plan %s not re-indexed after a change of its records: %s", plan_id, error)


def subscriptions() -> dict[Any, list[Any]]:
    return {tk.signals.action_succeeded: [on_action]}
