"""OCDS harvest benchmark: one synthetic OECE month end to end, its unchanged re-harvest,
and parse-and-group throughput next to ``ocdskit compile``.

A synthetic month (``--records`` 7,000 records built from the real OECE records, with
``--linked`` extra linked-release stubs each so the JSON is about 80 MB like a real month) is
zipped like OECE's bulk files and served, with a files index carrying its SHA-256, by a local
``http.server``. Then, on a freshly migrated database:

- ``ckan harvester run-test`` of an ``oece_bulk`` source, in a child process: wall time and
  peak RSS of the whole harvest (download, SHA-256, streaming parse, store, one dataset per
  buyer and year with six uploaded files each, one dataset for the month);
  targets 60 s and 200 MB;
- the same command again on the unchanged month (the checksum is unchanged, so the month is
  skipped); target 5 s;
- in this process, parse and group the unzipped JSON (ijson, compiled releases, checks,
  grouping by buyer-year); and, on the same processes written as a release package, our
  parse + group by ocid + ocdsmerge against ``ocdskit compile`` (which reads release
  packages only).

With ``--shape foreign`` the month is in another publisher's shape and currency instead: a
gzipped OCDS 1.0 release package without ``version`` built from a real Mexico City package
(``synthetic.write_foreign_month``: two releases per process merged with ocdsmerge, buyers
named by an identifier without id, MXN tenders, one award in three in USD), harvested by a
``url`` source; the unchanged re-harvest finds the same data and configuration and reads
nothing. With ``--shape pyg``, a gzipped record package of compiled releases only whose
buyer is ``tender.procuringEntity`` named without an id, amounts in PYG and dates with
-04:00/-03:00 offsets (``synthetic.write_procuring_entity_month``), also by a ``url`` source.
Same targets.

Figures are printed and written to bench/results/ocds.json and ocds.md (ocds-foreign.*,
ocds-pyg.*; ``--suffix`` is added to the name). ``--profile`` runs both harvests under
cProfile and adds their top costs to the figures (the times are then cProfile's, slower).

    .venv/bin/python bench/ocds_bench.py [--records 7000] [--shape oece|foreign|pyg]
        [--database ckan_opengovpe_hc] [--profile] [--harvest-only] [--suffix -before]
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (bench/common.py)
ROOT = os.path.dirname(HERE)
CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
TARGETS = {"harvest_seconds": 60.0, "harvest_peak_rss_mb": 200.0, "reharvest_seconds": 5.0}


def say(text: str) -> None:
    print(f"[ocds-bench {dt.datetime.now():%H:%M:%S}] {text}", flush=True)


def write_ini(database: str, redis_db: int, storage: str,
              extra: dict[str, str] | None = None) -> str:
    """The harvest benchmarks' ini: the portal's harvest plugins on Redis; ``extra`` on top."""
    return common.write_ini("ocds-bench", database, redis_db, {
        "ckan.site_id": "opengovpe_ocds_bench",
        "ckan.storage_path": storage,
        "ckan.plugins": ("opengovpe opengovpe_search scheming_datasets scheming_organizations "
                         "dcat harvest opengovpe_harvest opengovpe_ocds"),
        "ckan.harvest.mq.type": "redis",
        "ckan.harvest.mq.redis_db": str(redis_db),
        "ckanext.opengovpe.fetch.allowed_hosts": "127.0.0.1 localhost", **(extra or {})})


def ckan(ini: str, *args: str) -> None:
    subprocess.run([CKAN, "-c", ini, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def timed_child(command: list[str]) -> dict[str, float]:
    """Wall time and peak RSS of a child process (GNU time's maximum resident set size)."""
    start = time.perf_counter()
    child = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                           input="n\n")
    seconds = time.perf_counter() - start
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", child.stderr)
    cpu = sum(float(value) for value in re.findall(
        r"(?:User|System) time \(seconds\): ([\d.]+)", child.stderr))
    if child.returncode != 0:
        print(child.stdout[-3000:], child.stderr[-3000:])
        raise SystemExit(f"{command} failed")
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(int(match.group(1)) / 1024, 1) if match else -1.0,
            "load_average": [round(value, 2) for value in os.getloadavg()]}


