"""In the browser: a coordinator creates a plan with two milestones through the forms,
completes one with evidence, and sees the plan's progress and the scoreboard change.

Screenshots of each step are kept in test-artifacts/ as evidence of what was seen."""
from __future__ import annotations

import datetime

import pytest

from ckan.tests import factories

from .conftest import ARTIFACTS
from .test_publish_flow import login

pytestmark = pytest.mark.usefixtures("with_plugins")

TODAY = datetime.date.today()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"plan-{name}.png"), full_page=True)


def add_milestone(page, base: str, plan: str, name: str, start: int, end: int) -> None:
    page.goto(f"{base}/plan-apertura/{plan}/avance")
    page.click("text=Agregar hito")
    page.fill("#field-name", name)
    page.fill("#field-start_date", (TODAY + datetime.timedelta(days=start)).isoformat())
    page.fill("#field-end_date", (TODAY + datetime.timedelta(days=end)).isoformat())
    page.select_option("#field-status", "en-curso")
    page.fill("#field-progress", "20")
    page.click("button[name=save]")
    page.wait_for_url(f"**/plan-apertura/{plan}/avance")


def scoreboard_percent(page, base: str) -> str:
    page.goto(f"{base}/tablero")
    return page.inner_text("tr[data-entity='oece'] .progress-bar").strip()


def test_coordinator_tracks_a_plan(live_server, browser_page):
    page = browser_page
    coordinator = factories.User(name="coordinadora", password="Clave-segura-2026")
    org = factories.Organization(name="oece", title="OECE", users=[
        {"name": coordinator["name"], "capacity": "admin"}])
    login(page, live_server, "coordinadora", "Clave-segura-2026")

    # the plan, through the plan form
    page.goto(f"{live_server}/plan-apertura/new")
    page.wait_for_load_state("networkidle")
    page.fill("#field-title", "Plan de apertura 2026")
    page.evaluate("() => { document.getElementById('field-name').value = 'plan-2026'; }")
    page.select_option("#field-organizations", org["id"])
    page.select_option("#field-status", "en-ejecucion")
    page.select_option("#field-private", "False")  # the scoreboard counts public plans
    shot(page, "1-form")
    page.click("button[name=save]")
    # one step: the plan's documents are optional and added from its page
    page.wait_for_url("**/plan-apertura/plan-2026")

    add_milestone(page, live_server, "plan-2026", "Instalar el grupo de trabajo", -30, 10)
    add_milestone(page, live_server, "plan-2026", "Publicar contrataciones", -10, 60)
    assert page.inner_text("#percent-complete") == "20.0"
    assert [c.inner_text() for c in page.query_selector_all("#milestones td:first-child")] \
        == ["1", "2"]
    shot(page, "2-two-milestones")
    assert scoreboard_percent(page, live_server) == "20.0 %"

    # complete the first milestone with its evidence; a missing date is refused first
    page.goto(f"{live_server}/plan-apertura/plan-2026/avance")
    page.click("#milestones a:has-text('Instalar el grupo de trabajo')")
    page.select_option("#field-status", "completado")
    page.fill("#field-progress", "100")
    page.select_option("#field-evidence_type", "acta")
    page.fill("#field-evidence_title", "Acta de instalación")
    page.fill("#field-evidence_url", "https://example.org/acta.pdf")
    page.click("button[name=save]")
    assert "necesita su fecha real de fin" in page.content()
    shot(page, "3-refused")
    page.fill("#field-actual_end_date", TODAY.isoformat())
    page.select_option("#field-evidence_type", "acta")
    page.fill("#field-evidence_title", "Acta de instalación")
    page.fill("#field-evidence_url", "https://example.org/acta.pdf")
    page.click("button[name=save]")
    page.wait_for_url("**/plan-apertura/plan-2026/avance")
    assert page.inner_text("#percent-complete") == "60.0"
    assert "Acta de instalación" in page.content()
    shot(page, "4-completed")
    assert scoreboard_percent(page, live_server) == "60.0 %"
    shot(page, "5-scoreboard")
