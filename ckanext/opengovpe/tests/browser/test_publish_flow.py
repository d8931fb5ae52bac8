"""In the browser: an admin publishes a dataset; a citizen finds it without accents."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .conftest import ARTIFACTS

pytestmark = pytest.mark.usefixtures("with_plugins")


def login(page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state()


def create_dataset(page, base: str, title: str, slug: str, visibility: str) -> None:
    page.goto(f"{base}/dataset/new")
    page.wait_for_load_state("networkidle")
    page.fill("#field-title", title)
    # the form's script proposes the URL from the title and hides the field;
    # set it as that script would, without racing it
    page.evaluate("slug => { document.getElementById('field-name').value = slug; }", slug)
    page.fill("#field-notes", f"{title}: procesos y montos adjudicados.")
    page.select_option("#field-private", visibility)
    page.click("button[name=save]")
    page.wait_for_url("**/dataset/*/resource/new")
    page.click("#resource-link-button")
    page.fill("#field-resource-url", f"https://example.org/{len(title)}.csv")
    page.fill("#field-name", "Datos en CSV")
    # the format box is an autocomplete widget; its input keeps the typed value
    page.evaluate("document.getElementById('field-format').value = 'CSV'")
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_load_state()


def test_publish_and_find_in_spanish(live_server, browser_page):
    page = browser_page
    factories.Sysadmin(name="coordinadora", password="Clave-segura-2026")
    login(page, live_server, "coordinadora", "Clave-segura-2026")

    page.goto(f"{live_server}/organization/new")
    page.wait_for_load_state("networkidle")
    page.fill("#field-title", "Municipalidad Provincial del Cusco")
    page.evaluate("() => { document.getElementById('field-name').value ="
                  " 'municipalidad-provincial-del-cusco'; }")
    page.fill("#field-description", "Gobierno local del Cusco.")
    page.click("button[name=save]")
    page.wait_for_url("**/organization/municipalidad-provincial-del-cusco")

    create_dataset(page, live_server, "Contratación de obras públicas en el Cusco",
                   "obras-cusco", "False")
    create_dataset(page, live_server, "Informe reservado de auditoría",
                   "informe-auditoria", "True")
    page.screenshot(path=str(ARTIFACTS / "publish-admin-view.png"), full_page=True)

    # a citizen, not logged in
    citizen = page.context.browser.new_context(locale="es-PE").new_page()
    citizen.goto(f"{live_server}/dataset/?q=contratacion+obras+cusco")
    citizen.screenshot(path=str(ARTIFACTS / "publish-citizen-search.png"), full_page=True)
    assert "Contratación de obras públicas en el Cusco" in citizen.content()
    heading = " ".join(citizen.inner_text("h1").split())
    assert heading.startswith("1 conjunto de datos encontrado")
    # the facet shows the format with its count
    csv_facet = citizen.locator("a[href*='res_format=CSV']").first
    assert "1" in csv_facet.inner_text()

    citizen.goto(f"{live_server}/dataset/?q=auditoria")
    assert "Informe reservado de auditoría" not in citizen.content()
    assert "no se encontraron conjuntos de datos" in citizen.inner_text("h1")

    # the admin still finds the private one
    page.goto(f"{live_server}/dataset/?q=auditoria")
    assert "Informe reservado de auditoría" in page.content()
