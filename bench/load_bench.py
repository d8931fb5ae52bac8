"""Load test: the portal served by gunicorn with several workers, under a two-minute mix.

Fills its own database (``ckan_opengovpe_bench_load``) with N synthetic datasets
(the search benchmark's generator, bulk COPY), the demo entity, working group,
regulations and opening plans, indexes them with ``ckan search-index
rebuild-fast``, starts gunicorn on a free local port and runs locust headless
against it (bench/load/locustfile.py: dataset search with facets, dataset pages,
plan pages, the scoreboard, catalogue pages, API ``package_show``).

Targets on a 2-core machine: >= 30 requests/s overall, p95 <= 500 ms, no errors.
Prints the figures and writes bench/results/load-<date>.{json,md}.

    bash scripts/bench.sh load            # or: .venv/bin/python bench/load_bench.py
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

import psutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)
TARGETS = {"requests_per_s": 30.0, "p95_ms": 500.0, "errors": 0}

sys.path.insert(0, HERE)
import common  # noqa: E402  (the report writer)
import search_bench  # noqa: E402  (the synthetic catalogue generator)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def ckan(ini: str, *args: str) -> str:
    done = subprocess.run([os.path.join(BIN, "ckan"), "-c", ini, *args], check=True,
                          capture_output=True, text=True)
    return done.stdout


def synthetic_count(conn: Any) -> int:
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE type = 'dataset' "
                   "AND author_email LIKE '%%.ejemplo.gob.pe'")
    count = cursor.fetchone()[0]
    conn.rollback()
    return count


def prepare(ini: str, url: str, n: int, seed: int) -> dict[str, Any]:
    """Database with N synthetic datasets plus the demo programme, fully indexed."""
    import psycopg2

    say("Applying migrations (CKAN and every plugin)")
    ckan(ini, "db", "upgrade")
    for plugin in ("activity", "opengovpe_search", "opengovpe"):
        ckan(ini, "db", "upgrade", "-p", plugin)
    conn = psycopg2.connect(url)
    info: dict[str, Any] = {"reused": True}
    if synthetic_count(conn) != n:
        say(f"Generating {n:,} synthetic datasets (bulk COPY)")
        search_bench.wipe(conn)
        info = search_bench.generate(conn, n, seed)
        conn.autocommit = True
        conn.cursor().execute("VACUUM ANALYZE")
        conn.autocommit = False
    say("Seeding the demo entity, programme records and plans")
    ckan(ini, "opengovpe", "seed-demo")
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE state = 'active'")
    active = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM opengovpe_search_doc")
    indexed = cursor.fetchone()[0]
    conn.rollback()
    if indexed != active:
        say(f"Indexing {active:,} datasets with `ckan search-index rebuild-fast`")
        started = time.perf_counter()
        ckan(ini, "search-index", "rebuild-fast")
        info["index_seconds"] = round(time.perf_counter() - started, 1)
    cursor.execute("SELECT name FROM package WHERE type = 'dataset' AND state = 'active' "
                   "AND NOT private ORDER BY md5(name) LIMIT 1000")
    datasets = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT name FROM package WHERE type = 'plan-apertura' AND state = 'active' "
                   "AND NOT private")
    plans = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT name FROM \"group\" WHERE is_organization AND state = 'active'")
    organizations = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active' "
                   "AND NOT private")
    public = cursor.fetchone()[0]
    conn.close()
    if not plans:
        raise SystemExit("No public opening plan after seed-demo: nothing to load plan pages from")
    return {"data": info, "datasets_public": public, "targets": {
        "datasets": datasets, "plans": plans, "organizations": organizations,
        "catalog_path": "/catalog.ttl"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/api/3/action/status_show", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {base} within {timeout} s")


class MemorySampler(threading.Thread):
    """Peak resident memory of the gunicorn master and its workers, sampled every 0.5 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_total = 0
        self.peak_worker = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                sizes = [p.memory_info().rss for p in procs]
            except psutil.Error:
                sizes = []
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_worker = max(self.peak_worker, max(sizes))
            self.stop.wait(0.5)


def read_stats(prefix: str) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    with open(prefix + "_stats.csv", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            endpoints[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]), "max_ms": round(float(row["Max Response Time"]), 1),
            }
    failures = []
    if os.path.exists(prefix + "_failures.csv"):
        with open(prefix + "_failures.csv", encoding="utf-8") as stream:
            failures = list(csv.DictReader(stream))
    return {"endpoints": endpoints, "failures": failures}


def crawl_catalog(base: str, path: str, pages: int) -> list[str]:
    """Follow the catalogue's hydra:next links like a harvester, keeping each page's URL."""
    from urllib.parse import urlsplit

    import rdflib

    hydra_next = rdflib.URIRef("http://www.w3.org/ns/hydra/core#next")
    urls = [path]
    current = base + path
    while len(urls) < pages:
        with urllib.request.urlopen(current, timeout=120) as response:
            graph = rdflib.Graph().parse(data=response.read(), format="turtle")
        following = [str(o) for o in graph.objects(None, hydra_next)]
        if not following:
            break
        parts = urlsplit(following[0])
        urls.append(parts.path + ("?" + parts.query if parts.query else ""))
        current = base + urls[-1]
    return urls


