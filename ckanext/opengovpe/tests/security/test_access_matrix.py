"""Who may open what, for every page, export and feed the extension adds, and what never leaks.

Five roles: anonymous, a member of another entity, editor, entity admin, sysadmin.
Private and draft records carry the marker ``SECRETO`` in every text field; no answer
to anyone outside the entity (pages, API, search facets and counts, DCAT, data.json,
exports, activity streams, error messages) may contain it.
"""
from __future__ import annotations

import datetime
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.opengovpe.tests.helpers import entity_with_members

pytestmark = pytest.mark.usefixtures("with_plugins")

ROLES = ["anonymous", "outsider", "editor", "admin", "sysadmin"]
TODAY = datetime.date.today()
MARKER = "SECRETO"


@pytest.fixture(scope="module")
def world(module_db) -> dict[str, Any]:
    """Built once: every case below only reads."""
    users, org = entity_with_members()
    factories.Organization(name="otra", title="Otra entidad", users=[
        {"name": users["outsider"]["name"], "capacity": "editor"}])
    factories.Dataset(name="contratos-publicos", title="Contratos públicos",
                      owner_org=org["id"], notes="Contratos vigentes.", tags=[{"name": "obras"}])
    factories.Dataset(name="secreto-privado", title=f"{MARKER} privado", owner_org=org["id"],
                      private=True, notes=f"{MARKER} notas", tags=[{"name": "secreto"}],
                      resources=[{"url": "http://example.org/secreto.csv", "format": "CSV",
                                  "name": f"{MARKER} recurso"}])
    factories.Dataset(name="secreto-borrador", title=f"{MARKER} borrador", owner_org=org["id"],
                      state="draft", notes=f"{MARKER} borrador")
    public_plan = factories.Dataset(name="plan-publico", type="plan-apertura",
                                    owner_org=org["id"], title="Plan de apertura 2025")
    private_plan = factories.Dataset(name="plan-secreto", type="plan-apertura",
                                     owner_org=org["id"], private=True,
                                     title=f"Plan {MARKER}")
    helpers.call_action("opengovpe_plan_item_create", plan_id=public_plan["id"],
                        title="Inventario de contratos")
    secret_item = helpers.call_action("opengovpe_plan_item_create", plan_id=private_plan["id"],
                                      title=f"Inventario {MARKER}")
    helpers.call_action("opengovpe_milestone_create", plan_id=private_plan["id"],
                        name=f"Hito {MARKER} vencido", item_id=secret_item["id"],
                        start_date=str(TODAY - datetime.timedelta(30)),
                        end_date=str(TODAY - datetime.timedelta(3)), status="en-curso")
    model.Session.remove()
    return {"users": users}


def get(app, url: str, role: str, world: dict[str, Any], status: int | None = None):
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = world["users"][role]["token"]
    return app.get(url, headers=headers, status=status)


