"""Benchmark of stored quality scores: the national summary over 100,000 stored scores
(1,000 entities of 100 datasets each, 5 % private, rows written straight into the tables)
and a dataset page whose quality box reads its stored row.

Each figure comes with the load average, the SQL statements per call and the EXPLAIN
(ANALYZE, BUFFERS) of the national summary, so that it can be judged on a busy machine.
Results go to bench/results/quality-<date>.{json,md}.

    .venv/bin/python bench/quality_bench.py [--entities 1000] [--per-entity 100]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import uuid
from typing import Any, Callable

from common import write_ini, write_report
from programme_bench import timed

HERE = os.path.dirname(os.path.abspath(__file__))
DATABASE = os.environ.get("OPENGOVPE_BENCH_QUALITY_DB", "ckan_opengovpe_bench_quality")
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability",
              "contextuality")
POINTS = (100, 100, 110, 75, 20)  # each dimension's maximum in the MQA table


def seed(conn: Any, entities: int, per_entity: int, rng: random.Random) -> None:
    """Entities, datasets and their stored scores, unless already there."""
    from psycopg2.extras import execute_values

    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM opengovpe_quality_score")
    if cur.fetchone()[0] >= entities * per_entity:
        return
    now = dt.datetime.utcnow()
    for n in range(entities):
        org_id = str(uuid.uuid4())
        cur.execute(
            "INSERT INTO \"group\" (id, name, title, type, is_organization, state, created,"
            " approval_status, extras) VALUES (%s,%s,%s,'organization',true,'active',%s,"
            "'approved','{}')",
            (org_id, f"calidad-{n:05d}", f"Entidad {n}", now))
        packages, scores = [], []
        for i in range(per_entity):
            pkg_id = str(uuid.uuid4())
            packages.append((pkg_id, f"calidad-{n:05d}-{i:04d}", f"Datos {n}-{i}", org_id,
                             rng.random() < 0.05, now, now))
            dims = [round(rng.uniform(0, top), 2) for top in POINTS]
            fixes = [{"key": "keywords", "dimension": "findability", "points": 30,
                      "gain": 30}] * rng.randint(0, 6)
            scores.append((pkg_id, round(sum(dims), 2), *dims, True, "[]", json.dumps(fixes),
                           [f"http://datos.example.org/{pkg_id}.csv"], now, now))
        execute_values(cur, "INSERT INTO package (id, name, title, owner_org, private,"
                       " metadata_created, metadata_modified, type, state) VALUES %s",
                       packages, template="(%s,%s,%s,%s,%s,%s,%s,'dataset','active')")
        execute_values(cur, "INSERT INTO opengovpe_quality_score (package_id, total,"
                       " findability, accessibility, interoperability, reusability,"
                       " contextuality, shacl_conforms, shacl_violations, fixes, urls,"
                       " metadata_modified, computed_at) VALUES %s", scores)
    conn.commit()
    cur.execute("ANALYZE package; ANALYZE opengovpe_quality_score")
    conn.commit()


class Statements:
    """Counts the SQL statements the engine runs."""

    def __init__(self) -> None:
        import sqlalchemy as sa
        from ckan.model import meta

        self.count = 0
        sa.event.listen(meta.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1

    def per_call(self, fn: Callable[[], Any]) -> int:
        before = self.count
        fn()
        return self.count - before


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--per-entity", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    settings = {
        "ckan.plugins": "opengovpe_search opengovpe activity scheming_datasets "
                        "scheming_organizations dcat",
        "ckanext.dcat.rdf.profiles": "dcat_ap_pe",
        "ckan.site_id": "opengovpe_bench_quality",
    }
    if os.environ.get("OPENGOVPE_REDIS_URL"):
        settings["ckan.redis.url"] = os.environ["OPENGOVPE_REDIS_URL"]
    ini = write_ini("quality", DATABASE, 1, settings,
                    schemas=("dataset", "working_group", "regulation", "opening_plan"))
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "-c", ini, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL)

    import psycopg2
    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(ini)
    flask_app = make_app(conf)._wsgi_app  # type: ignore[attr-defined]
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    seed(conn, args.entities, args.per_entity, random.Random(20261126))

    from ckanext.opengovpe.quality import score, store

    statements = Statements()
    timings: dict[str, Any] = {}
    queries: dict[str, int] = {}
    with flask_app.test_request_context():
        context = {"ignore_auth": True}

        def national() -> Any:
            return tk.get_action("opengovpe_quality_summary")(dict(context), {})

        timings["summary_national_action"] = timed(national, args.repeat, args.warmup)
        timings["summary_national_action"]["loadavg"] = loadavg()
        queries["summary_national_action"] = statements.per_call(national)
        cur = conn.cursor()
        cur.execute("SELECT id FROM \"group\" WHERE name LIKE 'calidad-%%' ORDER BY name"
                    " LIMIT 100")
        ids = [r[0] for r in cur.fetchall()]
        timings["entity_averages_100_entities"] = timed(
            lambda: store.entity_averages(ids), args.repeat, args.warmup)
        timings["entity_averages_100_entities"]["loadavg"] = loadavg()
        timings["entity_averages_all"] = timed(
            lambda: store.entity_averages(None), args.repeat, args.warmup)
        timings["entity_averages_all"]["loadavg"] = loadavg()
        queries["entity_averages_all"] = statements.per_call(lambda: store.entity_averages(None))
        summary = national()

        # the national query as PostgreSQL runs it
        import sqlalchemy as sa
        from ckan import model

        package, table = model.package_table, store.table
        statement = (sa.select(*store._aggregates())
                     .select_from(table.join(package, package.c.id == table.c.package_id))
                     .where(store._published()))
        compiled = str(statement.compile(dialect=model.meta.engine.dialect,
                                         compile_kwargs={"literal_binds": True}))
        explain = "\n".join(r[0] for r in model.Session.execute(
            sa.text("EXPLAIN (ANALYZE, BUFFERS) " + compiled)))

        # one fully described dataset, its score stored once
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = {"user": site_user["name"], "ignore_auth": True}
        org = tk.get_action("organization_show")(dict(ctx), {"id": "calidad-00000"})
        name = "calidad-pagina-de-prueba"
        try:
            dataset = tk.get_action("package_show")(dict(ctx), {"id": name})
        except tk.ObjectNotFound:
            dataset = tk.get_action("package_create")(dict(ctx), {
                "name": name, "title": "Licencias de funcionamiento",
                "notes": "Licencias otorgadas por giro y fecha.", "owner_org": org["id"],
                "tags": [{"name": "licencias"}], "license_id": "cc-by",
                "pnda_theme": "economia-y-finanzas", "access_rights": "publico",
                "frequency": "MONTHLY", "issued": "2020-02-01", "modified": "2025-07-01",
                "contact": [{"name": "Gobierno Digital", "email": "gd@example.org"}],
                "resources": [{"url": "http://datos.example.org/licencias.csv",
                               "name": "Licencias", "format": "CSV", "mimetype": "text/csv",
                               "license": "cc-by"}]})
        started = time.process_time(), time.perf_counter()
        score.dataset_quality(dataset)
        computing = {"cpu_ms": round((time.process_time() - started[0]) * 1000, 1),
                     "wall_ms": round((time.perf_counter() - started[1]) * 1000, 1),
                     "loadavg": loadavg()}
        store.compute(dataset)
        model.Session.remove()

    client = flask_app.test_client()

    def page() -> None:
        response = client.get(f"/dataset/{name}")
        assert response.status_code == 200 and b'id="calidad-metadatos"' in response.data

    timings["dataset_page_stored_box"] = timed(page, args.repeat, args.warmup)
    timings["dataset_page_stored_box"]["loadavg"] = loadavg()
    queries["dataset_page_stored_box"] = statements.per_call(page)
    started = time.process_time()
    for _ in range(args.repeat):
        page()
    page_cpu = round((time.process_time() - started) * 1000 / args.repeat, 1)
    report = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "stored_scores": args.entities * args.per_entity, "entities": args.entities,
              "repeat": args.repeat, "timings": timings, "statements_per_call": queries,
              "dataset_page_cpu_ms": page_cpu, "computing_one_score": computing,
              "summary": summary, "explain_national": explain}
    lines = [f"# Quality benchmark ({report['date']})", "",
             f"{report['stored_scores']} stored scores of {args.entities} entities (5 % "
             f"private); {args.repeat} timed runs. Load average beside each figure.", "",
             "| measure | p50 ms | p95 ms | max ms | SQL statements | load average |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {key} | {f['p50']} | {f['p95']} | {f['max']} | {queries.get(key, '')} |"
              f" {f['loadavg']} |" for key, f in timings.items()]
    lines += ["", f"Dataset page CPU time per request (this process): {page_cpu} ms.",
              f"Computing one score instead (DCAT graph and SHACL), as the page did before: "
              f"{computing['wall_ms']} ms wall, {computing['cpu_ms']} ms CPU "
              f"(load {computing['loadavg']}).", "",
              "National summary, EXPLAIN (ANALYZE, BUFFERS):", "", "```", explain, "```", ""]
    write_report(f"quality-{dt.date.today():%Y%m%d}", report, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
