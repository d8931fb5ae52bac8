"""How the catalogue's writers (RDF profile and data.json) read a dataset's stored fields."""
from __future__ import annotations

import json
from typing import Any


def as_list(value: Any) -> list[Any]:
    """A field's values as a list: scheming stores repeating and multiple-choice fields as
    JSON text or as a list, depending on where the dict comes from; one value is a list of
    one, and an empty field none."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [loaded]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def mailto(email: str) -> str:
    """An e-mail address as a ``mailto:`` URI (kept as it is when it already is one)."""
    return email if email.startswith("mailto:") else "mailto:" + email
