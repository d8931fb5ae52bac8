"""Generated attack on every entry point: hostile values, a two-entity world, and the oracles.

Used by ``tests/security/test_fuzz_actions.py`` and ``test_fuzz_pages.py``. Entry points are
read from the code (the plugin's registered actions and their schemas and docstrings, the
scheming YAML files, the Flask rules of the extension's blueprints); values come from
Hypothesis. What every example must hold:

- no 5xx and no traceback (HTTP), no exception other than the refusals an action may raise;
- nothing logged at ERROR;
- a refused request changes nothing (digest of CKAN's package tables and the extension's);
- an accepted one changes nothing of an entity the caller does not belong to;
- nothing private of another entity, no user's e-mail or API token, appears in an answer.

Profiles (``OPENGOVPE_FUZZ``): ``ci`` (default) is derandomized, with a few examples per
entry point; ``long`` draws random examples for ``OPENGOVPE_FUZZ_MINUTES``, shared out
between the fuzz tests still to run (``scripts/bench.sh fuzz``); ``triage`` is ``ci``
without shrinking, for a quick list of what fails.
"""
from __future__ import annotations

import ast
import datetime
import functools
import glob
import inspect
import json
import logging
import os
import re
import time
from collections import Counter
from typing import Any, Callable, Iterator

import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError
from ckan.tests import factories

from ckanext.opengovpe import plugin
from ckanext.opengovpe.logic import schema as opengovpe_schema

HERE = os.path.dirname(__file__)
SCHEMAS = os.path.join(os.path.dirname(HERE), "schemas")

# --- profiles -------------------------------------------------------------------------------

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
          HealthCheck.filter_too_much, HealthCheck.large_base_example]
settings.register_profile("ci", max_examples=int(os.environ.get("OPENGOVPE_FUZZ_EXAMPLES", 12)),
                          derandomize=True, deadline=None, database=None, print_blob=True,
                          report_multiple_bugs=False, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=int(os.environ.get("OPENGOVPE_FUZZ_EXAMPLES",
                                                                  100_000)),
                          derandomize=False, deadline=None, database=None, print_blob=True,
                          suppress_health_check=_QUIET)
# a first look at what fails, without the time shrinking takes: OPENGOVPE_FUZZ=triage
settings.register_profile("triage", settings.get_profile("ci"),
                          phases=[Phase.explicit, Phase.generate])
# a long run that lists what fails without stopping to shrink it
settings.register_profile("long-triage", settings.get_profile("long"),
                          phases=[Phase.explicit, Phase.generate])
PROFILE = os.environ.get("OPENGOVPE_FUZZ", "ci")
settings.load_profile(PROFILE)

# examples run per entry point, written out by tests/security/conftest.py
EXAMPLES: Counter[str] = Counter()


class OutOfTime(BaseException):
    """Raised inside an example when its test's time is up: Hypothesis lets it through
    without shrinking, and tests/security/conftest.py counts the test as passed."""


class Budget:
    """In the ``long`` profile, each fuzz test's share of the time left before the deadline."""

    tests_left = 0
    deadline: float | None = None
    _ends: dict[str, float] = {}

    @classmethod
    def start(cls, tests: int) -> None:
        """``tests`` fuzz tests share ``OPENGOVPE_FUZZ_MINUTES`` from now."""
        cls.tests_left = tests
        minutes = os.environ.get("OPENGOVPE_FUZZ_MINUTES")
        cls.deadline = time.time() + float(minutes) * 60 if minutes else None

    @classmethod
    def check(cls, entry_point: str) -> None:
        """Count an example of ``entry_point``; raise OutOfTime once its share is spent."""
        EXAMPLES[entry_point] += 1
        if not PROFILE.startswith("long") or cls.deadline is None:
            return
        now = time.time()
        if entry_point not in cls._ends:
            share = max(cls.deadline - now, 0) / max(cls.tests_left, 1)
            cls.tests_left = max(cls.tests_left - 1, 0)
            cls._ends[entry_point] = now + share
        if now >= cls._ends[entry_point]:
            EXAMPLES[entry_point] -= 1
            raise OutOfTime(entry_point)


# --- hostile values -------------------------------------------------------------------------

class Big(str):
    """A very long string that prints short in a falsifying example."""

    def __repr__(self) -> str:
        return f"{self[:1]!r} * {len(self)}"


MEGABYTE = Big("x" * 1_000_000)
MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
          "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
          "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
          "[x](javascript:alert(1))", "{{ 7*7 }}", "${7*7}"]
