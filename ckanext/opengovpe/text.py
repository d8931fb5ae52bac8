"""Characters that stored text may not hold, and links a page may follow.

Control characters (C0 except tab, line feed and carriage return; DEL), lone surrogates and
the non-characters U+FFFE and U+FFFF have no place in a title or a description: XML 1.0 cannot
carry most of them, so one of them in a stored field used to break the RDF/XML catalogue and
the XLSX export, and PostgreSQL refuses NUL and surrogates outright. Input is refused with
:func:`control_character`; text stored before that check is cleaned on output with
:func:`printable`.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# the only schemes a page renders as a link
LINK_SCHEMES = ("http", "https")


def control_character(value: Any) -> str | None:
    """The first refused character of ``value`` as ``U+XXXX``; None when there is none."""
    if not isinstance(value, str):
        return None
    found = CONTROL_CHARACTERS.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def printable(value: str) -> str:
    """``value`` without the characters :func:`control_character` refuses."""
    return CONTROL_CHARACTERS.sub("", value)


def printable_data(value: Any) -> Any:
    """``value`` (text, or lists and objects of it, keys too) with :func:`printable` text."""
    if isinstance(value, str):
        return printable(value) if CONTROL_CHARACTERS.search(value) else value
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value


def link_scheme(url: Any) -> str | None:
    """The scheme of ``url`` as a browser reads it (lowercase, leading blanks and control
    characters ignored, tabs and line breaks removed); None when it has none."""
    if not isinstance(url, str):
        return None
    cleaned = re.sub("[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    try:
        scheme = urlsplit(cleaned).scheme
    except ValueError:
        return None
    return scheme.lower() or None


def safe_link(url: Any) -> str | None:
    """``url`` if a page may render it as a link (http or https), otherwise None."""
    if link_scheme(url) in LINK_SCHEMES and not control_character(url):
        return url.strip()
    return None
