"""Facets on any schema field: repeating subfields, a plan's states, place and year."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TODAY = datetime.date.today()


def search(**params: Any) -> dict[str, Any]:
    return helpers.call_action("package_search", include_private=True, rows=100, **params)


def facet(name: str, **params: Any) -> dict[str, int]:
    return search(**{"facet.field": [name], **params})["facets"][name]


def member(person: str, sector: str) -> dict[str, str]:
    return {"person": person, "position": "Especialista", "role": "area-generadora-de-datos",
            "member_sector": sector, "kind": "titular"}


@pytest.fixture
def entities() -> dict[str, Any]:
    return {
        "cusco": factories.Organization(name="muni-cusco", level_of_government="local",
                                         ubigeo="080101"),
        "oece": factories.Organization(name="oece", level_of_government="nacional",
                                       ubigeo="150101"),
    }


def test_repeating_subfields_are_facets_and_filters(entities):
    factories.Dataset(type="grupo-trabajo", name="gtd-cusco", owner_org=entities["cusco"]["id"],
                      members=[member("Ana", "estado"), member("Luis", "sociedad-civil")])
    factories.Dataset(type="grupo-trabajo", name="gtd-oece", owner_org=entities["oece"]["id"],
                      members=[member("Rosa", "estado"), member("Juan", "academia")])
    counts = facet("vocab_members_member_sector", fq="dataset_type:grupo-trabajo")
    assert counts == {"estado": 2, "sociedad-civil": 1, "academia": 1}
    found = search(fq="vocab_members_member_sector:academia")["results"]
    assert [d["name"] for d in found] == ["gtd-oece"]


def test_a_plans_milestone_states_follow_its_milestones(entities):
    plan = factories.Dataset(type="plan-apertura", name="plan-oece",
                             owner_org=entities["oece"]["id"], status="aprobado")
    start = (TODAY - datetime.timedelta(days=10)).isoformat()
    milestone = helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                                    name="Inventario", start_date=start,
                                    end_date=TODAY.isoformat())
    assert facet("vocab_milestones_status", fq="name:plan-oece") == {milestone["status"]: 1}
    helpers.call_action("opengovpe_milestone_delete", id=milestone["id"])
    assert facet("vocab_milestones_status", fq="name:plan-oece") == {}
    helpers.call_action("opengovpe_plan_item_create", plan_id=plan["id"], title="Contratos")
    assert list(facet("vocab_items_status", fq="name:plan-oece")) != []


def test_level_department_and_year_come_from_the_entity_and_the_dataset(entities):
    factories.Dataset(name="obras-cusco", owner_org=entities["cusco"]["id"], issued="2024-03-01")
    factories.Dataset(name="obras-sur", owner_org=entities["oece"]["id"],
                      ubigeo_coverage=["040101", "080000"])
    assert facet("level_of_government") == {"local": 1, "nacional": 1}
    assert facet("vocab_department") == {"08": 2, "04": 1}
    years = facet("year")
    assert years["2024"] == 1 and sum(years.values()) == 2
    assert [d["name"] for d in search(fq="vocab_department:04")["results"]] == ["obras-sur"]


def test_the_search_page_offers_the_facets_with_labels(app, entities):
    factories.Dataset(name="obras-cusco", title="Obras de Cusco",
                      owner_org=entities["cusco"]["id"], pnda_theme="economia-y-finanzas",
                      issued="2024-03-01")
    page = app.get("/dataset/", headers={"Accept-Language": "es"}).body
    for title in ("Tema", "Nivel de gobierno", "Departamento", "Año"):
        assert title in page
    # labels, not codes
    assert "Cusco" in page and "Local" in page
    filtered = app.get("/dataset/?vocab_department=08").body
    assert "Obras de Cusco" in filtered
    assert "Obras de Cusco" not in app.get("/dataset/?vocab_department=15").body