ODD_TEXT = ["", " ", "\x00", "a\x00b", "\x01\x02\x1b\x7f", "\x0b\x0c", "\ud7ff\ufffe",
            "²", "٣", "NOW-²DAY", "[NOW-²DAY TO NOW]", "9999-12-31", "0001-01-01",
            "99999-01-01", "2025-02-30", "2025-01-01T00:00:00+16:00", "-1", "1e309", "NaN",
            "\\", "%", "*", "*datos", "dat?s", "title:dat?s", "'", "';--", "../../etc/passwd",
            "%00", "a" * 501, "\u202e", "ñandú", "0", "00000000-0000-0000-0000-000000000000"]
ODD_NUMBERS = [0, -1, 2**31, -2**31 - 1, 2**63, 10**30, -10**30, 1.5, float("inf"),
               float("nan"), True, False]


def text() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(ODD_TEXT + MARKUP),
                     st.text(st.characters(codec="utf-8"), max_size=40),
                     st.just(MEGABYTE))


def scalar() -> st.SearchStrategy[Any]:
    return st.one_of(text(), st.sampled_from(ODD_NUMBERS),
                     st.integers(min_value=-2**70, max_value=2**70), st.none())


def hostile(pool: list[str] | None = None) -> st.SearchStrategy[Any]:
    """Any value a client could send for a field: odd text and numbers, lists and objects
    where a string is expected, and, when ``pool`` is given, ids of real records."""
    leaves = st.one_of(scalar(), st.sampled_from(pool)) if pool else scalar()
    return st.one_of(
        leaves,
        st.lists(leaves, max_size=3),
        st.dictionaries(st.sampled_from(["id", "$gt", "name", "0", ""]), leaves, max_size=2),
    )


def unknown_key() -> st.SearchStrategy[str]:
    return st.sampled_from(["es_admin", "state", "creator_user_id", "__class__", "ignore_auth",
                            "owner_org", "x" * 200, "\x00", ""])


def form_value() -> st.SearchStrategy[Any]:
    """What a form or query string can carry: text, or several values for one name."""
    one = st.one_of(text().filter(lambda v: "\ud7ff" not in v), st.sampled_from(
        [str(n) for n in ODD_NUMBERS[:7]]))
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


# --- entry points, read from the code -------------------------------------------------------

def _registered_actions() -> dict[str, Any]:
    """The actions of both plugins, but the search plugin's ``package_search`` (CKAN's)."""
    actions = dict(plugin.OpengovpePlugin.get_actions(None))  # type: ignore[call-arg]
    actions.update({name: function for name, function in
                    plugin.OpengovpeSearchPlugin.get_actions(None).items()  # type: ignore
                    if name.startswith("opengovpe_")})
    return actions


def opengovpe_actions() -> list[str]:
    """The actions the plugins register."""
    return sorted(_registered_actions())


def action_schema(action: str) -> dict[str, Any]:
    """The schema function of ``logic/schema.py`` whose name is the longest run of the
    action's words (``opengovpe_plan_item_create`` -> ``plan_item_schema``)."""
    words = action.split("_")[1:]
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            found = getattr(opengovpe_schema, "_".join(words[start:start + size]) + "_schema",
                            None)
            if callable(found):
                return found()
    return {}


def action_fields(action: str) -> dict[str, Any]:
    """Field name -> nested schema (or None) for what the action accepts: its schema's keys
    and the ``:param x:`` lines of its docstring."""
    function = _registered_actions()[action]
    fields: dict[str, Any] = {name: None for name in
                              re.findall(r":param (\w+):", inspect.getdoc(function) or "")}
    for name, rule in action_schema(action).items():
        fields[name] = rule if isinstance(rule, dict) else None
    return fields


def _scheming_files() -> Iterator[dict[str, Any]]:
    for path in sorted(glob.glob(os.path.join(SCHEMAS, "*.yaml"))):
        with open(path, encoding="utf-8") as stream:
            loaded = yaml.safe_load(stream)
        if isinstance(loaded, dict) and ("dataset_type" in loaded or
                                         "organization_type" in loaded or
                                         "group_type" in loaded):
            yield loaded


def _field_map(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["field_name"]: {s["field_name"]: None for s in f["repeating_subfields"]}
            if f.get("repeating_subfields") else None for f in fields}


def dataset_types() -> dict[str, dict[str, Any]]:
    """Dataset type -> its fields (``resources`` holds the resource fields)."""
    types = {}
    for loaded in _scheming_files():
        if "dataset_type" in loaded:
            fields = _field_map(loaded.get("dataset_fields", []))
            fields["resources"] = _field_map(loaded.get("resource_fields", []))
            types[loaded["dataset_type"]] = fields
    return types


