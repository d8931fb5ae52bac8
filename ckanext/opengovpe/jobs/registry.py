"""The recurring jobs, each a CKAN background job enqueued by the scheduler at its interval.

Every run is recorded in Redis (start, end, result, error) so that the health page can tell
what ran, how it ended and when it runs next.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ..translation import N_, site_gettext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    plugin: Optional[str]  # the plugin the job needs, if any

    @property
    def interval_option(self) -> str:
        return f"ckanext.opengovpe.jobs.{self.name}.interval"

    def interval(self) -> int:
        """Seconds between runs; 0 when switched off or when its plugin is not loaded."""
        if self.plugin and not p.plugin_loaded(self.plugin):
            return 0
        return int(tk.config.get(self.interval_option))


JOBS = (
    Job("harvest_run", N_("Harvest scheduler (sources due by their frequency)"), "harvest"),
    Job("harvest_clean_log", N_("Harvest log pruning"), "harvest"),
    Job("notify_overdue", N_("Overdue milestone reminders"), None),
    Job("tracking_update", N_("Usage figures update"), "tracking"),
    Job("usage_publish", N_("Usage published as open data (monthly CSV per entity)"),
        "tracking"),
    Job("national_sync_report", N_("National portal sync report"), None),
    Job("link_check", N_("Link check of access and download URLs"), None),
    Job("quality_refresh", N_("Metadata quality scores refresh"), None),
    Job("search_suggest", N_("Search word counts and typing-help dictionary refresh"),
        "opengovpe_search"),
)
BY_NAME = {job.name: job for job in JOBS}


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def key(*parts: str) -> str:
    return ":".join([str(tk.config.get("ckan.site_id")), "opengovpe", *parts])


def state(name: str) -> dict[str, str]:
    """What is recorded of job ``name``: enqueued, started, finished, result, error."""
    raw = connect_to_redis().hgetall(key("job", name))
    return {k.decode(): v.decode() for k, v in raw.items()}


def _record(name: str, **fields: str) -> None:
    connect_to_redis().hset(key("job", name), mapping=fields)


def mark_enqueued(name: str) -> None:
    _record(name, enqueued=now().isoformat())


class JobFailure(Exception):
    """A job's failure told in the portal's language, shown as it is on the health page."""


def run(name: str) -> None:
    """Run job ``name`` and record how it ended; a failure is logged and raised again,
    so the worker marks it failed too. The scheduler runs it again at its next time."""
    _record(name, started=now().isoformat(), result="running")
    try:
        _TASKS[name]()
    except Exception as error:
        log.exception("Recurring job %s failed", name)
        # the health page says what happened in the portal's language; the log has the rest
        message = str(error) if isinstance(error, JobFailure) else site_gettext(
            N_("It failed unexpectedly; the server's log has the technical details."))
        _record(name, finished=now().isoformat(), result="failed", error=message[:2000])
        raise
    _record(name, finished=now().isoformat(), result="ok", error="")
    log.info("Recurring job %s finished", name)


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _harvest_run() -> None:
    tk.get_action("harvest_jobs_run")(_site_context(), {})


def _harvest_clean_log() -> None:
    from ckanext.harvest.utils import clean_harvest_log

    clean_harvest_log()


def _notify_overdue() -> None:
    from ..programme import notify

    result = notify.send(int(tk.config.get("ckanext.opengovpe.jobs.notify_overdue.days")))
    if result["failed"]:
        raise JobFailure(site_gettext(
            N_("%(failed)s reminder e-mails could not be sent (%(sent)s sent); check the "
               "portal's mail server settings (smtp.server).")) % {
                   "failed": result["failed"], "sent": result["emails"]})


def _tracking_update() -> None:
    """CKAN's ``ckan tracking update``; the first time, from the first recorded visit
    rather than from CKAN's 2011-01-01, one day at a time."""
    import sqlalchemy as sa
    from ckanext.tracking.cli.tracking import update_all
    from ckanext.tracking.model import TrackingRaw, TrackingSummary

    from ckan.model import meta

    start = None
    if meta.Session.query(TrackingSummary).first() is None:
        first = meta.Session.execute(
            sa.select(sa.func.min(TrackingRaw.access_timestamp))).scalar()
        start = (first or datetime.datetime.now()).date().isoformat()
    update_all(start)


def _usage_publish() -> None:
    from ..programme import usage_data

    try:
        usage_data.directory()
    except RuntimeError:
        raise JobFailure(site_gettext(
            N_("The usage files cannot be written: set ckan.storage_path."))) from None
    usage_data.publish()


def _national_sync_report() -> None:
    from . import reports

    reports.build_and_keep()


def _link_check() -> None:
    from ..quality import store

    store.link_check()


def _quality_refresh() -> None:
    from ..quality import store

    store.refresh()


def _search_suggest() -> None:
    from ckan.common import config

    from ..search import suggest, words

    # a rebuild that stopped before its end leaves the word counts stale; with
    # ckan.search.solr_commit off every write does, and counting them again after each
    # would hold index writes for as long every time (README)
    if config.get("ckan.search.solr_commit"):
        words.recount_if_stale(config.get("ckan.site_id"))
    suggest.refresh_if_changed()


_TASKS: dict[str, Callable[[], None]] = {
    "harvest_run": _harvest_run,
    "harvest_clean_log": _harvest_clean_log,
    "notify_overdue": _notify_overdue,
    "tracking_update": _tracking_update,
    "usage_publish": _usage_publish,
    "national_sync_report": _national_sync_report,
    "link_check": _link_check,
    "quality_refresh": _quality_refresh,
    "search_suggest": _search_suggest,
}
