"""The map of departments: every INEI department drawn, shaded by its count, with the table
that says the same."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe import peru_map


def test_every_department_is_drawn_inside_the_drawing():
    drawing = peru_map.outlines()
    assert len(drawing["paths"]) == 25
    assert {"07", "15", "25"} <= set(drawing["paths"])
    for path in drawing["paths"].values():
        numbers = [int(n) for n in path.replace("M", " ").replace("L", " ")
                   .replace("Z", " ").split()]
        xs, ys = numbers[0::2], numbers[1::2]
        assert 0 <= min(xs) and max(xs) <= drawing["width"]
        assert 0 <= min(ys) and max(ys) <= drawing["height"]
    # taller than wide, as Peru is
    assert drawing["height"] > drawing["width"]


def test_department_names_and_codes():
    assert peru_map.department_name("13") == "La Libertad"
    assert peru_map.department_name("17") == "Madre de Dios"
    assert peru_map.department_of("080101") == "08"
    assert peru_map.department_of("04") == "04"
    assert peru_map.department_of("999999") is None
    assert peru_map.department_of(None) is None


def test_layout_shades_by_count_and_lists_the_same_in_its_table():
    layout = peru_map.layout({"15": 5, "08": 1}, {"15": 2})
    fills = {r["code"]: r["fill"] for r in layout["regions"]}
    assert fills["15"] == peru_map.SHADES[-1]
    assert fills["08"] == peru_map.SHADES[0]
    assert fills["01"] == peru_map.EMPTY
    assert layout["table"] == [{"code": "15", "name": "Lima", "count": 5, "detail": 2},
                               {"code": "08", "name": "Cusco", "count": 1, "detail": 0}]
    assert layout["total"] == 6
    assert layout["legend"][0]["from"] == 1 and layout["legend"][-1]["to"] == 5


def test_an_empty_map_has_no_legend():
    layout = peru_map.layout({})
    assert layout["table"] == [] and layout["legend"] == []
    assert {r["fill"] for r in layout["regions"]} == {peru_map.EMPTY}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_entity_places_reads_the_seat_of_active_entities():
    cusco = factories.Organization(ubigeo="080101")
    factories.Organization()
    gone = factories.Organization(ubigeo="150101")
    factories.Organization(ubigeo="04")
    helpers.call_action("organization_delete", {"user": factories.Sysadmin()["name"]},
                        id=gone["id"])
    places = peru_map.entity_places()
    assert places[cusco["id"]] == "08"
    assert gone["id"] not in places
    assert sorted(places.values()) == ["04", "08"]