def organization_fields() -> dict[str, Any]:
    for loaded in _scheming_files():
        if "organization_type" in loaded or loaded.get("group_type") == "organization":
            return _field_map(loaded.get("fields", []))
    return {}


def query_parameters(view: Callable[..., Any]) -> list[str]:
    """Names the view's module reads from the query string: ``args.get("x")``, ``args["x"]``,
    and the names a comprehension over ``args.items()`` keeps (``if k in ("x", "y")``)."""
    return _query_parameters(inspect.getsource(inspect.getmodule(view)))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=None)
def _query_parameters(source: str) -> list[str]:
    names = set(re.findall(r"args(?:\.get\(|\[)\s*\"(\w+)\"", source))
    for node in ast.walk(ast.parse(source)):
        for generator in getattr(node, "generators", []):
            if "args" not in ast.unparse(generator.iter):
                continue
            for condition in generator.ifs:
                names.update(leaf.value for leaf in ast.walk(condition)
                             if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str))
    return sorted(names)


# --- the world ------------------------------------------------------------------------------

ROLES = ("anonymous", "outsider", "editor", "admin", "sysadmin")
# a role's entity: the editor and admin belong to "a", the outsider is an editor of "b"
MEMBER_OF = {"anonymous": set(), "outsider": {"b"}, "editor": {"a"}, "admin": {"a"},
             "sysadmin": {"a", "b"}}
# valid values of required fields, so that the hostile ones are what is judged
VALID = {"title": "Inventario nuevo", "name": "Hito nuevo", "type": "acta",
         "kind": "solicitud-datos", "description": "Descripción."}
EVIDENCE = {"type": "acta", "title": "Acta de instalación"}


class World(dict):
    """The records every example works on; prints short in a falsifying example."""

    def __repr__(self) -> str:
        return "world"


# (label, dataset type, private) of the datasets of each entity
DATASETS = [("dataset-publico", "dataset", False), ("dataset-privado", "dataset", True),
            ("plan-apertura-publico", "plan-apertura", False),
            ("plan-apertura-privado", "plan-apertura", True),
            ("norma-publico", "norma", False), ("grupo-trabajo-publico", "grupo-trabajo", False),
            ("contrataciones-publico", "contrataciones", False)]


def build_world() -> World:
    """Two entities, each with a working group, a regulation, a procurement dataset, a plan
    with items, milestones and evidence, a private plan, a public and a private dataset;
    five roles."""
    users = {role: factories.UserWithToken(name=f"fuzz-{role}")
             for role in ("outsider", "editor", "admin")}
    users["sysadmin"] = factories.SysadminWithToken(name="fuzz-sysadmin")
    members = {"a": [{"name": users["editor"]["name"], "capacity": "editor"},
                     {"name": users["admin"]["name"], "capacity": "admin"}],
               "b": [{"name": users["outsider"]["name"], "capacity": "editor"}]}
    world = World(users=users, entities={}, secrets=[])
    today = datetime.date.today()
    for key in ("a", "b"):
        org = factories.Organization(name=f"entidad-{key}", title=f"Entidad {key.upper()}",
                                     users=members[key])
        records: dict[str, Any] = {"org": org, "datasets": {}}
        for label, kind, private in DATASETS:
            title = f"Reservado {key.upper()} {kind} 7f3a" if private else f"{kind} {key}"
            records["datasets"][label] = factories.Dataset(
                name=f"{key}-{label}", title=title, type=kind, owner_org=org["id"],
                private=private, notes="Notas.",
                resources=[{"url": f"http://example.org/{key}-{label}.csv", "format": "CSV",
                            "name": title}])
            if private:
                world["secrets"].append((records["datasets"][label]["id"], f"{key}-{label}",
                                         title))
        plan = records["datasets"]["plan-apertura-publico"]
        items = [tk.get_action("opengovpe_plan_item_create")(
            {"user": users["sysadmin"]["name"]},
            {"plan_id": plan["id"], "title": f"Inventario {key} {n}",
             "dataset_id": records["datasets"]["dataset-publico"]["id"] if n else None})
            for n in range(2)]
        milestones = [tk.get_action("opengovpe_milestone_create")(
            {"user": users["sysadmin"]["name"]},
            {"plan_id": plan["id"], "name": f"Hito {key} {n}", "item_id": items[n]["id"],
             "start_date": str(today - datetime.timedelta(30)),
             "end_date": str(today + datetime.timedelta(n * 5 - 2)), "status": "en-curso",
             "progress": 40, "evidence": [EVIDENCE]}) for n in range(2)]
        records.update(plan=plan, items=items, milestones=milestones,
                       evidence=[e["id"] for m in milestones for e in m.get("evidence", [])],
                       requests=_data_requests(org, key, users["sysadmin"]["name"]))
        world["entities"][key] = records
    model.Session.remove()
    world["emails"] = {role: model.User.get(user["name"]).email for role, user in users.items()}
    # the requesters' contact e-mails: no role may read them
    world["emails"].update({f"contact-{key}-{state}": f"contacto-{key}-{state}@example.org"
                            for key in world["entities"] for state in ("aprobada", "pendiente")})
    world["tokens"] = [user["token"] for user in users.values()]
    return world


