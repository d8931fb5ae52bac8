"""Generated attack on every action the extension registers, on ``package_create``, ``_update``
and ``_patch`` of each of its dataset types and on ``organization_create`` / ``_update``.

Each example: a role, an entity whose records are the target, a valid request for that target,
and one to four of its fields (or unknown keys) replaced by hostile values. The oracles are
in ``tests/fuzz.py``. Shrunk failing examples print as the draws that make them.
"""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.opengovpe.tests import fuzz

pytestmark = pytest.mark.usefixtures("with_plugins")

ACTIONS = fuzz.opengovpe_actions()
DATASET_TYPES = fuzz.dataset_types()
PACKAGE_CASES = [(verb, kind) for kind in DATASET_TYPES for verb in ("create", "update", "patch")]
ORGANIZATION_FIELDS = fuzz.organization_fields()
NAMES = itertools.count()

# the kind of record each id-like field names
FIELD_KINDS = {"plan_id": "plan", "item_id": "item", "milestone_id": "milestone",
               "dataset_id": "dataset", "organization": "organization"}
# what the bare ``id`` of an action names, from the action's object
ID_KINDS = {"plan_item": "item", "milestone": "milestone", "plan": "plan",
            "programme": "organization", "data_request": "request"}


@pytest.fixture(scope="module")
def world(module_db) -> dict[str, Any]:
    built = fuzz.build_world()
    built["pools"] = fuzz.pools(built)
    return built


def _id_kind(action: str) -> str:
    words = action.split("_")[1:-1]
    return next((ID_KINDS[k] for k in ("_".join(words), *words) if k in ID_KINDS), "plan")


def _record(world: dict[str, Any], entity: str, kind: str) -> str:
    records = world["entities"][entity]
    return {"plan": records["plan"]["id"], "item": records["items"][0]["id"],
            "milestone": records["milestones"][0]["id"],
            "dataset": records["datasets"]["dataset-publico"]["id"],
            "organization": records["org"]["id"],
            "request": records["requests"][0]["id"]}[kind]


def _value(fields: dict[str, Any], name: str, pool: list[str]) -> st.SearchStrategy[Any]:
    """Hostile values for one field; for a field holding a list of objects, lists of objects
    whose own fields are hostile too."""
    nested = fields.get(name)
    if isinstance(nested, dict) and nested:
        entry = st.dictionaries(st.sampled_from(sorted(nested)), fuzz.hostile(pool), max_size=4)
        return st.one_of(st.lists(entry, max_size=3), fuzz.hostile(pool))
    return fuzz.hostile(pool)


def _overlay(data: st.DataObject, fields: dict[str, Any], pool: list[str]) -> dict[str, Any]:
    # an action that takes no parameter is attacked with unknown keys only
    names = data.draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4,
                               unique=True), label="fields") if fields else []
    changes = {name: data.draw(_value(fields, name, pool), label=name) for name in names}
    if not fields or data.draw(st.booleans(), label="add an unknown key"):
        changes[data.draw(fuzz.unknown_key(), label="unknown key")] = data.draw(
            fuzz.hostile(pool), label="its value")
    return changes


def _context(world: dict[str, Any], role: str) -> dict[str, Any]:
    user = "" if role == "anonymous" else world["users"][role]["name"]
    return {"user": user, "ignore_auth": False,
            "auth_user_obj": model.User.get(user) if user else None}


def _attack(world: dict[str, Any], role: str, action: str, payload: dict[str, Any]) -> None:
    observation = fuzz.Observation(world, role)
    with fuzz.ErrorLog() as log:
        try:
            answer = fuzz.dump(tk.get_action(action)(_context(world, role), payload))
            refused = False
        except fuzz.ACCEPTED_REFUSALS as error:
            answer = fuzz.dump(getattr(error, "error_dict", None) or str(error))
            refused = True
        finally:
            model.Session.remove()
    observation.check(refused, answer, log, f"{action} as {role}", fuzz.dump(payload))


def _draw_actor(data: st.DataObject) -> tuple[str, str]:
    return (data.draw(st.sampled_from(fuzz.ROLES), label="role"),
            data.draw(st.sampled_from(["a", "b"]), label="target entity"))


def _base(world: dict[str, Any], action: str, fields: dict[str, Any], entity: str
          ) -> dict[str, Any]:
    """A valid request on ``entity``'s records: a record named by ``id`` is all an action
    that reads, changes or removes it needs; one that creates gets its parents and the
    required fields."""
    if "id" in fields and not action.endswith("_create"):
        return {"id": _record(world, entity, _id_kind(action))}
    payload: dict[str, Any] = {}
    for name in fields:
        if name in FIELD_KINDS and name != "dataset_id":
            payload[name] = _record(world, entity, FIELD_KINDS[name])
        elif name in fuzz.VALID and fields.get(name) is None:
            payload[name] = fuzz.VALID[name]
    return payload


@pytest.mark.parametrize("action", ACTIONS)
@given(data=st.data())
def test_action(world, action, data):
    role, entity = _draw_actor(data)
    fields = fuzz.action_fields(action)
    payload = _base(world, action, fields, entity)
    payload.update(_overlay(data, fields, world["pools"]["any"]))
    fuzz.Budget.check(action)
    _attack(world, role, action, payload)


def _dataset_payload(world: dict[str, Any], verb: str, kind: str, entity: str,
                     private: bool) -> dict[str, Any]:
    records = world["entities"][entity]
    if verb == "create":
        return {"type": kind, "name": f"fuzz-{kind}-{next(NAMES)}", "title": "Datos nuevos",
                "notes": "Notas.", "owner_org": records["org"]["id"]}
    labels = [f"{kind}-privado"] if private else []
    label = next((x for x in labels if x in records["datasets"]), f"{kind}-publico")
    target = records["datasets"][label]["id"]
    if verb == "patch":
        return {"id": target}
    shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": target})
    model.Session.remove()
    return shown


@pytest.mark.parametrize("verb,kind", PACKAGE_CASES,
                         ids=[f"package_{verb}:{kind}" for verb, kind in PACKAGE_CASES])
@given(data=st.data())
def test_dataset(world, verb, kind, data):
    role, entity = _draw_actor(data)
    private = data.draw(st.booleans(), label="private target")
    payload = _dataset_payload(world, verb, kind, entity, private)
    payload.update(_overlay(data, DATASET_TYPES[kind], world["pools"]["any"]))
    fuzz.Budget.check(f"package_{verb}:{kind}")
    _attack(world, role, f"package_{verb}", payload)


@pytest.mark.parametrize("verb", ["create", "update"])
@given(data=st.data())
def test_organization(world, verb, data):
    role, entity = _draw_actor(data)
    if verb == "create":
        payload = {"name": f"fuzz-entidad-{next(NAMES)}", "title": "Entidad nueva"}
    else:
        payload = tk.get_action("organization_show")(
            {"ignore_auth": True},
            {"id": world["entities"][entity]["org"]["id"], "include_datasets": False})
        model.Session.remove()
    payload.update(_overlay(data, ORGANIZATION_FIELDS, world["pools"]["any"]))
    fuzz.Budget.check(f"organization_{verb}")
    _attack(world, role, f"organization_{verb}", payload)
