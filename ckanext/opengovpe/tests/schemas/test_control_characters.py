"""Control characters are refused, field by field, in every text field of every record type.

C0 characters other than tab, line feed and carriage return, DEL, lone surrogates and
U+FFFE/U+FFFF cannot be carried by XML (the RDF/XML catalogue broke on them) and some not by
PostgreSQL either. Each case sends one in one field and expects the error on that field (for
repeating subfields and resources, at that entry), and nothing stored.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins")

BAD = "Acta\x01 de instalación"
MESSAGE = "Contains a control character (U+0001), which is not allowed: remove it"
TABLES = ("package", "package_tag", "tag", "resource", "group",
          "opengovpe_plan_item", "opengovpe_milestone", "opengovpe_evidence",
          "opengovpe_demand")


@pytest.fixture(scope="module")
def world(module_db) -> dict[str, Any]:
    """Built once: every case below is refused and stores nothing."""
    org = factories.Organization(name="oece", title="OECE")
    records = {type_: factories.Dataset(name=f"registro-{type_}", type=type_,
                                        owner_org=org["id"], title=f"Registro {type_}",
                                        resources=[{"url": "https://oece.gob.pe/a.csv",
                                                    "name": "Anexo"}])
               for type_ in ("dataset", "norma", "grupo-trabajo", "plan-apertura",
                             "contrataciones")}
    plan = records["plan-apertura"]
    item = helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"],
                               title="Contratos vigentes")
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                    name="Instalar el grupo de trabajo")
    model.Session.remove()
    return {"org": org, "records": records, "plan": plan, "item": item,
            "milestone": milestone}


def counts() -> dict[str, int]:
    model.Session.remove()
    found = {t: model.Session.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
             for t in TABLES}
    model.Session.remove()
    return found


def refused(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The field errors of ``action``, which must refuse ``payload`` and store nothing."""
    before = counts()
    with pytest.raises(tk.ValidationError) as raised:
        helpers.call_action(action, **payload)
    model.Session.rollback()
    assert counts() == before
    return raised.value.error_dict


def record(type_: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "name": f"nuevo-{type_}", "title": "Nuevo registro",
            "owner_org": "oece", "notes": "Descripción.", **fields}


# (record type, field, value): the error is expected on ``field``
DATASET_CASES = [
    ("dataset", "title", BAD),
    ("dataset", "notes", BAD),
    ("dataset", "identifier", BAD),
    ("dataset", "version", "1.0\x01"),
    ("dataset", "url", "https://oece.gob.pe/\x01"),
    ("dataset", "tag_string", "obras,\x01pública"),
    ("dataset", "theme", ["https://oece.gob.pe/tema\x7f"]),
    ("dataset", "documentation", ["https://oece.gob.pe/doc\x1b"]),
    ("dataset", "unknown_field", BAD),
    ("norma", "number", "RD-001\x0b"),
    ("norma", "issuing_body", BAD),
    ("norma", "legal_basis", BAD),
    ("norma", "title", "Resolución \x08directoral"),
    ("grupo-trabajo", "functions", BAD),
    ("grupo-trabajo", "title", BAD),
    ("plan-apertura", "code", "PA-2025\x00"),
    ("plan-apertura", "vision", "Visión\ufffe"),
    ("plan-apertura", "title", BAD),
    ("contrataciones", "buyer_name", BAD),
    ("contrataciones", "notes", "Procesos\x1f"),
]


@pytest.mark.parametrize("type_,field,value", DATASET_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in DATASET_CASES])
def test_dataset_fields_refuse_control_characters(world, type_, field, value):
    errors = refused("package_create", record(type_, **{field: value}))
    assert any("control character" in message for message in errors[field]), errors


def test_the_message_names_the_character(world):
    errors = refused("package_create", record("dataset", title=BAD))
    assert MESSAGE in errors["title"]


@pytest.mark.parametrize("value", ["a\x00b", "a\x1fb", "a\x7fb", "a\ud800b", "a\uffffb"],
                         ids=["nul", "unit-separator", "del", "lone-surrogate", "uffff"])
def test_every_refused_kind_of_character(world, value):
    errors = refused("package_create", record("dataset", notes=value))
    assert any("control character" in message for message in errors["notes"]), errors


def test_tab_and_line_breaks_are_text(world):
    sysadmin = {"user": factories.Sysadmin()["name"]}
    created = helpers.call_action("package_create", context=dict(sysadmin), **record(
        "dataset", name="con-saltos", notes="Uno\tdos\r\ntres\n"))
    assert created["notes"] == "Uno\tdos\r\ntres\n"
    helpers.call_action("dataset_purge", context=dict(sysadmin), id=created["id"])


def test_tags_as_a_list(world):
    errors = refused("package_create", record("dataset", tags=[{"name": "obras"},
                                                               {"name": "obras\x02"}]))
    # CKAN gives tag errors as one sentence per refused tag
    assert len(errors["tags"]) == 1
    assert "control character (U+0002)" in errors["tags"][0], errors


