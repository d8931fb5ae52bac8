"""Fault scenarios against the portal served by gunicorn: real services stopped and started.

Uses the load test's database (bench/load.ini; run `scripts/bench.sh load` once
to fill it). Each scenario keeps a burst of requests going (dataset search with
facets, dataset pages, API package_search and package_show) while it breaks a
service, then brings the service back and checks that the portal recovers by
itself. Needs root (it restarts PostgreSQL and Redis on this machine): do not run
it on a machine that serves anything else.

    bash scripts/bench.sh faults            # or: .venv/bin/python bench/faults.py

Scenarios:
  postgres-restart   PostgreSQL restarted during a search burst
  postgres-down      PostgreSQL stopped for 10 s during a search burst
  redis-down         Redis stopped for 10 s during a search burst

Figures and a verdict per scenario go to bench/results/faults-<date>.{json,md}.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (the report writer)
import load_bench  # noqa: E402  (gunicorn start-up and the prepared database)

PATHS = ["/dataset/?q=salud&res_format=CSV", "/dataset/?q=contratación",
         "/api/3/action/package_search?q=agua&facet.field=[\"organization\"]"]


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def pg_cluster() -> tuple[str, str]:
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])
    return version[-1], "main"


def postgres(action: str) -> None:
    version, cluster = pg_cluster()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action],
                   check=True, capture_output=True)


def redis(action: str) -> None:
    if action == "stop":
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"],
                       capture_output=True)
    else:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
                        "--port", "6379", "--save", "", "--appendonly", "no"],
                       check=True, capture_output=True)
        for _ in range(40):
            if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.25)


class Burst(threading.Thread):
    """Requests in a loop from a few threads; every answer is recorded with its time."""

    def __init__(self, base: str, paths: list[str], threads: int = 4) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.paths = paths
        self.threads = threads
        self.samples: list[tuple[float, int, float, str]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _one(self) -> None:
        while not self.stop.is_set():
            path = random.choice(self.paths)
            started = time.monotonic()
            detail = ""
            url = self.base + urllib.parse.quote(path, safe="/?&=%:,[]\"")
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
                body = err.read().decode("utf-8", "replace")
                detail = "traceback" if "Traceback" in body else body[:0]
                if status == 503 and err.headers.get("Retry-After"):
                    detail = "503 with Retry-After"
            except OSError as err:
                status = 0
                detail = type(err).__name__
            with self.lock:
                self.samples.append((started, status, time.monotonic() - started, detail))

    def run(self) -> None:
        workers = [threading.Thread(target=self._one, daemon=True) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()


def summarise(samples: list[tuple[float, int, float, str]], t_break: float, t_back: float
              ) -> dict[str, Any]:
    def phase(lo: float, hi: float) -> dict[str, Any]:
        rows = [s for s in samples if lo <= s[0] < hi]
        codes: dict[str, int] = {}
        for row in rows:
            codes[str(row[1])] = codes.get(str(row[1]), 0) + 1
        slowest = max((row[2] for row in rows), default=0.0)
        return {"requests": len(rows), "status_codes": codes,
                "tracebacks": sum(1 for row in rows if row[3] == "traceback"),
                "slowest_s": round(slowest, 2)}

    after = [s for s in samples if s[0] >= t_back]
    first_ok = next((s[0] for s in sorted(after) if s[1] == 200), None)
    recovered_in = None if first_ok is None else round(max(0.0, first_ok - t_back), 2)
    # after the first success, everything must succeed
    tail = [s for s in after if first_ok is not None and s[0] >= first_ok]
    return {"before": phase(0, t_break), "while_down": phase(t_break, t_back),
            "after": phase(t_back, float("inf")),
            "seconds_to_first_success_after_return": recovered_in,
            "errors_after_recovery": sum(1 for s in tail if s[1] != 200)}


def scenario(base: str, name: str, breaker: Callable[[], None], mender: Callable[[], None],
             down_s: float) -> dict[str, Any]:
    say(f"Scenario {name}")
    burst = Burst(base, PATHS)
    burst.start()
    time.sleep(5)
    t_break = time.monotonic()
    breaker()
    time.sleep(down_s)
    mender()
    t_back = time.monotonic()
    time.sleep(15)
    burst.stop.set()
    burst.join(timeout=60)
    result = summarise(burst.samples, t_break, t_back)
    down = result["while_down"]["status_codes"]
    clear = all(code in ("200", "503") for code in down)
    result["verdict"] = {
        "clear_errors_while_down": clear and result["while_down"]["tracebacks"] == 0,
        "recovered_by_itself": result["seconds_to_first_success_after_return"] is not None,
        "no_errors_after_recovery": result["errors_after_recovery"] == 0,
    }
    say(f"  {json.dumps(result, ensure_ascii=False)}")
    return result


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Fault scenarios ({report['date']})", "",
             "A burst of 4 concurrent clients (dataset search with facets, API "
             "package_search) against gunicorn with "
             f"{report['workers']} workers on {report['n']:,} synthetic datasets.", "",
             "| scenario | before | while down | after | first success after return (s) "
             "| errors after recovery | verdict |", "| --- | --- | --- | --- | ---: | ---: | --- |"]
    for name, r in report["scenarios"].items():
        ok = all(r["verdict"].values())
        lines.append(
            f"| {name} | {r['before']['status_codes']} | {r['while_down']['status_codes']} | "
            f"{r['after']['status_codes']} | {r['seconds_to_first_success_after_return']} | "
            f"{r['errors_after_recovery']} | {'PASS' if ok else 'FAIL: ' + str(r['verdict'])} |")
    lines += ["", "Status 0 means the client got no HTTP answer (connection refused or reset)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = common.arguments(__doc__, "load.ini")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="scenario names to run")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("The fault scenarios restart PostgreSQL and Redis: run them as root")

    from ckan.cli import load_config

    ini = os.path.abspath(args.ini)
    url = os.environ.get("CKAN_SQLALCHEMY_URL") or load_config(ini)["sqlalchemy.url"]
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    prepared = load_bench.prepare(ini, url, args.n, 20260630)
    names = prepared["targets"]["datasets"][:50]
    PATHS.extend(f"/dataset/{name}" for name in names[:10])
    PATHS.extend(f"/api/3/action/package_show?id={name}" for name in names[10:20])
    server, base = load_bench.start_gunicorn(ini, url, args.workers)
    scenarios = {
        "postgres-restart": (lambda: postgres("restart"), lambda: None, 0.0),
        "postgres-down": (lambda: postgres("stop"), lambda: postgres("start"), 10.0),
        "redis-down": (lambda: redis("stop"), lambda: redis("start"), 10.0),
    }
    report: dict[str, Any] = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                              "n": args.n, "workers": args.workers, "scenarios": {}}
    try:
        for name, (breaker, mender, down) in scenarios.items():
            if args.only and name not in args.only:
                continue
            report["scenarios"][name] = scenario(base, name, breaker, mender, down)
    finally:
        load_bench.stop_gunicorn(server)
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode:
            postgres("start")
        if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode:
            redis("start")
    common.write_report(f"faults-{dt.date.today():%Y%m%d}", report, markdown(report))
    return 0 if all(all(r["verdict"].values()) for r in report["scenarios"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
