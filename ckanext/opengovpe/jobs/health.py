"""What the health page shows: each recurring job, each long-running process, and each
harvest source with its last job."""
from __future__ import annotations

from typing import Any, Optional

import rq

import ckan.plugins as p
from ckan import model
import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs
from ckan.lib.redis import connect_to_redis

from . import registry, reports, scheduler


def _iso(value: Any) -> Optional[str]:
    return value.replace(microsecond=0).isoformat() if value else None


def jobs() -> list[dict[str, Any]]:
    found = []
    for job in registry.JOBS:
        state = registry.state(job.name)
        found.append({"name": job.name, "title": job.title, "interval": job.interval(),
                      "enqueued": state.get("enqueued"), "started": state.get("started"),
                      "finished": state.get("finished"), "result": state.get("result"),
                      "error": state.get("error") or None,
                      "next_run": _iso(scheduler.next_run(job.name))})
    return found


def processes() -> list[dict[str, Any]]:
    """The scheduler, the jobs workers and the harvest consumers, with their last sign of life."""
    redis = connect_to_redis()

    def beat(*parts: str) -> Optional[str]:
        value = redis.get(registry.key(*parts))
        return value.decode() if value else None

    found = [{"name": "scheduler", "alive": beat("scheduler", "beat") is not None,
              "last_seen": beat("scheduler", "beat")}]
    # a worker of this site, by its queues' prefix: a queue is listed in Redis only once a
    # job was put in it, so right after start a listening worker looked stopped
    prefix = ckan_jobs.add_queue_name_prefix("")
    workers = [w for w in rq.Worker.all(connection=redis)
               if any(name.startswith(prefix) for name in w.queue_names())]
    found.append({"name": "jobs-worker", "alive": bool(workers),
                  "last_seen": max((_iso(w.last_heartbeat) or "" for w in workers),
                                   default=None) or None})
    if p.plugin_loaded("harvest"):
        for kind in ("gather", "fetch"):
            seen = beat("consumer", kind)
            found.append({"name": f"harvest-{kind}", "alive": seen is not None,
                          "last_seen": seen})
    return found


def harvest_sources() -> list[dict[str, Any]]:
    if not p.plugin_loaded("harvest"):
        return []
    context = {"ignore_auth": True}
    found = []
    for source in tk.get_action("harvest_source_list")(context, {"only_active": True}):
        status = tk.get_action("harvest_source_show_status")(context, {"id": source["id"]})
        last = status.get("last_job") or {}
        stats = last.get("stats") or {}
        dataset = model.Package.get(source["id"])  # a source is a dataset of type harvest
        found.append({"id": source["id"], "name": dataset.name if dataset else source["id"],
                      "title": source["title"],
                      "frequency": source.get("frequency"),
                      "last_job_status": last.get("status"),
                      "last_job_finished": last.get("finished"),
                      "errors": int(stats.get("errored", 0) or 0)
                      + len(last.get("gather_error_summary") or []),
                      })
    return found


def sync_changes() -> dict[str, Any]:
    """What changed on the national portal between the last two kept sync reports."""
    kept = reports.latest(2)
    if not kept:
        return {"generated": None, "previous": None, "error": None, "changes": []}
    newer, older = kept[0], (kept[1] if len(kept) > 1 else None)
    return {"generated": newer["generated"], "previous": older["generated"] if older else None,
            "error": newer["error"], "counts": newer["counts"],
            "changes": [] if newer["error"] else reports.changes(newer, older)}


def report() -> dict[str, Any]:
    return {"generated": registry.now().isoformat(), "jobs": jobs(),
            "processes": processes(), "harvest_sources": harvest_sources(),
            "sync_changes": sync_changes()}
