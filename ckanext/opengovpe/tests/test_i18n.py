"""Every message of the interface has a Spanish translation that keeps its placeholders."""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import polib

ROOT = pathlib.Path(__file__).resolve().parents[3]
PO = ROOT / "ckanext/opengovpe/i18n/es/LC_MESSAGES/ckanext-opengovpe.po"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\(?[a-z_]*\)?[sd%]")


def _extracted(tmp_path: pathlib.Path) -> polib.POFile:
    pot = tmp_path / "messages.pot"
    pybabel = pathlib.Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_", "-k", "tk._", "-k", "N_", "--no-location", "-o", str(pot),
                    str(ROOT / "ckanext/opengovpe")], check=True)
    return polib.pofile(str(pot))


def test_every_message_has_a_spanish_translation(tmp_path):
    spanish = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}
    messages = [e.msgid for e in _extracted(tmp_path)]
    assert len(messages) > 100
    untranslated = [m for m in messages if not spanish.get(m)]
    assert untranslated == [], "messages without a Spanish translation"


def test_translations_keep_their_placeholders():
    for entry in polib.pofile(str(PO)):
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == \
            sorted(PLACEHOLDER.findall(entry.msgstr)), entry.msgid
