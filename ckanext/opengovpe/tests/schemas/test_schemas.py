"""The scheming YAML files: they parse, and their presets, validators and vocabularies exist.

Schemas are expanded the way ckanext-scheming expands them (a field's own keys over its
preset's) from the preset files named as in ``scheming.presets``, and their validator strings are
built by scheming's own parser.
"""
from __future__ import annotations

import importlib
import json
import os
import re
from typing import Any, Iterator

import pytest
import yaml

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.dcat.validators import dcat_validators
from ckanext.scheming import validation as scheming_validation

from ckanext.opengovpe import vocab
from ckanext.opengovpe.logic import validators

PRESETS = (
    "ckanext.scheming:presets.json",
    "ckanext.dcat.schemas:presets.yaml",
    "ckanext.opengovpe:schemas/presets.yaml",
)
SCHEMAS = {
    "ckanext.opengovpe:schemas/organization.yaml": ("organization_type", "organization"),
    "ckanext.opengovpe:schemas/dataset.yaml": ("dataset_type", "dataset"),
    "ckanext.opengovpe:schemas/working_group.yaml": ("dataset_type", "grupo-trabajo"),
    "ckanext.opengovpe:schemas/regulation.yaml": ("dataset_type", "norma"),
    "ckanext.opengovpe:schemas/opening_plan.yaml": ("dataset_type", "plan-apertura"),
}
DATASET_TYPES = {type_ for key, type_ in SCHEMAS.values() if key == "dataset_type"}
GROUPINGS = ("fields", "dataset_fields", "resource_fields")
DATE_ORDER = re.compile(r"opengovpe_date_order\((\w+)\)")


def load(location: str) -> dict[str, Any]:
    """A schema or presets file named as in the scheming options (``module:path``)."""
    module, path = location.split(":", 1)
    directory = os.path.dirname(importlib.import_module(module).__file__ or "")
    with open(os.path.join(directory, path), encoding="utf-8") as source:
        return yaml.safe_load(source) if path.endswith(".yaml") else json.load(source)


def presets() -> dict[str, dict[str, Any]]:
    """Every preset; as in scheming, the first file naming a preset wins."""
    found: dict[str, dict[str, Any]] = {}
    for location in PRESETS:
        for preset in load(location)["presets"]:
            found.setdefault(preset["preset_name"], preset["values"])
    return found


def expand(field: dict[str, Any]) -> dict[str, Any]:
    if "preset" in field:
        field = dict(presets()[field["preset"]], **field)
    if "repeating_subfields" in field:
        field = dict(field, repeating_subfields=[expand(f) for f in field["repeating_subfields"]])
    return field


def fields(schema: dict[str, Any]) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Every field and subfield of a schema, expanded, with the fields beside it."""
    for grouping in GROUPINGS:
        siblings = [expand(f) for f in schema.get(grouping, [])]
        for field in siblings:
            yield siblings, field
            for subfield in field.get("repeating_subfields", []):
                yield field["repeating_subfields"], subfield


def all_fields() -> list[Any]:
    """Parameters (location, siblings, field) for every field of every schema."""
    return [pytest.param(location, siblings, field,
                         id=f"{SCHEMAS[location][1]}:{field['field_name']}")
            for location in SCHEMAS for siblings, field in fields(load(location))]


def registered(name: str) -> Any:
    """A validator as the plugins register it: ours, scheming's, dcat's, then CKAN's."""
    own = {name: getattr(validators, name) for name in validators.__all__}
    for registry in (own, scheming_validation.all_validators, dcat_validators):
        if name in registry:
            return registry[name]
    return tk.get_validator(name)


@pytest.fixture
def scheming_registry(monkeypatch):
    monkeypatch.setattr(scheming_validation, "get_validator", registered)


@pytest.fixture
def choices_helper(monkeypatch):
    """The template helper scheming looks up by the name in ``choices_helper``."""
    monkeypatch.setitem(tk.h, "opengovpe_vocab_choices", vocab.opengovpe_vocab_choices)


def test_preset_names_are_ours_and_clash_with_none():
    ours = [p["preset_name"] for p in load(PRESETS[-1])["presets"]]
    theirs = {p["preset_name"] for location in PRESETS[:-1] for p in load(location)["presets"]}
    assert all(name.startswith("opengovpe_") for name in ours)
    assert len(set(ours)) == len(ours)
    assert not set(ours) & theirs


@pytest.mark.parametrize("location", SCHEMAS)
def test_schema_parses_with_its_type(location):
    schema = load(location)
    type_key, type_ = SCHEMAS[location]
    assert schema["scheming_version"] == 2
    assert schema[type_key] == type_


