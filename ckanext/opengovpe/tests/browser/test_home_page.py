"""In the browser, as a citizen: the home page shows the national picture as a chart and a
map, each with the text that says the same, readable on a desktop and at a phone's 390 px.

Screenshots at both widths are kept in test-artifacts/."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .conftest import ARTIFACTS

pytestmark = pytest.mark.usefixtures("with_plugins")

SEATS = {"municipalidad-del-cusco": "080101", "gobierno-regional-de-piura": "200101",
         "ministerio-de-salud": "150101", "municipalidad-de-miraflores": "150122"}


def test_a_citizen_sees_the_national_picture(live_server, browser_page):
    for name, ubigeo in SEATS.items():
        org = factories.Organization(name=name, ubigeo=ubigeo)
        factories.Dataset(type="norma", owner_org=org["id"], name=f"{name}-norma",
                          title="Norma de creación", validity="vigente")
    page = browser_page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/")
        assert page.inner_text("#home-title") == "Datos abiertos del Estado peruano"

        chart = page.locator("#chart-stages svg[role=img]")
        assert chart.is_visible()
        caption = page.locator("#" + chart.get_attribute("aria-labelledby")).inner_text()
        assert "cuatro etapas" in caption
        assert page.locator("#chart-stages-table tbody tr").count() == 4
        assert "4 de 4" in page.inner_text("#chart-stages-table")

        map_ = page.locator("#map-entities svg[role=img]")
        assert map_.is_visible()
        assert map_.locator("path").count() == 25
        assert page.locator("#" + map_.get_attribute("aria-labelledby")).inner_text()
        rows = page.locator("#map-entities-table tbody tr")
        assert rows.first.inner_text().split() == ["Lima", "2", "0"]
        assert rows.count() == 3

        # the pictures fit the screen: nothing of them sticks out sideways, and the text
        # drawn in the chart is at least 11 px high on the screen
        overflow = page.evaluate("""() => [...document.querySelectorAll(
            '#national-picture, #national-picture *')].filter(
            e => e.getBoundingClientRect().right > window.innerWidth + 1).length""")
        assert overflow == 0
        smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
            '#chart-stages svg text')].map(t => t.getBoundingClientRect().height))""")
        assert smallest >= 11
        page.screenshot(path=str(ARTIFACTS / f"home-{width}.png"), full_page=True)
