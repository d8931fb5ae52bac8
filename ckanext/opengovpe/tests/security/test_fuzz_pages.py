"""Generated attack on every page, form and export the extension adds.

The rules come from the extension's blueprints: each path part gets real ids and names of
both entities' records or hostile text, each query parameter the view's module reads gets
hostile values (and an unknown one rides along), and each form that accepts POST gets
hostile values in the fields its page renders, with the client's valid CSRF token. Callers
other than anonymous authenticate with their API token. The oracles are in ``tests/fuzz.py``.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import flask
import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing.converters import AnyConverter

from ckanext.opengovpe import views
from ckanext.opengovpe.tests import fuzz
from ckanext.opengovpe.tests.helpers import csrf

pytestmark = pytest.mark.usefixtures("with_plugins")


def _rules() -> list[tuple[Any, str, Any]]:
    """(rule, method, view function) of every route the extension's blueprints add."""
    app = flask.Flask(__name__)
    for blueprint in views.get_blueprints():
        app.register_blueprint(blueprint)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule, method, app.view_functions[rule.endpoint]))
    return found


RULES = _rules()
# the kind of record each path part names
PART_KINDS = {"id": "page", "item_id": "item", "milestone_id": "milestone",
              "request_id": "request"}
FIELD_TAG = re.compile(r'<(?:input|select|textarea)\b[^>]*?\sname="([^"]+)"')


@pytest.fixture(scope="module")
def world(module_db) -> dict[str, Any]:
    built = fuzz.build_world()
    built["pools"] = fuzz.pools(built)
    built["pools"]["page"] = (built["pools"]["plan"] + built["pools"]["organization"]
                              + built["pools"]["dataset"])
    built["forms"] = {}
    return built


def _part(rule: Any, name: str, world: dict[str, Any]) -> st.SearchStrategy[str]:
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return st.sampled_from(sorted(converter.items))
    pool = world["pools"][PART_KINDS.get(name, "any")]
    return st.one_of(st.sampled_from(pool), fuzz.text().map(str))


def _headers(world: dict[str, Any], role: str) -> dict[str, str]:
    return {} if role == "anonymous" else {"Authorization": world["users"][role]["token"]}


def _form_fields(app: Any, world: dict[str, Any], rule: Any) -> list[str]:
    """The names of the fields the form's page renders, read once as the entity's admin."""
    if rule.rule not in world["forms"]:
        parts = {name: _valid_part(world, name) for name in rule.arguments}
        page = app.get(_path(rule, parts), headers=_headers(world, "admin"))
        world["forms"][rule.rule] = sorted(set(FIELD_TAG.findall(page.body)) - {"_csrf_token"})
    return world["forms"][rule.rule]


def _valid_part(world: dict[str, Any], name: str) -> str:
    records = world["entities"]["a"]
    return {"id": records["plan"]["name"], "item_id": records["items"][0]["id"],
            "milestone_id": records["milestones"][0]["id"],
            "request_id": records["requests"][0]["id"]}.get(name, "csv")


def _path(rule: Any, parts: dict[str, str]) -> str:
    path = rule.rule
    for name, value in parts.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", quote(value, safe=""), path)
    return path


def _token(app: Any) -> str:
    """A valid CSRF token of the client's session (the same for every form it opens)."""
    if getattr(app, "_fuzz_csrf", None) is None:
        app._fuzz_csrf = csrf(app.get("/user/login").body)
    return app._fuzz_csrf


def _pairs(values: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return pairs


@pytest.mark.parametrize("rule,method,view", RULES,
                         ids=[f"{method}:{rule.rule}" for rule, method, _ in RULES])
@given(data=st.data())
def test_page(app, world, rule, method, view, data):
    role = data.draw(st.sampled_from(fuzz.ROLES), label="role")
    parts = {name: data.draw(_part(rule, name, world), label=name) for name in rule.arguments}
    names = fuzz.query_parameters(view) + ["fuzz"]
    query = data.draw(st.dictionaries(st.sampled_from(names), fuzz.form_value(), max_size=3),
                      label="query")
    url = _path(rule, parts) + ("?" + urlencode(_pairs(query)) if query else "")
    headers = _headers(world, role)
    form: dict[str, Any] = {}
    if method == "POST":
        fields = _form_fields(app, world, rule)
        form = {name: "" for name in fields}
        form.update({k: v for k, v in fuzz.VALID.items() if k in form})
        form.update(data.draw(st.dictionaries(st.sampled_from(fields + ["fuzz"]),
                                              fuzz.form_value(), max_size=4), label="form"))
    # after every draw: a test whose time is up stops between examples
    fuzz.Budget.check(f"{method} {rule.rule}")
    observation = fuzz.Observation(world, role)
    with fuzz.ErrorLog() as log:
        if method == "GET":
            response = app.get(url, headers=headers)
        else:
            body = _pairs(form) + [("_csrf_token", _token(app))]
            response = app.post(url, data=MultiDict(body), headers=headers,
                                follow_redirects=False)
    what = f"{method} {url[:200]} as {role}"
    # 502 is the national portal report's answer when that portal cannot be reached (the
    # test world has none): the fault of another system, said as such
    assert response.status_code < 500 or response.status_code == 502 and "portal-nacional" in url, \
        f"{what}: {response.status_code}"
    answer = response.get_data().decode("utf-8", "replace")
    assert "Traceback" not in answer, what
    accepted = method == "POST" and 300 <= response.status_code < 400
    sent = f"{parts} {query} {form if method == 'POST' else ''}"
    observation.check(not accepted, answer, log, what, sent)
