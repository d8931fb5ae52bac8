"""Parameters of the wrong type and past the documented limits: a clear answer, never a 500.

The datasets are built once for the module; every case only reads.
"""
from __future__ import annotations

from typing import Any

import pytest

import ckan.model as model
from ckan.common import config
from ckan.tests import factories

API = "/api/3/action/package_search"

pytestmark = [
    # the portal's own plugins, as test.ini loads them for the module's datasets
    pytest.mark.ckan_config("ckan.plugins", " ".join(config.get("ckan.plugins") or [])),
    pytest.mark.usefixtures("with_plugins", "datasets"),
]


@pytest.fixture(scope="module")
def datasets(module_db) -> None:
    org = factories.Organization(name="oece", title="OECE")
    for name, title, notes in [
        ("contratacion-obras", "Contratación de obras públicas", "Procesos del SEACE."),
        ("contratos-vigentes", "Registro de contratos vigentes", "Un contrato por fila."),
        ("camas-uci", "Camas UCI", "Disponibilidad diaria de camas."),
    ]:
        factories.Dataset(name=name, title=title, notes=notes, owner_org=org["id"])
    model.Session.remove()


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.body[:300]
    return {r["name"] for r in response.json["result"]["results"]}


@pytest.mark.parametrize("params,expected", [
    ({"q": "obr?s"}, {"contratacion-obras"}),
    ({"q": "*bras"}, {"contratacion-obras"}),
    ({"q": "contr*cion"}, {"contratacion-obras"}),
    ({"q": "title:contrat?cion"}, {"contratacion-obras"}),
    ({"q": "title:*tratos"}, {"contratos-vigentes"}),
    ({"q": "notes:dispon?bilidad"}, {"camas-uci"}),
    ({"fq": "title:c*tos"}, {"contratos-vigentes"}),
    ({"q": "name:*obras"}, {"contratacion-obras"}),
    ({"q": "title_ngram:ratac?on"}, {"contratacion-obras"}),
])
def test_wildcards_anywhere_in_a_word_match(app, params, expected):
    assert names(app.get(API, query_string=params)) == expected


@pytest.mark.parametrize("params,message", [
    ({"q": "(" * 21 + "obras" + ")" * 21}, "20 niveles de paréntesis"),
    ({"q": " OR ".join(f"c*tos{i}" for i in range(11))}, "más de 10 términos con comodines"),
    ({"fq_list": [f"title:c?ntratos{i}" for i in range(11)]}, "más de 10 términos con comodines"),
    ({"facet.field": [f"campo{i}" for i in range(51)]}, "'facet.field' tiene más de 50 campos"),
    ({"facet.field": ["tags"], "facet.limit": 1001}, "'facet.limit' debe ser como máximo 1000"),
    ({"start": 100001}, "'start' debe ser como máximo 100000"),
    ({"sort": ", ".join(f"campo{i} asc" for i in range(6))}, "\"sort\" tiene más de 5 campos"),
])
def test_limits_are_refused_with_a_spanish_400(app, params, message):
    response = app.post(API, json=params)
    assert response.status_code == 400, response.body[:300]
    assert message in response.json["error"]["message"]


def test_a_query_within_the_limits_runs(app):
    response = app.post(API, json={"q": "(" * 20 + "obras" + ")" * 20,
                                   "facet.field": ["tags"], "facet.limit": -1,
                                   "start": 100000})
    assert response.status_code == 200, response.body[:300]


def test_a_page_past_the_limit_is_a_400(app):
    page = app.get("/dataset/", query_string={"page": "99999999"}, status=400)
    assert "como máximo 100000" in page.body


@pytest.mark.parametrize("params,field", [
    ({"rows": {"a": 1}}, "rows"),
    ({"rows": [1]}, "rows"),
    ({"start": ["1"]}, "start"),
    ({"facet.limit": {"$gt": 1}}, "facet.limit"),
    ({"q": ["obras", "salud"]}, "q"),
    ({"q": {"a": 1}}, "q"),
    ({"fq": {"a": 1}}, "fq"),
    ({"sort": {"name": "asc"}}, "sort"),
    ({"fq_list": "title:obras"}, "fq_list"),
    ({"fq_list": [{"a": 1}]}, "fq_list"),
    ({"fl": [1]}, "fl"),
    ({"fl": {"a": 1}}, "fl"),
])
def test_a_parameter_of_the_wrong_type_is_a_field_error(app, params, field):
    response = app.post(API, json=params)
    assert response.status_code == 409, response.body[:300]
    assert set(response.json["error"]) == {field, "__type"}
