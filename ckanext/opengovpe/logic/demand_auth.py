"""Who may ask, read, support, follow, moderate and answer data requests.

Anyone may ask and read what is published; supporting and following need an account;
moderating and answering belong to the asked entity's admins (and sysadmins). The actions
themselves hide requests not yet approved from everyone else.
"""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ..demand import records
from .auth import opengovpe_plan_read


@tk.auth_allow_anonymous_access
def opengovpe_data_request_create(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_data_request_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_data_request_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def opengovpe_data_request_stats(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def opengovpe_data_request_support(context: Context, data_dict: DataDict) -> AuthResult:
    # CKAN refuses anonymous callers before this (no auth_allow_anonymous_access)
    return {"success": True}


def opengovpe_data_request_follow(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _entity_admin(context: Context, data_dict: DataDict) -> AuthResult:
    request_id = data_dict.get("id")
    found = (records.get(request_id) if isinstance(request_id, str) and request_id
             and "\x00" not in request_id else None)
    if found is None:
        return {"success": False, "msg": tk._("Data request not found")}
    if authz.has_user_permission_for_group_or_org(found["owner_org"], context.get("user") or "",
                                                  "admin"):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the entity's admins manage its data requests")}


def opengovpe_data_request_moderate(context: Context, data_dict: DataDict) -> AuthResult:
    return _entity_admin(context, data_dict)


def opengovpe_data_request_answer(context: Context, data_dict: DataDict) -> AuthResult:
    return _entity_admin(context, data_dict)


@tk.auth_allow_anonymous_access
def opengovpe_demand_list(context: Context, data_dict: DataDict) -> AuthResult:
    return opengovpe_plan_read(context, data_dict)
