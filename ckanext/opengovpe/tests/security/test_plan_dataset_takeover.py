"""A plan's open dataset is the one the extension created for it, never another entity's
dataset that happens to carry the name ``<plan name>-datos``."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

VICTIM_FIELDS = ("owner_org", "private", "title", "notes", "metadata_modified")


def as_user(name: str) -> dict[str, Any]:
    return {"user": name, "ignore_auth": False}


@pytest.fixture
def victim() -> dict[str, Any]:
    """Entity B with a private dataset ``xy-datos`` and its admin."""
    admin = factories.User(name="admin-b")
    org = factories.Organization(name="entidad-b",
                                 users=[{"name": admin["name"], "capacity": "admin"}])
    dataset = factories.Dataset(
        name="xy-datos", owner_org=org["id"], private=True, title="Datos reservados de B",
        notes="Solo para B.", resources=[{"url": "https://b.example.pe/datos.csv",
                                          "name": "Datos de B"}])
    return {"admin": admin, "org": org, "dataset": dataset}


def attacker_entity(kind: str) -> tuple[str, str]:
    """(user name, entity id) of an editor of entity A, or of a user who creates an entity."""
    user = factories.User(name="atacante")
    if kind == "editor":
        org = factories.Organization(name="entidad-a",
                                     users=[{"name": user["name"], "capacity": "editor"}])
    else:
        org = helpers.call_action("organization_create", as_user(user["name"]),
                                  name="entidad-nueva", title="Entidad nueva")
    return user["name"], org["id"]


def unchanged(victim: dict[str, Any]) -> None:
    model.Session.remove()
    now = helpers.call_action("package_show", as_user(victim["admin"]["name"]), id="xy-datos")
    before = victim["dataset"]
    assert {f: now[f] for f in VICTIM_FIELDS} == {f: before[f] for f in VICTIM_FIELDS}
    assert [r["url"] for r in now["resources"]] == ["https://b.example.pe/datos.csv"]


@pytest.mark.ckan_config("ckan.auth.user_create_organizations", True)
@pytest.mark.parametrize("kind", ["editor", "entity-creator"])
def test_plan_named_like_another_entitys_dataset_does_not_take_it_over(victim, kind):
    user, entity = attacker_entity(kind)
    plan = helpers.call_action("package_create", as_user(user), type="plan-apertura",
                               name="xy", title="Plan XY", owner_org=entity)
    helpers.call_action("opengovpe_plan_item_create", as_user(user), plan_id=plan["id"],
                        title="Contratos")
    helpers.call_action("package_patch", as_user(user), id=plan["id"], title="Plan XY bis")
    unchanged(victim)
    # the plan got a companion of its own, under the first free name
    companion = helpers.call_action("package_show", id="xy-datos-2")
    assert companion["owner_org"] == entity
    assert companion["resources"][0]["url"].endswith("/plan-apertura/xy/exportar.csv")


def _forget_links() -> None:
    """The state of an install from before the link was stored."""
    model.Session.execute(sa.text("DELETE FROM opengovpe_plan_dataset"))
    model.repo.commit()


def test_earlier_companion_of_the_same_entity_with_the_plans_csv_is_adopted():
    org = factories.Organization(name="entidad-a")
    plan = factories.Dataset(name="plan-a", type="plan-apertura", owner_org=org["id"])
    first = helpers.call_action("package_show", id="plan-a-datos")
    _forget_links()
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=plan["id"],
                        title="Plan A renovado")
    adopted = helpers.call_action("package_show", id="plan-a-datos")
    assert adopted["id"] == first["id"]
    assert adopted["title"] == "Plan de apertura: Plan A renovado"
    assert model.Package.get("plan-a-datos-2") is None


def test_same_name_in_the_same_entity_without_the_plans_csv_is_not_adopted():
    org = factories.Organization(name="entidad-a")
    own = factories.Dataset(name="plan-a-datos", owner_org=org["id"], title="Otra cosa",
                            resources=[{"url": "https://a.example.pe/otra.csv"}])
    factories.Dataset(name="plan-a", type="plan-apertura", owner_org=org["id"])
    assert helpers.call_action("package_show", id=own["id"])["title"] == "Otra cosa"
    assert helpers.call_action("package_show", id="plan-a-datos-2")["owner_org"] == org["id"]
