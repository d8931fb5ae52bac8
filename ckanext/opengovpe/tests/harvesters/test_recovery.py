"""Harvest jobs left behind by dead workers, lost queues and concurrent schedulers.

Real PostgreSQL advisory locks, the real Redis queues of ckanext-harvest and its real
``harvest_jobs_run``; bench/harvest_faults.py does the same with killed processes and
restarted services.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest

from ckan import model
from ckan.tests import helpers

from ckanext.opengovpe.harvesters import recovery

from . import test_ocds
from .conftest import Files
from .test_ocds import JSON, buyer_years, real_records

pytestmark = [*test_ocds.pytestmark,
              pytest.mark.ckan_config("ckanext.opengovpe.harvest.requeue_after", "60")]

LONG_AGO = dt.datetime.utcnow() - dt.timedelta(minutes=10)


def marker(seconds_ago: float) -> str:
    """An in-flight marker as ckanext-harvest's consumers write it (local time)."""
    return str(dt.datetime.now() - dt.timedelta(seconds=seconds_ago))


@pytest.fixture
def queues():
    from ckanext.harvest import queue

    redis = queue.get_connection()
    queue.purge_queues()
    for key in redis.keys("*:harvest_*_id:*"):
        redis.delete(key)
    yield redis, queue.get_gather_routing_key(), queue.get_fetch_routing_key()
    queue.purge_queues()


def queued(redis, key: str, field: str) -> list[str]:
    return [json.loads(message)[field] for message in redis.lrange(key, 0, -1)]


@pytest.fixture
def running_job(make_source, server):
    """A job marked Running, as the gather queue leaves it, created ten minutes ago."""
    from ckanext.harvest.model import HarvestJob

    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    job_dict = helpers.call_action("harvest_job_create", {"user": _site_user()},
                                   source_id=source["id"], run=False)
    job = HarvestJob.get(job_dict["id"])
    job.status, job.created = "Running", LONG_AGO
    job.save()
    return job


def _site_user() -> str:
    return helpers.call_action("get_site_user")["name"]


def run_scheduler(**data):
    return helpers.call_action("harvest_jobs_run", {"user": _site_user()}, **data)


def test_a_second_scheduler_does_nothing_while_one_runs(running_job, queues):
    from ckanext.harvest.model import HarvestJob

    running_job.gather_finished = LONG_AGO  # every object done: the scheduler closes it
    running_job.save()
    with recovery.advisory_lock(recovery.SCHEDULER, wait=False) as held:
        assert held
        assert run_scheduler() == []
        model.Session.expire_all()
        assert HarvestJob.get(running_job.id).status == "Running"
    run_scheduler()
    model.Session.expire_all()
    assert HarvestJob.get(running_job.id).status == "Finished"


def test_a_job_whose_gather_died_goes_back_to_the_gather_queue(running_job, queues):
    redis, gather_key, _ = queues
    # a consumer took it (its in-flight marker), then died: no gather holds the source's lock
    redis.set(f"{gather_key}:{running_job.id}", marker(300))
    run_scheduler()
    assert queued(redis, gather_key, "harvest_job_id") == [running_job.id]
    assert redis.get(f"{gather_key}:{running_job.id}") is None
    # once queued, it is not queued twice
    run_scheduler()
    assert queued(redis, gather_key, "harvest_job_id") == [running_job.id]


def test_a_job_whose_gather_is_alive_is_left_alone(running_job, queues):
    redis, gather_key, _ = queues
    redis.set(f"{gather_key}:{running_job.id}", marker(300))
    with recovery.advisory_lock(recovery.gather_lock_name(running_job.source_id), wait=False):
        run_scheduler()
    assert queued(redis, gather_key, "harvest_job_id") == []


def test_a_job_lost_with_the_queue_is_queued_again_only_after_the_grace_time(
        running_job, queues):
    redis, gather_key, _ = queues
    running_job.created = dt.datetime.utcnow()
    running_job.save()
    run_scheduler()
    assert queued(redis, gather_key, "harvest_job_id") == []  # may still be on its way
    later = dt.datetime.utcnow() + dt.timedelta(seconds=61)
    assert recovery.requeue_orphans(now=later)["jobs"] == [running_job.id]
    assert queued(redis, gather_key, "harvest_job_id") == [running_job.id]


