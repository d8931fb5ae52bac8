"""The entity's programme page as the coordinator's home: for each of the four PE0087
stages, whether it is done, why not yet (one sentence) and the step that moves it on.

The stages are counted by ``programme/status.py`` from the entity's published records; this
module reads the same records as the coordinator sees them (drafts and private ones too)
to say which condition is still missing. It only explains and links: every change is made
by the forms and actions the links lead to.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .programme.vocabulary import (GROUP_ACTIVE, PLAN_APPROVED, PLAN_TYPE, REGULATION_IN_FORCE,
                                   REGULATION_TYPE, WORKING_GROUP_TYPE)

GROUP, NORM, PLAN = WORKING_GROUP_TYPE, REGULATION_TYPE, PLAN_TYPE


def is_published(record: dict[str, Any]) -> bool:
    """Counted by the programme status: active and public."""
    return record.get("state") == "active" and not record.get("private")


def _step(label: str, url: str, primary: bool = True) -> dict[str, Any]:
    return {"label": label, "url": url, "primary": primary}


def _new(kind: str, entity: dict[str, Any]) -> str:
    return tk.h.url_for(f"{kind}.new", owner_org=entity["id"])


def _edit(record: dict[str, Any]) -> str:
    return tk.h.url_for(f"{record['type']}.edit", id=record["name"])


def _publish(record: dict[str, Any]) -> str:
    return tk.h.url_for("opengovpe.record_publish", id=record["name"])


def _unpublished(record: dict[str, Any], noun: str) -> dict[str, Any]:
    return {"reason": tk._("{record} «{title}» is not published: only published records "
                           "count.").format(record=noun, title=record["title"]),
            "steps": [_step(tk._("Publish «{title}»").format(title=record["title"]),
                            _publish(record))]}


def _group(entity: dict[str, Any], groups: list[dict[str, Any]],
           norms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not groups:
        return {"reason": tk._("No working group is registered yet."),
                "steps": [_step(tk._("Create the working group"), _new(GROUP, entity))]}
    group = next((g for g in groups if is_published(g) and g.get("status") == GROUP_ACTIVE),
                 groups[0])
    if not is_published(group):
        return _unpublished(group, tk._("The working group"))
    if group.get("status") != GROUP_ACTIVE:
        return {"reason": tk._("The working group «{title}» is not active: only an active "
                               "group counts.").format(title=group["title"]),
                "steps": [_step(tk._("Edit the working group"), _edit(group))]}
    norm = norms.get(group.get("creating_norm") or "")
    if norm is None:
        return _needs_regulation(
            group, entity, norms,
            tk._("The group counts once its «Creating regulation» names a regulation "
                 "of the entity."),
            tk._("Register its creating regulation"), tk._("Choose its creating regulation"))
    return _unpublished(norm, tk._("The creating regulation"))


def _needs_regulation(record: dict[str, Any], entity: dict[str, Any],
                      norms: dict[str, dict[str, Any]], reason: str, register: str,
                      choose: str) -> dict[str, Any]:
    """A record that counts once it names one of the entity's regulations: register one,
    or first choose among those the entity has."""
    steps = [_step(register, _new(NORM, entity))]
    if norms:
        steps.insert(0, _step(choose, _edit(record)))
        steps[1]["primary"] = False
    return {"reason": reason, "steps": steps}


def _framework(entity: dict[str, Any], norms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not norms:
        return {"reason": tk._("No internal regulation is registered yet."),
                "steps": [_step(tk._("Register a regulation"), _new(NORM, entity))]}
    in_force = [n for n in norms.values() if n.get("validity") == REGULATION_IN_FORCE]
    if not in_force:
        return {"reason": tk._("None of the entity's regulations is in force."),
                "steps": [_step(tk._("Register a regulation"), _new(NORM, entity))]}
    return _unpublished(in_force[0], tk._("The regulation"))


def _plan(entity: dict[str, Any], plans: list[dict[str, Any]],
          norms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not plans:
        return {"reason": tk._("No opening plan is drafted yet."),
                "steps": [_step(tk._("Draft the opening plan"), _new(PLAN, entity))]}
    plan = next((p for p in plans if is_published(p)), plans[0])
    if plan.get("status") not in PLAN_APPROVED:
        return {"reason": tk._("The plan «{title}» is «{status}»: it counts once it is "
                               "approved.").format(
                                   title=plan["title"],
                                   status=tk.h.opengovpe_label("plan_status", plan.get("status"))),
                "steps": [_step(tk._("Approve the plan"), _edit(plan))]}
    norm = norms.get(plan.get("approving_regulation") or "")
    if norm is None:
        return _needs_regulation(
            plan, entity, norms,
            tk._("The plan counts once its «Approving regulation» names a regulation "
                 "of the entity."),
            tk._("Register its approving regulation"), tk._("Choose its approving regulation"))
    if not is_published(plan):
        return _unpublished(plan, tk._("The plan"))
    return _unpublished(norm, tk._("The approving regulation"))


def _datasets(entity: dict[str, Any], plans: list[dict[str, Any]]) -> dict[str, Any]:
    plan = next((p for p in plans if is_published(p)), None)
    if plan is None:
        return {"reason": tk._("Published datasets are counted from the prioritised datasets "
                               "of a published opening plan."),
                "steps": [] if plans else [_step(tk._("Draft the opening plan"),
                                                 _new(PLAN, entity))]}
    waiting = [i for i in plan["items"] if i.get("status") != "descartado"]
    if not waiting:
        return {"reason": tk._("The plan has no prioritised dataset yet."),
                "steps": [_step(tk._("Add a prioritised dataset"),
                                tk.h.url_for("opengovpe.item_form", id=plan["name"]))]}
    item = waiting[0]
    return {"reason": tk._("No prioritised dataset is linked to a published dataset yet."),
            "steps": [_step(tk._("Link a dataset to «{title}»").format(title=item["title"]),
                            tk.h.url_for("opengovpe.item_form", id=plan["name"],
                                         item_id=item["id"])),
                      _step(tk._("Add a dataset"),
                            tk.h.url_for("dataset.new", owner_org=entity["id"]),
                            primary=False)]}


def stages(status: dict[str, Any], groups: list[dict[str, Any]],
           norms: list[dict[str, Any]], plans: list[dict[str, Any]],
           can_edit: bool) -> list[dict[str, Any]]:
    """The four stages in order, each with ``key``, ``done``, ``reason`` and ``steps``
    (none for a visitor who cannot change the entity's records)."""
    by_name = {n["name"]: n for n in norms}
    explain = {
        "group_established": lambda: _group(status, groups, by_name),
        "framework_in_force": lambda: _framework(status, by_name),
        "plan_approved": lambda: _plan(status, plans, by_name),
        "datasets_published": lambda: _datasets(status, plans),
    }
    found = []
    for key, why in explain.items():
        done = bool(status["milestones"][key])
        entry: dict[str, Any] = {"key": key, "done": done, "reason": "", "steps": []}
        if not done:
            entry.update(why())
            if not can_edit:
                entry["steps"] = []
        found.append(entry)
    return found
