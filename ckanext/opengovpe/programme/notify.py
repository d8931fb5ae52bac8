"""E-mail each responsible person the milestones overdue or due soon, once a day per milestone."""
from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer
from ckan.model import package_table

from ..translation import site_gettext  # e-mails go out from a command: the portal's language
from ..model import milestone_table, notification_table
from . import vocabulary as words

log = logging.getLogger(__name__)


def _one_line(value: Any) -> str:
    """Header-safe and log-safe: no CR/LF from user input."""
    return " ".join(str(value or "").split())


def pending(today: datetime.date, days: int) -> dict[str, list[dict[str, Any]]]:
    """Open milestones of active plans ending by today + days, with a responsible
    e-mail and not yet notified today, grouped by that e-mail."""
    horizon = today + datetime.timedelta(days=days)
    already = sa.exists().where(
        notification_table.c.milestone_id == milestone_table.c.id,
        notification_table.c.recipient == sa.func.lower(milestone_table.c.responsible_email),
        notification_table.c.sent_on == today)
    statement = (
        sa.select(milestone_table.c.id, milestone_table.c.name,
                  milestone_table.c.end_date, milestone_table.c.status,
                  milestone_table.c.progress, milestone_table.c.responsible,
                  sa.func.lower(milestone_table.c.responsible_email).label("email"),
                  package_table.c.name.label("plan_name"),
                  package_table.c.title.label("plan_title"))
        .join(package_table, package_table.c.id == milestone_table.c.plan_id)
        .where(package_table.c.state == "active",
               milestone_table.c.end_date <= horizon,
               milestone_table.c.status.notin_(words.MILESTONE_CLOSED),
               sa.func.coalesce(milestone_table.c.responsible_email, "") != "",
               ~already)
        .order_by(milestone_table.c.end_date))
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in model.Session.execute(statement).mappings():
        grouped[row["email"]].append(dict(row))
    return grouped


def _body(name: str, milestones: list[dict[str, Any]], today: datetime.date) -> str:
    site = tk.config.get("ckan.site_url")
    lines = [site_gettext("Hello {name},").format(name=_one_line(name)), "",
             site_gettext("These milestones of your open-data plans need attention:"), ""]
    for m in milestones:
        days = (m["end_date"] - today).days
        when = (site_gettext("overdue by {days} days").format(days=-days) if days < 0
                else site_gettext("due in {days} days").format(days=days))
        lines.append(f"- {_one_line(m['name'])} ({_one_line(m['plan_title'])}): "
                     f"{m['end_date'].isoformat()}, {when}, {m['progress']} %")
        lines.append(f"  {site}/{words.PLAN_TYPE}/{m['plan_name']}/avance")
    lines += ["", site_gettext("Update each milestone and record its evidence in the portal.")]
    return "\n".join(lines)


def send(days: int, today: datetime.date | None = None) -> dict[str, int]:
    """Send the reminders; return how many e-mails and milestones, and failures."""
    today = today or datetime.date.today()
    sent = milestones = failed = 0
    for email, rows in pending(today, days).items():
        name = rows[0]["responsible"] or email
        subject = site_gettext("Open-data plan: {count} milestones overdue or due soon").format(
            count=len(rows))
        try:
            mailer.mail_recipient(_one_line(name), email, subject, _body(name, rows, today))
        except mailer.MailerException as error:
            failed += 1
            log.error("Reminder to %s not sent: %s", _one_line(email), error)
            continue
        model.Session.execute(notification_table.insert(), [
            {"milestone_id": r["id"], "recipient": email, "sent_on": today} for r in rows])
        model.Session.commit()
        sent += 1
        milestones += len(rows)
    return {"emails": sent, "milestones": milestones, "failed": failed}