def _object_in_import(job) -> str:
    from ckanext.harvest.model import HarvestObject

    obj = HarvestObject(guid="contrataciones-x-2026", job=job, source=job.source,
                        content=json.dumps({"type": "buyer_year",
                                            "name": "contrataciones-x-2026"}))
    obj.state, obj.fetch_started, obj.import_started = "IMPORT", LONG_AGO, LONG_AGO
    obj.save()
    job.gather_finished = LONG_AGO  # the gather ended; this object's import did not
    job.save()
    return obj.id


def test_an_object_whose_worker_died_goes_back_to_the_fetch_queue(running_job, queues):
    redis, _, fetch_key = queues
    object_id = _object_in_import(running_job)
    redis.set(f"{fetch_key}:{object_id}", marker(100))
    with recovery.advisory_lock(recovery.object_lock_name(object_id), wait=False):
        run_scheduler()  # its import is alive
    assert queued(redis, fetch_key, "harvest_object_id") == []
    run_scheduler()  # the import's lock is gone with its process
    assert queued(redis, fetch_key, "harvest_object_id") == [object_id]
    assert redis.get(f"{fetch_key}:{object_id}") is None


def test_a_requeued_object_is_imported_and_the_job_closed(running_job, queues, app):
    """The object sent back is imported by the fetch consumer; the scheduler closes the job."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob

    redis, _, _ = queues
    with app.flask_app.test_request_context():
        gather = queue.get_gather_consumer()
        redis.set(f"{queue.get_gather_routing_key()}:{running_job.id}", marker(300))
        run_scheduler()  # the dead gather's job, queued again
        queue.gather_callback(gather, *gather.basic_get(queue=queue.get_gather_queue_name()))
        fetch = queue.get_fetch_consumer()
        while True:
            reply = fetch.basic_get(queue=queue.get_fetch_queue_name())
            if reply is None or reply[2] is None:
                break
            queue.fetch_callback(fetch, *reply)
        run_scheduler()
    model.Session.expire_all()
    assert HarvestJob.get(running_job.id).status == "Finished"
    assert set(buyer_years()) == {"contrataciones-pe-consucode-10352-2026",
                                  "contrataciones-pe-consucode-200030-2026"}


def test_a_second_gather_of_a_source_waits_for_the_first():
    order: list[str] = []
    with recovery.advisory_lock(recovery.gather_lock_name("source-1"), wait=True):
        def second() -> None:
            with recovery.advisory_lock(recovery.gather_lock_name("source-1"), wait=True):
                order.append("second")
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting
        order.append("first ends")
    thread.join(timeout=10)
    assert order == ["first ends", "second"]
    assert not recovery.is_locked(recovery.gather_lock_name("source-1"))


@pytest.mark.ckan_config("ckan.harvest.mq.hostname", "127.0.0.1")
@pytest.mark.ckan_config("ckan.harvest.mq.port", "1")
def test_the_scheduler_says_redis_is_down_without_a_traceback(caplog):
    logger = logging.getLogger(recovery.__name__)
    # test.ini stops ckanext logs from reaching the root, and loading it disabled the loggers
    # of modules imported before it
    logger.addHandler(caplog.handler)
    disabled, logger.disabled = logger.disabled, False
    try:
        assert run_scheduler() == []
    finally:
        logger.removeHandler(caplog.handler)
        logger.disabled = disabled
    errors = {r.getMessage() for r in caplog.records if r.levelno == logging.ERROR}
    assert len(errors) == 1  # one line, no traceback
    assert errors.pop().startswith("The harvest queue (Redis) cannot be reached: Error 111")


def test_a_dataset_left_as_draft_by_a_killed_import_is_finished_by_the_next_run(
        server, make_source, run_test):
    """A run killed between creating a dataset (a draft) and storing its files."""
    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    run_test(source["id"])
    name = "contrataciones-pe-consucode-10352-2026"
    package = model.Package.get(name)
    for resource in package.resources_all:
        resource.state = "deleted"
    package.state = "draft"
    package.extras = {**package.extras, "content_digest": ""}
    model.repo.commit_and_remove()
    report = run_test(source["id"])
    finished = helpers.call_action("package_show", id=name)
    assert finished["state"] == "active" and len(finished["resources"]) == 6
    assert finished["content_digest"]
    assert report["gather_errors"] == [] and name in buyer_years()