def _data_requests(org: dict[str, Any], key: str, sysadmin: str) -> list[dict[str, Any]]:
    """A published data request of the entity and one awaiting review, each with a contact
    e-mail that must never be shown."""
    found = []
    for state in ("aprobada", "pendiente"):
        request = tk.get_action("opengovpe_data_request_create")(
            {"ignore_auth": True}, {"organization": org["id"], "title": f"Datos {key} {state}",
                                    "description": "Descripción.",
                                    "contact_email": f"contacto-{key}-{state}@example.org"})
        if state == "aprobada":
            request = tk.get_action("opengovpe_data_request_moderate")(
                {"user": sysadmin}, {"id": request["id"], "state": state})
        found.append(request)
    return found


def pools(world: dict[str, Any]) -> dict[str, list[str]]:
    """Real ids and names, by kind, of both entities' records (to be sent where they do not
    belong)."""
    found: dict[str, list[str]] = {k: [] for k in ("plan", "item", "milestone", "evidence",
                                                     "dataset", "organization", "user",
                                                     "request")}
    for records in world["entities"].values():
        found["plan"] += [records["plan"]["id"], records["plan"]["name"]]
        found["item"] += [i["id"] for i in records["items"]]
        found["milestone"] += [m["id"] for m in records["milestones"]]
        found["evidence"] += records["evidence"]
        found["dataset"] += [d["id"] for d in records["datasets"].values()]
        found["dataset"] += [d["name"] for d in records["datasets"].values()]
        found["organization"] += [records["org"]["id"], records["org"]["name"]]
        found["request"] += [r["id"] for r in records["requests"]]
    found["user"] = [u["id"] for u in world["users"].values()]
    found["any"] = sorted({v for values in found.values() for v in values})
    return found


# --- oracles --------------------------------------------------------------------------------

ACCEPTED_REFUSALS = (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound, SearchError)
CKAN_TABLES = ("package", "package_extra", "resource", "member", "group", "group_extra",
               "package_tag", "tag")


def _tables() -> list[str]:
    """The tables above that this CKAN has (2.12 keeps extras in the package row), and the
    extension's."""
    names = sa.inspect(model.meta.engine).get_table_names()
    return [t for t in CKAN_TABLES if t in names] + sorted(
        n for n in names if n.startswith("opengovpe") and not n.endswith("alembic_version"))


# tables anyone may add rows to (anonymous included): a citizen's data request
PUBLIC_WRITES = ("opengovpe_data_request",)


def digest(known: dict[str, list[str]] | None = None) -> dict[str, str]:
    """A hash of every row of each table, so that any write shows; for a table of
    ``known``, of the rows with those ids only (rows added since are not counted)."""
    known = known or {}
    with model.meta.engine.connect() as connection:
        return {table: connection.execute(sa.text(
            f'SELECT md5(coalesce(string_agg(md5(t::text), \'\' ORDER BY md5(t::text)), \'\')) '
            f'FROM "{table}" t' + (' WHERE t.id = ANY(:ids)' if table in known else '')),
            {"ids": known.get(table, [])}).scalar() for table in _tables()}


def row_ids(tables: tuple[str, ...]) -> dict[str, list[str]]:
    with model.meta.engine.connect() as connection:
        return {table: list(connection.execute(sa.text(f'SELECT id FROM "{table}"')).scalars())
                for table in tables}