@pytest.mark.parametrize("location", SCHEMAS)
def test_field_names_are_unique(location):
    schema = load(location)
    for grouping in GROUPINGS:
        names = [f["field_name"] for f in schema.get(grouping, [])]
        assert len(set(names)) == len(names), grouping
    for _, field in fields(schema):
        names = [f["field_name"] for f in field.get("repeating_subfields", [])]
        assert len(set(names)) == len(names), field["field_name"]


def test_every_preset_used_exists():
    known = presets()
    for location in SCHEMAS:
        for grouping in GROUPINGS:
            for field in load(location).get(grouping, []):
                for f in [field, *field.get("repeating_subfields", [])]:
                    assert f.get("preset", "title") in known, (location, f["field_name"])


def bilingual(text: Any) -> bool:
    return isinstance(text, dict) and bool(text.get("es")) and bool(text.get("en"))


@pytest.mark.parametrize("location, siblings, field", all_fields())
def test_labels_and_help_in_spanish_and_english(location, siblings, field):
    assert bilingual(field["label"]), field["field_name"]
    for key in ("help_text", "repeating_label"):
        if key in field:
            assert bilingual(field[key]), (field["field_name"], key)


@pytest.mark.parametrize("location, siblings, field", all_fields())
def test_validators_are_explicit_and_build(location, siblings, field, scheming_registry):
    if "repeating_subfields" in field:
        return
    assert field.get("validators"), field["field_name"]
    for key in ("validators", "output_validators"):
        if key in field:
            built = scheming_validation.validators_from_string(field[key], field, {})
            assert built and all(callable(v) for v in built), (field["field_name"], key)


@pytest.mark.parametrize("location, siblings, field", all_fields())
def test_vocabulary_fields_point_to_an_existing_vocabulary(location, siblings, field):
    if field.get("choices_helper") == "opengovpe_vocab_choices" or "vocabulary" in field:
        assert field.get("choices_helper") == "opengovpe_vocab_choices", field["field_name"]
        assert field["vocabulary"] in vocab.names(), field["field_name"]
        if "default" in field:
            assert vocab.is_member(field["vocabulary"], field["default"]), field["field_name"]


@pytest.mark.parametrize("location, siblings, field", all_fields())
def test_references_and_date_pairs_point_to_what_exists(location, siblings, field):
    if "reference_type" in field:
        assert field["preset"].startswith("opengovpe_reference"), field["field_name"]
        assert field["reference_type"] in DATASET_TYPES, field["field_name"]
    names = {f["field_name"] for f in siblings}
    for start in DATE_ORDER.findall(field.get("validators", "")):
        assert start in names and start != field["field_name"], field["field_name"]


def field_names(location: str, grouping: str = "dataset_fields") -> set[str]:
    return {f["field_name"] for f in load(location)[grouping]}


def test_publication_schema_keeps_the_names_ckanext_dcat_reads():
    names = field_names("ckanext.opengovpe:schemas/dataset.yaml")
    assert names >= {
        "title", "notes", "tag_string", "contact", "publisher", "license_id", "owner_org",
        "temporal_coverage", "spatial_coverage", "theme", "language", "frequency", "conforms_to",
        "documentation", "access_rights", "version", "identifier", "issued", "modified", "url",
        "pnda_theme", "eu_theme", "ubigeo_coverage", "data_dictionary"}
    resource = field_names("ckanext.opengovpe:schemas/dataset.yaml", "resource_fields")
    assert resource >= {"url", "name", "description", "format", "mimetype", "size", "license",
                        "rights", "access_url", "download_url", "availability"}


def test_records_keep_the_names_the_programme_status_reads():
    assert field_names("ckanext.opengovpe:schemas/working_group.yaml") >= {
        "status", "creating_norm"}
    assert "validity" in field_names("ckanext.opengovpe:schemas/regulation.yaml")
    assert field_names("ckanext.opengovpe:schemas/opening_plan.yaml") >= {
        "status", "approving_regulation"}
    assert {"level_of_government", "sector", "acronym", "ruc", "ubigeo"} <= {
        f["field_name"] for f in load("ckanext.opengovpe:schemas/organization.yaml")["fields"]}


def navl_schema(location: str) -> dict[str, Any]:
    """The navl schema scheming builds from a YAML file, without the fields that need the DB."""
    def build(field: dict[str, Any]) -> Any:
        if "repeating_subfields" in field:
            return {f["field_name"]: build(f) for f in field["repeating_subfields"]}
        return scheming_validation.validators_from_string(field["validators"], field, {})

    return {f["field_name"]: build(f) for f in map(expand, load(location)["dataset_fields"])
            if f["field_name"] not in ("name", "owner_org")}