def start_gunicorn(ini: str, url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """The portal under gunicorn (sync workers) on a free local port, once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CKAN_INI": os.path.abspath(ini), "CKAN_SQLALCHEMY_URL": url}
    say(f"Starting gunicorn with {workers} workers at {base}")
    server = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--chdir", os.path.join(HERE, "load"), "--timeout", "60",
         "--log-level", "warning", "wsgi:application"],
        env=env)
    try:
        wait_until_up(base)
    except BaseException:
        stop_gunicorn(server)
        raise
    return server, base


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def run_load(ini: str, url: str, targets: dict[str, Any], args: argparse.Namespace
             ) -> dict[str, Any]:
    server, base = start_gunicorn(ini, url, args.workers)
    sampler = MemorySampler(server.pid)
    try:
        say("Warming up each endpoint on every worker")
        warm = [f"/dataset/{targets['datasets'][0]}", "/dataset/?q=salud", "/tablero",
                f"/plan-apertura/{targets['plans'][0]}", targets["catalog_path"],
                f"/api/3/action/package_show?id={targets['datasets'][0]}"]
        for _ in range(args.workers * 2):
            for path in warm:
                try:
                    urllib.request.urlopen(base + urllib.parse.quote(path, safe="/?=&"),
                                           timeout=60).read()
                except OSError as err:
                    say(f"  warm-up {path}: {err}")
        targets["catalog_urls"] = crawl_catalog(base, targets["catalog_path"], 30)
        say(f"  {len(targets['catalog_urls'])} catalogue pages collected by following hydra:next")
        with tempfile.TemporaryDirectory() as tmp:
            targets_file = os.path.join(tmp, "targets.json")
            with open(targets_file, "w", encoding="utf-8") as out:
                json.dump(targets, out)
            prefix = os.path.join(tmp, "locust")
            say(f"locust: {args.users} visitors for {args.duration} s")
            sampler.start()
            subprocess.run(
                [os.path.join(BIN, "locust"), "-f", os.path.join(HERE, "load", "locustfile.py"),
                 "--headless", "--users", str(args.users), "--spawn-rate", str(args.users),
                 "--run-time", f"{args.duration}s", "--host", base, "--csv", prefix,
                 "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
                env={**os.environ, "OPENGOVPE_LOAD_TARGETS": targets_file},
                check=False)
            sampler.stop.set()
            stats = read_stats(prefix)
    finally:
        stop_gunicorn(server)
    stats["peak_rss_mb_all_processes"] = round(sampler.peak_total / 2**20, 1)
    stats["peak_rss_mb_largest_process"] = round(sampler.peak_worker / 2**20, 1)
    return stats


def verdicts(stats: dict[str, Any]) -> dict[str, Any]:
    total = stats["endpoints"]["Aggregated"]
    measured = {"requests_per_s": total["requests_per_s"], "p95_ms": total["p95_ms"],
                "errors": total["failures"]}
    return {name: {"value": value, "target": TARGETS[name],
                   "pass": value >= TARGETS[name] if name == "requests_per_s"
                   else value <= TARGETS[name]}
            for name, value in measured.items()}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Load test, {report['n']:,} synthetic datasets ({report['date']})", "",
             f"gunicorn {report['workers']} workers (sync), locust {report['users']} visitors "
             f"waiting 0.5-1.5 s between requests, {report['duration_s']} s, on "
             f"{report['environment']['cpus']} CPUs (load average before the run "
             f"{report['environment']['load_average_before']}). Public datasets: "
             f"{report['datasets_public']:,}.", "",
             "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, row in report["endpoints"].items():
        lines.append(f"| {name} | {row['requests']} | {row['requests_per_s']} | {row['p50_ms']} "
                     f"| {row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} "
                     f"| {row['failures']} |")
    lines += ["", f"Peak resident memory: {report['peak_rss_mb_all_processes']} MB for gunicorn "
              f"and its workers together, {report['peak_rss_mb_largest_process']} MB for the "
              "largest process.", "", "| target | measured | limit | result |",
              "| --- | ---: | ---: | --- |"]
    for name, v in report["targets"].items():
        op = "≥" if name == "requests_per_s" else "≤"
        lines.append(f"| {name} | {v['value']} | {op} {v['target']} | "
                     f"{'PASS' if v['pass'] else 'FAIL'} |")
    if report["failures"]:
        lines += ["", "Failures:", ""]
        lines += [f"- {f.get('Method')} {f.get('Name')}: {f.get('Error')} "
                  f"({f.get('Occurrences')}x)" for f in report["failures"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ini", default=os.path.join(HERE, "load.ini"))
    parser.add_argument("--n", type=int, default=10_000, help="synthetic datasets")
    parser.add_argument("--seed", type=int, default=20260630)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=40, help="simultaneous visitors")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--label", default="", help="suffix of the result file names")
    args = parser.parse_args(argv)

    from ckan.cli import load_config

    ini = os.path.abspath(args.ini)
    url = os.environ.get("CKAN_SQLALCHEMY_URL") or load_config(ini)["sqlalchemy.url"]
    if "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit(f"Refusing to fill {url}: the database name has no 'bench'")
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    prepared = prepare(ini, url, args.n, args.seed)
    load_before = [round(x, 2) for x in os.getloadavg()]
    stats = run_load(ini, url, prepared["targets"], args)
    report = {"n": args.n, "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "workers": args.workers, "users": args.users, "duration_s": args.duration,
              "data": prepared["data"], "datasets_public": prepared["datasets_public"],
              "environment": {"cpus": os.cpu_count(), "load_average_before": load_before},
              **stats}
    report["targets"] = verdicts(stats)
    label = f"-{args.label}" if args.label else ""
    stem = common.write_report(f"load-N{args.n}-{dt.date.today():%Y%m%d}{label}", report,
                               markdown(report))
    say(f"Written {stem}.json and .md")
    return 0 if all(v["pass"] for v in report["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
