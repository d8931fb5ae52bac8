"""The health page and its JSON twin: recurring jobs, processes and harvest sources."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.opengovpe.jobs import registry, scheduler

PLUGINS = ("opengovpe opengovpe_search activity scheming_datasets scheming_organizations "
           "dcat harvest dcat_rdf_harvester opengovpe_harvest")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.1"),
    pytest.mark.ckan_config("ckanext.opengovpe.jobs.national_sync_report.interval", "0"),
    pytest.mark.ckan_config("ckanext.opengovpe.jobs.link_check.interval", "0"),
    pytest.mark.ckan_config("ckanext.opengovpe.jobs.quality_refresh.interval", "0"),
    pytest.mark.ckan_config("ckanext.opengovpe.jobs.search_suggest.interval", "0"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis"),
]


def test_sysadmins_see_jobs_processes_and_sources(app):
    admin = factories.SysadminWithToken()
    org = factories.Organization()
    source = helpers.call_action("harvest_source_create", {"user": admin["name"]},
                                 name="fuente-ministerio", title="Fuente del ministerio",
                                 url="http://127.0.0.1:9/catalog.ttl", source_type="dcat_rdf",
                                 owner_org=org["id"])
    helpers.call_action("harvest_job_create", {"user": admin["name"]}, source_id=source["id"])
    assert scheduler.tick() == ["harvest_run", "harvest_clean_log", "notify_overdue"]
    registry.run("notify_overdue")

    health = app.get("/api/action/opengovpe_health_show",
                     headers={"Authorization": admin["token"]}).json["result"]
    jobs = {job["name"]: job for job in health["jobs"]}
    assert jobs["notify_overdue"]["result"] == "ok"
    assert jobs["notify_overdue"]["next_run"] > jobs["notify_overdue"]["finished"]
    assert jobs["harvest_run"]["result"] is None and jobs["harvest_run"]["enqueued"]
    assert jobs["national_sync_report"]["next_run"] is None
    processes = {p["name"]: p["alive"] for p in health["processes"]}
    # the scheduler just ticked; no worker or consumer runs in this test
    assert processes == {"scheduler": True, "jobs-worker": False, "harvest-gather": False,
                         "harvest-fetch": False}
    assert health["harvest_sources"] == [{
        "id": source["id"], "name": "fuente-ministerio", "title": "Fuente del ministerio",
        "frequency": "MANUAL", "last_job_status": "Running", "last_job_finished": None,
        "errors": 0}]

    page = app.get("/ckan-admin/salud", headers={"Authorization": admin["token"]}).body
    assert 'data-job="notify_overdue"' in page and 'data-result="ok"' in page
    assert "Recordatorios de hitos vencidos" in page
    assert 'data-source="fuente-ministerio"' in page


def test_a_listening_worker_is_alive_before_any_job_was_queued(app):
    """Right after the portal starts no queue exists in Redis yet: the worker is alive all
    the same; one of another site (its own queue prefix) is not ours."""
    import rq
    from ckan.lib import jobs as ckan_jobs
    from ckan.lib.redis import connect_to_redis

    admin = factories.SysadminWithToken()
    redis = connect_to_redis()
    assert ckan_jobs.get_all_queues() == []
    other = rq.Worker([rq.Queue("ckan:otro-sitio:default", connection=redis)],
                      connection=redis, name="otro-sitio")
    other.register_birth()

    def alive() -> bool:
        health = app.get("/api/action/opengovpe_health_show",
                         headers={"Authorization": admin["token"]}).json["result"]
        return {p["name"]: p["alive"] for p in health["processes"]}["jobs-worker"]

    try:
        assert alive() is False
        ours = rq.Worker([ckan_jobs.get_queue()], connection=redis, name="nuestro")
        ours.register_birth()
        try:
            assert ckan_jobs.get_all_queues() == []
            assert alive() is True
        finally:
            ours.register_death()
    finally:
        other.register_death()


def test_only_sysadmins_see_health(app):
    user = factories.UserWithToken()
    answer = app.get("/api/action/opengovpe_health_show",
                     headers={"Authorization": user["token"]}, status=403)
    assert answer.json["error"]["message"].endswith(
        "Solo los administradores del sistema pueden ver el estado del portal")
    page = app.get("/ckan-admin/salud", headers={"Authorization": user["token"]}, status=403)
    assert "Solo los administradores del sistema pueden ver el estado del portal" in page.body


def test_administration_pages_link_the_portals_own(app):
    admin = factories.SysadminWithToken()
    page = app.get("/ckan-admin/", headers={"Authorization": admin["token"]}).body
    assert 'href="/ckan-admin/salud"' in page and 'href="/ckan-admin/portal-nacional"' in page
    page = app.get("/ckan-admin/salud", headers={"Authorization": admin["token"]}).body
    assert page.count('href="/ckan-admin/salud"') == 1
