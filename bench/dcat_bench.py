"""Catalogue benchmark: the dcat_ap_pe profile and its endpoints at N datasets.

Measures, on a dedicated database of N synthetic publication datasets:

- a catalogue page of 100 datasets (Turtle) with our keyset endpoint and profile, against
  ckanext-dcat's own ``dcat_catalog_show`` with the stock ``euro_dcat_ap_3`` profile on the same
  data (target: our p95 at least 3x faster);
- page 100 against page 1 of our endpoint (target: at most 1.2x);
- ``ckan opengovpe catalog-dump`` of the whole catalogue in a child process (targets: 60 s,
  300 MB peak RSS);
- ``/data.json`` built from scratch and served from the cache (target: 10 s).

Seeding: 40 entities and 200 "template" datasets are created through the API
(``organization_create``/``package_create``, so every scheming field is validated as a user
would enter it); the other datasets are SQL copies of those templates (new ids, names, titles,
resources and modification times), then the search index is rebuilt with
``ckan.lib.search.rebuild`` so every indexed dict comes from ``package_show``. Creating 10,000
datasets through the API would take about 15 minutes on two cores; this takes about two.

Run: ``.venv/bin/python bench/dcat_bench.py [--n 10000] [--database ckan_opengovpe_ha_bench]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (bench/common.py)
ROOT = os.path.dirname(HERE)
RESULTS = common.RESULTS
TEMPLATES = 200
ORGS = 40

TARGETS = {"page_speedup_vs_stock_p95": 3.0, "page100_over_page1_p95": 1.2,
           "dump_seconds": 60.0, "dump_peak_rss_mb": 300.0, "datajson_cold_seconds": 10.0}

PNDA = ["gobernabilidad", "economia-y-finanzas", "desarrollo-social", "transporte",
        "medio-ambiente-y-recursos-naturales", "salud", "educacion", "energia"]
FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG"]
UBIGEO = ["15", "1501", "150101", "150122", "08", "0801", "04", "0401", "13", "1301"]
FORMATS = [("CSV", "text/csv"), ("XLSX", None), ("JSON", "application/json"), ("PDF", None)]
SUBJECTS = ["Contrataciones", "Presupuesto", "Matrícula escolar", "Atenciones de salud",
            "Licencias de funcionamiento", "Recaudación tributaria", "Calidad del agua",
            "Accidentes de tránsito", "Proyectos de inversión", "Programas sociales"]


def say(text: str) -> None:
    print(f"[dcat-bench {dt.datetime.now():%H:%M:%S}] {text}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def write_ini(database: str, redis_db: int) -> str:
    """bench/bench.ini with the portal's plugins and catalogue settings, in a temp file."""
    return common.write_ini("dcat-bench", database, redis_db, {
        "ckan.site_id": "opengovpe_dcat_bench",
        "ckan.site_url": "http://bench.ckan.net",
        "ckan.storage_path": os.path.join(tempfile.gettempdir(), "opengovpe-dcat-bench"),
        "ckan.plugins": ("opengovpe opengovpe_search activity scheming_datasets "
                         "scheming_organizations dcat"),
        "ckanext.dcat.rdf.profiles": "dcat_ap_pe",
        "ckanext.dcat.enable_rdf_endpoints": "false",
        "ckanext.dcat.enable_content_negotiation": "false"},
        schemas=("dataset", "working_group", "regulation", "opening_plan"))


