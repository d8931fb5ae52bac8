"""The production stack (docker/) serves the portal without the embedded search backend.

docker/'s own start-up script turns ``.env.example`` into CKAN settings (with this machine's
database and Redis, and a Solr address where nothing listens), and its plugin list and the
migrations its start-up applies are read from there, so the test and the stack cannot drift.

The world is built once with ``opengovpe_search`` loaded as well (CKAN cannot create a dataset
while its Solr is unreachable); every page is fetched on that embedded stack, then the embedded
backend's tables are removed and the same pages are fetched with exactly docker/'s plugins.
What does not need search answers the same; what needs it answers 503 in Spanish.
"""
from __future__ import annotations

import configparser
import json
import os
import pathlib
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic

import ckan.model as model
import ckan.plugins as plugins
from ckan.common import config
from ckan.config.middleware import make_app
from ckan.tests import factories, helpers

from ckanext.opengovpe.demo import seed as demo_seed
from ckanext.opengovpe.quality import store as quality_store

ROOT = pathlib.Path(__file__).resolve().parents[4]
DOCKER = ROOT / "docker"
EMBEDDED = "opengovpe_search"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

PLAN = "oece-plan-apertura-2025"
PROCUREMENT = "contrataciones-pe-oece-20419026809-2025"
DATASET = "contrataciones-publicas-seace"

# pages and endpoints that read no search index
WITHOUT_SEARCH = [
    "/catalog.ttl", "/catalog.jsonld", "/catalog.rdf", "/catalog.nt",
    "/catalog.ttl?modified_since=2000-01-01",
    "/data.json",
    f"/dataset/{DATASET}", f"/dataset/{DATASET}.ttl", f"/dataset/{PROCUREMENT}.jsonld",
    f"/contrataciones/{PROCUREMENT}",
    f"/plan-apertura/{PLAN}", f"/plan-apertura/{PLAN}/avance",
    f"/plan-apertura/{PLAN}/exportar.csv",
    "/grupo-trabajo/oece-grupo-datos-abiertos", "/norma/oece-rpe-creacion-grupo",
    "/tablero",
    f"/api/action/package_show?id={DATASET}", "/api/action/status_show",
]
# listings, which are searches, and the programme pages that find an entity's plans by
# searching for them
WITH_SEARCH = ["/dataset/", "/plan-apertura/", "/contrataciones/", "/dataset/?q=contrataciones",
               "/entidad/oece/programa", "/hitos/pendientes"]
CATALOGUE_GRAPHS = {"/catalog.ttl": "turtle", "/catalog.jsonld": "json-ld",
                    "/catalog.rdf": "xml", "/catalog.nt": "nt",
                    "/catalog.ttl?modified_since=2000-01-01": "turtle",
                    f"/dataset/{DATASET}.ttl": "turtle",
                    f"/dataset/{PROCUREMENT}.jsonld": "json-ld"}


def _env_file() -> dict[str, str]:
    """docker/.env.example as Compose reads it (KEY=VALUE, optional quotes, # comments)."""
    values = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, raw = line.split("=", 1)
            values[key.strip()] = " ".join(shlex.split(raw)) if raw.strip() else ""
    return values


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# settings of the portal's plugins: on the stack they come from docker/ alone, so test.ini's
# are left out of the ini docker/'s start-up edits, and out of the configuration
PORTAL_SETTINGS = ("ckan.plugins", "ckanext.", "scheming.")
# except this one: the world is seconds old, and a crawl leaves out the last lag's changes
KEPT = {"ckanext.opengovpe.dcat.crawl_lag"}


def _portal_setting(key: str) -> bool:
    return key.startswith(PORTAL_SETTINGS) and key not in KEPT


