"""A logged-in browser's POSTs need a CSRF token, whatever requests came before.

CKAN exempts a view from CSRF checks for the rest of the process as soon as one anonymous
or API-token request reaches it; each test below starts with such a request, then posts
with the session cookie alone.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from .helpers import csrf

pytestmark = pytest.mark.usefixtures("with_plugins")

PLAN = "plan-csrf"
PASSWORD = "Clave-de-prueba-2025"


@pytest.fixture(scope="module")
def world(module_db):
    user = factories.UserWithToken(name="csrf-editor", password=PASSWORD)
    org = factories.Organization(name="csrf-entidad", users=[
        {"name": user["name"], "capacity": "admin"}])
    dataset = factories.Dataset(name="csrf-dataset", owner_org=org["id"], title="Original")
    factories.Dataset(name=PLAN, type="plan-apertura", owner_org=org["id"],
                      title="Plan CSRF")
    return {"user": user, "dataset": dataset}


@pytest.fixture
def browser(app, world):
    """The ``app`` client logged in by session cookie, after an anonymous visitor
    (another client) has requested the pages and the action API the tests post to."""
    visitor = app.test_client()
    for url in (f"/dataset/edit/{world['dataset']['name']}",
                f"/user/edit/{world['user']['name']}",
                f"/plan-apertura/{PLAN}/inventario/nuevo",
                f"/plan-apertura/{PLAN}/hitos/nuevo"):
        visitor.get(url)
    visitor.post("/api/3/action/package_patch", json={"id": world["dataset"]["id"]})
    app.post("/user/login", data={"login": world["user"]["name"], "password": PASSWORD})
    assert app.get("/dashboard/datasets", status=200).request.path == "/dashboard/datasets"
    return app


@pytest.mark.parametrize("url,data", [
    ("/dataset/edit/csrf-dataset", {"name": "csrf-dataset", "title": "Cambiado"}),
    ("/user/edit/csrf-editor", {"name": "csrf-editor", "fullname": "Cambiado"}),
    (f"/plan-apertura/{PLAN}/inventario/nuevo", {"title": "Cambiado"}),
    (f"/plan-apertura/{PLAN}/hitos/nuevo", {"name": "Cambiado", "start_date": "2025-05-01",
                                            "end_date": "2025-05-10", "status": "en-curso",
                                            "progress": "20"}),
])
def test_session_form_post_without_token_is_refused(browser, world, url, data):
    browser.post(url, data=data, status=400)
    assert helpers.call_action("package_show", id="csrf-dataset")["title"] == "Original"
    assert helpers.call_action("user_show", id="csrf-editor")["fullname"] != "Cambiado"
    plan = helpers.call_action("opengovpe_plan_show", id=PLAN)
    assert "Cambiado" not in [i["title"] for i in plan["items"]]
    assert "Cambiado" not in [m["name"] for m in plan["milestones"]]


def test_session_api_post_without_token_is_refused(browser, world):
    browser.post("/api/3/action/package_patch",
                 json={"id": world["dataset"]["id"], "title": "Cambiado"}, status=400)
    assert helpers.call_action("package_show", id="csrf-dataset")["title"] == "Original"


def test_session_form_post_with_token_is_accepted(browser, world):
    url = f"/plan-apertura/{PLAN}/hitos/nuevo"
    token = csrf(browser.get(url, status=200).body)
    browser.post(url, data={"_csrf_token": token, "name": "Con token",
                            "start_date": "2025-05-01", "end_date": "2025-05-10",
                            "status": "en-curso", "progress": "20"},
                 follow_redirects=False, status=302)
    plan = helpers.call_action("opengovpe_plan_show", id=PLAN)
    assert "Con token" in [m["name"] for m in plan["milestones"]]


def test_session_api_post_with_token_header_is_accepted(browser, world):
    token = csrf(browser.get(f"/dataset/edit/{world['dataset']['name']}", status=200).body)
    response = browser.post("/api/3/action/package_patch", headers={"X-CSRFToken": token},
                            json={"id": world["dataset"]["id"], "notes": "Con token"},
                            status=200)
    assert response.json["result"]["notes"] == "Con token"


def test_api_token_post_needs_no_csrf_token(app, world):
    app.test_client().get("/api/3/action/status_show")
    response = app.post("/api/3/action/package_patch",
                        headers={"Authorization": world["user"]["token"]},
                        json={"id": world["dataset"]["id"], "version": "2.0"}, status=200)
    assert response.json["result"]["version"] == "2.0"


def test_anonymous_post_is_judged_by_its_rights_not_by_csrf(app, world):
    response = app.post("/api/3/action/package_patch",
                        json={"id": world["dataset"]["id"], "title": "Anónimo"}, status=403)
    assert response.json["success"] is False
