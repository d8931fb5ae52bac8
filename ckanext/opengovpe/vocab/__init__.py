"""Controlled vocabularies: the JSON files beside this module, and INEI's UBIGEO codes.

A vocabulary file ``<name>.json`` holds ``terms``, each with the stored ``value`` (an ASCII slug,
or the code of the EU vocabulary it follows), a ``label`` in Spanish and English and, in some
vocabularies, more properties such as ``uri``, ``eu_theme``, ``iso8601`` or ``datajson``.
Files are read once per process.
"""
from __future__ import annotations

import csv
import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

HERE = os.path.dirname(os.path.abspath(__file__))
UBIGEO_DIR = os.path.join(HERE, "ubigeo")

DEFAULT_LANG = "es"
LANGUAGES = ("es", "en")

# a department (2 digits), a province (4) or a district (6), as INEI numbers them
UBIGEO_PATTERN = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class UnknownVocabulary(KeyError):
    """There is no vocabulary of that name."""


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary."""

    value: str
    labels: Mapping[str, str]
    properties: Mapping[str, str]

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """The label in ``lang``, else in Spanish, else the value itself."""
        return self.labels.get(lang) or self.labels.get(DEFAULT_LANG) or self.value

    def get(self, key: str) -> str | None:
        """A further property of the term (``uri``, ``eu_theme``, ``iso8601``...)."""
        return self.properties.get(key)


def names() -> list[str]:
    """The names of every vocabulary."""
    return sorted(entry[:-5] for entry in os.listdir(HERE) if entry.endswith(".json"))


@functools.lru_cache(maxsize=None)
def _index(name: str) -> Mapping[str, Term]:
    path = os.path.join(HERE, name + ".json")
    if not _NAME.fullmatch(name) or not os.path.isfile(path):
        raise UnknownVocabulary(name)
    with open(path, encoding="utf-8") as source:
        document = json.load(source)
    index: dict[str, Term] = {}
    for entry in document["terms"]:
        term = _term(entry)
        if term.value in index:
            raise ValueError(f"vocabulary {name}: duplicate value {term.value!r}")
        index[term.value] = term
    return MappingProxyType(index)


def _term(entry: Mapping[str, Any]) -> Term:
    labels = entry["label"]
    missing = [lang for lang in LANGUAGES if not labels.get(lang)]
    if missing:
        raise ValueError(f"term {entry['value']!r} has no label in {', '.join(missing)}")
    properties = {key: value for key, value in entry.items() if key not in ("value", "label")}
    return Term(value=entry["value"], labels=MappingProxyType(dict(labels)),
                properties=MappingProxyType(properties))


def terms(name: str) -> tuple[Term, ...]:
    """Every term of vocabulary ``name``, in the file's order.

    :raises UnknownVocabulary: if there is no such vocabulary
    """
    return tuple(_index(name).values())


def term(name: str, value: Any) -> Term | None:
    """The term of ``name`` whose value is ``value``, or None."""
    if not isinstance(value, str):
        return None
    return _index(name).get(value)


def is_member(name: str, value: Any) -> bool:
    """Whether ``value`` is a value of vocabulary ``name``."""
    return term(name, value) is not None


def label(name: str, value: Any, lang: str = DEFAULT_LANG) -> str:
    """The label of ``value`` in ``lang``; an unknown value is returned as it is."""
    found = term(name, value)
    return found.label(lang) if found else str(value)


def uri(name: str, value: Any) -> str | None:
    """The URI of ``value`` (EU vocabularies, licences), or None."""
    found = term(name, value)
    return found.get("uri") if found else None


def choices(name: str, lang: str | None = None) -> list[dict[str, Any]]:
    """The terms of ``name`` as ckanext-scheming choices.

    With no ``lang``, each label is a ``{"es": ..., "en": ...}`` dict, which scheming shows in
    the language of the request; with ``lang``, a plain string.
    """
    return [{"value": t.value, "label": dict(t.labels) if lang is None else t.label(lang)}
            for t in terms(name)]


def opengovpe_vocab_choices(field: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the vocabulary named by ``field['vocabulary']``.
    """
    return choices(field["vocabulary"])


@functools.lru_cache(maxsize=None)
def _ubigeo() -> Mapping[str, tuple[str, ...]]:
    places: dict[str, tuple[str, ...]] = {}
    levels = (("ubigeo_departamento.csv", 2, ("departamento",)),
              ("ubigeo_provincia.csv", 4, ("departamento", "provincia")),
              ("ubigeo_distrito.csv", 6, ("departamento", "provincia", "distrito")))
    for file_name, digits, columns in levels:
        with open(os.path.join(UBIGEO_DIR, file_name), encoding="utf-8", newline="") as source:
            for row in csv.DictReader(source):
                code = row["inei"]
                if code.isdigit():
                    places[code[:digits]] = tuple(row[column] for column in columns)
    return MappingProxyType(places)


def _ubigeo_key(code: Any) -> str | None:
    """The 2, 4 or 6-digit key of ``code``; ``150000`` and ``150100`` stand for 15 and 1501."""
    if not isinstance(code, str) or not UBIGEO_PATTERN.fullmatch(code):
        return None
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def ubigeo_exists(code: Any) -> bool:
    """Whether ``code`` is an INEI UBIGEO of a department, province or district."""
    return ubigeo_path(code) != ()


def ubigeo_path(code: Any) -> tuple[str, ...]:
    """The names from the department down to the place ``code`` stands for; () if unknown."""
    key = _ubigeo_key(code)
    return _ubigeo().get(key, ()) if key else ()


def ubigeo_name(code: Any) -> str | None:
    """The name of the department, province or district ``code`` stands for, or None."""
    path = ubigeo_path(code)
    return path[-1] if path else None


def _plain(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
                    .upper().replace("-", " ").split())


@functools.lru_cache(maxsize=None)
def _departments() -> Mapping[str, str]:
    return MappingProxyType({_plain(path[0]): code for code, path in _ubigeo().items()
                             if len(code) == 2})


def department_code(name: Any) -> str | None:
    """The 2-digit INEI code of the department named ``name`` (accents, case and spacing
    aside: "Apurímac", "APURIMAC"), or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    return _departments().get(_plain(name))
