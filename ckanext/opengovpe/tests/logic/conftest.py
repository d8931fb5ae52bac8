"""An entity with a plan, a regulation and people in every role."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import factories, helpers


@pytest.fixture
def entity(clean_db) -> dict[str, Any]:
    admin = factories.User(name="admin-oece")
    editor = factories.User(name="editor-oece")
    member = factories.User(name="member-oece")
    outsider = factories.User(name="editor-otra")
    sysadmin = factories.Sysadmin(name="sysadmin")
    org = factories.Organization(name="oece", users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"},
    ])
    other = factories.Organization(name="otra", users=[
        {"name": outsider["name"], "capacity": "editor"}])
    plan = factories.Dataset(name="plan-oece-2025", type="plan-apertura",
                             owner_org=org["id"], title="Plan de apertura 2025")
    dataset = factories.Dataset(name="contratos", owner_org=org["id"], private=True,
                                notes="Contratos vigentes.")
    foreign = factories.Dataset(name="ajeno", owner_org=other["id"], notes="Ajeno.")
    return {"org": org, "other": other, "plan": plan, "dataset": dataset, "foreign": foreign,
            "users": {"admin": admin, "editor": editor, "member": member,
                      "outsider": outsider, "sysadmin": sysadmin}}


def as_user(name: str | None) -> dict[str, Any]:
    """A context that checks authorization, as the API does for this user."""
    return {"user": name or "", "ignore_auth": False}


def call_as(user: str | None, action: str, /, **data: Any) -> Any:
    return helpers.call_action(action, as_user(user), **data)
