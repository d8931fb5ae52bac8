"""Benchmark of usage figures: 2,000 entities, each with a plan whose items publish five
datasets, and 100,000 days of views and downloads in CKAN's tracking summary (synthetic).

Target: the national usage (action and CSV) and the scoreboard page with its usage column,
p95 <= 500 ms. Figures are printed and written to bench/results/usage-<date>.{json,md}.

    bash scripts/bench.sh usage        # or: .venv/bin/python bench/usage_bench.py
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import uuid
from typing import Any

from programme_bench import common, timed

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
TARGET_MS = 500


def seed(conn: Any, entities: int, rows: int, rng: random.Random) -> None:
    """Entities, plans, items, published datasets with a resource each, and summary rows,
    straight into the tables; nothing is added when the entities are already there."""
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM \"group\" WHERE name LIKE 'uso-%%'")
    if cur.fetchone()[0] >= entities:
        return
    now = dt.datetime.utcnow()
    datasets: list[tuple[str, str]] = []
    for n in range(entities):
        org_id, plan_id = str(uuid.uuid4()), str(uuid.uuid4())
        cur.execute(
            "INSERT INTO \"group\" (id, name, title, type, is_organization, state, created,"
            " approval_status, extras) VALUES (%s,%s,%s,'organization',true,'active',%s,"
            "'approved',%s)",
            (org_id, f"uso-{n:05d}", f"Entidad {n}", now,
             json.dumps({"level_of_government": "nacional", "sector": "economia-y-finanzas"})))
        cur.execute(
            "INSERT INTO package (id, name, title, type, owner_org, state, private,"
            " metadata_created, metadata_modified, extras) VALUES"
            " (%s,%s,%s,'plan-apertura',%s,'active',false,%s,%s,%s)",
            (plan_id, f"uso-{n:05d}-plan", "Plan", org_id, now, now,
             json.dumps({"status": "aprobado"})))
        for i in range(5):
            pkg_id, name = str(uuid.uuid4()), f"uso-{n:05d}-datos-{i}"
            cur.execute(
                "INSERT INTO package (id, name, title, type, owner_org, state, private,"
                " metadata_created, metadata_modified) VALUES"
                " (%s,%s,%s,'dataset',%s,'active',false,%s,%s)",
                (pkg_id, name, name, org_id, now, now))
            url = f"http://datos.example.org/{name}.csv"
            cur.execute("INSERT INTO resource (id, package_id, url, format, state, position)"
                        " VALUES (%s,%s,%s,'CSV','active',0)", (str(uuid.uuid4()), pkg_id, url))
            cur.execute("INSERT INTO opengovpe_plan_item (id, plan_id, title, status, dataset_id)"
                        " VALUES (%s,%s,%s,'publicado',%s)",
                        (str(uuid.uuid4()), plan_id, f"Datos {i}", pkg_id))
            datasets.append((pkg_id, name))
    today = dt.date.today()
    summary = []
    for _ in range(rows):
        pkg_id, name = rng.choice(datasets)
        day = today - dt.timedelta(days=rng.randint(0, 729))
        if rng.random() < 0.8:
            summary.append((f"/dataset/{name}", pkg_id, "page", rng.randint(1, 20), day))
        else:
            summary.append((f"http://datos.example.org/{name}.csv", "~~not~found~~",
                            "resource", rng.randint(1, 5), day))
    cur.executemany("INSERT INTO tracking_summary (url, package_id, tracking_type, count,"
                    " running_total, recent_views, tracking_date) VALUES (%s,%s,%s,%s,0,0,%s)",
                    summary)
    conn.commit()


def main(argv: list[str]) -> int:
    parser = common.arguments(__doc__, "usage.ini")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)

    common.migrate(args.ini)

    import psycopg2

    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(args.ini)
    flask_app = make_app(conf)._wsgi_app  # type: ignore[attr-defined]
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    seed(conn, args.entities, args.rows, random.Random(20261126))
    timings: dict[str, Any] = {}
    with flask_app.test_request_context():
        context = {"ignore_auth": True}
        timings["usage_national_action"] = timed(
            lambda: tk.get_action("opengovpe_usage_national")(dict(context), {}),
            args.repeat, args.warmup)
        timings["usage_entity_action"] = timed(
            lambda: tk.get_action("opengovpe_usage_show")(dict(context), {"id": "uso-01000"}),
            args.repeat, args.warmup)
    client = flask_app.test_client()

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    timings["usage_national_csv"] = timed(lambda: page("/tablero/uso.csv"), args.repeat,
                                          args.warmup)
    timings["scoreboard_page_with_usage"] = timed(lambda: page("/tablero"), args.repeat,
                                                  args.warmup)
    report = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "entities": args.entities,
              "rows": args.rows, "repeat": args.repeat, "timings": timings}
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, f"usage-{dt.date.today():%Y%m%d}")
    with open(stem + ".json", "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2)
    lines = [f"# Usage benchmark ({report['date']})", "",
             f"{args.entities} entities, {args.entities * 5} published datasets, {args.rows}"
             f" tracking summary rows; {args.repeat} timed runs.", "",
             "| measure | p50 ms | p95 ms | max ms | target p95 | |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {key} | {f['p50']} | {f['p95']} | {f['max']} | ≤ {TARGET_MS} |"
              f" {'PASS' if f['p95'] <= TARGET_MS else 'FAIL'} |" for key, f in timings.items()]
    text = "\n".join(lines) + "\n"
    with open(stem + ".md", "w", encoding="utf-8") as out:
        out.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
