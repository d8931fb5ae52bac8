"""Spanish on every page: crawled from the home page by links, as a citizen, an entity's
editor and a sysadmin, no page shows an English message, an English interface word or a
code where people expect a label (see spanish.py for what counts as English)."""
from __future__ import annotations

import collections
import datetime
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.demo import seed

from . import spanish

PLUGINS = ("opengovpe opengovpe_search activity scheming_datasets scheming_organizations "
           "dcat harvest dcat_rdf_harvester opengovpe_harvest")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckan.locale_default", "es"),
    pytest.mark.ckan_config("ckan.display_timezone", "America/Lima"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis"),
]

# pages of one shape (the same route with other records or filters) read the same messages
PER_PATTERN = 2
LIMIT = 160


@pytest.fixture
def portal() -> dict[str, Any]:
    """The demo programme (entities, norms, working group, plan with items and milestones,
    datasets), a group, procurement, a harvest source, and the people who walk it."""
    seed.seed("oece")
    sysadmin = factories.SysadminWithToken(name="administradora")
    editor = factories.UserWithToken(name="editora")
    helpers.call_action("organization_member_create", {"user": sysadmin["name"]},
                        id="oece", username=editor["name"], role="editor")
    factories.Group(name="transparencia", title="Transparencia",
                    description="Datos para la vigilancia ciudadana.")
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, type="contrataciones",
        name="contrataciones-oece-2025", title="Contrataciones públicas: OECE (2025)",
        owner_org="oece", license_id="cc-by", notes="Procesos y contratos de OECE en 2025.",
        buyer_name="OECE", buyer_id="PE-RUC-20419026809", buyer_ruc="20419026809",
        year="2025", temporal_start="2025-01-01", temporal_end="2025-12-31",
        groups=[{"name": "transparencia"}],
        resources=[{"url": "http://127.0.0.1:9/procesos.csv", "format": "CSV",
                    "name": "Procesos"}])
    helpers.call_action("harvest_source_create", {"user": sysadmin["name"]},
                        name="fuente-ministerio", title="Catálogo del ministerio",
                        url="http://127.0.0.1:9/catalog.ttl", source_type="dcat_rdf",
                        frequency="MONTHLY", owner_org="oece")
    plan = helpers.call_action("opengovpe_plan_show", id="oece-plan-apertura-2025")
    # a milestone with nobody responsible, long overdue
    late = (datetime.date.today() - datetime.timedelta(days=12)).isoformat()
    helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                        name="Publicar el catálogo de contratos", start_date=late,
                        end_date=late, status="en-curso")
    return {"editor": editor["token"], "sysadmin": sysadmin["token"]}


def _walk(app, token: str | None) -> dict[str, set[str]]:
    """Every page reachable from the home page: English found, and where."""
    headers = {"Authorization": token} if token else {}

    def get(url: str) -> tuple[int, str, str]:
        response = app.get(url, headers=headers, follow_redirects=False)
        return response.status_code, response.headers.get("Content-Type", ""), \
            response.get_data(as_text=True)

    english = spanish.EnglishMessages()
    found: dict[str, set[str]] = collections.defaultdict(set)
    pages = 0
    for url, status, body in spanish.crawl(get, per_pattern=PER_PATTERN, limit=LIMIT):
        pages += 1
        assert status < 500, f"{url} answered {status}"
        for text in set(spanish.visible_texts(body)):
            why = english.english(text)
            if why:
                found[f"{why}: {text[:120]!r}"].add(url)
    assert pages > 40, "the crawl did not get past the first pages"
    return found


def _report(found: dict[str, set[str]]) -> str:
    return "\n".join(f"{what} (on {len(urls)} pages, e.g. {sorted(urls)[0]})"
                     for what, urls in sorted(found.items()))


@pytest.mark.parametrize("role", ["anonymous", "editor", "sysadmin"])
def test_every_page_reachable_from_home_is_in_spanish(app, portal, role):
    found = _walk(app, portal.get(role))
    assert not found, "English on Spanish pages:\n" + _report(found)


def test_the_crawl_recognises_english():
    english = spanish.EnglishMessages()
    # CKAN messages without Spanish, placeholders filled in
    assert english.english("Navigate to dataset: Plan de apertura 2025")
    assert english.english("Filter by: Etiquetas")  # translated, so shown only if bypassed
    assert english.english("Filtrar por: Etiquetas") is None
    # messages built from a type's slug, and words of an English interface
    assert english.english("5 plan-aperturas found")
    assert english.english("1 Member")
    assert english.english("New Package")
    assert english.english("Plan-Aperturas")
    assert english.english("Podés usar formato Markdown aquí")
    # codes instead of labels
    assert english.english("active")
    assert english.english("MONTHLY")
    # Spanish passes
    assert english.english("Se encontraron 5 planes de apertura") is None
    assert english.english("Ir al conjunto de datos: Plan de apertura 2025") is None
    assert english.english("Municipalidad Provincial del Cusco") is None


def test_visible_texts_include_what_screen_readers_read():
    html = ('<html><head><title>Inicio</title><script>var x = "Save";</script></head><body>'
            '<a href="/" aria-label="Ir al inicio">x</a><input placeholder="Buscar">'
            '<input type="submit" value="Guardar"><img alt="Logotipo" src="/l.png">'
            '<span class="visually-hidden">Filtrar por:</span> Temas</body></html>')
    texts = list(spanish.visible_texts(html))
    assert {"Inicio", "Ir al inicio", "x", "Buscar", "Guardar", "Logotipo", "Filtrar por:",
            "Temas"} <= set(texts)
    assert "Save" not in " ".join(texts)


def test_the_crawl_stays_on_the_site_and_bounded():
    pages = {
        "/": '<a href="/dataset/">a</a><a href="http://elsewhere.example/">b</a>'
             '<a href="/api/3/action/status_show">c</a><a href="/dataset/x/download/f.csv">d</a>'
             '<a href="/user/_logout">e</a>'
             + "".join(f'<a href="/dataset/d{i}">{i}</a>' for i in range(10)),
    }
    fetched = [url for url, _, _ in spanish.crawl(
        lambda url: (200, "text/html", pages.get(url, "")), per_pattern=3)]
    assert fetched[:2] == ["/", "/dataset/"]
    assert len([u for u in fetched if u.startswith("/dataset/d")]) == 3
    assert not [u for u in fetched if "api" in u or "download" in u or "logout" in u]
