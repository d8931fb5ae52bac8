"""``ckan opengovpe notify-overdue`` against a real SMTP server started by the test."""
from __future__ import annotations

import datetime
import email
import socket
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from aiosmtpd.controller import Controller

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

TODAY = datetime.date.today()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    # the CLI runner loads its configuration again: CKAN reads this variable then
    monkeypatch.setenv("CKAN_SMTP_SERVER", f"127.0.0.1:{port}")
    try:
        yield inbox
    finally:
        controller.stop()


def _day(offset: int) -> str:
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_reminders_once_a_day_per_milestone(cli, smtp_server):
    org = factories.Organization()
    plan = factories.Dataset(type="plan-apertura", owner_org=org["id"], title="Plan 2025")
    create = helpers.call_action
    for name, end, mail in [("Vencido", -3, "ana@example.org"),
                            ("Pronto", 2, "ANA@example.org"),
                            ("Lejano", 30, "ana@example.org"),
                            ("Otro\r\nBcc: x@evil.org", -1, "luis@example.org")]:
        create("opengovpe_milestone_create", plan_id=plan["id"], name=name,
               start_date=_day(-40), end_date=_day(end), responsible_email=mail,
               responsible="Ana\r\nBcc: y@evil.org" if mail.startswith("a") else "Luis")
    create("opengovpe_milestone_create", plan_id=plan["id"], name="Hecho",
           start_date=_day(-40), end_date=_day(-5), responsible_email="ana@example.org",
           status="completado", actual_end_date=_day(-5),
           evidence=[{"type": "acta", "title": "Acta"}])

    result = cli.invoke(ckan_command, ["opengovpe", "notify-overdue", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "2 e-mails sent for 3 milestones" in result.output
    by_recipient = {parseaddr(m["To"])[1]: m for m in smtp_server.messages}
    assert set(by_recipient) == {"ana@example.org", "luis@example.org"}
    body = by_recipient["ana@example.org"].get_payload(decode=True).decode("utf-8")
    assert "Vencido" in body and "Pronto" in body
    assert "Lejano" not in body and "Hecho" not in body
    subject = str(make_header(decode_header(by_recipient["ana@example.org"]["Subject"])))
    assert "2" in subject
    # the command serves no request: the e-mail is in the portal's language all the same
    assert subject.startswith("Plan de apertura de datos: 2 hitos")
    assert body.startswith("Hola, Ana Bcc: y@evil.org:")
    for message in smtp_server.messages:
        # CR/LF in a name cannot add headers: it stays inside the quoted display name
        assert "Bcc" not in message.keys()
        assert len(message.get_all("To")) == 1

    again = cli.invoke(ckan_command, ["opengovpe", "notify-overdue", "--days", "7"])
    assert "0 e-mails sent" in again.output
    assert len(smtp_server.messages) == 2


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_bad_days_is_a_usage_error(cli):
    result = cli.invoke(ckan_command, ["opengovpe", "notify-overdue", "--days", "-4"])
    assert result.exit_code == 2


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_reminders_never_tell_of_draft_or_deleted_plans(cli, smtp_server):
    """A reminder names plans and milestones: only those of active plans may go out."""
    from ckan import model

    org = factories.Organization()
    plans = {state: factories.Dataset(type="plan-apertura", owner_org=org["id"],
                                      title=f"Plan {state}", private=state == "private")
             for state in ("active", "private", "draft", "deleted")}
    for state, plan in plans.items():
        helpers.call_action("opengovpe_milestone_create", plan_id=plan["id"],
                            name=f"Hito del plan {state}", start_date=_day(-40),
                            end_date=_day(-2), responsible_email="ana@example.org")
    for state in ("draft", "deleted"):
        model.Package.get(plans[state]["id"]).state = state
    model.repo.commit_and_remove()

    result = cli.invoke(ckan_command, ["opengovpe", "notify-overdue", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 1
    body = smtp_server.messages[0].get_payload(decode=True).decode("utf-8")
    # a private plan's reminder goes to the person its entity made responsible
    assert "Hito del plan active" in body and "Hito del plan private" in body
    assert "draft" not in body and "deleted" not in body
