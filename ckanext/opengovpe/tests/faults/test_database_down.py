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


def test_an_api_call_whose_connection_dies_mid_action_answers_503(app, dataset):
    """PostgreSQL restarting under a running action: CKAN's action API catches every
    exception and would answer 500; the request is told to retry instead."""
    import threading
    import time

    url = sa.engine.make_url(config["sqlalchemy.url"])
    locker = psycopg2.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                              user="postgres", dbname=url.database)
    admin, database = _admin()
    answers: list = []
    try:
        with locker.cursor() as cursor:
            cursor.execute("LOCK TABLE package IN ACCESS EXCLUSIVE MODE")
        model.Session.remove()
        call = threading.Thread(target=lambda: answers.append(app.get(
            "/api/3/action/package_show?id=datos-durante-la-caida", expect_errors=True)))
        call.start()
        waiting = None
        with admin.cursor() as cursor:
            for _ in range(100):  # the action is blocked reading the package table
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                               "AND wait_event_type = 'Lock'", (database,))
                waiting = cursor.fetchone()
                if waiting:
                    break
                time.sleep(0.05)
            assert waiting, "the action never reached the database"
            cursor.execute("SELECT pg_terminate_backend(%s)", waiting)
        call.join(timeout=30)
    finally:
        locker.rollback()
        locker.close()
        admin.close()
    response = answers[0]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json["error"]["__type"] == "Service Unavailable"
    assert "base de datos" in response.json["error"]["message"]
    assert app.get("/api/3/action/package_show?id=datos-durante-la-caida").json["success"]
