"""The portal while PostgreSQL refuses connections: HTTP 503, then recovery by itself.

The fault is real: the test database stops accepting connections and every open
connection to it is terminated (what a restart looks like to CKAN), then it is
opened again. No part of the portal is replaced by a stand-in.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.common import config
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _admin() -> tuple[psycopg2.extensions.connection, str]:
    url = sa.engine.make_url(config["sqlalchemy.url"])
    conn = psycopg2.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                            user="postgres", dbname="postgres")
    conn.autocommit = True
    return conn, str(url.database)


@contextmanager
def database_down() -> Iterator[None]:
    model.Session.remove()
    conn, database = _admin()
    cursor = conn.cursor()
    try:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
        yield
    finally:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        conn.close()


@pytest.fixture
def dataset() -> dict:
    org = factories.Organization(name="entidad-caida")
    return factories.Dataset(name="datos-durante-la-caida", title="Datos durante la caída",
                             owner_org=org["id"])


@pytest.mark.parametrize("path", [
    "/dataset/",
    "/dataset/?q=caida",
    "/dataset/datos-durante-la-caida",
    "/tablero",
])
def test_pages_answer_503_in_spanish_while_the_database_is_down(app, dataset, path):
    with database_down():
        response = app.get(path, status=503)
        assert response.headers["Retry-After"] == "30"
        assert "Traceback" not in response.body
        assert "base de datos" in response.body
    assert app.get(path, status=200)


@pytest.mark.parametrize("path", [
    "/api/3/action/package_search?q=caida",
    "/api/3/action/package_show?id=datos-durante-la-caida",
    "/api/3/action/opengovpe_scoreboard",
])
def test_api_answers_503_json_while_the_database_is_down(app, dataset, path):
    with database_down():
        response = app.get(path, status=503)
        body = response.json
        assert body["success"] is False
        assert body["error"]["__type"] == "Service Unavailable"
        assert "base de datos" in body["error"]["message"]
    assert app.get(path, status=200).json["success"] is True


def test_nothing_is_written_half_way_and_writes_work_after_recovery(app, dataset):
    sysadmin = factories.SysadminWithToken()
    headers = {"Authorization": sysadmin["token"]}
    payload = {"name": "creado-durante-la-caida", "title": "Creado durante la caída",
               "notes": "x", "owner_org": "entidad-caida"}
    with database_down():
        app.post("/api/3/action/package_create", json=payload, headers=headers, status=503)
    model.Session.remove()
    assert model.Package.get("creado-durante-la-caida") is None
    created = app.post("/api/3/action/package_create", json=payload, headers=headers,
                       status=200).json["result"]
    assert created["name"] == "creado-durante-la-caida"
    found = app.get("/api/3/action/package_search?q=caida").json["result"]
    assert "creado-durante-la-caida" in [d["name"] for d in found["results"]]
