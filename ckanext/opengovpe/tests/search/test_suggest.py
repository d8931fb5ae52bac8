"""Typing help: corrections of misspelt queries and title autocomplete, public data only."""
from __future__ import annotations

import pytest

import ckan.tests.helpers as helpers
from ckan.tests import factories

from ckanext.opengovpe.search import suggest, suggest_model
from ckanext.opengovpe.tests.helpers import schema_differences


@pytest.fixture
def words(corpus):
    """The search corpus, plus a municipal budget, with the dictionary refreshed."""
    factories.Dataset(name="presupuesto-municipal", title="Presupuesto municipal de Lima",
                      owner_org=corpus["minsa"]["id"], notes="Ejecución del gasto.")
    factories.Dataset(name="secreto", title="Zanahorias confidenciales",
                      owner_org=corpus["oece"]["id"], private=True,
                      notes="Cultivo de zanahorias.")
    # the recurring job: it counts the words once after each change of the index
    assert suggest.refresh_if_changed()
    assert not suggest.refresh_if_changed()
    return corpus


def _suggest(app, status=200, **params):
    response = app.get("/api/3/action/opengovpe_search_suggest", query_string=params,
                       status=status)
    return response.json


@pytest.mark.usefixtures("with_plugins")
def test_misspelt_words_are_corrected(app, words):
    answer = _suggest(app, q="contratasion", kind="spelling")["result"]
    assert answer["correction"]["q"] == "contratación"
    assert answer["correction"]["count"] == 2
    answer = _suggest(app, q="presupuesto munisipal")["result"]
    assert answer["correction"]["q"] == "presupuesto municipal"
    # words that are in public datasets, with or without their accents, need nothing
    assert _suggest(app, q="contratacion obras")["result"]["correction"] is None


@pytest.mark.usefixtures("with_plugins")
def test_a_private_dataset_lends_no_words_nor_titles(app, words):
    answer = _suggest(app, q="zanahorias")["result"]
    assert answer == {"q": "zanahorias", "titles": [], "correction": None}
    assert _suggest(app, q="zanahoryas")["result"]["correction"] is None
    # made private after the dictionary was built: its word is no longer offered
    helpers.call_action("package_patch", {"user": words["sysadmin"]["name"]},
                        id="presupuesto-municipal", private=True)
    assert _suggest(app, q="presupuesto munisipal")["result"]["correction"] is None
    assert _suggest(app, q="presupuesto mun")["result"]["titles"] == []


@pytest.mark.usefixtures("with_plugins")
def test_titles_complete_by_prefix_ignoring_accents(app, words):
    titles = _suggest(app, q="CONTRATACION", kind="titles")["result"]["titles"]
    assert titles == [{"name": "contratacion-obras", "title": "Contratación de obras públicas"}]
    # a word inside the title, after the titles that start with the text
    titles = _suggest(app, q="licitacion")["result"]["titles"]
    assert [t["name"] for t in titles] == ["licitacion-medicamentos"]
    titles = _suggest(app, q="munic", limit=1)["result"]["titles"]
    assert [t["name"] for t in titles] == ["presupuesto-municipal"]
    # deleted: gone at once
    helpers.call_action("package_delete", {"user": words["sysadmin"]["name"]},
                        id="licitacion-medicamentos")
    assert _suggest(app, q="licitación")["result"]["titles"] == []


HOSTILE_PARAMS = [
    {}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "agua", "limit": "0"},
    {"q": "agua", "limit": "many"}, {"q": "agua", "kind": "everything"},
]


@pytest.mark.usefixtures("with_plugins", "module_db")
def test_empty_or_hostile_input_is_a_field_error(app):
    for params in HOSTILE_PARAMS:
        assert _suggest(app, status=409, **params)["success"] is False
@pytest.mark.usefixtures("with_plugins", "module_db")
def test_hostile_json_is_a_field_error(app):
    for body in ({"q": ["agua"]}, {"q": {"a": 1}}, {"q": "a\ud800"}, {"q": "agua", "limit": []}):
        response = app.post("/api/3/action/opengovpe_search_suggest", json=body, status=409)
        assert response.json["success"] is False
    # Lucene syntax and control characters are only text to complete
    answer = _suggest(app, q='title:"x" AND (y OR z*)\x00%_\\')["result"]
    assert answer["correction"] is None and answer["titles"] == []


@pytest.mark.usefixtures("with_plugins", "module_db")
def test_model_matches_migration():
    tables = {suggest_model.suggest_doc_table.name, suggest_model.word_table.name}
    assert schema_differences(suggest_model.suggest_doc_table.metadata, tables) == []


@pytest.mark.usefixtures("with_plugins")
def test_search_page_offers_the_correction_and_the_typing_help(app, words):
    page = app.get("/dataset/", query_string={"q": "presupuesto munisipal"}).body
    assert "¿Quiso decir «" in page
    assert 'href="/dataset/?q=presupuesto+municipal"' in page
    assert 'id="opengovpe-typing-help"' in page
    # a search that finds enough gets no correction
    assert "¿Quiso decir" not in app.get("/dataset/", query_string={"q": "salud"}).body
