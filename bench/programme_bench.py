"""Benchmark of the open-data programme: a plan of 200 items and 1,000 milestones,
and a national scoreboard of 2,000 entities (synthetic data).

Targets: plan page p95 <= 300 ms; plan progress action <= 50 ms; scoreboard of
2,000 entities <= 500 ms; saving the whole plan <= 1 s; the home page and the scoreboard
page (with their charts and map of the 2,000 entities) <= 300 ms; an entity's programme
page <= 200 ms. Each page also gets the SQL statements one request runs and its CPU time
in this process, figures that do not depend on the machine's load. Figures are printed and
written to bench/results/programme-<date>.{json,md}.

    bash scripts/bench.sh programme        # or: .venv/bin/python bench/programme_bench.py
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (the report writer)

TARGETS = {"plan_page_p95_ms": 300, "plan_progress_p95_ms": 50,
           "scoreboard_2000_p95_ms": 500, "plan_save_p95_ms": 1000,
           "home_page_p95_ms": 300, "scoreboard_page": 300, "programme_page_p95_ms": 200}
# seats of the synthetic entities, so that the map is shaded as on a real portal
SEATS = ["150101", "080101", "040101", "200101", "130101", "160101", "220101", "210101",
         "050101", "120101", "030101", "250101"]

VERBS = ["Inventariar", "Priorizar", "Publicar", "Validar", "Documentar", "Anonimizar",
         "Actualizar", "Georreferenciar"]
THINGS = ["contrataciones", "proveedores", "órdenes de compra", "sanciones",
          "obras públicas", "convocatorias", "contratos", "penalidades", "adendas"]


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def timed(fn: Callable[[], Any], repeat: int, warmup: int) -> dict[str, float]:
    samples = common.samples_ms(fn, repeat, warmup)
    return {"p50": round(statistics.median(samples), 1),
            "p95": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
            "max": round(samples[-1], 1), "runs": repeat}


def plan_payload(rng: random.Random, items: int, milestones: int) -> dict[str, Any]:
    today = dt.date.today()
    item_rows = [{"key": f"i{n}", "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)} {n}",
                  "status": rng.choice(["planificado", "en-preparacion",
                                        "listo-para-publicar"]),
                  "theme": "economia-y-finanzas", "responsible": "Unidad de datos",
                  "formats": ["CSV"], "criteria": ["solicitudes-ciudadanas-de-datos"]}
                 for n in range(items)]
    milestone_rows = []
    for n in range(milestones):
        start = today + dt.timedelta(days=rng.randint(-400, 200))
        end = start + dt.timedelta(days=rng.randint(10, 120))
        done = end < today and rng.random() < 0.6
        milestone_rows.append({
            "name": f"{rng.choice(VERBS)} {rng.choice(THINGS)} (hito {n})",
            "item_key": f"i{n % items}", "start_date": start.isoformat(),
            "end_date": end.isoformat(), "responsible": "Coordinación",
            "responsible_email": "datos@example.org",
            "status": "completado" if done else rng.choice(["no-iniciado", "en-curso"]),
            "progress": 100 if done else rng.randint(0, 90),
            "actual_end_date": end.isoformat() if done else None,
            "evidence": [{"type": "acta", "title": f"Acta {n}"}] if done else []})
    return {"items": item_rows, "milestones": milestone_rows}


def seed_entities(conn: Any, count: int, rng: random.Random) -> None:
    """Entities with a regulation, a group and a plan each, straight into CKAN's tables."""
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM \"group\" WHERE is_organization AND name LIKE 'entidad-%%'")
    have = cur.fetchone()[0]
    now = dt.datetime.utcnow()
    levels = ["nacional", "regional", "local"]
    for n in range(have, count):
        org_id = str(uuid.uuid4())
        cur.execute(
            "INSERT INTO \"group\" (id, name, title, type, is_organization, state, created,"
            " approval_status, extras) VALUES (%s,%s,%s,'organization',true,'active',%s,"
            "'approved',%s)",
            (org_id, f"entidad-{n:05d}", f"Entidad sintética {n}", now,
             json.dumps({"level_of_government": levels[n % 3],
                         "sector": "economia-y-finanzas",
                         "ubigeo": SEATS[n % len(SEATS)]})))
        norm = f"entidad-{n:05d}-norma"
        records = [
            (norm, "norma", {"validity": "vigente"}),
            (f"entidad-{n:05d}-grupo", "grupo-trabajo",
             {"status": "activo", "creating_norm": norm}),
            (f"entidad-{n:05d}-plan", "plan-apertura",
             {"status": "aprobado", "approving_regulation": norm}),
        ][: rng.randint(1, 3)]
        for name, kind, extras in records:
            pkg_id = str(uuid.uuid4())
            cur.execute(
                "INSERT INTO package (id, name, title, type, owner_org, state, private,"
                " metadata_created, metadata_modified, extras) VALUES"
                " (%s,%s,%s,%s,%s,'active',false,%s,%s,%s)",
                (pkg_id, name, name, kind, org_id, now, now, json.dumps(extras)))
            if kind == "plan-apertura":
                for i in range(rng.randint(2, 8)):
                    cur.execute("INSERT INTO opengovpe_plan_item (id, plan_id, title, status)"
                                " VALUES (%s,%s,%s,%s)",
                                (str(uuid.uuid4()), pkg_id, f"Item {i}",
                                 rng.choice(["planificado", "publicado"])))
                for m in range(rng.randint(2, 10)):
                    cur.execute("INSERT INTO opengovpe_milestone (id, plan_id, name, status,"
                                " progress, end_date) VALUES (%s,%s,%s,%s,%s,%s)",
                                (str(uuid.uuid4()), pkg_id, f"Hito {m}",
                                 rng.choice(["en-curso", "no-iniciado"]), rng.randint(0, 90),
                                 dt.date.today() + dt.timedelta(days=rng.randint(-60, 60))))
    conn.commit()


