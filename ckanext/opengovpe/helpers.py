"""Template helpers of the open-data programme (prefixed ``opengovpe_``)."""
from __future__ import annotations

import functools
import os
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
           "opengovpe_usage", "opengovpe_entity_usage", "opengovpe_unused"]


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


def opengovpe_unused(dataset_ids: list[str]) -> dict[str, Any]:
    """Which of these datasets nobody viewed or downloaded lately: ``ids`` and ``days``."""
    from .programme import usage

    return {"ids": usage.unused([i for i in dataset_ids if i]), "days": usage.UNUSED_DAYS}


def opengovpe_entity_usage(org_ids: list[str]) -> dict[str, dict[str, int]]:
    """Views and downloads of each entity's published plan datasets, total and last 30 days."""
    from .programme import usage

    return usage.for_entities([i for i in org_ids if i])
