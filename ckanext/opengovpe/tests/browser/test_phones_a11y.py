"""At a phone's 390 px, each page the portal adds or changes fits the screen (no sideways
scrolling) and axe-core finds no serious or critical accessibility problem; focus is
visible, the scoreboard's selects look like selects and the timeline's labels are whole.

A screenshot of each page at 390 px is kept in test-artifacts/ (a11y-*.png)."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.demo import seed as demo_seed

from .a11y import DESKTOP, PHONE, axe_findings, document_width
from .conftest import ARTIFACTS
from .test_publish_flow import login

pytestmark = pytest.mark.usefixtures("with_plugins")

PLAN = "oece-plan-apertura-2025"
PROCUREMENT = "contrataciones-pe-cusco-2026"
PASSWORD = "Clave-segura-2026"

VISITOR_PAGES = {
    "home": "/",
    "entity": "/organization/oece",
    "programme": "/entidad/oece/programa",
    "plan": f"/plan-apertura/{PLAN}",
    "plan-progress": f"/plan-apertura/{PLAN}/avance",
    "scoreboard": "/tablero",
    "story": "/entidad/oece/historia",
    "national-story": "/tablero/historia",
    "usage": "/tablero/uso",
    "due-list": "/hitos/pendientes",
    "procurement": f"/contrataciones/{PROCUREMENT}",
    "dataset": "/dataset/contrataciones-publicas-seace",
    "search": "/dataset/",
}
ADMIN_PAGES = {
    "dataset-form": "/dataset/new",
    "plan-form": "/plan-apertura/new",
    "group-form": "/grupo-trabajo/new",
    "regulation-form": "/norma/new",
    "item-form": f"/plan-apertura/{PLAN}/inventario/nuevo",
    "milestone-form": f"/plan-apertura/{PLAN}/hitos/nuevo",
    "entity-form": "/organization/edit/oece",
    "health": "/ckan-admin/salud",
    "national-portal": "/ckan-admin/portal-nacional",
    "admin-due-list": "/hitos/pendientes",
}


def seed_portal() -> dict[str, str]:
    """The demo entities with their programme records, and a municipality's procurement."""
    demo_seed.seed("oece")
    sysadmin = factories.Sysadmin(name="administradora", password=PASSWORD)
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, type="contrataciones",
        name=PROCUREMENT, title="Contrataciones de la Municipalidad Provincial del Cusco en 2026",
        owner_org="municipalidad-provincial-del-cusco", license_id="cc-by",
        notes="Procesos, adjudicaciones y contratos de la municipalidad en 2026.",
        buyer_name="Municipalidad Provincial del Cusco", buyer_id="PE-RUC-20177251961",
        buyer_ruc="20177251961", year="2026", temporal_start="2026-01-01",
        temporal_end="2026-12-31", process_count=12, award_count=9, contract_count=8,
        resources=[{"url": "http://example.org/procesos.csv", "format": "CSV",
                    "name": "Procesos"}])
    return {"name": sysadmin["name"], "password": PASSWORD}


def broken_words(page) -> list[str]:
    """The visible texts that may be cut between any two letters (``word-break: break-all``):
    Spanish words then wrap as "Electró-nico"."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.offsetParent !== null && getComputedStyle(e).wordBreak === 'break-all'
                     && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => e.textContent.trim().slice(0, 60))""")


def check_pages(page, base: str, pages: dict[str, str], prefix: str) -> list[str]:
    problems = []
    for name, path in pages.items():
        response = page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        width = document_width(page)
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide at {PHONE['width']} px")
        problems.extend(f"{path}: {finding}" for finding in axe_findings(page))
        problems.extend(f"{path}: cut at any letter: {text!r}" for text in broken_words(page))
        page.screenshot(path=str(ARTIFACTS / f"a11y-{prefix}-{name}.png"), full_page=True)
    return problems


def test_pages_fit_a_phone_and_pass_axe(live_server, browser_page):
    admin = seed_portal()
    page = browser_page
    page.set_viewport_size(PHONE)
    problems = check_pages(page, live_server, VISITOR_PAGES, "visitor")

    login(page, live_server, admin["name"], admin["password"])
    problems += check_pages(page, live_server, ADMIN_PAGES, "admin")

    # a refused form shows its field errors with enough contrast
    page.goto(f"{live_server}/plan-apertura/{PLAN}/hitos/nuevo")
    page.fill("#field-progress", "300")
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-block").count() > 0
    problems += [f"refused milestone form: {f}" for f in axe_findings(page)]
    page.screenshot(path=str(ARTIFACTS / "a11y-admin-refused-form.png"), full_page=True)
    assert problems == [], "\n".join(problems)


def test_focus_selects_and_timeline(live_server, browser_page):
    seed_portal()
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server}/dataset/")
    search = page.locator("#field-giant-search")
    search.focus()
    outline = search.evaluate("e => [getComputedStyle(e).outlineStyle,"
                              " parseFloat(getComputedStyle(e).outlineWidth)]")
    assert outline[0] != "none" and outline[1] >= 2

    page.goto(f"{live_server}/tablero")
    for select in ("#level", "#sector", "#sort"):
        assert page.locator(select).evaluate("e => getComputedStyle(e).appearance") != "none"

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/plan-apertura/{PLAN}/avance")
    rows = page.locator("#timeline .opengovpe-timeline-row")
    assert rows.count() >= 3
    # each label is whole, at a readable size, and the month labels stay inside the box
    labels = rows.evaluate_all(
        "rows => rows.map(r => { const label = r.firstElementChild;"
        " return [label.scrollWidth <= label.clientWidth,"
        " parseFloat(getComputedStyle(label).fontSize)]; })")
    assert all(whole for whole, _ in labels)
    assert min(size for _, size in labels) >= 13
    box = page.locator("#timeline").bounding_box()
    for month in page.locator(".opengovpe-timeline-months span:visible").all():
        edge = month.bounding_box()
        assert box["x"] <= edge["x"] and edge["x"] + edge["width"] <= box["x"] + box["width"]
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "a11y-timeline-390.png"))
