"""An answered data request is e-mailed, by the background job, to the requester and each
follower, through a real SMTP server started by the test."""
from __future__ import annotations

from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest

from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.opengovpe.tests.programme.test_notify import smtp_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_redis")


def _run_jobs() -> int:
    """Run the queued jobs in this process, as ``ckan jobs worker`` would."""
    queued = jobs.get_queue().jobs
    for job in queued:
        job.func(*job.args, **job.kwargs)
        job.delete()
    return len(queued)


def _answered(**answer):
    admin = factories.User(name="admin-oece")
    org = factories.Organization(name="oece", users=[{"name": admin["name"],
                                                      "capacity": "admin"}])
    follower = factories.User(name="vecino", email="vecino@example.org")
    requester = factories.User(name="vecina", email="cuenta@example.org")
    request = helpers.call_action(
        "opengovpe_data_request_create", {"user": requester["name"], "ignore_auth": False},
        organization="oece", title="Contratos\r\nBcc: x@example.org",
        description="Cada contrato.", contact_email="vecina@example.org",
        contact_name="Vecina")
    helpers.call_action("opengovpe_data_request_moderate", {"user": admin["name"]},
                        id=request["id"], state="aprobada")
    helpers.call_action("opengovpe_data_request_follow", {"user": follower["name"]},
                        id=request["id"])
    _run_jobs()
    helpers.call_action("opengovpe_data_request_answer", {"user": admin["name"]},
                        id=request["id"], **answer)
    return org, request


def test_the_answer_reaches_requester_and_followers_once(smtp_server):  # noqa: F811
    _answered(status="rechazada", answer="No existe ese registro.")
    assert not smtp_server.messages  # sent by the worker, not while answering
    assert _run_jobs() == 1
    recipients = sorted(parseaddr(m["To"])[1] for m in smtp_server.messages)
    assert recipients == ["cuenta@example.org", "vecina@example.org", "vecino@example.org"]
    message = smtp_server.messages[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.startswith("Su solicitud de datos fue respondida: Contratos Bcc")
    assert message["Bcc"] is None
    body = message.get_payload(decode=True).decode("utf-8")
    assert "La entidad la rechazó." in body and "No existe ese registro." in body
    assert "/solicitudes-datos/" in body


def test_an_unreachable_mail_server_leaves_the_answer_stored(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:1")
    _org, request = _answered(status="rechazada", answer="No.")
    assert _run_jobs() == 1
    shown = helpers.call_action("opengovpe_data_request_show", id=request["id"])
    assert shown["status"] == "rechazada"
