"""The portal's messages: where the catalogue lives, how a message is marked, and how text
the portal stores itself is put in the portal's own language.

Two ways to translate, for two kinds of text:

- what a page, an API answer or a form shows goes through ``tk._`` (the request's language);
  a message kept for later (an error id, a label in a table) is marked with :func:`N_` and
  translated where it is shown;
- what the portal writes into records and sends out on its own (titles and descriptions of the
  datasets it publishes, job results, e-mails) goes through :func:`site_gettext`, in the
  portal's default language whoever triggered the write.
"""
from __future__ import annotations

import functools
import os

from babel import support

import ckan.plugins.toolkit as tk

I18N_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n")
I18N_DOMAIN = "ckanext-opengovpe"
# Spanish for ckanext-harvest's own pages (plugin opengovpe_harvest)
HARVEST_I18N_DOMAIN = "ckanext-opengovpe-harvest"

__all__ = ["I18N_DIRECTORY", "I18N_DOMAIN", "HARVEST_I18N_DOMAIN", "N_", "site_gettext"]


def N_(message: str) -> str:  # noqa: N802 (the usual name of a deferred-translation marker)
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def site_gettext(message: str) -> str:
    """``message`` in the portal's default language (``ckan.locale_default``).

    For text stored in records (titles and descriptions the portal writes itself): it must
    not depend on the language of whoever's action triggered the write, nor be English when
    no request is being served (a command, a signal in a test). A literal given to it is
    extracted for the catalogue; a message kept elsewhere is marked with :func:`N_`.
    """
    return _translations(str(tk.config.get("ckan.locale_default") or "en")).gettext(message)


@functools.lru_cache(maxsize=8)
def _translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(I18N_DIRECTORY, [locale], domain=I18N_DOMAIN)