def template_dataset(i: int, org: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    subject = SUBJECTS[i % len(SUBJECTS)]
    year = 2019 + i % 6
    resources = []
    for r in range(1 + i % 3):
        fmt, mimetype = FORMATS[(i + r) % len(FORMATS)]
        resources.append({"name": f"{subject} {year} ({fmt})", "format": fmt,
                          "mimetype": mimetype,
                          "url": f"https://datos.example.gob.pe/{i}/{r}.{fmt.lower()}",
                          "description": f"Archivo {r + 1} de {subject.lower()}.",
                          "size": rng.randint(1000, 10_000_000)})
    return {
        "name": f"plantilla-{i:04d}", "title": f"{subject} de {org['title']} {year}",
        "notes": f"{subject} registrados por {org['title']} durante {year}. " * 3,
        "owner_org": org["id"], "tags": [{"name": t} for t in subject.lower().split()[:2]],
        "license_id": ["odc-by", "cc-by", "cc-zero"][i % 3],
        "pnda_theme": PNDA[i % len(PNDA)], "frequency": FREQUENCIES[i % len(FREQUENCIES)],
        "language": ["SPA"] if i % 4 else ["SPA", "QUE"],
        "access_rights": "publico" if i % 10 else "publico-restringido",
        "temporal_coverage": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
        "ubigeo_coverage": [UBIGEO[i % len(UBIGEO)]],
        "contact": [{"name": "Oficina de datos abiertos",
                     "email": f"datos{i % ORGS}@entidad.gob.pe"}],
        "url": f"https://datos.example.gob.pe/{i}",
        "data_dictionary": f"https://datos.example.gob.pe/{i}/diccionario.pdf",
        "conforms_to": ["https://standard.open-contracting.org/1.1/"] if i % 5 == 0 else [],
        "resources": resources,
    }


def seed(n: int, conn: Any) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan.lib import search

    started = time.perf_counter()
    context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
               "ignore_auth": True}
    rng = random.Random(7)
    orgs = []
    for i in range(ORGS):
        orgs.append(tk.get_action("organization_create")(dict(context), {
            "name": f"entidad-{i:02d}", "title": f"Entidad pública número {i}",
            "acronym": f"EP{i}", "ruc": "20419026809", "level_of_government":
                ["nacional", "regional", "local"][i % 3],
            "ubigeo": UBIGEO[i % len(UBIGEO)], "website": f"https://www.entidad{i}.gob.pe",
            "open_data_email": f"datos@entidad{i}.gob.pe"}))
    templates = [tk.get_action("package_create")(dict(context),
                                                 template_dataset(i, orgs[i % ORGS], rng))
                 for i in range(min(TEMPLATES, n))]
    api_seconds = time.perf_counter() - started
    copies = n - len(templates)
    cursor = conn.cursor()
    cursor.execute("CREATE TEMP TABLE clone_map (n int, src text, new_id text, modified "
                   "timestamp)")
    base = dt.datetime(2021, 1, 1)
    rows = [(k, templates[k % len(templates)]["id"], f"00000000-0000-4000-8000-{k:012d}",
             base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 5)))
            for k in range(copies)]
    cursor.executemany("INSERT INTO clone_map VALUES (%s, %s, %s, %s)", rows)

    def columns(table: str) -> list[str]:
        cursor.execute("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = %s ORDER BY ordinal_position", (table,))
        return [row[0] for row in cursor.fetchall()]

    def copy(table: str, join: str, replace: dict[str, str]) -> None:
        cols = columns(table)
        select = ", ".join(replace.get(c, f"t.{c}") for c in cols)
        cursor.execute(f'INSERT INTO "{table}" ({", ".join(cols)}) '
                       f"SELECT {select} FROM \"{table}\" t JOIN clone_map m ON {join}")

    copy("package", "t.id = m.src", {
        "id": "m.new_id", "name": "t.name || '-c' || m.n", "title": "t.title || ' (' || m.n || ')'",
        "metadata_modified": "m.modified", "metadata_created": "m.modified"})
    copy("resource", "t.package_id = m.src", {"id": "gen_random_uuid()::text",
                                               "package_id": "m.new_id"})
    copy("package_tag", "t.package_id = m.src", {"id": "gen_random_uuid()::text",
                                                  "package_id": "m.new_id"})
    conn.commit()
    sql_seconds = time.perf_counter() - started - api_seconds
    say(f"{len(templates)} datasets through the API in {api_seconds:.0f} s, {copies} copies "
        f"in SQL in {sql_seconds:.1f} s; rebuilding the index")
    search.rebuild(defer_commit=True, quiet=True)
    from ckan import model
    model.Session.commit()
    return {"datasets": n, "organizations": ORGS, "api_created": len(templates),
            "sql_copies": copies, "api_seconds": round(api_seconds, 1),
            "sql_seconds": round(sql_seconds, 1),
            "total_seconds": round(time.perf_counter() - started, 1)}


def timed(fn: Callable[[], Any], repeat: int, warmup: int) -> dict[str, Any]:
    samples = common.samples_ms(fn, repeat, warmup)
    return {"p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1),
            "mean_ms": round(sum(samples) / len(samples), 1), "runs": repeat}


