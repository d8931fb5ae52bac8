"""The actions behind the coordinator's pickers and the publish / withdraw buttons:
``opengovpe_record_list`` and ``opengovpe_record_publish``, for every role."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from .conftest import call_as

pytestmark = pytest.mark.usefixtures("with_plugins")

ROLES = {"anonymous": None, "outsider": "editor-otra", "member": "member-oece",
         "editor": "editor-oece", "admin": "admin-oece", "sysadmin": "sysadmin"}
MEMBERS = {"member", "editor", "admin", "sysadmin"}
EDITORS = {"editor", "admin", "sysadmin"}


@pytest.fixture
def norms(entity):
    public = factories.Dataset(type="norma", name="rpe-public", title="Resolución pública",
                               owner_org=entity["org"]["id"])
    private = factories.Dataset(type="norma", name="rpe-private", title="Resolución privada",
                                owner_org=entity["org"]["id"], private=True)
    foreign = factories.Dataset(type="norma", name="rpe-otra", title="Resolución ajena",
                                owner_org=entity["other"]["id"])
    return {"public": public, "private": private, "foreign": foreign}


@pytest.mark.parametrize("role", ROLES)
def test_list_holds_only_the_entity_records_the_user_sees(entity, norms, role):
    found = call_as(ROLES[role], "opengovpe_record_list", organization="oece", type="norma")
    names = [r["name"] for r in found]
    expected = ["rpe-private", "rpe-public"] if role in MEMBERS else ["rpe-public"]
    assert names == expected
    assert set(found[0]) == {"id", "name", "title", "state", "private"}


def test_list_filters_by_words_of_the_title(entity, norms):
    found = call_as("editor-oece", "opengovpe_record_list", organization="oece",
                    type="norma", q="PRIVADA")
    assert [r["name"] for r in found] == ["rpe-private"]


@pytest.mark.parametrize("data,field", [
    ({"organization": "oece", "type": "harvest"}, "type"),
    ({"organization": "no-existe", "type": "norma"}, "organization"),
    ({"organization": ["oece"], "type": "norma"}, "organization"),
    ({"organization": "oece", "type": "norma", "limit": -1}, "limit"),
    ({"organization": "oece", "type": "norma", "sort": "title"}, "sort"),
])
def test_list_refuses_bad_input_on_its_field(entity, data, field):
    with pytest.raises(tk.ValidationError) as raised:
        call_as("editor-oece", "opengovpe_record_list", **data)
    assert field in raised.value.error_dict


@pytest.mark.parametrize("role", ROLES)
def test_publish_and_withdraw_by_role(entity, norms, role):
    if role not in EDITORS:
        with pytest.raises(tk.NotAuthorized):
            call_as(ROLES[role], "opengovpe_record_publish", id="rpe-private")
        assert helpers.call_action("package_show", id="rpe-private")["private"] is True
        return
    shown = call_as(ROLES[role], "opengovpe_record_publish", id="rpe-private")
    assert shown["private"] is False and shown["state"] == "active"
    shown = call_as(ROLES[role], "opengovpe_record_publish", id="rpe-private", publish=False)
    assert shown["private"] is True


def test_publish_turns_a_draft_into_a_counted_record(entity):
    draft = factories.Dataset(type="grupo-trabajo", name="grupo-borrador", title="Grupo",
                              owner_org=entity["org"]["id"], state="draft", private=True)
    call_as("editor-oece", "opengovpe_record_publish", id=draft["id"])
    shown = helpers.call_action("package_show", id="grupo-borrador")
    assert shown["state"] == "active" and shown["private"] is False


def test_publish_is_only_for_programme_records(entity):
    with pytest.raises(tk.ObjectNotFound):
        call_as("editor-oece", "opengovpe_record_publish", id=entity["dataset"]["id"])
    assert helpers.call_action("package_show", id="contratos")["private"] is True


def test_publish_refuses_another_entity_record(entity, norms):
    with pytest.raises(tk.NotAuthorized):
        call_as("editor-oece", "opengovpe_record_publish", id="rpe-otra", publish=False)
    assert helpers.call_action("package_show", id="rpe-otra")["private"] is False


@pytest.mark.parametrize("data,field", [
    ({"id": "rpe-private", "publish": "quizá"}, "publish"),
    ({"id": "rpe-private", "publish": ["true"]}, "publish"),
    ({"id": "rpe-private", "state": "deleted"}, "state"),
    ({"id": ["rpe-private"]}, "id"),
])
def test_publish_refuses_bad_input_and_changes_nothing(entity, norms, data, field):
    with pytest.raises(tk.ValidationError) as raised:
        call_as("editor-oece", "opengovpe_record_publish", **data)
    assert field in raised.value.error_dict
    assert helpers.call_action("package_show", id="rpe-private")["private"] is True
