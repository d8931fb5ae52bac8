"""Bad-input corpus: one row per case, through the interfaces people and programs use.

Every row sends something wrong to the API or to a form and expects a clear 4xx (or the
form again, with a field error), never a 500, and nothing stored: the counts of
datasets, plan records and index rows, and the plan itself, are the same afterwards.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.opengovpe.logic.schema import MAX_SHORT, MAX_TEXT

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PLAN = "plan-oece-2025"
TABLES = ("package", "package_tag", "member", "resource", "group", "opengovpe_plan_item",
          "opengovpe_milestone", "opengovpe_evidence", "opengovpe_demand",
          "opengovpe_search_doc")


class Case(NamedTuple):
    """``payload`` may name fixture objects as ``{item}``, ``{milestone}``, ``{dataset}``..."""

    id: str
    action: str
    payload: Any
    statuses: tuple[int, ...] = (409,)
    field: str | None = None
    method: str = "POST"


def item(**fields: Any) -> dict[str, Any]:
    return {"plan_id": PLAN, "title": "Inventario de contratos", **fields}


def milestone(**fields: Any) -> dict[str, Any]:
    return {"plan_id": PLAN, "name": "Aprobar el plan", **fields}


def dataset(**fields: Any) -> dict[str, Any]:
    return {"name": "datos-nuevos", "title": "Datos nuevos", "notes": "Descripción.",
            "owner_org": "oece", **fields}


LONG = "x" * (MAX_SHORT + 1)
HUGE = "x" * 1_000_000
EVIDENCE = {"type": "acta", "title": "Acta de instalación"}

API_CASES = [
    # inventory items: required, lengths, type confusion
    Case("item-title-missing", "opengovpe_plan_item_create", {"plan_id": PLAN}, field="title"),
    Case("item-title-empty", "opengovpe_plan_item_create", item(title="   "), field="title"),
    Case("item-title-too-long", "opengovpe_plan_item_create", item(title=LONG), field="title"),
    Case("item-title-1mb", "opengovpe_plan_item_create", item(title=HUGE), field="title"),
    Case("item-title-list", "opengovpe_plan_item_create", item(title=["a", "b"]), field="title"),
    Case("item-title-object", "opengovpe_plan_item_create", item(title={"$gt": ""}),
         field="title"),
    Case("item-title-nul", "opengovpe_plan_item_create", item(title="a\x00b"), field="title"),
    Case("item-description-too-long", "opengovpe_plan_item_create",
         item(description="y" * (MAX_TEXT + 1)), field="description"),
    Case("item-theme-outside-vocabulary", "opengovpe_plan_item_create", item(theme="magia"),
         field="theme"),
    Case("item-theme-list", "opengovpe_plan_item_create", item(theme=["economia"]),
         field="theme"),
    Case("item-criteria-outside-vocabulary", "opengovpe_plan_item_create",
         item(criteria=["capricho"]), field="criteria"),
    Case("item-criteria-thousands", "opengovpe_plan_item_create",
         item(criteria=["capricho"] * 5000), field="criteria"),
    Case("item-score-negative", "opengovpe_plan_item_create", item(score=-1), field="score"),
    Case("item-score-text", "opengovpe_plan_item_create", item(score="muchos"), field="score"),
    Case("item-score-overflow", "opengovpe_plan_item_create", item(score=10**30),
         field="score"),
    Case("item-position-negative", "opengovpe_plan_item_create", item(position=-3),
         field="position"),
    Case("item-access-level-outside-vocabulary", "opengovpe_plan_item_create",
         item(access_level="secreto"), field="access_level"),
    Case("item-frequency-outside-vocabulary", "opengovpe_plan_item_create",
         item(frequency="cuando-se-pueda"), field="frequency"),
    Case("item-date-impossible", "opengovpe_plan_item_create",
         item(committed_date="2025-02-30"), field="committed_date"),
    Case("item-date-words", "opengovpe_plan_item_create", item(committed_date="mañana"),
         field="committed_date"),
    Case("item-date-year-99999", "opengovpe_plan_item_create",
         item(committed_date="99999-01-01"), field="committed_date"),
    Case("item-email-invalid", "opengovpe_plan_item_create",
         item(responsible_email="no-es-correo"), field="responsible_email"),
    Case("item-email-header-injection", "opengovpe_plan_item_create",
         item(responsible_email="a@b.pe\r\nBcc: todos@ejemplo.pe"), field="responsible_email"),
    Case("item-url-javascript", "opengovpe_plan_item_create",
         item(national_portal_url="javascript:alert(1)"), field="national_portal_url"),
    Case("item-url-file", "opengovpe_plan_item_create",
         item(national_portal_url="file:///etc/passwd"), field="national_portal_url"),
    Case("item-status-outside-vocabulary", "opengovpe_plan_item_create",
         item(status="hackeado"), field="status"),
    Case("item-unknown-key", "opengovpe_plan_item_create", item(es_admin=True),
         field="es_admin"),
    Case("item-plan-path-traversal", "opengovpe_plan_item_create",
         item(plan_id="../../etc/passwd"), statuses=(404, 409)),
    Case("item-plan-missing", "opengovpe_plan_item_create", item(plan_id="no-existe"),
         statuses=(404, 409)),
    Case("item-plan-not-a-plan", "opengovpe_plan_item_create", item(plan_id="contratos"),
         statuses=(404, 409)),
    Case("item-plan-list", "opengovpe_plan_item_create", item(plan_id=[PLAN]),
         statuses=(404, 409)),
    Case("item-dataset-path-traversal", "opengovpe_plan_item_create",
         item(dataset_id="../contratos"), field="dataset_id"),
    Case("item-dataset-of-another-entity", "opengovpe_plan_item_create",
         item(dataset_id="ajeno"), field="dataset_id"),
    Case("item-formats-object", "opengovpe_plan_item_create", item(formats={"CSV": 1}),
         field="formats"),
    Case("item-update-missing-id", "opengovpe_plan_item_update", {"id": "no-existe"},
         statuses=(404,)),
    Case("item-update-bad-status", "opengovpe_plan_item_update",
         {"id": "{item}", "status": "borrado"}, field="status"),
    Case("item-update-unknown-key", "opengovpe_plan_item_update",
         {"id": "{item}", "plan_idx": "otro"}, field="plan_idx"),
    # milestones
    Case("milestone-progress-over-100", "opengovpe_milestone_create", milestone(progress=101),
         field="progress"),
    Case("milestone-progress-negative", "opengovpe_milestone_create",
         milestone(progress=-5), field="progress"),
    Case("milestone-progress-nan", "opengovpe_milestone_create", milestone(progress="NaN"),
         field="progress"),
    Case("milestone-progress-infinity", "opengovpe_milestone_create",
         milestone(progress="Infinity"), field="progress"),
    Case("milestone-end-before-start", "opengovpe_milestone_create",
         milestone(start_date="2025-05-10", end_date="2025-05-01"), field="end_date"),
    Case("milestone-indicator-exponent", "opengovpe_milestone_create",
         milestone(indicator_target="1e400"), field="indicator_target"),
    Case("milestone-indicator-nan", "opengovpe_milestone_create",
         milestone(indicator_value="nan"), field="indicator_value"),
    Case("milestone-status-outside-vocabulary", "opengovpe_milestone_create",
         milestone(status="olvidado"), field="status"),
    Case("milestone-evidence-not-a-list", "opengovpe_milestone_create",
         milestone(evidence="acta"), field="evidence"),
    Case("milestone-evidence-type-outside-vocabulary", "opengovpe_milestone_create",
         milestone(evidence=[{"type": "rumor", "title": "Se dice"}]), field="evidence"),
    Case("milestone-evidence-unknown-key", "opengovpe_milestone_create",
         milestone(evidence=[dict(EVIDENCE, borrar=True)]), field="evidence"),
    Case("milestone-evidence-thousands", "opengovpe_milestone_create",
         milestone(evidence=[EVIDENCE] * 5000), field="evidence"),
    Case("milestone-item-of-another-plan", "opengovpe_milestone_create",
         milestone(item_id="{foreign_item}"), field="item_id"),
    Case("milestone-update-path-traversal", "opengovpe_milestone_update",
         {"id": "../../opengovpe_milestone"}, statuses=(404,)),
    # demand and whole-plan saves
    Case("demand-kind-outside-vocabulary", "opengovpe_demand_create",
         {"item_id": "{item}", "kind": "antojo"}, field="kind"),
    Case("demand-item-missing", "opengovpe_demand_create",
         {"item_id": "no-existe", "kind": "solicitud-datos"}, statuses=(404, 409)),
    Case("plan-save-items-string", "opengovpe_plan_save", {"id": PLAN, "items": "todo"},
         field="items"),
    Case("plan-save-items-of-strings", "opengovpe_plan_save",
         {"id": PLAN, "items": ["uno", "dos"]}, field="items"),
    Case("plan-save-duplicate-keys", "opengovpe_plan_save",
         {"id": PLAN, "items": [{"key": "a", "title": "Uno"}, {"key": "a", "title": "Dos"}]},
         field="items"),
    Case("plan-save-milestone-unknown-item", "opengovpe_plan_save",
         {"id": PLAN, "items": [], "milestones": [{"name": "H", "item_key": "zzz"}]},
         field="milestones"),
    Case("plan-save-missing-plan", "opengovpe_plan_save", {"id": "no-existe", "items": []},
         statuses=(404,)),
    # read actions with parameters
    Case("due-list-days-huge", "opengovpe_milestone_due_list", {"days": 100000},
         field="days"),
    Case("due-list-days-negative", "opengovpe_milestone_due_list", {"days": -1},
         field="days"),
    Case("scoreboard-sort-injection", "opengovpe_scoreboard",
         {"sort": "name asc; DROP TABLE package"}, field="sort"),
    Case("scoreboard-limit-huge", "opengovpe_scoreboard", {"limit": 10**9}, field="limit"),
    Case("scoreboard-level-outside-vocabulary", "opengovpe_scoreboard",
         {"level_of_government": "galactico"}, field="level_of_government"),
    Case("usage-id-nul", "opengovpe_usage_show", {"id": "oece\x00"}, field="id"),
    Case("usage-id-object", "opengovpe_usage_show", {"id": {"$ne": ""}}, field="id"),
    Case("usage-type-outside-list", "opengovpe_usage_show", {"id": "oece", "type": "pais"},
         field="type"),
    Case("usage-missing-entity", "opengovpe_usage_show", {"id": "no-existe"},
         statuses=(404,)),
    Case("usage-national-unknown-field", "opengovpe_usage_national", {"entidad": "oece"},
         field="entidad"),
    # search
    Case("search-query-too-long", "package_search", {"q": "contrato " * 2000},
         statuses=(400, 409)),
    Case("search-rows-negative", "package_search", {"rows": -1}, statuses=(400, 409)),
    Case("search-rows-text", "package_search", {"rows": "muchas"}, statuses=(400, 409)),
    Case("search-sort-injection", "package_search",
         {"sort": "title_string desc; DROP TABLE package"}, statuses=(400, 409)),
    Case("search-local-params", "package_search", {"fq": "{!join from=id to=id}*:*"},
         statuses=(400, 409)),
    Case("search-facet-limit-text", "package_search",
         {"facet.field": '["organization"]', "facet.limit": "todas"}, statuses=(400, 409)),
    Case("search-rows-object", "package_search", {"rows": {"$gt": 1}}, field="rows"),
    Case("search-fl-numbers", "package_search", {"fl": [1, 2]}, field="fl"),
    Case("search-q-object", "package_search", {"q": {"$ne": ""}}, field="q"),
    Case("search-date-math-superscript", "package_search",
         {"q": "metadata_modified:[NOW-\u00b2DAY TO NOW]"}, statuses=(400,)),
    Case("search-facet-fields-thousand", "package_search",
         {"facet.field": [f"campo{i}" for i in range(1000)]}, statuses=(400,)),
    # ids that are not text, or hold NUL, in every action that takes one
    Case("plan-show-id-object", "opengovpe_plan_show", {"id": {"$ne": ""}}, field="id"),
    Case("plan-show-id-nul", "opengovpe_plan_show", {"id": "plan\x00"}, field="id"),
    Case("plan-progress-id-list", "opengovpe_plan_progress", {"id": [PLAN]}, field="id"),
    Case("quality-show-id-object", "opengovpe_quality_show", {"id": {"$ne": ""}}, field="id"),
    Case("quality-show-id-nul", "opengovpe_quality_show", {"id": "datos\x00"}, field="id"),
    Case("plan-save-id-object", "opengovpe_plan_save", {"id": {"id": PLAN}}, field="id"),
    Case("programme-status-id-nul", "opengovpe_programme_status", {"id": "oece\x00"},
         field="id"),
    Case("programme-status-id-object", "opengovpe_programme_status", {"id": {"a": 1}},
         field="id"),
    Case("item-create-plan-id-object", "opengovpe_plan_item_create",
         item(plan_id={"id": PLAN}), field="plan_id"),
    Case("item-create-dataset-id-object", "opengovpe_plan_item_create",
         item(dataset_id={"id": "contratos"}), field="dataset_id"),
    Case("item-update-id-list", "opengovpe_plan_item_update", {"id": ["{item}"]}, field="id"),
    Case("item-update-id-nul", "opengovpe_plan_item_update", {"id": "\x00"}, field="id"),
    Case("item-update-plan-id-of-another-plan", "opengovpe_plan_item_update",
         {"id": "{item}", "plan_id": "plan-otra"}, field="plan_id"),
    Case("item-delete-id-object", "opengovpe_plan_item_delete", {"id": {"a": 1}}, field="id"),
    Case("milestone-create-plan-id-nul", "opengovpe_milestone_create",
         milestone(plan_id="plan\x00"), field="plan_id"),
    Case("milestone-update-id-object", "opengovpe_milestone_update", {"id": {"a": 1}},
         field="id"),
    Case("milestone-update-plan-id-of-another-plan", "opengovpe_milestone_update",
         {"id": "{milestone}", "plan_id": "plan-otra"}, field="plan_id"),
    Case("milestone-delete-id-nul", "opengovpe_milestone_delete", {"id": "a\x00"},
         field="id"),
    Case("evidence-milestone-id-list", "opengovpe_evidence_create",
         {"milestone_id": ["{milestone}"], "type": "acta", "title": "Acta"},
         field="milestone_id"),
    Case("demand-item-id-object", "opengovpe_demand_create",
         {"item_id": {"a": 1}, "kind": "solicitud-datos"}, field="item_id"),
    Case("plan-save-item-dataset-nul", "opengovpe_plan_save",
         {"id": PLAN, "items": [{"title": "Uno", "dataset_id": "a\x00"}]}, field="items"),
    # numbers: empty, non-ASCII digits, overflow
    Case("item-score-superscript", "opengovpe_plan_item_create", item(score="²"),
         field="score"),
    Case("item-position-overflow", "opengovpe_plan_item_create", item(position=2**31),
         field="position"),
    Case("item-position-boolean", "opengovpe_plan_item_create", item(position=True),
         field="position"),
    Case("due-list-days-superscript", "opengovpe_milestone_due_list", {"days": "²"},
         field="days"),
    # programme integrity
    Case("milestone-end-date-9999", "opengovpe_milestone_create",
         milestone(end_date="9999-12-31"), field="end_date"),
    Case("item-committed-date-1066", "opengovpe_plan_item_create",
         item(committed_date="1066-10-14"), field="committed_date"),
    Case("item-published-without-dataset", "opengovpe_plan_item_create",
         item(status="publicado"), field="status"),
    Case("item-published-with-private-dataset", "opengovpe_plan_item_create",
         item(status="publicado", dataset_id="reservado"), field="status"),
    Case("plan-save-completed-with-unknown-evidence", "opengovpe_plan_save",
         {"id": PLAN, "milestones": [{
             "name": "Hito", "status": "completado", "progress": 100,
             "actual_end_date": "2025-01-01",
             "evidence": [dict(EVIDENCE, id="no-existe")]}]}, field="milestones"),
    # limits
    Case("plan-save-too-many-items", "opengovpe_plan_save",
         {"id": PLAN, "items": [{"title": "Uno"}] * 1001}, field="items"),
    Case("plan-save-too-many-milestones", "opengovpe_plan_save",
         {"id": PLAN, "milestones": [{"name": "Uno"}] * 2001}, field="milestones"),
    Case("plan-save-too-much-evidence", "opengovpe_plan_save",
         {"id": PLAN, "milestones": [{"name": "Uno", "evidence": [EVIDENCE] * 101}]},
         field="milestones"),
    Case("due-list-limit-huge", "opengovpe_milestone_due_list", {"limit": 10**6},
         field="limit"),
    Case("due-list-offset-huge", "opengovpe_milestone_due_list", {"offset": 10**9},
         field="offset"),
    Case("due-list-entity-backslash", "opengovpe_milestone_due_list",
         {"organization": "\\"}, field="organization"),
    Case("scoreboard-offset-huge", "opengovpe_scoreboard", {"offset": 10**9},
         field="offset"),
    Case("scoreboard-limit-superscript", "opengovpe_scoreboard", {"limit": "²"},
         field="limit"),
    # publication datasets (scheming) and entities
    Case("dataset-licence-outside-vocabulary", "package_create",
         dataset(license_id="propietaria"), field="license_id"),
    Case("dataset-pnda-theme-outside-vocabulary", "package_create",
         dataset(pnda_theme="astrologia"), field="pnda_theme"),
    Case("dataset-ubigeo-unknown", "package_create", dataset(ubigeo_coverage=["999999"]),
         field="ubigeo_coverage"),
    Case("dataset-temporal-reversed", "package_create",
         dataset(temporal_coverage=[{"start": "2025-12-31", "end": "2025-01-01"}]),
         field="temporal_coverage"),
    Case("dataset-name-path-traversal", "package_create", dataset(name="../../etc/passwd"),
         field="name"),
    Case("dataset-contact-email-invalid", "package_create",
         dataset(contact=[{"name": "Mesa de partes", "email": "no-es-correo"}]),
         field="contact"),
    Case("dataset-title-1mb", "package_create", dataset(title=HUGE), field="title"),
    Case("dataset-title-nul", "package_create", dataset(title="Datos\x00ocultos"),
         field="title"),
    Case("dataset-title-object", "package_create", dataset(title={"es": "Datos"}),
         field="title"),
    Case("dataset-data-url", "package_create",
         dataset(resources=[{"url": "data:text/html,<script>alert(1)</script>"}]),
         field="resources"),
    Case("dataset-unknown-resource-url-scheme", "package_create",
         dataset(resources=[{"url": "javascript:alert(1)", "name": "x"}]),
         field="resources"),
    # values of a type no field can hold, refused on their field before CKAN reads them
    Case("dataset-owner-org-number", "package_create", dataset(owner_org=5),
         field="owner_org"),
    Case("dataset-state-object", "package_create", dataset(state={"a": 1}), field="state"),
    Case("regulation-type-object", "package_create",
         dataset(type="norma", regulation_type={"a": 1}), field="regulation_type"),
    Case("procurement-contract-count-object", "package_create",
         dataset(type="contrataciones", contract_count={"n": 3}), field="contract_count"),
    Case("dataset-resources-none", "package_create", dataset(resources=None),
         field="resources"),
    Case("dataset-resources-text-update", "package_update",
         {"id": "contratos", "name": "contratos", "resources": "todos"}, field="resources"),
    Case("dataset-resource-url-number", "package_create", dataset(resources=[{"url": 5}]),
         field="resources"),
    Case("dataset-contact-text", "package_create", dataset(contact="Mesa de partes"),
         field="contact"),
    Case("dataset-publisher-list-of-texts", "package_create",
         dataset(publisher=["OECE"]), field="publisher"),
    Case("working-group-sessions-text-patch", "package_patch",
         {"id": "contratos", "type": "grupo-trabajo", "sessions": "todas"},
         field="sessions"),
    Case("dataset-theme-object", "package_patch",
         {"id": "contratos", "pnda_theme": {"a": 1}}, field="pnda_theme"),
    Case("dataset-patch-id-number", "package_patch", {"id": 5}, field="id"),
    Case("dataset-update-id-nul", "package_update", {"id": "contratos\x00"}, field="id"),
    Case("entity-acronym-object", "organization_create",
         {"name": "entidad-nueva", "title": "Entidad nueva", "acronym": {"a": 1}},
         field="acronym"),
    Case("entity-users-text-update", "organization_update",
         {"id": "oece", "name": "oece", "users": "todos"}, field="users"),
    Case("entity-ruc-bad-check-digit", "organization_create",
         {"name": "entidad-nueva", "title": "Entidad nueva", "ruc": "20419026808"},
         field="ruc"),
    Case("entity-ubigeo-unknown", "organization_create",
         {"name": "entidad-nueva", "title": "Entidad nueva", "ubigeo": "999999"},
         field="ubigeo"),
]


@pytest.fixture
def world() -> dict[str, Any]:
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(name="oece", title="OECE")
    other = factories.Organization(name="otra", title="Otra entidad")
    factories.Dataset(name=PLAN, type="plan-apertura", owner_org=org["id"],
                      title="Plan de apertura 2025")
    factories.Dataset(name="plan-otra", type="plan-apertura", owner_org=other["id"],
                      title="Plan de otra entidad")
    factories.Dataset(name="contratos", owner_org=org["id"], notes="Contratos vigentes.")
    factories.Dataset(name="ajeno", owner_org=other["id"], notes="Ajeno.")
    factories.Dataset(name="reservado", owner_org=org["id"], private=True, notes="Reservado.")
    created_item = helpers.call_action("opengovpe_plan_item_create", plan_id=PLAN,
                                       title="Contratos vigentes")
    foreign_item = helpers.call_action("opengovpe_plan_item_create", plan_id="plan-otra",
                                       title="Otro inventario")
    created_milestone = helpers.call_action("opengovpe_milestone_create", plan_id=PLAN,
                                            name="Instalar el grupo de trabajo")
    return {"headers": {"Authorization": sysadmin["token"]},
            "ids": {"item": created_item["id"], "foreign_item": foreign_item["id"],
                    "milestone": created_milestone["id"]}}


def snapshot() -> dict[str, Any]:
    model.Session.remove()
    counts = {t: model.Session.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
              for t in TABLES}
    plan = helpers.call_action("opengovpe_plan_show", id=PLAN)
    model.Session.remove()
    return {"counts": counts, "plan": plan}


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids.get(value[1:-1], value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def field_errors(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body["error"].items() if k not in ("__type", "message")}


NOT_FOUND_PATHS = ["/dataset/%00", "/dataset/edit/%00", "/dataset/%00/resource/x",
                   "/dataset/contratos/resource/%00", "/organization/%00", "/group/%00",
                   "/user/%00", "/api/3/action/package_show?id=%00",
                   "/api/3/action/organization_show?id=%00"]


@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
def test_a_record_named_with_nul_is_not_found(app, world, path):
    response = app.get(path, headers=world["headers"])
    assert response.status_code == 404, response.body[:300]
    assert "Traceback" not in response.body


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api_refuses_bad_input_clearly_and_stores_nothing(app, world, case: Case):
    before = snapshot()
    payload = fill(case.payload, world["ids"])
    response = app.post(f"/api/3/action/{case.action}", json=payload,
                        headers=world["headers"])
    assert response.status_code in case.statuses, response.body[:500]
    body = response.json
    assert body["success"] is False
    assert "Traceback" not in response.body
    if case.field:
        errors = field_errors(body)
        assert case.field in errors, errors
        assert errors[case.field], errors
    assert snapshot() == before


def test_corpus_has_at_least_sixty_cases():
    assert len(API_CASES) + len(FORM_CASES) + len(RAW_CASES) >= 60


# --- requests that are not even well-formed --------------------------------------------

RAW_CASES = [
    ("body-not-json", "opengovpe_plan_item_create", b"{no es json", "application/json"),
    ("body-json-array", "opengovpe_plan_item_create", b"[1, 2, 3]", "application/json"),
    ("body-json-string", "opengovpe_plan_save", b'"plan"', "application/json"),
    ("body-invalid-utf8", "opengovpe_plan_item_create", b'{"title": "\xff\xfe"}',
     "application/json"),
]


@pytest.mark.parametrize("name,action,body,content_type", RAW_CASES,
                         ids=[c[0] for c in RAW_CASES])
def test_malformed_request_bodies_are_400(app, world, name, action, body, content_type):
    before = snapshot()
    response = app.post(f"/api/3/action/{action}", data=body,
                        headers=dict(world["headers"], **{"Content-Type": content_type}))
    assert 400 <= response.status_code < 500, response.body[:300]
    assert "Traceback" not in response.body
    assert snapshot() == before


# --- forms: the same data through the HTML forms ----------------------------------------

FORM_CASES = [
    ("milestone-form-progress-text", "/plan-apertura/{plan}/hitos/nuevo",
     {"name": "Hito", "progress": "mucho"}),
    ("milestone-form-title-1mb", "/plan-apertura/{plan}/hitos/nuevo", {"name": HUGE}),
    ("milestone-form-evidence-bad-type", "/plan-apertura/{plan}/hitos/nuevo",
     {"name": "Hito", "evidence_title": "Acta", "evidence_type": "rumor"}),
    ("item-form-score-superscript", "/plan-apertura/{plan}/inventario/nuevo",
     {"title": "Inventario", "score": "²"}),
    ("milestone-form-end-date-9999", "/plan-apertura/{plan}/hitos/nuevo",
     {"name": "Hito", "end_date": "9999-12-31"}),
    ("item-form-bad-date", "/plan-apertura/{plan}/inventario/nuevo",
     {"title": "Inventario", "committed_date": "2025-13-45"}),
    ("item-form-theme-outside-vocabulary", "/plan-apertura/{plan}/inventario/nuevo",
     {"title": "Inventario", "theme": "<script>alert(1)</script>"}),
    ("dataset-form-thousands-of-subfields", "/dataset/new",
     dict({"name": "muchos-contactos", "title": "Muchos contactos", "notes": "x",
           "owner_org": "oece", "license_id": "propietaria"},
          **{f"contact-{i}-email": "no-es-correo" for i in range(3000)})),
    ("dataset-form-huge-subfield-index", "/dataset/new",
     {"name": "indice-enorme", "title": "Índice enorme", "notes": "x", "owner_org": "oece",
      "license_id": "propietaria", "contact-999999-email": "x@y.pe",
      "temporal_coverage-999999-start": "2025-01-01"}),
]


@pytest.mark.parametrize("name,url,data", FORM_CASES, ids=[c[0] for c in FORM_CASES])
def test_forms_show_errors_and_store_nothing(app, world, name, url, data):
    before = snapshot()
    response = app.post(url.format(plan=PLAN), data=data, headers=world["headers"],
                        follow_redirects=False)
    # 413: the form is larger than the server accepts at all
    assert response.status_code in (200, 400, 409, 413), response.body[:300]
    assert "Traceback" not in response.body
    assert "<script>alert(1)</script>" not in response.body
    if response.status_code == 200:
        # the form again, with its error summary
        assert 'class="error-explanation' in response.body or "error-block" in response.body
    assert snapshot() == before


# --- addresses and query parameters of the programme's pages ------------------------------

PAGE_CASES = [
    ("entity-nul", "/entidad/%00/programa", (404,)),
    ("plan-progress-nul", "/plan-apertura/%00/avance", (404,)),
    ("plan-export-nul", "/plan-apertura/%00/exportar.csv", (404,)),
    ("item-form-plan-nul", "/plan-apertura/%00/inventario/nuevo", (404,)),
    ("item-form-item-nul", "/plan-apertura/{plan}/inventario/%00", (404,)),
    ("milestone-form-milestone-nul", "/plan-apertura/{plan}/hitos/%00", (404,)),
    ("plan-progress-superscript-page", "/plan-apertura/{plan}/avance?pagina=%C2%B2", (200,)),
    ("plan-progress-huge-page", "/plan-apertura/{plan}/avance?pagina=99999999999999", (200,)),
    ("due-list-backslash-entity", "/hitos/pendientes?entidad=%5C", (200,)),
    ("due-list-superscript-days", "/hitos/pendientes?dias=%C2%B2", (200,)),
]


@pytest.mark.parametrize("name,url,statuses", PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_pages_answer_bad_addresses_without_a_500(app, world, name, url, statuses):
    response = app.get(url.format(plan=PLAN), headers=world["headers"])
    assert response.status_code in statuses, response.body[:300]
    assert "Traceback" not in response.body