def crawl(client: Any, pages: int) -> list[str]:
    """The paths of the first ``pages`` catalogue pages, following hydra:next."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    hydra = "http://www.w3.org/ns/hydra/core#"
    urls: list[str] = []
    url: str | None = "/catalog.ttl"
    while url and len(urls) < pages:
        urls.append(url)
        g = Graph().parse(data=client.get(url).data, format="turtle")
        view = next(g.subjects(RDF.type, URIRef(hydra + "PartialCollectionView")))
        following = g.value(view, URIRef(hydra + "next"))
        url = str(following).replace("http://bench.ckan.net", "") if following else None
    return urls


def time_dump(ini: str, fmt: str) -> dict[str, Any]:
    """``ckan opengovpe catalog-dump`` in a child process: seconds, peak RSS, bytes."""
    target = os.path.join(tempfile.gettempdir(), f"opengovpe-dcat-bench.{fmt}")
    started = time.perf_counter()
    child = subprocess.run(
        [os.path.join(ROOT, ".venv", "bin", "python"), "-c",
         "import resource\n"
         "from ckan.cli.cli import ckan\n"
         "try:\n"
         f"    ckan(['-c', {ini!r}, 'opengovpe', 'catalog-dump', '--format', {fmt!r}, "
         f"'--output', {target!r}])\n"
         "except SystemExit:\n"
         "    pass\n"
         "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"],
        capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak = [line for line in child.stdout.splitlines() if line.startswith("peak_rss_kb")]
    if not peak:
        raise SystemExit(f"dump failed: {child.stdout}\n{child.stderr}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(int(peak[0].split()[1]) / 1024, 1),
            "bytes": os.path.getsize(target), "output": child.stdout.splitlines()[0]}


def verdicts(report: dict[str, Any]) -> None:
    speedup = report["stock_page1"]["p95_ms"] / report["ours_page1"]["p95_ms"]
    ratio = report["ours_page_last"]["p95_ms"] / report["ours_page1"]["p95_ms"]
    report["figures"] = {
        "page_speedup_vs_stock_p95": round(speedup, 2),
        "page_speedup_vs_stock_p50": round(report["stock_page1"]["p50_ms"]
                                           / report["ours_page1"]["p50_ms"], 2),
        "page100_over_page1_p95": round(ratio, 2),
        "dump_seconds": max(d["seconds"] for d in report["dump"].values()),
        "dump_peak_rss_mb": max(d["peak_rss_mb"] for d in report["dump"].values()),
        "datajson_cold_seconds": round(report["datajson_cold"]["p95_ms"] / 1000, 2),
    }
    report["targets"] = {
        key: {"target": target, "value": report["figures"][key],
              "met": (report["figures"][key] >= target if key == "page_speedup_vs_stock_p95"
                      else report["figures"][key] <= target)}
        for key, target in TARGETS.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--database", default="ckan_opengovpe_ha_bench")
    parser.add_argument("--redis-db", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        raise SystemExit(f"Refusing to fill database {args.database!r}: its name has no 'bench'")
    ini = write_ini(args.database, args.redis_db)

    import psycopg2
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(ini)
    app = make_app(conf)
    flask_app = app._wsgi_app  # type: ignore[attr-defined]
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    report: dict[str, Any] = {"n": args.n, "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                              "repeat": args.repeat, "warmup": args.warmup}
    with flask_app.app_context():
        from ckan.cli import db
        for plugin in (None, "activity", "opengovpe_search", "opengovpe"):
            db._run_migrations(plugin)
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'")
    present = cursor.fetchone()[0]
    conn.commit()
    with flask_app.test_request_context():
        if present != args.n or args.regenerate:
            say(f"Seeding {args.n:,} datasets into {args.database}")
            cursor.execute("TRUNCATE package_tag, resource_view, resource, member, "
                           "package_member, package, tag, \"group\", activity, "
                           "opengovpe_search_doc CASCADE")
            conn.commit()
            report["seed"] = seed(args.n, conn)
        else:
            say(f"{present:,} datasets already in {args.database}: seeding skipped")
            report["seed"] = {"datasets": present, "reused": True}

    # fresh planner statistics, as autovacuum keeps them on a live portal
    cursor.execute("ANALYZE")
    conn.commit()
    client = flask_app.test_client()

    def ours(path: str) -> Callable[[], Any]:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
        return run

    # the cursors of a crawl, to reach page 100 the way a crawler does
    say("Crawling the catalogue once to collect page cursors")
    urls = crawl(client, args.n // 100)
    report["pages_crawled"] = len(urls)
    say(f"{len(urls)} pages; timing page 1, page {len(urls)} and the stock profile")
    report["ours_page1"] = timed(ours(urls[0]), args.repeat, args.warmup)
    report["ours_page_last"] = timed(ours(urls[-1]), args.repeat, args.warmup)
    report["ours_page_last"]["page"] = len(urls)

    import ckan.plugins.toolkit as tk

    def stock(page: int) -> Callable[[], Any]:
        def run() -> None:
            with flask_app.test_request_context(f"/catalog.ttl?page={page}"):
                tk.get_action("dcat_catalog_show")({}, {"page": page, "format": "ttl",
                                                        "profiles": ["euro_dcat_ap_3"]})
        return run

    report["stock_page1"] = timed(stock(1), args.repeat, args.warmup)
    report["stock_page_last"] = timed(stock(len(urls)), max(5, args.repeat // 4), 1)
    report["stock_page_last"]["page"] = len(urls)

    say("Full dump (child process)")
    report["dump"] = {fmt: time_dump(ini, fmt) for fmt in ("nt", "ttl")}

    say("data.json cold (cache cleared) and warm")
    from ckan.lib.redis import connect_to_redis
    redis = connect_to_redis()

    def datajson_cold() -> None:
        for key in redis.scan_iter("opengovpe_dcat_bench:opengovpe_dcat:datajson:*"):
            redis.delete(key)
        response = client.get("/data.json")
        assert response.status_code == 200
        report.setdefault("datajson_bytes", len(response.data))

    report["datajson_cold"] = timed(datajson_cold, 3, 0)
    report["datajson_warm"] = timed(ours("/data.json"), 10, 1)

    verdicts(report)
    import ckan
    report["environment"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "ckan": ckan.__version__,
                             "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
                             "children_peak_rss_mb": round(resource.getrusage(
                                 resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "dcat.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(report, out, ensure_ascii=False, indent=2)
    print(json.dumps({k: report[k] for k in ("ours_page1", "ours_page_last", "stock_page1",
                                              "stock_page_last", "dump", "datajson_cold",
                                              "datajson_warm", "targets")}, indent=2))
    say(f"Written {path}")
    os.unlink(ini)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
