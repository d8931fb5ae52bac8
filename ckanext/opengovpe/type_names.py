"""What people call each kind of record, in singular and plural, and the phrases built on it.

CKAN builds phrases about a dataset type from its machine name ("5 plan-aperturas found",
"There is no description for this Plan-apertura."): English grammar glued to a slug. Each
type of this extension has a name of its own here, and each phrase a message of its own
that reads in Spanish whatever the name's gender.
"""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk

from .translation import N_

# dataset type: (singular, plural)
NAMES: dict[str, tuple[str, str]] = {
    "plan-apertura": (N_("opening plan"), N_("opening plans")),
    "norma": (N_("internal regulation"), N_("internal regulations")),
    "grupo-trabajo": (N_("working group"), N_("working groups")),
    "contrataciones": (N_("procurement record"), N_("procurement records")),
}

# CKAN's purposes (see ckan.lib.helpers.humanize_entity_type): the phrase, and whether it
# names the type in the plural
PHRASES: dict[str, tuple[str, bool]] = {
    "add link": (N_("Add {type}"), False),
    "breadcrumb": (N_("{Types}"), True),
    "content tab": (N_("{Types}"), True),
    "create label": (N_("Create {type}"), False),
    "create title": (N_("Create {type}"), False),
    "delete confirmation": (N_("Are you sure you want to delete this record ({type})?"), False),
    "description placeholder": (N_("A few words about this record ({type})..."), False),
    "edit label": (N_("Edit {type}"), False),
    "facet label": (N_("{Types}"), True),
    "form label": (N_("Form: {type}"), False),
    "main nav": (N_("{Types}"), True),
    "my label": (N_("My {types}"), True),
    "view label": (N_("View {type}"), False),
    "name placeholder": (N_("my-record"), False),
    "no any objects": (N_("There are no {types} yet."), True),
    "no description": (N_("This record has no description yet."), False),
    "no label": (N_("Without {type}"), False),
    "page title": (N_("{Types}"), True),
    "save label": (N_("Save {type}"), False),
    "search placeholder": (N_("Search {types}..."), True),
    "update label": (N_("Save changes"), False),
}


def name(dataset_type: str, plural: bool = False) -> Optional[str]:
    """The type's name in the language of the page, lower case; None for other types."""
    names = NAMES.get(dataset_type)
    if names is None:
        return None
    return tk._(names[1] if plural else names[0])


def phrase(dataset_type: str, purpose: str) -> Optional[str]:
    """CKAN's phrase for ``purpose`` about this type; None for types not named here."""
    if dataset_type not in NAMES:
        return None
    template, plural = PHRASES.get(purpose, ("{Type}", False))
    singular, several = name(dataset_type), name(dataset_type, plural=True)
    assert singular is not None and several is not None
    return tk._(template).format(type=singular, types=several, Type=_capital(singular),
                                 Types=_capital(several))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# the activity stream's filter: CKAN shows the raw type title-cased ("New Package")
ACTIVITY_TYPES: dict[str, str] = {
    "new package": N_("New dataset"),
    "changed package": N_("Changed dataset"),
    "deleted package": N_("Deleted dataset"),
    "follow dataset": N_("Followed dataset"),
    "new resource view": N_("New resource view"),
    "changed resource view": N_("Changed resource view"),
    "deleted resource view": N_("Deleted resource view"),
    "new user": N_("New user"),
    "changed user": N_("Changed user"),
    "follow user": N_("Followed user"),
    "new group": N_("New group"),
    "changed group": N_("Changed group"),
    "deleted group": N_("Deleted group"),
    "follow group": N_("Followed group"),
    "new organization": N_("New organization"),
    "changed organization": N_("Changed organization"),
    "deleted organization": N_("Deleted organization"),
    "follow organization": N_("Followed organization"),
}


def activity_type(value: str) -> str:
    """The activity type as people read it; an unknown one with its words spaced."""
    label = ACTIVITY_TYPES.get(value)
    return tk._(label) if label else value.replace("_", " ").capitalize()
