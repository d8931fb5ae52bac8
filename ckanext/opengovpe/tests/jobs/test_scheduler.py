"""The scheduler enqueues each recurring job when due, and a real RQ worker runs it."""
from __future__ import annotations

import socket

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.lib.redis import connect_to_redis

from ckanext.opengovpe.jobs import registry, reports, scheduler


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.ckan_config("ckanext.opengovpe.jobs.harvest_run.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.tracking_update.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.usage_publish.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.notify_overdue.interval", "86400")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.national_sync_report.interval", "604800")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.link_check.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.quality_refresh.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.jobs.search_suggest.interval", "0")
@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.1")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis", "with_test_worker")
def test_due_jobs_run_once_per_interval_and_a_failure_is_recorded(cli, ckan_config,
                                                                   monkeypatch):
    # the national portal does not answer: that job fails
    portal = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.national_portal.url", portal)
    monkeypatch.setenv("CKANEXT__OPENGOVPE__NATIONAL_PORTAL__URL", portal)

    result = cli.invoke(ckan_command, ["opengovpe", "scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 jobs enqueued: notify_overdue, national_sync_report" in result.output
    # within the interval nothing is enqueued again, whoever asks
    again = cli.invoke(ckan_command, ["opengovpe", "scheduler", "--once"])
    assert "0 jobs enqueued" in again.output

    worker = cli.invoke(ckan_command, ["jobs", "worker", "--burst"])
    assert worker.exit_code == 0, worker.output

    notified = registry.state("notify_overdue")
    assert notified["result"] == "ok"
    assert notified["finished"] >= notified["started"] >= notified["enqueued"]
    failed = registry.state("national_sync_report")
    assert failed["result"] == "failed"
    # said in the portal's language, without the technical detail (that goes to the log)
    assert failed["error"] == "No se pudo conectar con el portal."
    # the failed report is kept with its error, for the history
    kept = reports.latest(1)
    assert kept[0]["portal"] == portal and kept[0]["error"] == "No se pudo conectar con el portal."
    assert scheduler.next_run("harvest_run") is None
    assert scheduler.next_run("national_sync_report") > registry.now()

    # when its time comes again, the failed job is enqueued again
    connect_to_redis().delete(registry.key("due", "national_sync_report"))
    assert scheduler.tick() == ["national_sync_report"]
