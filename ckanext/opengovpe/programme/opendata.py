"""Each opening plan is also published as an open dataset, whose resource is the
plan's live CSV export (as Mexico's ADELA did for its "planes de apertura").

The companion dataset follows the plan: public while the plan is public and
active, private otherwise; its resource is touched whenever the plan, its items
or its milestones change, so harvesters see a new modification date.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..helpers import N_, site_gettext

log = logging.getLogger(__name__)

PLAN_TYPE = "plan-apertura"
SUFFIX = "-datos"
# actions after which a plan's companion dataset is brought up to date
PLAN_ACTIONS = ("package_create", "package_update")
RECORD_ACTIONS = ("opengovpe_plan_item_create", "opengovpe_plan_item_update",
                  "opengovpe_plan_item_delete", "opengovpe_milestone_create",
                  "opengovpe_milestone_update", "opengovpe_milestone_delete",
                  "opengovpe_evidence_create", "opengovpe_plan_save")


def companion_name(plan_name: str) -> str:
    return (plan_name[: 100 - len(SUFFIX)] + SUFFIX)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": site_user["name"]}


def sync(plan_id: str) -> dict[str, Any] | None:
    """Create or update the companion dataset of a plan; return it."""
    plan = model.Package.get(plan_id)
    if plan is None or plan.type != PLAN_TYPE:
        return None
    name = companion_name(plan.name)
    csv_url = tk.h.url_for("opengovpe.export_plan", id=plan.name, fmt="csv", qualified=True)
    now = datetime.datetime.utcnow().isoformat()
    title = site_gettext(N_("Opening plan: {title}")).format(title=plan.title)
    notes = site_gettext(N_("Prioritised datasets and milestones of the opening plan "
                            "\"{title}\", with their status, progress and evidence. "
                            "Updated whenever the plan changes.")).format(title=plan.title)
    resource_name = site_gettext(N_("Opening plan (CSV)"))
    values = {
        "name": name, "type": "dataset", "owner_org": plan.owner_org,
        "title": title,
        "notes": notes,
        "private": plan.private or plan.state != "active",
        "license_id": "cc-by",
        "tags": [{"name": "plan de apertura"}, {"name": "datos abiertos"}],
        "resources": [{"name": resource_name, "url": csv_url, "format": "CSV",
                       "mimetype": "text/csv", "last_modified": now}],
    }
    context = _context()
    existing = model.Package.get(name)
    if existing is None:
        return tk.get_action("package_create")(context, values)
    return tk.get_action("package_update")(context, dict(values, id=existing.id))


def on_action(sender: str, **kwargs: Any) -> None:
    """Signal receiver: keep companions in step with plans and their records."""
    result = kwargs.get("result")
    data_dict = kwargs.get("data_dict") or {}
    plan_id = None
    if sender in PLAN_ACTIONS:
        if isinstance(result, dict) and result.get("type") == PLAN_TYPE:
            plan_id = result["id"]
    elif sender in RECORD_ACTIONS:
        if isinstance(result, dict):
            plan_id = result.get("plan_id") or (result.get("id") if sender ==
                                                "opengovpe_plan_save" else None)
        plan_id = plan_id or data_dict.get("plan_id")
    if plan_id:
        try:
            sync(plan_id)
        except (tk.ValidationError, tk.ObjectNotFound) as error:
            log.error("Open dataset of plan %s not updated: %s", plan_id, error)


def subscriptions() -> dict[Any, list[Any]]:
    return {tk.signals.action_succeeded: [
        {"sender": name, "receiver": on_action} for name in PLAN_ACTIONS + RECORD_ACTIONS]}
