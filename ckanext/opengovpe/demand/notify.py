"""E-mail the requester and the followers of a data request when the entity answers it.

Sent by a background job (``ckan jobs worker``), so that an answer never waits on the mail
server; a failure is logged and leaves the answer stored.
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from ..translation import site_gettext  # sent from a worker: the portal's language
from . import records

log = logging.getLogger(__name__)


def _one_line(value: object) -> str:
    """Header-safe and log-safe: no CR/LF from user input."""
    return " ".join(str(value or "").split())


def enqueue(request_id: str) -> None:
    tk.enqueue_job(send_answer, [request_id], title="opengovpe data request answer")


def _body(request: dict[str, object], name: str) -> str:
    site = tk.config.get("ckan.site_url")
    answer = {"vinculada-item": site_gettext("The entity included it in its opening plan."),
              "vinculada-dataset": site_gettext("The entity pointed to a dataset it already "
                                                "publishes."),
              "rechazada": site_gettext("The entity declined it.")}[str(request["status"])]
    greeting = (site_gettext("Hello {name},").format(name=_one_line(name)) if name
                else site_gettext("Hello,"))
    lines = [greeting, "",
             site_gettext("The data request \"{title}\" has been answered.").format(
                 title=_one_line(request["title"])), answer]
    if request.get("answer"):
        lines += ["", str(request["answer"])]
    lines += ["", f"{site}/solicitudes-datos/{request['id']}"]
    return "\n".join(lines)


def send_answer(request_id: str) -> dict[str, int]:
    """Send the answer of ``request_id`` to its requester and followers."""
    request = records.get(request_id)
    sent = failed = 0
    if request is None or request["status"] == "abierta":
        return {"sent": 0, "failed": 0}
    subject = site_gettext("Your data request has been answered: {title}").format(
        title=_one_line(request["title"])[:150])
    for name, email in records.recipients(request):
        try:
            mailer.mail_recipient(_one_line(name) or email, email, subject,
                                  _body(request, name))
            sent += 1
        except mailer.MailerException as error:
            failed += 1
            log.warning("Answer of data request %s not sent: %s", request_id, error)
    model.Session.remove()
    return {"sent": sent, "failed": failed}
