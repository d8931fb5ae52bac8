"""Actions of citizens' data requests: ask, read, list, support, follow, moderate, answer,
and the figures per entity and nationally."""
from __future__ import annotations

import datetime
import logging
from typing import Any

from flask import has_request_context

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ..demand import limits, notify, records
from ..model.demand import data_request_follow_table, data_request_support_table
from ..programme import opendata, records as plan_records
from . import demand_schema as schema
from .action import _item, _reference

log = logging.getLogger(__name__)


def _user(context: Context) -> model.User | None:
    return model.User.get(context.get("user") or "") if context.get("user") else None


def _address() -> str | None:
    return tk.request.remote_addr if has_request_context() else None


def _entity(reference: str) -> model.Group:
    entity = model.Group.get(reference)
    if entity is None or not entity.is_organization or entity.state != "active":
        raise tk.ValidationError({"organization": [tk._("Entity not found")]})
    return entity


def is_entity_admin(context: Context, owner_org: str) -> bool:
    """Whether the caller administers the entity (or the portal), or is the portal itself
    (an internal call that ignores authorization)."""
    if context.get("ignore_auth"):
        return True
    user = context.get("user") or ""
    return bool(user) and authz.has_user_permission_for_group_or_org(owner_org, user, "admin")


def _request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The request named by ``id``, if the caller may see it: an approved one, or any of an
    entity the caller administers, or the caller's own."""
    found = records.get(_reference(data_dict, "id"))
    if found is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    user = _user(context)
    if found["state"] != "aprobada" and not is_entity_admin(context, found["owner_org"]) \
            and not (user and user.id == found["user_id"]):
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return found


