"""Catalogue URLs with input no catalogue page can answer: a clear 4xx, never a 500."""
from __future__ import annotations

import base64
import json

import pytest

import ckan.model as model
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "dataset")


@pytest.fixture(scope="module")
def dataset(module_db) -> None:
    org = factories.Organization(name="oece", title="OECE")
    factories.Dataset(name="contratos", title="Contratos", notes="Datos.", owner_org=org["id"])
    model.Session.remove()


def token(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "xml", "jsonld", "nt"])
@pytest.mark.parametrize("reference", ["%00", "a%00b", "con%0Atratos", "x" * 101])
def test_an_impossible_dataset_reference_is_not_found(app, fmt, reference):
    response = app.get(f"/dataset/{reference}.{fmt}")
    assert response.status_code == 404, response.body[:300]


@pytest.mark.parametrize("reference", ["%00", "a%00b"])
def test_content_negotiation_for_an_impossible_reference_is_not_found(app, reference):
    response = app.get(f"/dataset/{reference}", headers={"Accept": "text/turtle"})
    assert response.status_code == 404, response.body[:300]


@pytest.mark.parametrize("since", [
    "2024-01-01T00:00:00+16:00",          # PostgreSQL refuses offsets past 15:59
    "2024-01-01T00:00:00-15:00",
    "0001-01-01T00:00:00+01:00",          # before year 1 in UTC
    "%00",
    "\u0662\u0660\u0662\u0664-01-01",     # digits outside ASCII
    "2024-01-01T00:00:00+14:00x",
])
def test_a_bad_modified_since_is_a_spanish_400(app, since):
    response = app.get(f"/catalog.ttl?modified_since={since.replace('+', '%2B')}")
    assert response.status_code == 400, response.body[:300]
    assert "desfase horario entre -14:00 y +14:00" in response.body


def test_modified_since_with_an_offset_is_read_in_utc(app):
    response = app.get("/catalog.ttl?modified_since=2000-01-01T00:00:00%2B14:00")
    assert response.status_code == 200, response.body[:300]
    assert "hydra/core#PartialCollectionView" in response.body


@pytest.mark.parametrize("cursor", [
    token("2024-01-01T00:00:00+16:00", "2024-01-01T00:00:00+00:00", ""),   # forged offset
    token("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00-16:00", "x"),
    token("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", "a\x00b"),  # NUL id
    token("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", {"$gt": ""}),
    token("2024-01-01T00:00:00", "2024-01-01T00:00:00", ""),               # naive
    token(1, 2, 3),
    token("0001-01-01T00:00:00+01:00", "2024-01-01T00:00:00+00:00", ""),   # out of range
    token("2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", "x")[:-5],  # truncated
    "!!!!****",                                                            # not base64
    "%00",
])
def test_a_forged_or_broken_cursor_is_a_spanish_400(app, cursor):
    response = app.get("/catalog.ttl", query_string={"cursor": cursor})
    assert response.status_code == 400, response.body[:300]
    assert "no es una marca de página de este catálogo" in response.body
