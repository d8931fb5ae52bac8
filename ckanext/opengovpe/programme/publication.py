"""An inventory item follows its linked dataset: published while the dataset is
active and public, back to its previous status when it is deleted or made private.
Each change is recorded in the plan's activity stream."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels

from ..model import plan_item_table
from .records import mark_changed
from .vocabulary import ITEM_PUBLISHED as PUBLISHED
from .vocabulary import ITEM_READY

log = logging.getLogger(__name__)

FALLBACK_STATUS = ITEM_READY


def is_published(dataset: model.Package | None) -> bool:
    return dataset is not None and dataset.state == "active" and not dataset.private


def sync_items(dataset_id: str, user_name: str | None = None, deleting: bool = False
               ) -> list[dict[str, Any]]:
    """Bring the status of items linked to this dataset in line with it; return the changes.

    ``deleting``: CKAN calls its delete hooks before it marks the dataset deleted.
    """
    dataset = model.Package.get(dataset_id)  # an id or a name
    if dataset is None:
        return []
    dataset_id = dataset.id
    published = is_published(dataset) and not deleting
    rows = model.Session.execute(sa.select(plan_item_table).where(
        plan_item_table.c.dataset_id == dataset_id)).mappings().all()
    changes = []
    for row in rows:
        if published and row["status"] != PUBLISHED:
            values = {"status": PUBLISHED, "status_before_publication": row["status"]}
        elif not published and row["status"] == PUBLISHED:
            values = {"status": row["status_before_publication"] or FALLBACK_STATUS,
                      "status_before_publication": None}
        else:
            continue
        model.Session.execute(plan_item_table.update()
                              .where(plan_item_table.c.id == row["id"]).values(**values))
        changes.append({"item_id": row["id"], "plan_id": row["plan_id"],
                        "title": row["title"], "from": row["status"], "to": values["status"]})
    mark_changed(change["plan_id"] for change in changes)
    for change in changes:
        _record_activity(change, dataset_id, user_name)
    return changes


def _record_activity(change: dict[str, Any], dataset_id: str, user_name: str | None) -> None:
    log.info("Item %s of plan %s: %s -> %s (dataset %s)", change["item_id"],
             change["plan_id"], change["from"], change["to"], dataset_id)
    if not plugins.plugin_loaded("activity"):
        return
    # the change is the act of whoever changed the dataset (the site user's
    # own activity is hidden from streams by default)
    user = model.User.get(user_name or "") or model.User.get(
        tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])
    context = {"ignore_auth": True, "defer_commit": True, "user": user.name}
    plan = tk.get_action("package_show")(dict(context), {"id": change["plan_id"]})
    plan_object = model.Package.get(change["plan_id"])
    tk.get_action("activity_create")(context, {
        # who may see the plan may see its activity
        "permission_labels": get_permission_labels().get_dataset_labels(plan_object),
        "user_id": user.id,
        "object_id": change["plan_id"],
        "activity_type": "changed package",
        "data": {"package": plan, "opengovpe_item_status": dict(change, dataset_id=dataset_id)},
    })
