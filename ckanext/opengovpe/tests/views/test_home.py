"""The home page says what the portal is, lets a visitor search, shows the national picture
as a chart and a map (each with the table that says the same) and the latest publications,
and offers an entry to each kind of visitor."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def entity_with_framework(name: str, ubigeo: str) -> dict:
    org = factories.Organization(name=name, ubigeo=ubigeo, level_of_government="local")
    factories.Dataset(type="norma", owner_org=org["id"], name=f"{name}-norma",
                      title="Norma", validity="vigente")
    return org


def test_home_page_in_the_portals_own_words(app):
    entity_with_framework("municipalidad-del-cusco", "080101")
    entity_with_framework("municipalidad-de-lima", "150101")
    factories.Organization(name="sin-sede")
    factories.Dataset(owner_org=factories.Organization(ubigeo="150122")["id"],
                      name="presupuesto", title="Presupuesto institucional")
    page = BeautifulSoup(app.get("/", headers={"Accept-Language": "es"}).body, "html.parser")
    text = page.get_text(" ", strip=True)
    assert "Bienvenido a CKAN" not in text and "420 x 220" not in text
    assert page.select_one("#home-title").get_text(strip=True) == (
        "Datos abiertos del Estado peruano")
    assert page.select_one("form[role=search] input[name=q]")
    for entry in ("#entry-citizen", "#entry-coordinator", "#entry-admin"):
        assert page.select_one(entry).find("a")

    # the chart of stages: an SVG image named by its caption, and a table with the figures
    chart = page.select_one("#chart-stages svg[role=img]")
    caption = page.select_one("#" + chart["aria-labelledby"]).get_text(strip=True)
    assert "de 4" in caption
    rows = {th.get_text(strip=True): td.get_text(strip=True)
            for th, td in ((r.th, r.td) for r in page.select("#chart-stages-table tbody tr"))}
    assert rows["2. Marco normativo interno vigente"] == "2 de 4"
    assert rows["1. Grupo de trabajo instalado"] == "0 de 4"

    # the map: every department drawn, the seats counted, and the same in its table
    drawn = page.select("#map-entities svg[role=img] path")
    assert len(drawn) == 25
    assert page.select_one("#map-entities path[data-ubigeo='08'] title").get_text() == (
        "Cusco: 1 entidades")
    table = [[c.get_text(strip=True) for c in r.find_all(["th", "td"])]
             for r in page.select("#map-entities-table tbody tr")]
    assert table == [["Lima", "2", "0"], ["Cusco", "1", "0"]]
    assert "1 entidades no han indicado" in text  # the entity without a seat

    latest = page.select_one("#latest-datasets").get_text(" ", strip=True)
    assert "Presupuesto institucional" in latest


@pytest.mark.ckan_config("ckanext.opengovpe.home.title", "Portal de Datos Abiertos de Ejemplo")
@pytest.mark.ckan_config("ckanext.opengovpe.home.intro", "Un texto propio.")
def test_the_portal_sets_its_own_texts(app):
    page = BeautifulSoup(app.get("/").body, "html.parser")
    assert page.select_one("#home-title").get_text(strip=True) == (
        "Portal de Datos Abiertos de Ejemplo")
    assert page.select_one("#home-intro").get_text(strip=True) == "Un texto propio."


def test_english_visitors_read_the_built_in_texts_in_english(app):
    page = BeautifulSoup(app.get("/en/").body, "html.parser")
    assert page.select_one("#home-title").get_text(strip=True) == (
        "Open data of the Peruvian State")


def test_a_coordinator_finds_the_programme_of_their_entity(app):
    user = factories.UserWithToken()
    factories.Organization(name="oece", title="OECE",
                           users=[{"name": user["name"], "capacity": "admin"}])
    response = app.get("/", headers={"Authorization": user["token"]})
    page = BeautifulSoup(response.body, "html.parser")
    links = [a["href"] for a in page.select("#entry-coordinator a")]
    assert "/entidad/oece/programa" in links


def test_the_scoreboard_shows_the_picture_of_the_entities_it_lists(app):
    entity_with_framework("municipalidad-del-cusco", "080101")
    factories.Organization(name="ministerio", ubigeo="150101",
                           level_of_government="nacional")
    page = BeautifulSoup(app.get("/tablero?level_of_government=local").body, "html.parser")
    assert page.select_one("#chart-stages svg[role=img]")
    assert [r.th.get_text(strip=True) for r in page.select("#map-entities-table tbody tr")] \
        == ["Cusco"]
    assert len(page.select("#scoreboard tbody tr")) == 1


def test_the_scoreboard_table_comes_in_pages(app, monkeypatch):
    from ckanext.opengovpe import views
    monkeypatch.setattr(views, "SCOREBOARD_PAGE", 2)
    for n in range(5):
        factories.Organization(name=f"entidad-{n}", title=f"Entidad {n}")
    first = BeautifulSoup(app.get("/tablero?sort=name+asc").body, "html.parser")
    assert [r["data-entity"] for r in first.select("#scoreboard tbody tr")] == [
        "entidad-0", "entidad-1"]
    assert "5 de 5" not in first.get_text()  # nothing is done, the chart counts all five
    assert page_links(first) == ["1", "2", "3"]
    last = BeautifulSoup(app.get("/tablero?sort=name+asc&pagina=3").body, "html.parser")
    assert [r["data-entity"] for r in last.select("#scoreboard tbody tr")] == ["entidad-4"]
    wild = app.get("/tablero?pagina=%C2%B2")
    assert wild.status_code == 200
    assert helpers.call_action("opengovpe_scoreboard")["count"] == 5


def page_links(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(".pagination a")]


@pytest.mark.ckan_config("ckanext.opengovpe.home.cache_seconds", 3600)
def test_the_home_page_keeps_the_national_picture_for_a_while(app, monkeypatch):
    from ckanext.opengovpe import home
    monkeypatch.setattr(home._Recent, "read_at", float("-inf"))
    factories.Organization(name="primera", ubigeo="080101")
    first = BeautifulSoup(app.get("/").body, "html.parser")
    factories.Organization(name="segunda", ubigeo="080101")
    again = BeautifulSoup(app.get("/").body, "html.parser")
    for page in (first, again):
        assert page.select_one("#map-entities-table tbody tr").get_text(" ", strip=True) \
            == "Cusco 1 0"
    # the scoreboard reads it afresh
    board = BeautifulSoup(app.get("/tablero").body, "html.parser")
    assert board.select_one("#map-entities-table tbody tr").get_text(" ", strip=True) \
        == "Cusco 2 0"
