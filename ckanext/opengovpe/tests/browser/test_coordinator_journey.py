"""In the browser, by clicking only from the home page: a coordinator (the entity's admin)
takes an empty entity to the four PE0087 stages done, following the next step the entity's
programme page offers at each stage.

Screenshots of each step, at a desktop's width and a phone's 390 px, are kept in
test-artifacts/ (coordinator-*.png)."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .conftest import ARTIFACTS

pytestmark = pytest.mark.usefixtures("with_plugins")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
STAGES = ("group_established", "framework_in_force", "plan_approved", "datasets_published")


def shot(page, name: str) -> None:
    """The page as it is, at a desktop's width and at a phone's."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"coordinator-{name}-{size}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def done(page) -> list[bool]:
    return [page.get_attribute(f"#stage-{key}", "data-done") == "yes" for key in STAGES]


def step(page, stage: str, text: str) -> None:
    """Click the next step the programme page offers for ``stage``."""
    page.click(f"#stage-{stage} a.stage-step:has-text('{text}')")
    page.wait_for_load_state("networkidle")


def reason(page, stage: str) -> str:
    return page.inner_text(f"#stage-{stage} .stage-reason")


def back_to_programme(page) -> None:
    """From a record's page, its link to the entity's programme."""
    page.click("#record-state a:has-text('Programa de datos abiertos')")
    page.wait_for_url("**/entidad/muni-prueba/programa")


def set_name(page, slug: str) -> None:
    # the form's script proposes the URL from the title and hides the field; set it as
    # that script would, without racing it
    page.evaluate("slug => { document.getElementById('field-name').value = slug; }", slug)


def save(page) -> None:
    page.click("form#dataset-edit button[name=save]")
    page.wait_for_load_state("networkidle")


