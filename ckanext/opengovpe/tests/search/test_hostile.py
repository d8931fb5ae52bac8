"""Bad and hostile queries are the caller's error: a clear 400, never a 500, never SQL."""
from __future__ import annotations

from typing import Any

import pytest

import ckan.model as model

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")

API = "/api/3/action/package_search"


def get(app: Any, **params: Any):
    return app.get(API, query_string=params)


@pytest.mark.parametrize("q", [
    "title:(obras",                      # unbalanced parenthesis
    'title:"obras',                      # unterminated phrase
    "AND OR",                            # operators without operands
    "title:[a TO",                       # unterminated range
    "title:/obr.*/",                     # regular expressions
    "título:obras",                      # field names are ASCII, as in Solr's schema
    "contrat\x00acion",                  # NUL cannot reach the database
    "metadata_modified:[NOW-1FORTNIGHT TO NOW]",  # unknown date unit
    "metadata_modified:[abc TO def]",    # not dates
    "metadata_modified:[NOW-\u00b2DAY TO NOW]",   # a digit int() refuses
    "metadata_modified:[NOW-\u0663DAY TO NOW]",   # a digit int() takes, Solr does not
    "x" * 5000,                          # over the length limit
    " OR ".join(f"tags:t{i}" for i in range(300)),  # too many clauses
])
def test_bad_query_is_a_400(app, q):
    response = get(app, q=q)
    assert response.status_code == 400, (q[:60], response.status_code, response.body[:300])
    assert response.json["success"] is False
    assert "Search Query is invalid" in response.json["error"]["message"]


@pytest.mark.parametrize("params", [
    {"sort": "name; DROP TABLE package"},
    {"sort": "name sideways"},
    {"fl": "name,title);--"},
    {"facet.field": '["tags\\") OR 1=1 --"]'},
    {"facet.field": "not json ["},
    {"fq": "+site_id:* OR title:(x"},
    {"facet.limit": "muchos"},
])
def test_bad_parameters_are_a_400(app, params):
    response = get(app, **params)
    assert response.status_code in (400, 409), (params, response.body[:300])
    assert response.status_code != 500


@pytest.mark.parametrize("q", [
    "'; DROP TABLE package; --",
    "title:\"x' OR '1'='1\"",
    "name:*' OR 1=1 --",
    "tags:\\'\\)\\)--",
    "res_format:%",
    "name:_",
])
def test_injection_attempts_are_plain_text(app, q):
    before = model.Session.query(model.Package).count()
    response = get(app, q=q)
    assert response.status_code in (200, 400), response.body[:300]
    if response.status_code == 200:
        # treated as words or literal values: nothing matches them
        assert response.json["result"]["count"] == 0
    assert model.Session.query(model.Package).count() == before


def test_like_metacharacters_are_literal(app):
    # '%' and '_' in a wildcard query match themselves, not any character
    response = get(app, q="name:contratacion_obras*")
    assert response.json["result"]["count"] == 0
    response = get(app, q="name:contratacion-obra?")
    assert response.json["result"]["count"] == 1


def test_huge_paging_values_are_safe(app):
    response = get(app, start=1000, rows=10)
    assert response.status_code == 200
    assert response.json["result"]["results"] == []
    # past ckanext.opengovpe.search.max_start
    response = get(app, start=10**9, rows=10)
    assert response.status_code == 400
    assert "'start' debe ser como máximo" in response.json["error"]["message"]
    assert get(app, rows=-1).status_code in (400, 409)


def test_deep_nesting_never_fails_the_server(app):
    for depth in (400, 1500):
        response = get(app, q="(" * depth + "obras" + ")" * depth)
        assert response.status_code in (200, 400)


def test_search_page_explains_a_bad_query_in_spanish(app):
    page = app.get("/dataset/", query_string={"q": "title:(obras"}, status=400)
    assert "Error de sintaxis en la consulta" in page.body


def test_search_page_refuses_a_date_step_with_a_non_ascii_digit(app):
    page = app.get("/dataset/", query_string={"q": "metadata_modified:[NOW-\u00b2DAY TO NOW]"},
                   status=400)
    assert "Fecha no válida" in page.body


def test_date_bound_with_any_offset_is_read_in_utc(app):
    response = get(app, q='metadata_modified:["2019-05-01T23:00:00+16:00" TO "2019-05-02"]')
    assert response.status_code == 200, response.body[:300]
    assert [r["name"] for r in response.json["result"]["results"]] == ["proveedores"]


def test_request_continues_after_a_rejected_query(app):
    assert get(app, q="title:(obras").status_code == 400
    assert get(app, q="obras").json["result"]["count"] == 1