@pytest.mark.usefixtures("scheming_registry", "choices_helper")
class TestBadInputIsAFieldError:
    def test_working_group(self):
        data, errors = tk.navl_validate({
            "title": "",
            "group_type": "comite",
            "creating_norm": "Resolución 12",
            "installation_date": "2024-02-30",
            "members": [
                {"person": "Ana Quispe", "role": "oficial-de-gobierno-de-datos",
                 "date_from": "2024-06-01", "date_to": "2024-01-31"},
                {"person": "", "role": "tesorero", "kind": "alterno"},
            ],
            "sessions": [{"date": "2024-03-01", "quorum": "quizá",
                          "attendance_percentage": "120"}],
        }, navl_schema("ckanext.opengovpe:schemas/working_group.yaml"), {})
        assert data["title"] == "Grupo de Trabajo Institucional de Datos Abiertos"
        assert set(errors) == {"creating_norm", "installation_date", "members", "sessions"}
        assert set(errors["members"][0]) == {"date_to"}
        assert set(errors["members"][1]) == {"person", "role"}
        assert set(errors["sessions"][0]) == {"quorum", "attendance_percentage"}

    @pytest.mark.usefixtures("with_plugins", "clean_db")
    def test_working_group_that_is_right(self):
        # references are checked against the database: the creating norm exists
        model.Session.add(model.Package(name="rpe-12-2024", type="norma", title="RPE"))
        model.Session.commit()
        data, errors = tk.navl_validate({
            "title": "Comité de Gobierno y Transformación Digital",
            "group_type": "comite", "status": "activo", "creating_norm": "rpe-12-2024",
            "meeting_frequency": "QUARTERLY", "installation_date": "2024-02-29",
            "members": [{"person": "Ana Quispe", "member_sector": "sociedad-civil",
                         "date_from": "2024-06-01", "date_to": "2025-05-31"}],
            "agreements": [{"text": "Aprobar el inventario", "status": "en-curso",
                            "deadline": "2024-09-30"}],
        }, navl_schema("ckanext.opengovpe:schemas/working_group.yaml"), {})
        assert errors == {}
        assert data["members"][0]["date_to"] == "2025-05-31"

    @pytest.mark.usefixtures("with_plugins", "clean_db")
    def test_regulation(self):
        model.Session.add(model.Package(name="rsg-0-2022", type="norma", title="RSG"))
        model.Session.commit()
        data, errors = tk.navl_validate({
            "title": "Aprueban el Plan de apertura de datos",
            "regulation_type": "resolucion-de-secretaria-general",
            "subjects": ["aprobacion-del-plan", "capricho"],
            "issue_date": "2024-05-10", "publication_date": "2024-05-01",
            "modifies": ["rsg-1-2023", "RSG 2"], "repeals": "rsg-0-2022",
            "validity": "vigente",
        }, navl_schema("ckanext.opengovpe:schemas/regulation.yaml"), {})
        assert set(errors) == {"subjects", "publication_date", "modifies"}
        assert json.loads(data["repeals"]) == ["rsg-0-2022"]

    def test_opening_plan(self):
        _, errors = tk.navl_validate({
            "title": "Plan de apertura 2025", "status": "publicado",
            "period_start": "2025-01-01", "period_end": "2024-12-31",
            "digital_government_plan_url": "not a url",
            "approving_regulation": ["rsg-1"],
        }, navl_schema("ckanext.opengovpe:schemas/opening_plan.yaml"), {})
        assert set(errors) == {"status", "period_end", "digital_government_plan_url",
                               "approving_regulation"}

    def test_publication(self):
        data, errors = tk.navl_validate({
            "title": "Contrataciones públicas", "notes": "Procesos del SEACE",
            "license_id": "cc-by", "pnda_theme": "economia-y-finanzas",
            "eu_theme": ["ECON", "GOVE"], "language": "SPA", "frequency": "DAILY",
            "access_rights": "publico", "ubigeo_coverage": ["15", "070101"],
            "temporal_coverage": [{"start": "2019", "end": "2024-06"}],
            "contact": [{"name": "Mesa de datos", "email": "datos@oece.gob.pe"}],
        }, navl_schema("ckanext.opengovpe:schemas/dataset.yaml"), {})
        assert errors == {}
        assert json.loads(data["eu_theme"]) == ["ECON", "GOVE"]
        assert json.loads(data["ubigeo_coverage"]) == ["15", "070101"]

    def test_publication_with_bad_values(self):
        _, errors = tk.navl_validate({
            "title": "Contrataciones públicas", "notes": "",
            "license_id": "cc-by-sa", "frequency": "http://example.org/monthly",
            "language": ["SPA", "FRA"], "ubigeo_coverage": ["150101", "999999"],
            "temporal_coverage": [{"start": "2024-06", "end": "2024-05-31"}],
            "contact": [{"email": "no-es-un-correo"}],
        }, navl_schema("ckanext.opengovpe:schemas/dataset.yaml"), {})
        assert set(errors) == {"notes", "license_id", "frequency", "language",
                               "ubigeo_coverage", "temporal_coverage", "contact"}
        assert set(errors["temporal_coverage"][0]) == {"end"}
