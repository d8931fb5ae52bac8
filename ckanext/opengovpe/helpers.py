"""Template helpers of the open-data programme (prefixed ``opengovpe_``)."""
from __future__ import annotations

import datetime
import functools
import os
import re
from typing import Any

from babel import support

import ckan.plugins.toolkit as tk

from . import text, vocab

I18N_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")
I18N_DOMAIN = "ckanext-opengovpe"
# Spanish for ckanext-harvest's own pages (plugin opengovpe_harvest)
HARVEST_I18N_DOMAIN = "ckanext-opengovpe-harvest"

__all__ = ["opengovpe_vocab_choices", "opengovpe_label", "opengovpe_choices",
           "opengovpe_milestone_label", "opengovpe_status_class",
           "opengovpe_organization_card", "opengovpe_safe_link", "opengovpe_usage_enabled",
           "opengovpe_usage", "opengovpe_entity_usage", "opengovpe_type_name",
           "opengovpe_activity_type", "humanize_entity_type", "render_datetime",
           "opengovpe_days_left", "opengovpe_ubigeo_place"]


def site_gettext(message: str) -> str:
    """``message`` in the portal's default language (``ckan.locale_default``).

    For text stored in records (titles and descriptions the portal writes itself): it must
    not depend on the language of whoever's action triggered the write, nor be English when
    no request is being served (a command, a signal in a test). Mark the message with N_.
    """
    return _translations(str(tk.config.get("ckan.locale_default") or "en")).gettext(message)


@functools.lru_cache(maxsize=8)
def _translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(I18N_DIRECTORY, [locale], domain=I18N_DOMAIN)


def N_(message: str) -> str:  # noqa: N802 (the usual name of a deferred-translation marker)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


MILESTONE_LABELS = {
    "group_established": N_("Working group established"),
    "framework_in_force": N_("Internal regulatory framework in force"),
    "plan_approved": N_("Opening plan approved"),
    "datasets_published": N_("Datasets published"),
}


def opengovpe_safe_link(url: Any) -> str:
    """``url`` if a page may render it as a link (http or https), otherwise "".

    Every user-supplied URL goes through it before it becomes an ``href``: a ``javascript:``
    or ``data:`` link stored before it was refused, or typed in a form shown again with its
    errors, is then shown as text.
    """
    return text.safe_link(url) or ""


def opengovpe_vocab_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a scheming field that names its ``vocabulary``."""
    return vocab.opengovpe_vocab_choices(field)


def opengovpe_label(vocabulary: str, value: Any) -> str:
    """The label of a vocabulary value in the current language (the value if unknown)."""
    if value in (None, ""):
        return ""
    return vocab.label(vocabulary, value, tk.h.lang() or "es")


def opengovpe_choices(vocabulary: str) -> list[dict[str, str]]:
    return [{"value": c["value"], "text": opengovpe_label(vocabulary, c["value"])}
            for c in vocab.choices(vocabulary)]


def opengovpe_milestone_label(key: str) -> str:
    return tk._(MILESTONE_LABELS[key])


def opengovpe_status_class(status: str | None, overdue: bool = False) -> str:
    if overdue:
        return "danger"
    return {"completado": "success", "publicado": "success", "en-curso": "info",
            "retrasado": "warning", "cancelado": "secondary",
            "descartado": "secondary"}.get(status or "", "light")


def opengovpe_organization_card(org_id: str) -> dict[str, Any]:
    """The entity for the sidebar card of a dataset page (shown without figures).

    CKAN's ``h.get_organization`` asks ``organization_show`` for its dataset count, users,
    groups and followers: two searches and the member list on every dataset page, for
    figures the card does not show. Measured at 10,000 datasets: 36 ms of a 100 ms page.
    """
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_followers": False,
            "include_tags": False, "include_extras": True})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {}


def opengovpe_usage_enabled() -> bool:
    """Whether usage figures are collected (CKAN's ``tracking`` plugin is loaded)."""
    from .programme import usage

    return usage.enabled()


def opengovpe_usage(dataset_ids: list[str]) -> dict[str, dict[str, int]]:
    """Views and downloads of each dataset, in total and over the last 30 days."""
    from .programme import usage

    return usage.for_datasets([i for i in dataset_ids if i])


def opengovpe_entity_usage(org_ids: list[str]) -> dict[str, dict[str, int]]:
    """Views and downloads of each entity's published plan datasets, total and last 30 days."""
    from .programme import usage

    return usage.for_entities([i for i in org_ids if i])


def opengovpe_type_name(dataset_type: str, plural: bool = False) -> str | None:
    """What people call records of ``dataset_type`` (lower case); None for CKAN's own types."""
    from . import type_names

    return type_names.name(dataset_type, plural)


def opengovpe_activity_type(value: str) -> str:
    """An activity type ("changed package") as people read it."""
    from . import type_names

    return type_names.activity_type(value)


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> str | None:
    """CKAN's phrases about a dataset type ("Add …", "Search …s…"), in words for ours."""
    from . import type_names

    if entity_type == "package":
        phrase = type_names.phrase(object_type, purpose)
        if phrase is not None:
            return phrase
    return next_helper(entity_type, object_type, purpose)


DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@tk.chained_helper
def render_datetime(next_helper: Any, datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's date display, with a date that has no time shown as the day entered.

    CKAN takes every value for a UTC time and moves it to ``ckan.display_timezone``:
    "2026-11-01" became 31 October in Lima. A date alone names a day, not an instant.
    """
    day: datetime.date | None = None
    if isinstance(datetime_, datetime.date) and not isinstance(datetime_, datetime.datetime):
        day = datetime_
    elif isinstance(datetime_, str) and DATE_ONLY.fullmatch(datetime_.strip()):
        try:
            day = datetime.date.fromisoformat(datetime_.strip())
        except ValueError:
            return ""
    if day is not None:
        zone = tk.h.get_display_timezone()
        midnight = datetime.datetime(day.year, day.month, day.day)
        # pytz zones place a naive time with localize(); others take it as tzinfo
        localize = getattr(zone, "localize", None)
        datetime_ = localize(midnight) if localize else midnight.replace(tzinfo=zone)
        with_hours = with_seconds = False
    return next_helper(datetime_, date_format=date_format, with_hours=with_hours,
                       with_seconds=with_seconds)


def opengovpe_days_left(days: int | None) -> str:
    """Days until a deadline in words: "vence en 3 días", "vence hoy", "vencido hace 2 días"."""
    if days is None:
        return ""
    if days < 0:
        return tk._("overdue by 1 day") if days == -1 else \
            tk._("overdue by %(days)s days") % {"days": -days}
    if days == 0:
        return tk._("due today")
    return tk._("due in 1 day") if days == 1 else tk._("due in %(days)s days") % {"days": days}


def opengovpe_ubigeo_place(code: Any) -> str:
    """A UBIGEO code with its place: "Cusco, Cusco, Cusco (080101)"; the code if unknown."""
    if code in (None, ""):
        return ""
    path = vocab.ubigeo_path(code)
    if not path:
        return str(code)
    return f"{', '.join(_place_case(name) for name in reversed(path))} ({code})"


_LOWER_WORDS = {"de", "del", "la", "las", "los", "el", "y", "e"}


def _place_case(name: str) -> str:
    """INEI's upper-case place names as written in a sentence: "San Juan de Lurigancho"."""
    words = name.lower().split()
    return " ".join(w if i and w in _LOWER_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))