def _ini(path: pathlib.Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # SECRET_KEY keeps its case
    parser.read(path)
    return parser


def _docker_env(ini: pathlib.Path, solr_port: int) -> dict[str, str]:
    env = dict(os.environ, **_env_file())
    env.update({
        "CKAN_INI": str(ini),
        "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}",
        # this machine's services instead of the stack's host names
        "CKAN_SQLALCHEMY_URL": config["sqlalchemy.url"],
        "CKAN_REDIS_URL": config["ckan.redis.url"],
        "CKAN_STORAGE_PATH": config["ckan.storage_path"],
        "CKAN__HARVEST__MQ__HOSTNAME": "127.0.0.1",
        # Solr is unreachable: nothing listens there
        "CKAN_SOLR_URL": f"http://127.0.0.1:{solr_port}/solr/ckan",
    })
    return env


def docker_settings(ini: pathlib.Path, env: dict[str, str]
                    ) -> tuple[dict[str, str], set[str]]:
    """The settings docker/'s start-up writes into ckan.ini (from test.ini less the portal's
    settings, and .env.example), and test.ini's portal settings docker/ does not set."""
    test_ini, base = _ini(ROOT / "test.ini"), _ini(ROOT / "test.ini")
    for key in list(base["app:main"]):
        if _portal_setting(key):
            base.remove_option("app:main", key)
    with ini.open("w") as out:
        base.write(out)
    result = subprocess.run(["bash", str(DOCKER / "ckan/setup/ckan_env_config.sh")], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    written = _ini(ini)
    settings = {key: value for key, value in written.items("app:main")
                if test_ini.get("app:main", key, fallback=None) != value}
    unset = {key for key in test_ini["app:main"]
             if _portal_setting(key) and not written.has_option("app:main", key)}
    return settings, unset


def _shell_functions(script: str) -> str:
    """The function definitions of a bash script (one-line ones, and blocks ending in a
    column-0 ``}``)."""
    out, inside = [], False
    for line in script.splitlines(keepends=True):
        if not inside and re.match(r"^\w+\(\) \{", line):
            inside = not line.rstrip().endswith("}")
            out.append(line)
        elif inside:
            out.append(line)
            inside = line.rstrip() != "}"
    return "".join(out)


def run_docker_migrations(env: dict[str, str]) -> list[str]:
    """Run docker/ckan/start_ckan.sh's own ``run_migrations`` (``ckan db upgrade``, then
    ``ckan db upgrade -p`` for the enabled plugins of CKAN_DB_UPGRADE_PLUGINS); returns the
    plugins it migrated by name."""
    functions = _shell_functions((DOCKER / "ckan/start_ckan.sh").read_text())
    assert "run_migrations() {" in functions
    result = subprocess.run(["bash", "-c", f"set -eo pipefail\n{functions}\nrun_migrations"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return re.findall(r"upgrading the database for plugin (\S+)", result.stdout)


def _app() -> helpers.CKANTestApp:
    return helpers.CKANTestApp(make_app(config))


def _answers(app: Any, paths: list[str]) -> dict[str, Any]:
    out = {}
    for path in paths:
        response = app.get(path, status=None)
        out[path] = (response.status_code, response.body)
    return out


def _world() -> None:
    demo_seed.seed("oece")
    sysadmin = factories.Sysadmin()
    helpers.call_action(
        "package_create", {"user": sysadmin["name"]}, type="contrataciones",
        name=PROCUREMENT, title="Contrataciones de OECE en 2025", owner_org="oece",
        license_id="cc-by", notes="Procesos, adjudicaciones y contratos de OECE en 2025.",
        buyer_name="OECE", buyer_id="PE-RUC-20419026809", buyer_ruc="20419026809",
        year="2025", temporal_start="2025-01-01", temporal_end="2025-12-31",
        resources=[{"url": "http://example.org/procesos.csv", "format": "CSV",
                    "name": "Procesos"}])


@pytest.fixture(scope="module")
def stacks(reset_db, migrate_db_for, tmp_path_factory) -> Iterator[dict[str, Any]]:
    env = _docker_env(tmp_path_factory.mktemp("docker") / "ckan.ini", _closed_port())
    settings, unset = docker_settings(pathlib.Path(env["CKAN_INI"]), env)
    production = settings["ckan.plugins"].split()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in settings.items():
            patch.setitem(config, key, value)
        for key in unset:
            patch.delitem(config, key, raising=False)
        patch.setitem(config, "testing", True)
        # both stacks build data.json afresh
        patch.setitem(config, "ckanext.opengovpe.dcat.datajson_cache_ttl", "0")
        patch.setitem(config, "ckan.plugins", production + [EMBEDDED])
        plugins.load_all()
        try:
            reset_db()
            model.Session.remove()
            migrations = run_docker_migrations(env)
            migrate_db_for(EMBEDDED)
            _world()
            # every dataset's quality score is stored before either stack answers: a dataset
            # page stores a missing one, and both catalogues must read the same rows
            quality_store.refresh()
            model.Session.remove()
            embedded = _answers(_app(), WITHOUT_SEARCH + WITH_SEARCH)
            # what the embedded stack adds to the database goes: docker/ never migrates it
            migrate_db_for(EMBEDDED, "base", forward=False)
            model.Session.execute(sa.text(f"DROP TABLE {EMBEDDED}_alembic_version"))
            model.Session.commit()
        finally:
            plugins.unload_all()
        patch.setitem(config, "ckan.plugins", production)
        plugins.load_all()
        try:
            app = _app()
            yield {"embedded": embedded, "app": app, "plugins": production,
                   "migrations": migrations}
        finally:
            plugins.unload_all()


def test_the_production_stack_has_no_embedded_search(stacks):
    assert EMBEDDED not in stacks["plugins"]
    assert "opengovpe" in stacks["plugins"]
    assert "opengovpe" in stacks["migrations"]
    tables = set(sa.inspect(model.meta.engine).get_table_names())
    assert not {t for t in tables if t.startswith(EMBEDDED)}
    assert "opengovpe_catalog_record" in tables


@pytest.mark.parametrize("path", WITHOUT_SEARCH)
def test_a_page_without_search_answers_as_on_the_embedded_stack(stacks, path):
    status, body = stacks["embedded"][path]
    assert status == 200, f"{path} answers {status} on the embedded stack"
    response = stacks["app"].get(path, status=None)
    assert response.status_code == 200, response.body[:2000]
    if path in CATALOGUE_GRAPHS:
        fmt = CATALOGUE_GRAPHS[path]
        assert isomorphic(_without_paging(Graph().parse(data=response.body, format=fmt)),
                          _without_paging(Graph().parse(data=body, format=fmt)))
    elif path == "/data.json":
        assert json.loads(response.body) == json.loads(body)
        assert {d["title"] for d in json.loads(body)["dataset"]} >= {
            "Contrataciones de OECE en 2025"}


def _without_paging(graph: Graph) -> Graph:
    """The catalogue's triples less its hydra paging, whose tokens carry the crawl's instant."""
    out = Graph()
    for s, p, o in graph:
        if not str(p).startswith(str(HYDRA)) and HYDRA.PartialCollectionView != o:
            out.add((s, p, o))
    return out


@pytest.mark.parametrize("path", WITH_SEARCH)
def test_a_search_page_answers_503_in_spanish(stacks, path):
    assert stacks["embedded"][path][0] == 200
    response = stacks["app"].get(path, status=503)
    assert response.headers["Retry-After"]
    assert "La búsqueda no está disponible en este momento" in response.body


def test_the_search_api_answers_503_in_spanish(stacks):
    response = stacks["app"].get("/api/action/package_search?q=oece", status=503)
    assert "La búsqueda no está disponible" in response.json["error"]["message"]