@pytest.mark.parametrize("type_,field,subfield,entry", [
    ("dataset", "contact", "name", {"name": BAD, "email": "mesa@oece.gob.pe"}),
    ("dataset", "publisher", "identifier", {"name": "OECE", "identifier": BAD}),
    ("dataset", "spatial_coverage", "text", {"text": BAD}),
    ("grupo-trabajo", "members", "person", {"person": BAD, "position": "Jefe"}),
    ("grupo-trabajo", "agreements", "text", {"text": BAD, "session_number": "1"}),
])
def test_repeating_subfields_refuse_control_characters(world, type_, field, subfield, entry):
    errors = refused("package_create", record(type_, **{field: [
        {k: v.replace("\x01", "") for k, v in entry.items()}, entry]}))
    assert errors[field][0] == {}, errors
    assert any("control character" in m for m in errors[field][1][subfield]), errors


@pytest.mark.parametrize("type_,field", [
    ("dataset", "name"), ("dataset", "description"), ("norma", "format"),
    ("grupo-trabajo", "name"), ("plan-apertura", "description"), ("contrataciones", "name")])
def test_resource_fields_refuse_control_characters(world, type_, field):
    errors = refused("resource_create", {
        "package_id": world["records"][type_]["id"], "url": "https://oece.gob.pe/b.csv",
        field: BAD})
    assert any("control character" in m for m in errors[field]), errors


def test_resources_inside_a_dataset(world):
    errors = refused("package_create", record("norma", resources=[
        {"url": "https://oece.gob.pe/a.pdf", "name": "Texto"},
        {"url": "https://oece.gob.pe/b.pdf", "name": BAD}]))
    assert errors["resources"][0] == {}
    assert any("control character" in m for m in errors["resources"][1]["name"]), errors


def test_updates_are_checked_too(world):
    errors = refused("package_patch", {"id": world["records"]["norma"]["id"],
                                       "issuing_body": BAD})
    assert any("control character" in m for m in errors["issuing_body"]), errors


@pytest.mark.parametrize("field", ["title", "acronym", "description", "data_officer",
                                   "national_portal_name"])
def test_entity_fields_refuse_control_characters(world, field):
    payload = {"name": "entidad-nueva", "title": "Entidad nueva", field: BAD}
    errors = refused("organization_create", payload)
    assert any("control character" in m for m in errors[field]), errors


def test_entity_updates_are_checked_too(world):
    errors = refused("organization_patch", {"id": world["org"]["id"], "acronym": BAD})
    assert any("control character" in m for m in errors["acronym"]), errors


@pytest.mark.parametrize("action,payload,field", [
    ("opengovpe_plan_item_create", {"title": BAD}, "title"),
    ("opengovpe_plan_item_create", {"title": "Contratos", "description": "a\x1bb"},
     "description"),
    ("opengovpe_plan_item_create", {"title": "Contratos", "national_portal_url":
                                    "https://www.datosabiertos.gob.pe/\x01"},
     "national_portal_url"),
    ("opengovpe_plan_item_create", {"title": "Contratos", "formats": ["CSV", "X\x02"]},
     "formats"),
    ("opengovpe_plan_item_create", {"title": "Contratos", "formats": "CSV,X\x02"}, "formats"),
    ("opengovpe_milestone_create", {"name": BAD}, "name"),
    ("opengovpe_milestone_create", {"name": "Hito", "responsible_unit": "OTI\ud800"},
     "responsible_unit"),
])
def test_programme_actions_refuse_control_characters(world, action, payload, field):
    errors = refused(action, dict(payload, plan_id=world["plan"]["id"]))
    assert any("control character" in m for m in errors[field]), errors


def test_programme_updates_and_nested_records(world):
    errors = refused("opengovpe_plan_item_update", {"id": world["item"]["id"],
                                                    "responsible": BAD})
    assert any("control character" in m for m in errors["responsible"]), errors
    errors = refused("opengovpe_evidence_create", {
        "milestone_id": world["milestone"]["id"], "type": "acta", "title": BAD})
    assert "control character" in str(errors), errors
    errors = refused("opengovpe_demand_create", {
        "item_id": world["item"]["id"], "kind": "solicitud-datos", "description": BAD})
    assert any("control character" in m for m in errors["description"]), errors
    errors = refused("opengovpe_plan_save", {"id": world["plan"]["id"], "items": [
        {"key": "a", "title": "Contratos"}, {"key": "b", "title": BAD}]})
    assert any("control character" in m for m in errors["items"][1]["title"]), errors


def test_the_api_answers_in_spanish(app, world):
    sysadmin = factories.SysadminWithToken()
    response = app.post("/api/3/action/package_create",
                        json=record("dataset", title=BAD),
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 409
    assert response.json["error"]["title"] == [
        "Contiene un carácter de control (U+0001), que no se permite: elimínelo"]