# (url, {role: expected status}); "*" is the status for every role not listed
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("/tablero", {"*": 200}),
    ("/hitos/pendientes", {"*": 200}),
    ("/entidad/oece/programa", {"*": 200}),
    ("/plan-apertura/plan-publico/avance", {"*": 200}),
    ("/plan-apertura/plan-publico/exportar.csv", {"*": 200}),
    ("/plan-apertura/plan-publico/exportar.xlsx", {"*": 200}),
    ("/plan-apertura/plan-secreto/avance", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/plan-apertura/plan-secreto/exportar.csv", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/plan-apertura/plan-publico/hitos/nuevo", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/plan-apertura/plan-publico/inventario/nuevo",
     {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/registro/plan-publico/publicar", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/registro/plan-publico/retirar", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/registro/plan-secreto/publicar", {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/registro/contratos-publicos/publicar", {"anonymous": 404, "outsider": 404, "*": 404}),
    ("/catalog.ttl", {"*": 200}),
    ("/catalog.jsonld", {"*": 200}),
    ("/data.json", {"*": 200}),
    ("/dataset/contratos-publicos.ttl", {"*": 200}),
    ("/dataset/secreto-privado.ttl", {"*": 404}),
    ("/dataset/secreto-borrador.rdf", {"*": 404}),
    ("/dataset/plan-publico.ttl", {"*": 404}),
    ("/ckan-admin/portal-nacional", {"sysadmin": 200, "*": 403}),
    ("/api/3/action/opengovpe_scoreboard", {"*": 200}),
    ("/api/3/action/opengovpe_record_list?organization=oece&type=plan-apertura", {"*": 200}),
    ("/api/3/action/opengovpe_plan_show?id=plan-publico", {"*": 200}),
    ("/api/3/action/opengovpe_plan_show?id=plan-secreto",
     {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/api/3/action/opengovpe_plan_progress?id=plan-secreto",
     {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/api/3/action/opengovpe_usage_show?id=oece", {"*": 200}),
    ("/api/3/action/opengovpe_usage_show?id=plan-publico&type=plan", {"*": 200}),
    ("/api/3/action/opengovpe_usage_show?id=plan-secreto&type=plan",
     {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/api/3/action/opengovpe_usage_national", {"*": 200}),
    ("/entidad/oece/uso.csv", {"*": 200}),
    ("/tablero/uso.csv", {"*": 200}),
    ("/api/3/action/opengovpe_quality_show?id=secreto-privado",
     {"anonymous": 403, "outsider": 403, "*": 200}),
    ("/api/3/action/opengovpe_quality_summary?entity=oece", {"*": 200}),
]

CASES = [(url, role, expected.get(role, expected.get("*")))
         for url, expected in MATRIX for role in ROLES]


@pytest.mark.parametrize("url,role,status", CASES,
                         ids=[f"{role}:{url}" for url, role, _ in CASES])
def test_access_matrix(app, world, url, role, status):
    response = get(app, url, role, world)
    if status == 403 and role == "anonymous" and response.status_code in (401, 302):
        return  # asked to log in: also a refusal
    assert response.status_code == status, response.body[:300]


OUTSIDE_VIEWS = [
    "/dataset/?q=secreto",
    "/dataset/",
    "/dataset/?tags=secreto",
    "/organization/oece",
    "/organization/activity/oece",
    "/dataset/activity/contratos-publicos",
    "/tablero",
    "/hitos/pendientes",
    "/hitos/pendientes?dias=60",
    "/entidad/oece/programa",
    "/plan-apertura/plan-publico/avance",
    "/plan-apertura/plan-publico/exportar.csv",
    "/plan-apertura/plan-secreto/avance",
    "/plan-apertura/plan-secreto/exportar.csv",
    "/dataset/secreto-privado",
    "/dataset/secreto-borrador",
    "/dataset/secreto-privado.ttl",
    "/catalog.ttl",
    "/catalog.rdf",
    "/catalog.jsonld",
    "/catalog.ttl?modified_since=2000-01-01",
    "/data.json",
    "/api/3/action/package_search?q=secreto",
    "/api/3/action/package_search?facet.field=[\"tags\",\"res_format\",\"organization\"]"
    "&facet.limit=-1",
    "/api/3/action/package_show?id=secreto-privado",
    "/api/3/action/package_show?id=secreto-borrador",
    "/api/3/action/organization_show?id=oece&include_datasets=true",
    "/api/3/action/organization_activity_list?id=oece",
    "/api/3/action/opengovpe_scoreboard",
    "/api/3/action/opengovpe_milestone_due_list?days=60",
    "/api/3/action/opengovpe_programme_status?id=oece",
    "/api/3/action/opengovpe_usage_show?id=oece",
    "/api/3/action/opengovpe_usage_show?id=plan-secreto&type=plan",
    "/api/3/action/opengovpe_usage_national",
    "/entidad/oece/uso.csv",
    "/tablero/uso.csv",
    "/entidad/oece/calidad.csv",
    "/tablero/calidad.csv",
    "/api/3/action/opengovpe_plan_show?id=plan-secreto",
    "/api/3/action/opengovpe_record_list?organization=oece&type=plan-apertura",
    "/api/3/action/opengovpe_record_list?organization=oece&type=dataset",
    "/registro/plan-secreto/publicar",
]


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize("url", OUTSIDE_VIEWS)
def test_private_and_draft_records_never_leak(app, world, role, url):
    response = get(app, url, role, world)
    assert response.status_code < 500, response.body[:300]
    assert MARKER not in response.body, url


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_counts_exclude_private_and_draft(app, world, role):
    result = get(app, "/api/3/action/package_search?facet.field=[\"tags\"]&rows=100"
                 "&fq=dataset_type:dataset", role, world).json["result"]
    # the public dataset and the public plan published as open data ("<plan>-datos")
    assert sorted(d["name"] for d in result["results"]) == [
        "contratos-publicos", "plan-publico-datos"]
    assert result["count"] == 2
    assert "secreto" not in result["facets"]["tags"]
    every = get(app, "/api/3/action/package_search?rows=100", role, world).json["result"]
    assert not [d["name"] for d in every["results"] if "secreto" in d["name"]]
    assert every["count"] == len(every["results"])


@pytest.mark.parametrize("role", ["editor", "admin", "sysadmin"])
def test_the_entity_sees_its_own_private_records(app, world, role):
    result = get(app, "/api/3/action/package_search?q=secreto&include_private=true",
                 role, world).json["result"]
    assert "secreto-privado" in [d["name"] for d in result["results"]]
    page = get(app, "/plan-apertura/plan-secreto/avance", role, world, status=200)
    assert f"Inventario {MARKER}" in page.body