def _shown(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    shown = records.public([request])[0]
    user = _user(context)
    shown["supported"] = bool(user) and records.is_marked(
        data_request_support_table, request["id"], user.id)
    shown["following"] = bool(user) and records.is_marked(
        data_request_follow_table, request["id"], user.id)
    shown["can_moderate"] = is_entity_admin(context, request["owner_org"])
    entity = model.Group.get(request["owner_org"])
    shown["organization"] = {"id": entity.id, "name": entity.name, "title": entity.title}
    if request["item_id"]:
        shown["item"] = records.public_item(request["item_id"])
    if request["dataset_id"]:
        dataset = model.Package.get(request["dataset_id"])
        shown["dataset"] = ({"id": dataset.id, "name": dataset.name, "title": dataset.title}
                            if dataset and dataset.state == "active" and not dataset.private
                            else None)
    return shown


@validate(schema.data_request_create_schema)
def opengovpe_data_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask an entity for a dataset. Anyone may ask; the request is public once the entity's
    admins approve it. An address and an account may send a limited number of requests
    per window (``ckanext.opengovpe.demand.per_address``, ``.per_account``, ``.window``).

    :param organization: id or name of the entity asked
    :type organization: string
    :param title: the data wanted
    :type title: string
    :param description: what the data should hold
    :type description: string
    :param reason: what the data would be used for (optional)
    :type reason: string
    :param contact_name: the requester's name, to address the answer (optional, never shown)
    :type contact_name: string
    :param contact_email: where to send the answer (optional, never shown or exported)
    :type contact_email: string
    :returns: the request as the public will read it
    :rtype: dictionary
    """
    tk.check_access("opengovpe_data_request_create", context, data_dict)
    data = data_dict
    entity = _entity(data.pop("organization"))
    user = _user(context)
    address = _address()
    account = user.id if user else None
    # the limits hold back people; the portal's own calls (ignore_auth) are not counted
    limited = not context.get("ignore_auth")
    if limited and limits.exceeded(address or ("" if account else "-"), account):
        raise tk.ValidationError({"title": [tk._(
            "Too many data requests in a short time; please try again later")]})
    request_id = records.insert(dict(data, owner_org=entity.id,
                                     user_id=account, state="pendiente", status="abierta"))
    model.repo.commit()
    if limited:
        limits.count(address or ("" if account else "-"), account)
    return _shown(context, records.get(request_id))


@tk.side_effect_free
def opengovpe_data_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A data request, with its numbers of supporters and followers and its answer. Contact
    details are never shown.

    :param id: the request's id
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("opengovpe_data_request_show", context, data_dict)
    return _shown(context, _request(context, data_dict))


@tk.side_effect_free
@validate(schema.data_request_list_schema)
def opengovpe_data_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approved data requests, of one entity or all; an entity's admins may also list its
    pending, hidden and spam ones.

    :param organization: id or name of the entity (optional)
    :type organization: string
    :param state: aprobada (default), pendiente, oculta or spam (these three for the
        entity's admins only)
    :type state: string
    :param status: abierta, vinculada-item, vinculada-dataset or rechazada (optional)
    :type status: string
    :param sort: ``created desc`` (default), ``created asc`` or ``supporters desc``
    :type sort: string
    :param limit: default 50, at most ``ckanext.opengovpe.list.max_limit``
    :type limit: int
    :param offset: default 0
    :type offset: int
    :returns: ``count``, ``results`` and the figures (``stats``) of the same scope
    :rtype: dictionary
    """
    tk.check_access("opengovpe_data_request_list", context, data_dict)
    data = data_dict
    organizations = None
    if data.get("organization"):
        organizations = [_entity(data["organization"]).id]
    state = data.get("state") or "aprobada"
    if state != "aprobada" and not (organizations and is_entity_admin(context,
                                                                        organizations[0])):
        raise tk.NotAuthorized(tk._("Only the entity's admins see requests not yet approved"))
    total, rows = records.search(organizations, (state,), data.get("status"), data["sort"],
                                 int(data["limit"]), int(data["offset"]))
    return {"count": total, "results": records.public(rows),
            "stats": records.stats(organizations[0] if organizations else None)}


def _mark(context: Context, data_dict: DataDict, table: Any, action: str) -> dict[str, Any]:
    # an id and a flag, read in the body as the id-only actions of logic/action.py read
    # theirs (``_reference``): a schema would refuse the other fields these accept
    tk.check_access(action, context, data_dict)
    request = _request(context, data_dict)
    if request["state"] != "aprobada":
        raise tk.ValidationError({"id": [tk._("Only a published request can be supported "
                                              "or followed")]})
    undo = data_dict.get("undo", False)
    if undo not in (True, False, "true", "false", "1", "0", ""):
        raise tk.ValidationError({"undo": [tk._("Must be true or false")]})
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to support or follow a request"))
    records.mark(table, request["id"], user.id, undo not in (True, "true", "1"))
    model.repo.commit()
    return _shown(context, records.get(request["id"]))


def opengovpe_data_request_support(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Support ("me sumo") a published data request, once per account; ``undo`` withdraws
    the support. Each support adds to the priority of the item the request is linked to.

    :param id: the request's id
    :type id: string
    :param undo: true to withdraw (optional)
    :type undo: bool
    :rtype: dictionary
    """
    return _mark(context, data_dict, data_request_support_table,
                 "opengovpe_data_request_support")


def opengovpe_data_request_follow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Follow a published data request: the answer is e-mailed to the account's address;
    ``undo`` stops following.

    :param id: the request's id
    :type id: string
    :param undo: true to stop following (optional)
    :type undo: bool
    :rtype: dictionary
    """
    return _mark(context, data_dict, data_request_follow_table, "opengovpe_data_request_follow")


def _managed(context: Context, data_dict: DataDict, action: str) -> dict[str, Any]:
    found = records.get(_reference(data_dict, "id"))
    if found is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    tk.check_access(action, context, {"id": found["id"]})
    return found


@validate(schema.data_request_moderate_schema)
def opengovpe_data_request_moderate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a request (it becomes public), hide it or mark it as spam. The entity's
    admins only.

    :param id: the request's id
    :type id: string
    :param state: aprobada, oculta or spam
    :type state: string
    :rtype: dictionary
    """
    request = _managed(context, data_dict, "opengovpe_data_request_moderate")
    records.update(request["id"], {"state": data_dict["state"],
                                   "moderated": datetime.datetime.utcnow()})
    model.repo.commit()
    return _shown(context, records.get(request["id"]))


def _answer_errors(request: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    status = data["status"]
    if request["state"] != "aprobada":
        return {"status": [tk._("Approve the request before answering it")]}
    if status == "vinculada-item":
        if not data.get("item_id"):
            return {"item_id": [tk._("Choose an item of the entity's opening plans")]}
        if records.entity_item(request["owner_org"], data["item_id"]) is None:
            return {"item_id": [tk._("The item is not part of this entity's plans")]}
    if status == "vinculada-dataset":
        dataset = model.Package.get(data.get("dataset_id") or "") if data.get(
            "dataset_id") else None
        if dataset is None or dataset.state != "active" or dataset.private:
            return {"dataset_id": [tk._("Choose a published dataset of the entity")]}
        if dataset.owner_org != request["owner_org"]:
            return {"dataset_id": [tk._("The dataset belongs to another entity")]}
    if status == "rechazada" and not data.get("answer"):
        return {"answer": [tk._("Give the reason for declining")]}
    return {}


def _sync_open_dataset(plan_id: str) -> None:
    try:
        opendata.sync(plan_id)
    except (tk.ValidationError, tk.ObjectNotFound) as error:
        log.warning("Open dataset of plan %s not updated: %s", plan_id, error)


@validate(schema.data_request_answer_schema)
def opengovpe_data_request_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Answer an approved request: link it to an inventory item of one of the entity's
    plans (it then counts in the item's demand and priority), to a published dataset of the
    entity, or decline it with a reason. The requester and the followers are e-mailed. The
    entity's admins only.

    :param id: the request's id
    :type id: string
    :param status: vinculada-item, vinculada-dataset or rechazada
    :type status: string
    :param item_id: the item, for vinculada-item
    :type item_id: string
    :param dataset_id: the dataset (id or name), for vinculada-dataset
    :type dataset_id: string
    :param answer: the entity's words to the requester (required to decline)
    :type answer: string
    :rtype: dictionary
    """
    request = _managed(context, data_dict, "opengovpe_data_request_answer")
    data = data_dict
    errors = _answer_errors(request, data)
    if errors:
        raise tk.ValidationError(errors)
    status = data["status"]
    item_id = data["item_id"] if status == "vinculada-item" else None
    dataset = model.Package.get(data["dataset_id"]) if status == "vinculada-dataset" else None
    records.update(request["id"], {
        "status": status, "item_id": item_id, "dataset_id": dataset.id if dataset else None,
        "answer": data.get("answer") or None, "answered": datetime.datetime.utcnow()})
    plans = {p for p in (records.plan_of_item(request["item_id"]),
                         records.plan_of_item(item_id)) if p}
    records.link_item(request, item_id)
    model.repo.commit()
    for plan_id in plans:
        # the plans' open datasets show the demand of each item: they change too
        _sync_open_dataset(plan_id)
    notify.enqueue(request["id"])
    return _shown(context, records.get(request["id"]))


@tk.side_effect_free
def opengovpe_data_request_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Published data requests received and answered, the share answered and the median
    days to answer, of one entity or of the country (with each entity's figures).

    :param organization: id or name of the entity (optional: the whole country)
    :type organization: string
    :rtype: dictionary
    """
    tk.check_access("opengovpe_data_request_stats", context, data_dict)
    if data_dict.get("organization") not in (None, ""):
        entity = _entity(_reference(data_dict, "organization"))
        return dict(records.stats(entity.id), organization=entity.name)
    return dict(records.stats(), entities=records.stats_by_entity())


@tk.side_effect_free
def opengovpe_demand_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The demand behind an inventory item (access-to-information requests, citizen data
    requests, other demand) and the priority it earns: the item's score plus 3 points per
    access-to-information request, 2 per citizen data request, 1 per other demand and 1 per
    support of the portal's requests linked to it.

    :param item_id: the inventory item's id
    :type item_id: string
    :returns: ``item``, ``demand`` (rows), ``requests`` (the portal's linked requests) and
        ``priority``
    :rtype: dictionary
    """
    item = _item(_reference(data_dict, "item_id"))
    tk.check_access("opengovpe_demand_list", context, {"plan_id": item["plan_id"]})
    demand = plan_records.demand_for([item["id"]])[item["id"]]
    linked = [d["request_id"] for d in demand if d.get("request_id")]
    requests = records.public([r for r in (records.get(i) for i in linked)
                               if r and r["state"] == "aprobada"])
    return {"item": plan_records.as_dict(item),
            "demand": [plan_records.as_dict(d) for d in demand],
            "requests": requests, "priority": records.priority(item)}
