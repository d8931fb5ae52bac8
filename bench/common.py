"""What several benchmarks share: their ini file, a freshly migrated database and how their
reports are written."""
from __future__ import annotations

import argparse
import configparser
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
DSN = "postgresql://ckan_opengovpe:ckan_opengovpe@127.0.0.1:5432/"
SCHEMAS = ("dataset", "working_group", "regulation", "opening_plan", "procurement")


def write_ini(prefix: str, database: str, redis_db: int, settings: dict[str, str],
              schemas: tuple[str, ...] = SCHEMAS) -> str:
    """bench/bench.ini on ``database`` and Redis ``redis_db``, with the portal's schemas and
    ``settings`` on top, written to a temporary file whose path is returned."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(os.path.join(HERE, "bench.ini"))
    app = parser["app:main"]
    app["sqlalchemy.url"] = DSN + database
    app["ckan.redis.url"] = f"redis://127.0.0.1:6379/{redis_db}"
    app["scheming.dataset_schemas"] = " ".join(
        f"ckanext.opengovpe:schemas/{name}.yaml" for name in schemas)
    app["scheming.organization_schemas"] = "ckanext.opengovpe:schemas/organization.yaml"
    app["scheming.presets"] = ("ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml "
                               "ckanext.opengovpe:schemas/presets.yaml")
    for key, value in settings.items():
        app[key] = value
    handle, path = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".ini")
    with os.fdopen(handle, "w") as out:
        parser.write(out)
    return path


def fresh_ocds_database(ini: str, work: str, source: Optional[dict[str, Any]] = None) -> None:
    """Empty the ini's database and migrate it (CKAN, harvest, opengovpe_search, opengovpe),
    with a sysadmin ``bench``, the entity ``oece`` and, if given, a harvest source owned by it
    (``source``: harvest_source_create's fields)."""
    lines = [
        "from ckan.cli import db",
        "from ckan.tests.helpers import reset_db",
        "reset_db()",
        "for plugin in (None, 'harvest', 'opengovpe_search', 'opengovpe'):",
        "    db._run_migrations(plugin)",
        "import ckan.plugins.toolkit as tk",
        "tk.get_action('user_create')({'ignore_auth': True}, {'name': 'bench', "
        "'email': 'bench@example.org', 'password': 'bench-password-1', 'sysadmin': True})",
        "ctx = lambda: {'user': 'bench', 'ignore_auth': True}",
        "org = tk.get_action('organization_create')(ctx(), {'name': 'oece', 'title': 'OECE'})",
    ]
    if source:
        lines.append(f"tk.get_action('harvest_source_create')(ctx(), "
                     f"{{**{source!r}, 'owner_org': org['id']}})")
    script = os.path.join(work, "setup.py")
    with open(script, "w") as out:
        out.write("from ckan.cli import load_config\nfrom ckan.config.middleware import "
                  f"make_app\napp = make_app(load_config({ini!r}))\n"
                  "with app._wsgi_app.test_request_context():\n"
                  + "".join(f"    {line}\n" for line in lines))
    subprocess.run([sys.executable, script], check=True, capture_output=True)


def arguments(doc: Optional[str], ini: str) -> argparse.ArgumentParser:
    """A benchmark's command line, described by its ``doc``, with ``--ini`` (default
    ``bench/<ini>``)."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ini", default=os.path.join(HERE, ini))
    return parser


def migrate(ini: str) -> None:
    """``ckan db upgrade`` on the ini's database."""
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "-c", ini, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL)


def samples_ms(fn: Callable[[], Any], repeat: int, warmup: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``fn`` after ``warmup`` untimed ones, sorted."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def write_report(name: str, report: dict[str, Any], markdown: str) -> str:
    """``report`` as ``bench/results/<name>.json`` and its ``markdown`` summary as
    ``<name>.md``, which is also printed; returns the path of both without the ending."""
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, name)
    with open(stem + ".json", "w", encoding="utf-8") as out:
        json.dump(report, out, ensure_ascii=False, indent=2, default=str)
    with open(stem + ".md", "w", encoding="utf-8") as out:
        out.write(markdown)
    print(markdown)
    return stem
