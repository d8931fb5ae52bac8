"""Harvest fault scenarios: real consumers, schedulers, PostgreSQL and Redis, broken on purpose.

A synthetic OECE month (``--records`` records built from the real OECE records, zipped like
OECE's bulk files) is served by a local ``http.server``; an ``opengovpe_ocds`` source reads it.
Each scenario starts on a freshly migrated database with the production shape of a harvest:
``ckan opengovpe harvest-consumer gather`` and ``… fetch`` as child processes
kept alive by a small supervisor (restarted one second after they exit, as supervisord or
Docker's ``restart: unless-stopped`` do), and ``ckan harvester run`` every few seconds as cron
would run it. Then it breaks something, and waits for the job to finish by itself.

Scenarios:
  reference                 an uninterrupted harvest: the datasets every other one must end with
  kill9-gather              the gather consumer killed with SIGKILL in the middle of the gather
  kill9-fetch               the fetch consumer killed with SIGKILL in the middle of the imports
  postgres-restart-gather   PostgreSQL restarted during the gather
  postgres-restart-import   PostgreSQL restarted during the imports
  redis-down-queued         Redis stopped (and its queues lost) while the job waits in the queue
  two-schedulers            two ``ckan harvester run`` started at the same moment on a due source

For each: seconds to a finished job, consumer restarts, scheduler runs that failed, jobs and
objects by state, and whether the procurement datasets (name, content digest, counts, red flags,
resources) are exactly those of the reference run, with no draft, duplicate or stuck job left.
Needs root (it restarts PostgreSQL and Redis): do not run it on a machine that serves anything.

    bash scripts/bench.sh harvest-faults [--records 2000] [--only kill9-fetch ...]

Figures go to bench/results/harvest-faults.{json,md}.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (the freshly migrated database)
import faults  # noqa: E402  (PostgreSQL and Redis stop/start)
import ocds_bench  # noqa: E402  (the bench ini, the file server)

CKAN = ocds_bench.CKAN
SOURCE = "oece-faults"
DSN = common.DSN
REQUEUE_AFTER = 20  # seconds, instead of the default 120, to keep each scenario short
SCHEDULER_EVERY = 5.0


def say(text: str) -> None:
    print(f"[harvest-faults {dt.datetime.now():%H:%M:%S}] {text}", flush=True)


class Supervised:
    """A child process restarted one second after it exits, until stopped."""

    def __init__(self, name: str, command: list[str], log_path: str) -> None:
        self.name, self.command, self.log_path = name, command, log_path
        self.process: Optional[subprocess.Popen] = None
        self.starts = 0
        self.stopping = threading.Event()
        self.paused = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with open(self.log_path, "a") as log:
            while not self.stopping.is_set():
                if self.paused.is_set():
                    time.sleep(0.2)
                    continue
                self.process = subprocess.Popen(self.command, stdout=log, stderr=log)
                self.starts += 1
                self.process.wait()
                if not self.stopping.is_set():
                    time.sleep(1)

    def start(self) -> None:
        self.thread.start()

    def kill9(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)

    def pause(self) -> None:
        self.paused.set()
        self.terminate()

    def terminate(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def stop(self) -> None:
        self.stopping.set()
        self.terminate()
        self.thread.join(timeout=30)

    @property
    def restarts(self) -> int:
        return max(0, self.starts - 1)


class Scheduler(threading.Thread):
    """``ckan harvester run`` every few seconds, as cron would; failures are counted."""

    def __init__(self, ini: str, log_path: str) -> None:
        super().__init__(daemon=True)
        self.ini, self.log_path = ini, log_path
        self.runs = self.failures = self.tracebacks = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            child = subprocess.run([CKAN, "-c", self.ini, "harvester", "run"],
                                   capture_output=True, text=True)
            self.runs += 1
            if child.returncode:
                self.failures += 1
            if "Traceback" in child.stderr:
                self.tracebacks += 1
            with open(self.log_path, "a") as log:
                log.write(child.stdout + child.stderr)
            self.stopping.wait(SCHEDULER_EVERY)


class Db:
    """The scenario's own look at the database, reconnecting while PostgreSQL is away."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: Any = None

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        import psycopg2
        for _ in range(120):
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = psycopg2.connect(self.url)
                    self.conn.autocommit = True
                with self.conn.cursor() as cursor:
                    cursor.execute(sql, args)
                    return cursor.fetchall()
            except psycopg2.Error:
                self.conn = None
                time.sleep(0.5)
        raise RuntimeError("PostgreSQL did not come back")

    def one(self, sql: str, *args: Any) -> Any:
        return self.rows(sql, *args)[0][0]

    def close(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.close()


def write_ini(database: str, redis_db: int, storage: str) -> str:
    return ocds_bench.write_ini(database, redis_db, storage, {
        "ckan.site_id": "opengovpe_harvest_faults",
        "ckanext.opengovpe.harvest.requeue_after": str(REQUEUE_AFTER)})


def fresh_database(ini: str, url: str, work: str, frequency: str) -> None:
    """An empty, migrated database with a sysadmin, an entity and the OCDS source."""
    common.fresh_ocds_database(ini, work, {
        "name": SOURCE, "url": url, "source_type": "opengovpe_ocds", "frequency": frequency,
        "config": '{"kind": "url"}'})


def redis_flush(redis_db: int) -> None:
    subprocess.run(["redis-cli", "-n", str(redis_db), "flushdb"], capture_output=True)


def snapshot(db: Db) -> dict[str, Any]:
    """The procurement datasets as citizens get them, and what the harvest left behind."""
    datasets = {
        name: {"digest": extras.get("content_digest"), "processes": extras.get("process_count"),
               "awarded_pen": extras.get("awarded_pen"), "red_flags": extras.get("red_flags"),
               "resources": resources}
        for name, extras, resources in db.rows(
            "SELECT p.name, p.extras, (SELECT count(*) FROM resource r WHERE r.package_id = p.id "
            "AND r.state = 'active') FROM package p WHERE p.type = 'contrataciones' "
            "AND p.state = 'active' AND p.name LIKE 'contrataciones-%%'")}
    return {
        "datasets": datasets,
        "file_datasets": db.one("SELECT count(*) FROM package WHERE type = 'contrataciones' "
                                "AND state = 'active' AND name LIKE 'ocds-%%'"),
        "drafts": db.one("SELECT count(*) FROM package WHERE type = 'contrataciones' "
                         "AND state = 'draft'"),
        "processes": db.one("SELECT count(*) FROM opengovpe_ocds_process"),
        "jobs": dict(db.rows("SELECT status, count(*) FROM harvest_job GROUP BY status")),
        "objects": dict(db.rows("SELECT state, count(*) FROM harvest_object GROUP BY state")),
        "object_errors": db.one("SELECT count(*) FROM harvest_object_error"),
        "gather_errors": db.one("SELECT count(*) FROM harvest_gather_error"),
    }


def buyer_datasets(db: Db) -> int:
    return db.one("SELECT count(*) FROM package WHERE type = 'contrataciones' "
                  "AND state = 'active' AND name LIKE 'contrataciones-%%'")


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def consumer_command(ini: str, kind: str, which: str) -> list[str]:
    if which == "upstream":  # ckanext-harvest's own, for comparison
        return [CKAN, "-c", ini, "harvester", f"{kind}-consumer"]
    return [CKAN, "-c", ini, "opengovpe", "harvest-consumer", kind]


class Run:
    """One scenario: fresh database, supervised consumers, a scheduler, a job, a fault."""

    def __init__(self, args: argparse.Namespace, ini: str, url: str, work: str, name: str,
                 expected_datasets: int) -> None:
        self.args, self.ini, self.url, self.work, self.name = args, ini, url, work, name
        self.expected = expected_datasets
        self.db = Db(DSN + args.database)
        logs = os.path.join(work, name)
        os.makedirs(logs, exist_ok=True)
        self.gather = Supervised("gather", consumer_command(ini, "gather", args.consumers),
                                 os.path.join(logs, "gather.log"))
        self.fetch = Supervised("fetch", consumer_command(ini, "fetch", args.consumers),
                                os.path.join(logs, "fetch.log"))
        self.schedulers = [Scheduler(ini, os.path.join(logs, "scheduler.log"))]
        self.events: list[str] = []
        self.t0 = 0.0

    def note(self, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.t0:6.1f} s  {text}")
        say(f"  {text}")

    def gather_running(self) -> bool:
        key = "ckanext-harvest:opengovpe_harvest_faults:harvest_job_id:*"
        out = subprocess.run(["redis-cli", "-n", str(self.args.redis_db), "--scan",
                              "--pattern", key], capture_output=True, text=True).stdout
        return bool(out.strip())

    def job_finished(self) -> bool:
        rows = self.db.rows("SELECT status FROM harvest_job")
        return bool(rows) and all(status == "Finished" for (status,) in rows)

    def create_job(self) -> None:
        subprocess.run([CKAN, "-c", self.ini, "harvester", "job", SOURCE], check=True,
                       capture_output=True)
        self.note("job created and queued (ckan harvester job)")

    def execute(self, fault: Callable[["Run"], None], frequency: str = "MANUAL"
                ) -> dict[str, Any]:
        say(f"Scenario {self.name}")
        redis_flush(self.args.redis_db)
        fresh_database(self.ini, self.url, self.work, frequency)
        self.t0 = time.monotonic()
        self.gather.start()
        self.fetch.start()
        try:
            fault(self)
            for scheduler in self.schedulers:
                if not scheduler.is_alive():
                    scheduler.start()
            finished = wait_until(self.job_finished, self.args.timeout, step=1.0)
            seconds = round(time.monotonic() - self.t0, 1)
            self.note(f"job finished: {finished}")
        finally:
            for scheduler in self.schedulers:
                scheduler.stopping.set()
            self.gather.stop()
            self.fetch.stop()
            for scheduler in self.schedulers:
                scheduler.join(timeout=120)
        state = snapshot(self.db)
        self.db.close()
        return {"finished": finished, "seconds": seconds, "events": self.events,
                "restarts": {"gather": self.gather.restarts, "fetch": self.fetch.restarts},
                "scheduler_runs": sum(s.runs for s in self.schedulers),
                "scheduler_failures": sum(s.failures for s in self.schedulers),
                "scheduler_tracebacks": sum(s.tracebacks for s in self.schedulers),
                "state": state}


# the faults ---------------------------------------------------------------------------------
def uninterrupted(run: Run) -> None:
    run.create_job()


def kill_gather(run: Run) -> None:
    run.create_job()
    wait_until(run.gather_running, 120)
    time.sleep(run.args.gather_seconds / 2)
    run.gather.kill9()
    run.note("gather consumer killed with SIGKILL")


def during_imports(run: Run) -> bool:
    reached = wait_until(lambda: buyer_datasets(run.db) >= max(1, run.expected // 3), 600)
    run.note(f"{buyer_datasets(run.db)} of {run.expected} datasets written")
    return reached


def kill_fetch(run: Run) -> None:
    run.create_job()
    run.schedulers[0].start()
    during_imports(run)
    run.fetch.kill9()
    run.note("fetch consumer killed with SIGKILL")


def restart_postgres_gather(run: Run) -> None:
    run.create_job()
    wait_until(run.gather_running, 120)
    time.sleep(run.args.gather_seconds / 2)
    faults.postgres("restart")
    run.note("PostgreSQL restarted during the gather")


def restart_postgres_import(run: Run) -> None:
    run.create_job()
    run.schedulers[0].start()
    during_imports(run)
    faults.postgres("restart")
    run.note("PostgreSQL restarted during the imports")


def redis_down_queued(run: Run) -> None:
    run.gather.pause()  # the job waits in the queue: no gather consumer free
    run.create_job()
    faults.redis("stop")
    run.note("Redis stopped with the job in its queue")
    time.sleep(10)
    faults.redis("start")
    run.note("Redis started again (empty: the queue is lost)")
    run.gather.paused.clear()


def two_schedulers(run: Run) -> None:
    run.schedulers.append(Scheduler(run.ini, run.schedulers[0].log_path))
    for scheduler in run.schedulers:
        scheduler.start()  # both at once, on a source due now
    run.note("two schedulers started at once")


SCENARIOS: dict[str, tuple[Callable[[Run], None], str]] = {
    "reference": (uninterrupted, "MANUAL"),
    "kill9-gather": (kill_gather, "MANUAL"),
    "kill9-fetch": (kill_fetch, "MANUAL"),
    "postgres-restart-gather": (restart_postgres_gather, "MANUAL"),
    "postgres-restart-import": (restart_postgres_import, "MANUAL"),
    "redis-down-queued": (redis_down_queued, "MANUAL"),
    "two-schedulers": (two_schedulers, "DAILY"),
}


def verdict(result: dict[str, Any], reference: dict[str, Any]) -> dict[str, bool]:
    state, ref = result["state"], reference["state"]
    return {
        "job_finished_by_itself": result["finished"],
        "one_job": sum(state["jobs"].values()) == 1,
        "no_object_stuck": set(state["objects"]) <= {"COMPLETE", "ERROR"},
        "no_draft_left": state["drafts"] == 0,
        "same_datasets_as_uninterrupted": state["datasets"] == ref["datasets"],
        "same_processes_as_uninterrupted": state["processes"] == ref["processes"],
        "no_scheduler_traceback": result["scheduler_tracebacks"] == 0,
    }


CONSUMERS = {"ours": "`ckan opengovpe harvest-consumer`",
             "upstream": "ckanext-harvest's `ckan harvester gather-consumer`/`fetch-consumer`"}


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# Harvest fault scenarios ({report['date']})", "",
             f"One synthetic month of {report['records']:,} records "
             f"({report['expected_datasets']} buyer-year datasets), `kind: url`, gather and "
             f"fetch consumers ({CONSUMERS[report['consumers']]}) "
             "supervised (restarted 1 s after exiting), `ckan harvester run` "
             f"every {SCHEDULER_EVERY:.0f} s, `ckanext.opengovpe.harvest.requeue_after` = "
             f"{REQUEUE_AFTER} s.", "",
             "| scenario | finished in (s) | consumer restarts (gather/fetch) | scheduler runs "
             "(failed) | objects | datasets as reference | verdict |",
             "| --- | ---: | --- | --- | --- | --- | --- |"]
    for name, r in report["scenarios"].items():
        ok = all(r["verdict"].values())
        failed = [k for k, v in r["verdict"].items() if not v]
        same = r["verdict"]["same_datasets_as_uninterrupted"]
        lines.append(
            f"| {name} | {r['seconds']} | {r['restarts']['gather']}/{r['restarts']['fetch']} | "
            f"{r['scheduler_runs']} ({r['scheduler_failures']}) | {r['state']['objects']} | "
            f"{len(r['state']['datasets'])} ({'same' if same else 'DIFFERENT'}) | "
            f"{'PASS' if ok else 'FAIL: ' + ', '.join(failed)} |")
    lines += ["", "## What happened", ""]
    for name, r in report["scenarios"].items():
        lines.append(f"**{name}**")
        lines += [f"    {event}" for event in r["events"]]
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--buyers", type=int, default=40)
    parser.add_argument("--database", default="ckan_opengovpe_hf")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--gather-seconds", type=float, default=8.0,
                        help="about how long the gather takes; faults hit at half of it")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--consumers", choices=("ours", "upstream"), default="ours",
                        help="ckan opengovpe harvest-consumer (default) or ckanext-harvest's "
                        "ckan harvester gather-consumer / fetch-consumer")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("The scenarios restart PostgreSQL and Redis: run them as root")

    from ckanext.opengovpe.tests.procurement import synthetic

    work = tempfile.mkdtemp(prefix="harvest-faults-")
    ini = write_ini(args.database, args.redis_db, os.path.join(work, "storage"))
    zipped = os.path.join(work, "2026-03.zip")
    say(f"Writing a synthetic month of {args.records:,} records ({args.buyers} buyers)")
    synthetic.write_month_zip(zipped, args.records, 2026, 3, buyers=args.buyers)
    documents: dict[str, tuple[str, bytes | str]] = {"/2026-03.zip": ("application/zip", zipped)}
    httpd, base = ocds_bench.serve(documents)
    url = f"{base}/2026-03.zip"

    names = [n for n in SCENARIOS if args.only is None or n in args.only or n == "reference"]
    report: dict[str, Any] = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                              "consumers": args.consumers,
                              "records": args.records, "buyers": args.buyers,
                              "requeue_after_s": REQUEUE_AFTER, "scenarios": {}}
    try:
        for name in names:
            fault, frequency = SCENARIOS[name]
            expected = len(report["scenarios"].get("reference", {}).get("state", {})
                           .get("datasets", {})) or args.buyers
            result = Run(args, ini, url, work, name, expected).execute(fault, frequency)
            report["scenarios"][name] = result
            if name == "reference":
                report["expected_datasets"] = len(result["state"]["datasets"])
            result["verdict"] = verdict(result, report["scenarios"]["reference"])
            say(f"  {name}: {result['seconds']} s, {result['verdict']}")
    finally:
        httpd.shutdown()
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode:
            faults.postgres("start")
        if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode:
            faults.redis("start")
    text = markdown(report)
    for result in report["scenarios"].values():
        result["state"]["datasets"] = len(result["state"]["datasets"])  # counts in the file
    common.write_report("harvest-faults" + ("-upstream-consumers"
                                            if args.consumers == "upstream" else ""),
                        report, text)
    say(f"Logs of the consumers and schedulers: {work}")
    return 0 if all(all(r["verdict"].values()) for r in report["scenarios"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
