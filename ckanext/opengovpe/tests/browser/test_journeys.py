"""Journeys in a real browser, from the home page and by clicking only (the home page is
the one address typed), on a desktop and at a phone's 390 px:

- a citizen finds a municipality's procurement, then an entity's opening plan;
- an admin logs in, publishes a dataset and finds its DCAT record and the catalogue files.

Each step's screenshot is kept in test-artifacts/ (journey-*.png)."""
from __future__ import annotations

import pytest

from .a11y import DESKTOP, PHONE, axe_findings, document_width
from .conftest import ARTIFACTS
from .test_phones_a11y import PROCUREMENT, seed_portal

pytestmark = pytest.mark.usefixtures("with_plugins")

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


class Journey:
    """A browser page that records each step: a screenshot, the page's width and axe."""

    def __init__(self, page, name: str, viewport: str) -> None:
        self.page, self.name, self.viewport = page, name, viewport
        self.steps = 0
        self.problems: list[str] = []
        page.set_viewport_size(VIEWPORTS[viewport])

    def menu(self, text: str) -> None:
        """Clicks a link of the masthead's menu (opened first on a phone) or of the
        account bar above it."""
        link = f".masthead a:text-is('{text}'), .account-masthead a:text-is('{text}')"
        toggler = self.page.locator("button.navbar-toggler")
        if not self.page.locator(link).first.is_visible() and toggler.is_visible():
            toggler.click()
        self.click(link)

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.page.wait_for_load_state("networkidle")
        self.step()

    def step(self) -> None:
        self.steps += 1
        page = self.page
        if self.viewport == "phone" and document_width(page) > PHONE["width"]:
            self.problems.append(f"{page.url}: {document_width(page)} px wide")
        self.problems.extend(f"{page.url}: {f}" for f in axe_findings(page))
        page.screenshot(path=str(ARTIFACTS / f"journey-{self.name}-{self.viewport}-"
                                             f"{self.steps}.png"), full_page=True)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_citizen_finds_procurement_and_a_plan(live_server, browser_page, viewport):
    seed_portal()
    page = browser_page
    journey = Journey(page, "citizen", viewport)
    page.goto(live_server)
    journey.step()

    # a municipality's procurement: its entity, then its procurement dataset
    journey.menu("Organizaciones")
    journey.click("a:has-text('Municipalidad Provincial del Cusco')")
    journey.click(f"a[href$='/contrataciones/{PROCUREMENT}']")
    assert "Municipalidad Provincial del Cusco" in page.inner_text("h1")
    assert "20177251961" in page.inner_text("body")

    # an entity's opening plan: the scoreboard, the entity's programme, its plan
    journey.menu("Tablero")
    journey.click("#scoreboard a:text-is('Organismo Especializado para las Contrataciones "
                  "Públicas Eficientes (OECE)')")
    journey.click("a:has-text('Plan de Apertura de Datos 2025-2026')")
    assert page.inner_text("h1") == "Plan de Apertura de Datos 2025-2026"
    assert page.locator("#timeline .opengovpe-timeline-row").count() >= 3
    assert journey.problems == [], "\n".join(journey.problems)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_admin_publishes_a_dataset_and_finds_its_dcat(live_server, browser_page, viewport):
    admin = seed_portal()
    page = browser_page
    journey = Journey(page, "admin", viewport)
    page.goto(live_server)
    journey.step()

    journey.menu("Iniciar Sesión")
    page.fill("#field-login", admin["name"])
    page.fill("#field-password", admin["password"])
    journey.click("button:has-text('Conectarse')")

    journey.menu("Conjuntos de datos")
    journey.click(".page_primary_action a[href$='/dataset/new']")
    title = f"Presupuesto municipal ejecutado ({viewport})"
    page.fill("#field-title", title)
    page.evaluate("slug => { document.getElementById('field-name').value = slug; }",
                  f"presupuesto-ejecutado-{viewport}")
    page.fill("#field-notes", "Presupuesto ejecutado por mes y por partida.")
    page.select_option("#field-organizations", label="Municipalidad Provincial del Cusco")
    page.select_option("#field-private", "False")
    journey.click("button[name=save]")
    page.click("#resource-link-button")
    page.fill("#field-resource-url", "https://example.org/presupuesto.csv")
    page.fill("#field-name", "Presupuesto en CSV")
    journey.click("button[name=save][value=go-metadata]")
    assert page.inner_text("h1").startswith(title)

    # the dataset's DCAT record, from the link every visitor sees
    links = page.locator("#dcat-links")
    assert links.is_visible()
    with page.expect_response(lambda r: r.url.endswith(f"presupuesto-ejecutado-{viewport}.ttl")) \
            as answer:
        links.locator("a:text-is('Turtle')").first.click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("text/turtle")
    assert "dcat:Dataset" in answer.value.text() and title in answer.value.text()
    page.screenshot(path=str(ARTIFACTS / f"journey-admin-{viewport}-dcat.png"))

    # and the whole catalogue, from the dataset search page
    page.go_back()
    page.wait_for_load_state("networkidle")
    journey.menu("Conjuntos de datos")
    with page.expect_response(lambda r: "/catalog.ttl" in r.url) as answer:
        page.locator("#dcat-links a:text-is('Turtle')").first.click()
    # (a dataset joins the catalogue's pages after its crawl lag, so the new one may not
    # be listed yet: this checks that the link leads to the catalogue itself)
    assert answer.value.status == 200
    assert "<http://www.w3.org/ns/dcat#Catalog>" in answer.value.text()
    assert journey.problems == [], "\n".join(journey.problems)

