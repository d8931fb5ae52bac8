"""Who may read and change the open-data programme's records.

Plans, working groups and regulations are datasets, so their owner entity's
editors and admins (and sysadmins) change them and their items and milestones;
whoever may see the plan may read its progress. National views are public.
"""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict


def _plan_id(data_dict: DataDict) -> str | None:
    return data_dict.get("plan_id") or data_dict.get("id")


def _can(action: str, context: Context, plan_id: str | None) -> AuthResult:
    if not plan_id:
        return {"success": False, "msg": tk._("No plan given")}
    try:
        tk.check_access(action, context, {"id": plan_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to see or change this plan")}
    except tk.ObjectNotFound:
        return {"success": False, "msg": tk._("Plan not found")}
    return {"success": True}


def opengovpe_plan_read(context: Context, data_dict: DataDict) -> AuthResult:
    return _can("package_show", context, _plan_id(data_dict))


def opengovpe_plan_edit(context: Context, data_dict: DataDict) -> AuthResult:
    return _can("package_update", context, _plan_id(data_dict))


@tk.auth_allow_anonymous_access
def opengovpe_plan_progress(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_read(context, data_dict)


@tk.auth_allow_anonymous_access
def opengovpe_plan_show(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_read(context, data_dict)


def opengovpe_plan_save(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_plan_item_create(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_plan_item_update(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_plan_item_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_milestone_create(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_milestone_update(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_milestone_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_evidence_create(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


def opengovpe_demand_create(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_edit(context, data_dict)


@tk.auth_allow_anonymous_access
def opengovpe_milestone_due_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone; the list only holds milestones of plans the user can see."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_programme_status(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_scoreboard(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_usage_show(context: Context, data_dict: DataDict) -> AuthResult:
    """An entity's figures are public; an item's or a plan's, for whoever may see the plan."""
    if data_dict.get("type") in ("item", "plan"):
        return opengovpe_plan_read(context, data_dict)
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_usage_national(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_usage_report(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_story_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def opengovpe_health_show(context: Context, data_dict: DataDict) -> AuthResult:
    # sysadmins only (CKAN lets them through before any auth function)
    return {"success": False, "msg": tk._("Only system administrators can see the portal's health")}


@tk.auth_allow_anonymous_access
def opengovpe_record_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone; the list only holds records the user can see."""
    return {"success": True}


def opengovpe_record_publish(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may edit the record (its entity's editors and admins)."""
    try:
        tk.check_access("package_update", context, {"id": data_dict.get("id")})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return {"success": False, "msg": tk._("Not authorized to publish this record")}
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever may read the dataset may read its quality."""
    return authz.is_authorized("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def opengovpe_quality_summary(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the summary counts public datasets only."""
    return {"success": True}