_ENTITY_ROWS = """
WITH pkgs AS (SELECT id FROM package WHERE owner_org = :org),
     items AS (SELECT id FROM opengovpe_plan_item WHERE plan_id IN (SELECT id FROM pkgs)),
     stones AS (SELECT id FROM opengovpe_milestone WHERE plan_id IN (SELECT id FROM pkgs))
SELECT md5(coalesce(string_agg(r, '' ORDER BY r), '')) FROM (
  SELECT 'g' || g::text AS r FROM "group" g WHERE id = :org
  UNION ALL SELECT 'm' || x::text FROM member x
            WHERE group_id = :org OR table_id IN (SELECT id FROM pkgs)
  UNION ALL SELECT 'p' || x::text FROM package x WHERE id IN (SELECT id FROM pkgs)
  UNION ALL SELECT 'r' || x::text FROM resource x WHERE package_id IN (SELECT id FROM pkgs)
  UNION ALL SELECT 'pt' || x::text FROM package_tag x WHERE package_id IN (SELECT id FROM pkgs)
  UNION ALL SELECT 'i' || x::text FROM opengovpe_plan_item x WHERE id IN (SELECT id FROM items)
  UNION ALL SELECT 'h' || x::text FROM opengovpe_milestone x WHERE id IN (SELECT id FROM stones)
  UNION ALL SELECT 'e' || x::text FROM opengovpe_evidence x
            WHERE milestone_id IN (SELECT id FROM stones)
  UNION ALL SELECT 'd' || x::text FROM opengovpe_demand x WHERE item_id IN (SELECT id FROM items)
  UNION ALL SELECT 'q' || concat_ws('|', x.id, x.state, x.status, x.item_id, x.dataset_id,
                                    x.answer, x.title, x.description)
            FROM opengovpe_data_request x
            WHERE x.owner_org = :org AND (x.state <> 'pendiente' OR x.status <> 'abierta'
                                          OR x.moderated IS NOT NULL)
) rows
"""


def entity_digests(world: dict[str, Any]) -> dict[str, str]:
    """A hash per entity of its organization, its datasets and their plan records."""
    with model.meta.engine.connect() as connection:
        return {key: connection.execute(sa.text(_ENTITY_ROWS),
                                        {"org": records["org"]["id"]}).scalar()
                for key, records in world["entities"].items()}


def private_strings(world: dict[str, Any], role: str) -> list[str]:
    """What ``role`` must never read: names and titles of the other entity's private
    datasets (while they are still private and unchanged), other users' e-mails, tokens."""
    secrets = list(world["tokens"])
    if role == "sysadmin":
        return secrets
    secrets += [email for other, email in world["emails"].items() if other != role]
    own = {world["entities"][k]["org"]["id"] for k in MEMBER_OF[role]}
    for dataset_id, name, title in world["secrets"]:
        dataset = model.Session.get(model.Package, dataset_id)
        if (dataset is not None and dataset.private and dataset.state == "active"
                and dataset.owner_org not in own):
            secrets += [s for s, now in ((name, dataset.name), (title, dataset.title))
                        if s == now]
    model.Session.remove()
    return secrets


class ErrorLog(logging.Handler):
    """Records logged at ERROR or above, or with a traceback, while an example runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def __enter__(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger().removeHandler(self)

    def describe(self) -> str:
        return "\n".join(f"{r.name}: {r.getMessage()[:300]}" for r in self.records)


def dump(value: Any) -> str:
    """An answer as text, for the leak check."""
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


class Observation:
    """Before/after state around one request, and the checks every example must pass."""

    def __init__(self, world: dict[str, Any], role: str) -> None:
        self.world, self.role = world, role
        self.before = digest()
        # the rows of tables anyone may add to, and their state, to judge anonymous requests
        self.known = row_ids(PUBLIC_WRITES)
        self.before_known = digest(self.known)
        self.entities = entity_digests(world)
        self.secrets = private_strings(world, role)

    def check(self, refused: bool, answer: str, log: ErrorLog, what: str,
              request: str = "") -> None:
        """``request`` is what was sent: a value the caller sent itself is not a leak."""
        assert not log.records, f"{what}: logged an error:\n{log.describe()}"
        leaked = [s for s in self.secrets if s and s in answer and s not in request]
        assert not leaked, f"{what}: the answer shows something private: {leaked[:3]}"
        model.Session.remove()
        if refused:
            after = digest()
            changed = [t for t in after if after[t] != self.before.get(t)]
            assert not changed, f"{what}: refused, yet changed {changed}"
        elif self.role == "anonymous":
            # anyone may ask an entity for data: new requests, and nothing else, may appear
            after = digest(self.known)
            changed = [t for t in after if after[t] != self.before_known.get(t)]
            assert not changed, f"{what}: anonymous, yet changed {changed}"
        else:
            after_entities = entity_digests(self.world)
            touched = [k for k, v in after_entities.items()
                       if v != self.entities[k] and k not in MEMBER_OF[self.role]]
            assert not touched, f"{what}: {self.role} changed records of entity {touched}"