def write(report: dict[str, Any]) -> None:
    lines = [f"# Programme benchmark ({report['date']})", "",
             f"Synthetic data: one plan of {report['items']} items and {report['milestones']}"
             f" milestones; {report['entities']} entities on the scoreboard. "
             f"{report['repeat']} timed runs after {report['warmup']} warm-ups.", "",
             f"Load average at the end: {' '.join(report.get('load_average', []))}.", "",
             "| measure | p50 ms | p95 ms | max ms | target p95 | | SQL statements |"
             " CPU ms |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for key, figures in report["timings"].items():
        target = TARGETS.get(key)
        verdict = "" if target is None else ("PASS" if figures["p95"] <= target else "FAIL")
        lines.append(f"| {key} | {figures['p50']} | {figures['p95']} | {figures['max']} |"
                     f" {'≤ ' + str(target) if target else ''} | {verdict} |"
                     f" {figures.get('queries', '')} | {figures.get('cpu_ms', '')} |")
    common.write_report(f"programme-{dt.date.today():%Y%m%d}", report, "\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    parser = common.arguments(__doc__, "programme.ini")
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--milestones", type=int, default=1000)
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    say("Applying migrations")
    common.migrate(args.ini)

    import psycopg2
    import sqlalchemy as sa

    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(args.ini)
    app = make_app(conf)
    flask_app = app._wsgi_app  # type: ignore[attr-defined]
    rng = random.Random(20261121)
    report: dict[str, Any] = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                              "items": args.items, "milestones": args.milestones,
                              "entities": args.entities, "repeat": args.repeat,
                              "warmup": args.warmup, "timings": {}}
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    say(f"Entities for the scoreboard: {args.entities}")
    seed_entities(conn, args.entities, rng)
    # fresh planner statistics, as autovacuum keeps them on a running portal
    conn.autocommit = True
    conn.cursor().execute("ANALYZE")

    with flask_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})

        def context() -> dict[str, Any]:
            return {"user": site_user["name"], "ignore_auth": True}

        def action(action_name: str, /, **data: Any) -> Any:
            return tk.get_action(action_name)(context(), data)

        try:
            action("organization_show", id="entidad-bench")
        except tk.ObjectNotFound:
            action("organization_create", name="entidad-bench", title="Entidad de prueba")
        try:
            plan = action("package_show", id="plan-bench")
        except tk.ObjectNotFound:
            plan = action("package_create", type="plan-apertura", name="plan-bench",
                          title="Plan de prueba", owner_org="entidad-bench",
                          status="en-ejecucion")
        payload = plan_payload(rng, args.items, args.milestones)
        say(f"Saving a plan of {args.items} items and {args.milestones} milestones")
        report["timings"]["plan_save_p95_ms"] = timed(
            lambda: action("opengovpe_plan_save", id=plan["id"], **payload),
            max(3, args.repeat // 4), 1)
        report["timings"]["plan_progress_p95_ms"] = timed(
            lambda: action("opengovpe_plan_progress", id=plan["id"]), args.repeat, args.warmup)
        report["timings"]["scoreboard_2000_p95_ms"] = timed(
            lambda: action("opengovpe_scoreboard", limit=5000), args.repeat, args.warmup)

    client = flask_app.test_client()
    statements: list[str] = []
    sa.event.listen(sa.engine.Engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def measure(key: str, url: str, repeat: int, warmup: int) -> None:
        """p50/p95 of the page, and, load-independent, the SQL statements one request runs
        and the CPU time it takes in this process (PostgreSQL's own time not included)."""
        report["timings"][key] = timed(lambda: page(url), repeat, warmup)
        statements.clear()
        cpu = time.process_time()
        page(url)
        report["timings"][key].update(cpu_ms=round((time.process_time() - cpu) * 1000, 1),
                                      queries=len(statements))

    say("Pages over HTTP (Flask test client, anonymous)")
    measure("plan_page_p95_ms", "/plan-apertura/plan-bench/avance", args.repeat, args.warmup)
    measure("scoreboard_page", "/tablero", args.repeat, args.warmup)
    measure("home_page_p95_ms", "/", args.repeat, args.warmup)
    # the same page when every visit reads the national picture afresh
    kept = tk.config.get("ckanext.opengovpe.home.cache_seconds")
    tk.config["ckanext.opengovpe.home.cache_seconds"] = 0
    measure("home_page_uncached", "/", args.repeat, args.warmup)
    tk.config["ckanext.opengovpe.home.cache_seconds"] = kept
    measure("programme_page_p95_ms", "/entidad/entidad-00001/programa", args.repeat,
            args.warmup)
    # an entity whose plan has every item and milestone of the benchmark, found by search
    measure("programme_page_large_plan", "/entidad/entidad-bench/programa", args.repeat,
            args.warmup)
    measure("plan_csv_export", "/plan-apertura/plan-bench/exportar.csv",
            max(5, args.repeat // 2), 1)
    report["load_average"] = open("/proc/loadavg").read().split()[:3]
    write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