def serve(directory: dict[str, tuple[str, bytes | str]]) -> tuple[http.server.HTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            kind, body = directory.get(self.path, ("text/plain", b"not found"))
            if isinstance(body, str):  # a file path: streamed
                size = os.path.getsize(body)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with open(body, "rb") as handle:
                    while block := handle.read(1 << 20):
                        self.wfile.write(block)
                return
            self.send_response(200 if self.path in directory else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def parse_and_group(path: str) -> dict[str, Any]:
    import io

    from ckanext.opengovpe.procurement import parse, process

    groups: Counter[str] = Counter()
    start = time.perf_counter()
    with open(path, "rb") as raw:
        for item in parse.iter_items(io.BufferedReader(raw, 1 << 16)):
            release = process.compile_record(item.data)
            process.check(release)
            release = process.to_json(release)
            year = process.year_of(release)
            groups[process.dataset_name(process.buyer_of(release)["key"], year or 0)] += 1
    seconds = time.perf_counter() - start
    count = sum(groups.values())
    return {"seconds": round(seconds, 2), "records": count, "groups": len(groups),
            "records_per_second": round(count / seconds, 1)}


def release_package(records_path: str, out_path: str) -> None:
    """The same processes as a release package (the compiled releases as releases)."""
    import io

    from ckanext.opengovpe.procurement import parse, process

    with open(records_path, "rb") as raw, open(out_path, "w") as out:
        out.write('{"version": "1.1", "releases": [\n')
        for number, item in enumerate(parse.iter_items(io.BufferedReader(raw, 1 << 16))):
            release = process.to_json(process.compile_record(item.data))
            release["tag"] = ["tender"]
            out.write(("," if number else "") + json.dumps(release) + "\n")
        out.write("]}\n")


def merge_releases(path: str) -> dict[str, Any]:
    """Our parse of a release package, grouped by ocid and merged with ocdsmerge."""
    import io

    from ckanext.opengovpe.procurement import parse, process

    start = time.perf_counter()
    groups: dict[str, list[dict[str, Any]]] = {}
    with open(path, "rb") as raw:
        for item in parse.iter_items(io.BufferedReader(raw, 1 << 16)):
            groups.setdefault(item.data["ocid"], []).append(item.data)
    count = sum(1 for releases in groups.values() if process.compile_releases(releases))
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "records": count,
            "records_per_second": round(count / seconds, 1)}


def ocdskit_compile(path: str) -> dict[str, Any]:
    schema = os.path.join(ROOT, "ckanext", "opengovpe", "procurement", "release-schema.json")
    command = [os.path.join(os.path.dirname(sys.executable), "ocdskit"), "compile",
               "--schema", schema]
    start = time.perf_counter()
    with open(path, "rb") as stdin:
        child = subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        return {"error": child.stderr.decode()[-500:]}
    count = child.stdout.count(b"\n")
    return {"seconds": round(seconds, 2), "records": count,
            "records_per_second": round(count / seconds, 1)}


# the stages of a harvest whose cumulative time the profile summary reports
PROFILED = ("run_test_harvester", "gather_stage", "fetch_and_import_stages", "run",
            "_parse", "iter_items", "_take_record", "store", "check", "to_json", "digest",
            "buyer_of", "flush", "stale", "write_buyer_year", "summarise", "releases",
            "content_digest", "package_create", "package_update", "package_show",
            "write_documents", "index_package", "upload", "commit", "sync_items",
            "write_file_dataset", "harvest_jobs_run", "load_environment", "make_app")


def profile_summary(path: str, top: int = 15) -> dict[str, Any]:
    """A cProfile dump in short: the cumulative time of the harvest's stages (``PROFILED``,
    our functions and CKAN's), the ``top`` functions by own time, and the database's share
    (time spent inside psycopg2's execute and commit)."""
    import pstats

    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    stages, own = [], []
    database = {"execute_seconds": 0.0, "executes": 0, "commit_seconds": 0.0, "commits": 0}
    for (filename, line, name), (_, calls, own_time, cumulative, _) in stats.items():
        where = filename.split("site-packages/")[-1].split("/ckanext/opengovpe/")[-1]
        row = {"function": f"{where}:{line}({name})", "calls": calls,
               "own_seconds": round(own_time, 2), "cumulative_seconds": round(cumulative, 2)}
        own.append(row)
        if name in PROFILED and ("opengovpe" in filename or "ckan" in filename) \
                and cumulative >= 0.05:
            stages.append(row)
        if "psycopg2" in name and name.endswith(("'execute' of 'psycopg2.extensions.cursor' "
                                                 "objects>", "'commit' of 'psycopg2.extensions."
                                                 "connection' objects>")):
            kind = "execute" if "execute" in name else "commit"
            database[f"{kind}_seconds"] = round(database[f"{kind}_seconds"] + cumulative, 2)
            database[f"{kind}s"] += calls
    stages.sort(key=lambda row: -row["cumulative_seconds"])
    own.sort(key=lambda row: -row["own_seconds"])
    return {"stages": stages, "top_own_time": own[:top], "database": database}


def harvest_twice(ini: str, report: dict[str, Any], source: str, work: str,
                  profile: bool = False) -> None:
    """Harvest twice; with ``profile``, under cProfile, its top costs in the report."""
    for key, label in (("harvest", "Harvest of the month (ckan harvester run-test)"),
                       ("reharvest", "Re-harvest of the unchanged month")):
        say(label)
        command = [CKAN, "-c", ini, "harvester", "run-test", source]
        dump = os.path.join(work, f"{key}.pstats")
        if profile:
            command = [sys.executable, "-m", "cProfile", "-o", dump, *command]
        report[key] = timed_child(command)
        say(f"  {report[key]}")
        if profile:
            report[key]["profile"] = profile_summary(dump)
            say(f"  profile kept in {dump}")


def count_and_judge(database: str, report: dict[str, Any], results: str) -> None:
    import psycopg2
    conn = psycopg2.connect("postgresql://ckan_opengovpe:ckan_opengovpe@127.0.0.1:5432/"
                            + database)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM package WHERE type = 'contrataciones' "
                       "AND state = 'active'")
        report["procurement_datasets"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM opengovpe_ocds_process")
        report["processes_stored"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM harvest_gather_error")
        report["gather_errors"] = cursor.fetchone()[0]
    conn.close()
    report["verdict"] = {
        "harvest_seconds": report["harvest"]["seconds"] <= TARGETS["harvest_seconds"],
        "harvest_peak_rss_mb": report["harvest"]["peak_rss_mb"]
        <= TARGETS["harvest_peak_rss_mb"],
        "reharvest_seconds": report["reharvest"]["seconds"] <= TARGETS["reharvest_seconds"],
    }
    common.write_report(results, report, markdown(report))


def markdown(report: dict[str, Any]) -> str:
    """The figures of a run as Markdown, with the load average beside each time and, if
    profiled, the stages and functions that cost most."""
    lines = [f"# {report['benchmark']} ({report['when']})", "",
             f"{report['records']:,} processes, {report['json_mb']} MB of JSON; "
             f"{report['procurement_datasets']} procurement datasets, "
             f"{report['processes_stored']:,} processes stored, "
             f"{report['gather_errors']} gather errors; {report['cpus']} CPUs, "
             f"Python {report['python']}.", "",
             "| run | load average (1, 5, 15 min) | wall | CPU (user+sys) | peak RSS | target "
             "met |", "|---|---|---:|---:|---:|---|"]
    for key, label, target in (("harvest", "harvest of the month", "harvest_seconds"),
                               ("reharvest", "unchanged month", "reharvest_seconds")):
        run = report[key]
        lines.append(f"| {label} | {', '.join(str(v) for v in run['load_average'])} | "
                     f"{run['seconds']} s | {run['cpu_seconds']} s | {run['peak_rss_mb']} MB | "
                     f"{'yes' if report['verdict'][target] else 'no'} |")
    for key in ("harvest", "reharvest"):
        profile = report[key].get("profile")
        if "profile_top" in report[key]:  # the first profiled run listed its top 25 only
            lines += ["", f"## Profile of the {key} (cProfile: times inflated by it)", "",
                      "| function | calls | cumulative s | own s |", "|---|---:|---:|---:|"]
            lines += [f"| `{row['function']}` | {row['calls']:,} | {row['cumulative_seconds']}"
                      f" | {row['own_seconds']} |" for row in report[key]["profile_top"]]
        if not profile:
            continue
        database = profile["database"]
        lines += ["", f"## Profile of the {key} (cProfile: times inflated by it)", "",
                  f"Inside psycopg2: {database['executes']:,} statements, "
                  f"{database['execute_seconds']} s; {database['commits']:,} commits, "
                  f"{database['commit_seconds']} s.", "",
                  "| stage | calls | cumulative s |", "|---|---:|---:|"]
        lines += [f"| `{row['function']}` | {row['calls']:,} | {row['cumulative_seconds']} |"
                  for row in profile["stages"][:30]]
        lines += ["", "| own time | calls | own s |", "|---|---:|---:|"]
        lines += [f"| `{row['function']}` | {row['calls']:,} | {row['own_seconds']} |"
                  for row in profile["top_own_time"][:10]]
    return "\n".join(lines) + "\n"


SHAPES = {
    # shape: (file, writer in synthetic.py, releases per process, source name, results)
    "foreign": ("2024-02.json.gz", "write_foreign_month", 2, "cdmx", "ocds-foreign"),
    "pyg": ("2024-05.json.gz", "write_procuring_entity_month", 0, "pyg", "ocds-pyg"),
}


def foreign(args: argparse.Namespace) -> int:
    """A month in another publisher's shape through a url source: the CDMX shape (release
    package, OCDS 1.0, MXN/USD) or a record package of compiled releases whose buyer is the
    tender's procuring entity, in PYG."""
    import gzip

    from ckanext.opengovpe.tests.procurement import synthetic

    filename, writer, per_process, name, results = SHAPES[args.shape]
    work = tempfile.mkdtemp(prefix="ocds-bench-")
    ini = write_ini(args.database, args.redis_db, os.path.join(work, "storage"))
    packed = os.path.join(work, filename)
    say(f"Writing a synthetic month of {args.records:,} processes in the {args.shape} shape")
    with gzip.open(packed, "wt", encoding="utf-8") as out:
        getattr(synthetic, writer)(out, args.records, 2024, int(filename[5:7]))
    with gzip.open(packed, "rb") as raw:
        json_bytes = sum(len(block) for block in iter(lambda: raw.read(1 << 20), b""))
    report: dict[str, Any] = {
        "benchmark": results, "when": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "records": args.records,
        "releases": per_process * args.records,
        "json_mb": round(json_bytes / 1e6, 1), "gzip_mb": round(os.path.getsize(packed) / 1e6, 1),
        "targets": TARGETS}
    say(f"Month: {report['json_mb']} MB of JSON, {report['gzip_mb']} MB gzipped")
    documents: dict[str, tuple[str, bytes | str]] = {f"/{filename}": ("application/gzip",
                                                                       packed)}
    httpd, base = serve(documents)
    say(f"Fresh database {args.database}")
    ckan(ini, "db", "init")
    common.fresh_ocds_database(ini, work, {
        "name": name, "url": f"{base}/{filename}", "source_type": "opengovpe_ocds",
        "config": "{}"})
    harvest_twice(ini, report, name, work, args.profile)
    httpd.shutdown()
    count_and_judge(args.database, report, f"{results}{args.suffix}")
    return 0


def main(argv: list[str]) -> int:
    args_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args_parser.add_argument("--records", type=int, default=7000)
    args_parser.add_argument("--linked", type=int, default=12)
    args_parser.add_argument("--database", default="ckan_opengovpe_hc")
    args_parser.add_argument("--redis-db", type=int, default=4)
    args_parser.add_argument("--shape", choices=("oece", *SHAPES), default="oece")
    args_parser.add_argument("--profile", action="store_true",
                             help="run both harvests under cProfile (slower) and report "
                                  "their top costs")
    args_parser.add_argument("--harvest-only", action="store_true",
                             help="skip the in-process parse and ocdskit comparison")
    args_parser.add_argument("--suffix", default="",
                             help="added to the results file name (ocds<suffix>.json)")
    args = args_parser.parse_args(argv)
    if args.shape in SHAPES:
        return foreign(args)

    from ckanext.opengovpe.tests.procurement import synthetic

    work = tempfile.mkdtemp(prefix="ocds-bench-")
    ini = write_ini(args.database, args.redis_db, os.path.join(work, "storage"))
    zipped = os.path.join(work, "2026-03.zip")
    say(f"Writing a synthetic month of {args.records:,} records")
    sha = synthetic.write_month_zip(zipped, args.records, 2026, 3, linked=args.linked)
    with zipfile.ZipFile(zipped) as archive:
        member = archive.namelist()[0]
        json_bytes = archive.getinfo(member).file_size
        archive.extract(member, work)
    unzipped = os.path.join(work, member)
    report: dict[str, Any] = {
        "benchmark": "ocds", "when": dt.datetime.now(dt.timezone.utc).isoformat(
            timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "records": args.records,
        "json_mb": round(json_bytes / 1e6, 1), "zip_mb": round(os.path.getsize(zipped) / 1e6, 1),
        "targets": TARGETS}
    say(f"Month: {report['json_mb']} MB of JSON, {report['zip_mb']} MB zipped")

    if not args.harvest_only:
        say("Parse and group, against ocdskit compile")
        report["parse_and_group"] = parse_and_group(unzipped)
        releases = os.path.join(work, "releases.json")
        release_package(unzipped, releases)
        report["release_package_mb"] = round(os.path.getsize(releases) / 1e6, 1)
        report["parse_and_merge_releases"] = merge_releases(releases)
        report["ocdskit_compile_releases"] = ocdskit_compile(releases)
        say(f"  ours: {report['parse_and_group']}, {report['parse_and_merge_releases']}; "
            f"ocdskit: {report['ocdskit_compile_releases']}")

    documents: dict[str, tuple[str, bytes | str]] = {}
    httpd, base = serve(documents)
    documents["/api/v1/file/seace_v3/json/2026/03"] = ("application/zip", zipped)
    documents["/api/v1/files?page=1&paginateBy=10&format=json"] = ("application/json", json.dumps(
        {"results": [{"year": 2026, "month": 3, "sha256": sha,
                      "url": f"{base}/api/v1/file/seace_v3/json/2026/03"}]}).encode())

    say(f"Fresh database {args.database}")
    ckan(ini, "db", "init")
    common.fresh_ocds_database(ini, work, {
        "name": "oece-bulk", "url": f"{base}/api/v1/files?page=1&paginateBy=10&format=json",
        "source_type": "opengovpe_ocds", "config": '{"kind": "oece_bulk", "months": 1}'})

    harvest_twice(ini, report, "oece-bulk", work, args.profile)
    httpd.shutdown()
    count_and_judge(args.database, report, f"ocds{args.suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
