"""Benchmark of usage, the story pages and the scoreboard: 2,000 entities, each with a plan
whose items publish 50 datasets (100,000 in all), citizens' data requests, and views and
downloads in CKAN's tracking summary (synthetic).

Targets: the national story page, the usage page and the scoreboard page (with demand, usage
and quality columns) of 2,000 entities and 100,000 datasets p95 <= 500 ms; the scoreboard
action of 2,000 entities p95 <= 300 ms. Besides milliseconds the report gives the SQL
statements each request runs and EXPLAIN ANALYZE of the aggregates, and the load average,
since the machine is shared. The ``usage_publish`` job (sum, files, open datasets) is timed
once. Figures are printed and written to bench/results/usage-story-<date>.{json,md}.

    bash scripts/bench.sh usage        # or: .venv/bin/python bench/usage_bench.py
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402
from programme_bench import timed  # noqa: E402

RESULTS = os.path.join(HERE, "results")
TARGETS = {"scoreboard_action": 300, "scoreboard_page": 500, "scoreboard_page_by_usage": 500,
           "scoreboard_page_by_quality": 500, "scoreboard_csv": 500, "national_story": 500,
           "usage_page": 500, "entity_story": 500, "usage_entity_action": 500}


def loadavg() -> str:
    with open("/proc/loadavg", encoding="ascii") as source:
        return " ".join(source.read().split()[:3])


def seed(conn: Any, entities: int, per_entity: int, rows: int, requests: int,
         rng: random.Random) -> bool:
    """Entities, plans, items, published datasets with a resource each, data requests and
    tracking summary rows, straight into the tables; nothing is added when the entities
    are already there. Returns whether it seeded."""
    from psycopg2.extras import execute_values

    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM \"group\" WHERE name LIKE 'uso-%%'")
    if cur.fetchone()[0] >= entities:
        return False
    now = dt.datetime.utcnow()
    today = dt.date.today()
    groups, packages, resources, items, asked = [], [], [], [], []
    datasets: list[tuple[str, str]] = []
    org_ids = []
    for n in range(entities):
        org_id, plan_id = str(uuid.uuid4()), str(uuid.uuid4())
        org_ids.append(org_id)
        groups.append((org_id, f"uso-{n:05d}", f"Entidad {n}", now, json.dumps(
            {"level_of_government": "nacional", "sector": "economia-y-finanzas"})))
        packages.append((plan_id, f"uso-{n:05d}-plan", "Plan", "plan-apertura", org_id, now,
                         json.dumps({"status": "aprobado"})))
        for i in range(per_entity):
            pkg_id, name = str(uuid.uuid4()), f"uso-{n:05d}-datos-{i}"
            created = now - dt.timedelta(days=rng.randint(0, 400))
            packages.append((pkg_id, name, name, "dataset", org_id, created, None))
            resources.append((str(uuid.uuid4()), pkg_id, f"http://datos.example.org/{name}.csv"))
            committed = today + dt.timedelta(days=rng.randint(-300, 200))
            items.append((str(uuid.uuid4()), plan_id, i, f"Datos {i}",
                          "publicado" if rng.random() < 0.7 else "planificado",
                          pkg_id, committed))
            datasets.append((pkg_id, name))
    for _ in range(requests):
        created = now - dt.timedelta(days=rng.randint(1, 300))
        answered = rng.random() < 0.6
        asked.append((str(uuid.uuid4()), rng.choice(org_ids), "Pedido", "Datos", "aprobada",
                       "rechazada" if answered else "abierta",
                       created + dt.timedelta(days=rng.randint(1, 30)) if answered else None,
                       created))
    execute_values(cur, "INSERT INTO \"group\" (id, name, title, created, extras, type,"
                   " is_organization, state, approval_status) VALUES %s", groups,
                   template="(%s,%s,%s,%s,%s,'organization',true,'active','approved')",
                   page_size=2000)
    execute_values(cur, "INSERT INTO package (id, name, title, type, owner_org,"
                   " metadata_created, extras, metadata_modified, state, private) VALUES %s",
                   packages, template="(%s,%s,%s,%s,%s,%s,%s,now(),'active',false)",
                   page_size=5000)
    execute_values(cur, "INSERT INTO resource (id, package_id, url, format, state, position)"
                   " VALUES %s", resources, template="(%s,%s,%s,'CSV','active',0)",
                   page_size=5000)
    execute_values(cur, "INSERT INTO opengovpe_plan_item (id, plan_id, position, title, status,"
                   " dataset_id, committed_date) VALUES %s", items, page_size=5000)
    execute_values(cur, "INSERT INTO opengovpe_data_request (id, owner_org, title, description,"
                   " state, status, answered, created) VALUES %s", asked, page_size=5000)
    summary = []
    for _ in range(rows):
        pkg_id, name = rng.choice(datasets)
        day = today - dt.timedelta(days=rng.randint(0, 729))
        if rng.random() < 0.8:
            summary.append((f"/dataset/{name}", pkg_id, "page", rng.randint(1, 20), day))
        else:
            summary.append((f"http://datos.example.org/{name}.csv", "~~not~found~~",
                            "resource", rng.randint(1, 5), day))
    execute_values(cur, "INSERT INTO tracking_summary (url, package_id, tracking_type, count,"
                   " running_total, recent_views, tracking_date) VALUES %s", summary,
                   template="(%s,%s,%s,%s,0,0,%s)", page_size=5000)
    conn.commit()
    cur.execute("ANALYZE")
    conn.commit()
    return True


def seed_quality(conn: Any) -> None:
    """A stored MQA score for every dataset, when none is stored yet (as the quality job
    leaves them), so that the scoreboard's and the story's quality figures read 100,000."""
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM opengovpe_quality_score")
    if cur.fetchone()[0]:
        return
    cur.execute(
        "INSERT INTO opengovpe_quality_score (package_id, total, findability, accessibility,"
        " interoperability, reusability, contextuality, shacl_conforms, metadata_modified,"
        " computed_at) SELECT id, f + a + i + r + c, f, a, i, r, c, true, metadata_modified,"
        " now() FROM (SELECT id, metadata_modified, random() * 100 AS f, random() * 100 AS a,"
        " random() * 110 AS i, random() * 75 AS r, random() * 20 AS c FROM package"
        " WHERE type = 'dataset') AS scored")
    cur.execute("ANALYZE opengovpe_quality_score")
    conn.commit()


def counting(engine: Any) -> Callable[[], int]:
    """A counter of the SQL statements run on ``engine`` since it was last read."""
    import sqlalchemy as sa

    seen = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        seen[0] += 1

    def read() -> int:
        value, seen[0] = seen[0], 0
        return value
    return read


def explain(session: Any, statement: Any, params: dict[str, Any]) -> str:
    """EXPLAIN ANALYZE of a statement (SQL text with its parameters, or a Core select)."""
    import sqlalchemy as sa

    if not isinstance(statement, sa.TextClause):
        statement = sa.text(str(statement.compile(compile_kwargs={"literal_binds": True})))
    plan = session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + statement.text), params)
    return "\n".join(plan.scalars().all())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="ckan_opengovpe_bench_usage")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--per-entity", type=int, default=50)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    ini = common.write_ini("usage", args.database, 7, {
        "ckan.plugins": "opengovpe opengovpe_search activity scheming_datasets "
                        "scheming_organizations dcat tracking",
        "ckan.redis.url": args.redis, "ckanext.opengovpe.home.cache_seconds": "0"})
    env = {k: v for k, v in os.environ.items()
           if k not in ("CKAN_SQLALCHEMY_URL", "CKAN_REDIS_URL")}
    os.environ.pop("CKAN_SQLALCHEMY_URL", None)
    os.environ.pop("CKAN_REDIS_URL", None)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    for plugin in (None, "activity", "opengovpe"):
        subprocess.run([ckan, "-c", ini, "db", "upgrade", *(["-p", plugin] if plugin else [])],
                       check=True, stdout=subprocess.DEVNULL, env=env)

    import psycopg2
    import sqlalchemy as sa

    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(ini)
    flask_app = make_app(conf)._wsgi_app  # type: ignore[attr-defined]
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    started = loadavg()
    seeded = seed(conn, args.entities, args.per_entity, args.rows, args.requests,
                  random.Random(20261126))
    seed_quality(conn)
    statements = counting(model.meta.engine)
    timings: dict[str, Any] = {}
    job: dict[str, Any] = {}
    explained: dict[str, str] = {}
    with flask_app.test_request_context():
        from ckanext.opengovpe.programme import status, story, usage_data

        start = time.perf_counter()
        job["refresh_rows"] = usage_data.refresh()
        job["refresh_s"] = round(time.perf_counter() - start, 2)
        storage = os.path.join(HERE, "..", "var", "bench-storage")
        tk.config["ckan.storage_path"] = storage
        start = time.perf_counter()
        entities = sorted(set(model.Session.execute(sa.text(
            "SELECT owner_org FROM package WHERE type = 'dataset'")).scalars()))
        job["files"] = len(usage_data.write_files(entities))
        job["files_s"] = round(time.perf_counter() - start, 2)
        context = {"ignore_auth": True}
        statements()
        for name, fn in (
                ("scoreboard_action", lambda: tk.get_action("opengovpe_scoreboard")(
                    dict(context), {"limit": 5000})),
                ("usage_entity_action", lambda: tk.get_action("opengovpe_usage_show")(
                    dict(context), {"id": "uso-01000"}))):
            timings[name] = timed(fn, args.repeat, args.warmup)
            timings[name]["queries"] = statements() // (args.repeat + args.warmup)
        today = dt.date.today()
        since = usage_data.year_start(today)
        from ckanext.opengovpe.programme import progress

        explained["scoreboard (status._SQL)"] = explain(model.Session, status._SQL, dict(
            progress.parameters(today), org=None, level=None, sector=None))
        u = usage_data.usage_month_table.c
        explained["usage by entity, 12 months"] = explain(
            model.Session, sa.select(u.owner_org, sa.func.sum(u.views + u.downloads))
            .where(u.month >= since).group_by(u.owner_org), {})
        explained["story counts, national"] = explain(
            model.Session, story._sql(story._COUNTS, None), story._parameters(None, today))
        from ckanext.opengovpe.model import data_request_table

        r = data_request_table.c
        from ckanext.opengovpe.quality import store as quality_store

        explained["quality by entity (store.entity_averages)"] = explain(
            model.Session, sa.select(model.package_table.c.owner_org,
                                     *quality_store._aggregates())
            .select_from(quality_store.table.join(
                model.package_table,
                model.package_table.c.id == quality_store.table.c.package_id))
            .where(quality_store._published()).group_by(model.package_table.c.owner_org), {})
        explained["data requests by entity"] = explain(model.Session, sa.select(
            r.owner_org, sa.func.count(), sa.func.percentile_cont(0.5).within_group(
                sa.extract("epoch", r.answered - r.created)))
            .where(r.state == "aprobada").group_by(r.owner_org), {})
        model.Session.rollback()
    client = flask_app.test_client()

    def page(url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return get

    for name, url in (("scoreboard_page", "/tablero"),
                      ("scoreboard_page_by_usage", "/tablero?sort=usage+desc"),
                      ("scoreboard_page_by_quality", "/tablero?sort=quality+desc"),
                      ("scoreboard_csv", "/tablero.csv"),
                      ("national_story", "/tablero/historia"),
                      ("usage_page", "/tablero/uso"),
                      ("entity_story", "/entidad/uso-01000/historia")):
        statements()
        timings[name] = timed(page(url), args.repeat, args.warmup)
        timings[name]["queries"] = statements() // (args.repeat + args.warmup)
    # the country's story as the portal serves it by default: kept for 60 s per process
    tk.config["ckanext.opengovpe.home.cache_seconds"] = 60
    statements()
    timings["national_story_kept_60s"] = timed(page("/tablero/historia"), args.repeat,
                                               args.warmup)
    timings["national_story_kept_60s"]["queries"] = statements() // (args.repeat + args.warmup)
    ended = loadavg()
    report = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "entities": args.entities,
              "datasets": args.entities * args.per_entity, "rows": args.rows,
              "requests": args.requests, "repeat": args.repeat, "seeded": seeded,
              "loadavg_start": started, "loadavg_end": ended, "job": job,
              "timings": timings, "explain": explained}
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, f"usage-story-{dt.date.today():%Y%m%d}")
    with open(stem + ".json", "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2)
    lines = [f"# Usage, story and scoreboard benchmark ({report['date']})", "",
             f"{args.entities} entities, {report['datasets']} published datasets, "
             f"{args.rows} tracking summary rows, {args.requests} data requests; "
             f"{args.repeat} timed runs. Load average (1, 5, 15 min) {started} at the start, "
             f"{ended} at the end, on 2 cores.", "",
             f"usage_publish job: monthly table {job['refresh_s']} s "
             f"({job['refresh_rows']} rows), {job['files']} CSV files {job['files_s']} s.", "",
             "| measure | p50 ms | p95 ms | max ms | SQL statements | target p95 | |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {key} | {f['p50']} | {f['p95']} | {f['max']} | {f['queries']} |"
              f" ≤ {TARGETS.get(key, 500)} |"
              f" {'PASS' if f['p95'] <= TARGETS.get(key, 500) else 'FAIL'} |"
              for key, f in timings.items()]
    for title, plan in explained.items():
        lines += ["", f"## EXPLAIN ANALYZE: {title}", "", "```", plan, "```"]
    text = "\n".join(lines) + "\n"
    with open(stem + ".md", "w", encoding="utf-8") as out:
        out.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