def test_coordinator_takes_an_empty_entity_to_four_stages(live_server, browser_page):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    factories.User(name="coordinador", password="Clave-segura-2026")
    factories.Organization(name="muni-prueba", title="Municipalidad Distrital de Prueba",
                           users=[{"name": "coordinador", "capacity": "admin"}])

    # the home page is the only address typed; the rest is clicking
    page.goto(live_server)
    page.click("a[href$='/user/login']")
    page.fill("#field-login", "coordinador")
    page.fill("#field-password", "Clave-segura-2026")
    page.click("button:has-text('Conectarse')")
    page.wait_for_load_state("networkidle")
    page.click("header a[href$='/organization/']")
    page.click("a:has-text('Municipalidad Distrital de Prueba')")
    shot(page, "01-entity")
    page.click("#entity-programme a:has-text('Ver el programa')")
    page.wait_for_url("**/entidad/muni-prueba/programa")
    assert done(page) == [False, False, False, False]
    assert "No hay ningún grupo de trabajo registrado" in reason(page, "group_established")
    shot(page, "02-empty-programme")

    # 1. the working group, saved in one step (private, as the form proposes)
    step(page, "group_established", "Crear el grupo de trabajo")
    assert page.query_selector("text=Next: Add Data") is None
    assert page.query_selector("button[value=go-metadata-unpublish]") is None
    page.fill("#field-title", "Grupo de Trabajo Institucional de Datos Abiertos")
    set_name(page, "grupo-datos-muni")
    shot(page, "03-group-form")
    save(page)
    page.wait_for_url("**/grupo-trabajo/grupo-datos-muni")
    back_to_programme(page)
    assert "no está publicado" in reason(page, "group_established")

    # publishing is an explicit, confirmed step that says what it changes
    step(page, "group_established", "Publicar")
    assert "cuenta en el estado del programa" in page.inner_text("#what-changes")
    shot(page, "04-publish-confirm")
    page.click("#confirm-form button[name=confirm]")
    page.wait_for_url("**/entidad/muni-prueba/programa")
    assert "Norma de creación" in reason(page, "group_established")
    shot(page, "05-group-needs-norm")

    # its creating norm, registered from the stage, then chosen in the group's picker
    step(page, "group_established", "Registrar su norma de creación")
    page.fill("#field-title", "Conforman el Grupo de Trabajo Institucional de Datos Abiertos")
    set_name(page, "rgm-001-2026")
    page.fill("#field-number", "001-2026-MDP/GM")
    page.select_option("#field-private", "False")
    save(page)
    page.wait_for_url("**/norma/rgm-001-2026")
    back_to_programme(page)
    assert done(page) == [False, True, False, False]
    step(page, "group_established", "Elegir su norma de creación")
    page.select_option("#field-creating_norm", "rgm-001-2026")
    shot(page, "06-group-picker")
    save(page)
    page.wait_for_url("**/grupo-trabajo/grupo-datos-muni")
    assert page.query_selector(
        "a[href$='/norma/rgm-001-2026']:has-text('Conforman el Grupo de Trabajo')") is not None
    back_to_programme(page)
    assert done(page) == [True, True, False, False]

    # 3. the plan: drafted, then approved with its approving norm
    step(page, "plan_approved", "Elaborar el plan de apertura")
    page.fill("#field-title", "Plan de apertura de datos 2026-2027")
    set_name(page, "plan-muni-2026")
    page.select_option("#field-private", "False")
    save(page)
    page.wait_for_url("**/plan-apertura/plan-muni-2026")
    back_to_programme(page)
    assert "Borrador" in reason(page, "plan_approved")
    step(page, "plan_approved", "Aprobar el plan")
    page.select_option("#field-status", "aprobado")
    page.select_option("#field-approving_regulation", "rgm-001-2026")
    save(page)
    page.wait_for_url("**/plan-apertura/plan-muni-2026")
    back_to_programme(page)
    assert done(page) == [True, True, True, False]
    shot(page, "07-three-stages")

    # 4. a prioritised dataset with its criteria, then the dataset it promises
    assert "no tiene conjuntos de datos priorizados" in reason(page, "datasets_published")
    step(page, "datasets_published", "Agregar un conjunto de datos priorizado")
    page.fill("#field-title", "Licencias de funcionamiento")
    page.check("#field-criteria-solicitudes-ciudadanas-de-datos")
    shot(page, "08-item-form")
    page.click("#item-form button[name=save]")
    page.wait_for_url("**/plan-apertura/plan-muni-2026/avance")
    page.click(".breadcrumb a:has-text('Municipalidad Distrital de Prueba')")
    page.wait_for_url("**/entidad/muni-prueba/programa")
    step(page, "datasets_published", "Agregar un conjunto de datos")
    page.fill("#field-title", "Licencias de funcionamiento 2026")
    set_name(page, "licencias-2026")
    page.fill("#field-notes", "Licencias de funcionamiento otorgadas por la municipalidad.")
    page.select_option("#field-private", "False")
    page.click("button[name=save]")
    page.wait_for_url("**/dataset/licencias-2026/resource/new")
    page.click("#resource-link-button")
    page.fill("#field-resource-url", "https://example.org/licencias-2026.csv")
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_url("**/dataset/licencias-2026")
    page.click("a:has-text('Municipalidad Distrital de Prueba') >> nth=0")
    page.click("#entity-programme a:has-text('Ver el programa')")
    page.wait_for_url("**/entidad/muni-prueba/programa")
    step(page, "datasets_published",
         "Vincular un conjunto de datos a «Licencias de funcionamiento»")
    # the request behind the dataset, recorded on the item's page
    page.select_option("#field-demand_kind", "solicitud-acceso-informacion")
    page.fill("#field-demand_reference", "SAIP-2026-0042")
    page.click("#demand-form button[name=save_demand]")
    page.wait_for_load_state("networkidle")
    assert "SAIP-2026-0042" in page.inner_text("body")
    page.select_option("#field-dataset_id", "licencias-2026")
    shot(page, "09-item-demand-and-dataset")
    page.click("#item-form button[name=save]")
    page.wait_for_url("**/plan-apertura/plan-muni-2026/avance")
    shot(page, "10-plan-progress")
    page.click(".breadcrumb a:has-text('Municipalidad Distrital de Prueba')")
    page.wait_for_url("**/entidad/muni-prueba/programa")
    assert done(page) == [True, True, True, True]
    assert page.query_selector("#milestones-checklist .stage-step") is None
    shot(page, "11-four-stages-done")
