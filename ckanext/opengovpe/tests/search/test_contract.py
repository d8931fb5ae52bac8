"""Where CKAN on Solr refuses a query, the embedded index refuses it with CKAN's error.

Local parameters, magic fields and query parsers are checked as CKAN's
``PackageSearchQuery.run`` checks them, with its messages (clients match them); the
parsers an admin allows work where they have a meaning here.
"""
from __future__ import annotations

from typing import Any

import pytest

import ckan.model as model
from ckan.common import config
from ckan.tests import factories

API = "/api/3/action/package_search"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", " ".join(config.get("ckan.plugins") or [])),
    pytest.mark.usefixtures("with_plugins", "datasets"),
]


@pytest.fixture(scope="module")
def datasets(module_db) -> None:
    org = factories.Organization(name="oece", title="OECE")
    factories.Dataset(name="contratacion-obras", title="Contratación de obras públicas",
                      notes="Procesos.", owner_org=org["id"])
    factories.Dataset(name="contratos-vigentes", title="Registro de contratos vigentes",
                      notes="Un contrato por fila.", owner_org=org["id"])
    model.Session.remove()


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.body[:300]
    return {r["name"] for r in response.json["result"]["results"]}


@pytest.mark.parametrize("params,message", [
    ({"q": "{!func}sum(1,2)"}, "Local parameters are not supported in param 'q'."),
    ({"q": "_val_:\"recip(ms(NOW,metadata_modified),1,1,1)\""},
     "Magic fields are not supported in param 'q'."),
    ({"q": "obras _query_:\"{!dismax qf=title}obras\""},
     "Magic fields are not supported in param 'q'."),
    ({"q": "{!lucene}a {!lucene}b"}, "Query parsers are not supported in param 'q'."),
    ({"q": "obras {!lucene}b"},
     "Local parameters must be defined at the beginning of param 'q'."),
    # package_search puts '+capacity:public' before the caller's fq
    ({"fq": "{!join from=id to=id}*:*"},
     "Local parameters must be defined at the beginning of param 'fq'."),
    # the caller's fq_list comes before the fq package_search adds: CKAN checks it first
    ({"fq_list": ["{!frange l=1}x"]}, "Local parameters are not supported in param 'fq_list'."),
    ({"sort": "{!func}div(1,2) desc"}, "Local parameters are not supported in param 'sort'."),
    ({"q": "{!bool must=obras}"}, "Local parameters are not supported in param 'q'."),
])
def test_ckan_refusals_keep_ckans_error_and_message(app, params, message):
    response = app.post(API, json=params)
    assert response.status_code == 409, response.body[:300]
    assert response.json["error"]["__type"] == "Search Error"
    assert message in response.json["error"]["message"]


@pytest.mark.parametrize("q", ["dataset_query_store:x", "_query_store:true", "new_val_store:x",
                               "title:_val_store"])
def test_fields_that_merely_contain_a_magic_name_are_ordinary(app, q):
    assert names(app.get(API, query_string={"q": q})) == set()


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool lucene knn")
@pytest.mark.parametrize("q,expected", [
    ("{!bool must=title:contratos}", {"contratos-vigentes"}),
    ("{!bool must=contrato must_not=name:contratacion-obras}", {"contratos-vigentes"}),
    ("{!bool should=title:registro should=title:obras}",
     {"contratos-vigentes", "contratacion-obras"}),
    ("{!bool filter='title:\"contratación de obras\"'}", {"contratacion-obras"}),
    ("{!type=bool must=title:registro}", {"contratos-vigentes"}),
    ("{!lucene}title:registro", {"contratos-vigentes"}),
    ("{!lucene v=title:registro}", {"contratos-vigentes"}),
])
def test_allowed_parsers_work_where_they_have_a_meaning(app, q, expected):
    assert names(app.get(API, query_string={"q": q})) == expected


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "knn")
def test_an_allowed_parser_without_a_meaning_here_gets_ckans_refusal(app):
    response = app.get(API, query_string={"q": "{!knn f=vector topK=10}[1.0, 2.0]"})
    assert response.status_code == 409, response.body[:300]
    assert "Local parameters are not supported in param 'q'." in \
        response.json["error"]["message"]
