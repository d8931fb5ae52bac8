"""``ckan opengovpe harvest-consumer``: ckanext-harvest's consumers on a real Redis that stays
idle longer than redis-py 8's 5-second socket timeout."""
from __future__ import annotations

import json
import threading
import time

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.opengovpe.harvesters import consumers

from . import test_ocds
from .conftest import Files
from .test_ocds import JSON, buyer_years, real_records

pytestmark = test_ocds.pytestmark


@pytest.fixture
def queues():
    from ckanext.harvest import queue

    queue.purge_queues()
    yield queue
    queue.purge_queues()


def test_an_idle_queue_does_not_stop_the_consumer(queues):
    """ckanext-harvest's own consumer raises TimeoutError here after 5 idle seconds."""
    upstream = queues.get_fetch_consumer()
    with pytest.raises(Exception, match="[Tt]imeout"):
        next(upstream.consume(queue=queues.get_fetch_queue_name()))

    stop, handled = threading.Event(), []
    worker = threading.Thread(target=lambda: handled.append(consumers.run("fetch", stop=stop)))
    worker.start()
    time.sleep(7)  # idle, longer than the socket timeout
    assert worker.is_alive()
    # a message for an object that does not exist: handled (logged and acknowledged)
    redis = queues.get_connection()
    redis.rpush(queues.get_fetch_routing_key(), json.dumps({"harvest_object_id": "gone"}))
    deadline = time.monotonic() + 10
    while redis.llen(queues.get_fetch_routing_key()) and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive() and handled == [1]
    assert redis.get(f"{queues.get_fetch_routing_key()}:gone") is None  # acknowledged


def test_the_consumers_harvest_a_queued_job(server, make_source, queues, app):
    Files.documents["/records.json"] = (200, JSON, real_records())
    source = make_source(f"{server}/records.json")
    site_user = helpers.call_action("get_site_user")["name"]
    with app.flask_app.test_request_context():
        job = helpers.call_action("harvest_job_create", {"user": site_user},
                                  source_id=source["id"], run=True)
        assert consumers.run("gather", once=True) == 1
        assert consumers.run("fetch", once=True) == 3  # two buyer-years and the file
        helpers.call_action("harvest_jobs_run", {"user": site_user}, source_id=source["id"])
    shown = helpers.call_action("harvest_job_show", id=job["id"])
    assert shown["status"] == "Finished" and shown["stats"]["errored"] == 0
    assert len(buyer_years()) == 2


def test_the_command_drains_a_queue_and_says_how_much_it_did(queues, cli):
    result = cli.invoke(ckan_command, ["opengovpe", "harvest-consumer", "gather", "--once"])
    assert result.exit_code == 0, result.output
    assert "0 gather messages handled" in result.output
    refused = cli.invoke(ckan_command, ["opengovpe", "harvest-consumer", "both"])
    assert refused.exit_code == 2 and "'both' is not one of 'gather', 'fetch'" in refused.output


def test_report_lines_written_by_a_consumer_are_in_the_portal_language(server, make_source,
                                                                        queues):
    """A consumer serves no request (tk._ would leave its lines in English)."""
    from .test_ocds_bad_input import duplicated

    Files.documents["/records.json"] = (200, JSON, duplicated())
    source = make_source(f"{server}/records.json")
    site_user = helpers.call_action("get_site_user")["name"]
    job = helpers.call_action("harvest_job_create", {"user": site_user},
                              source_id=source["id"], run=True)
    assert consumers.run("gather", once=True) == 1  # no request context, as in production
    report = helpers.call_action("harvest_job_report", id=job["id"])
    messages = " ".join(error["message"] for error in report["gather_errors"])
    assert "ocid ocds-dgv273-seacev3-1202858 repetido, se conserva el primero" in messages, \
        messages
