"""Every message of the interface has a Spanish translation that keeps its placeholders."""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import polib

ROOT = pathlib.Path(__file__).resolve().parents[3]
PO = ROOT / "ckanext/opengovpe/i18n/es/LC_MESSAGES/ckanext-opengovpe.po"
MARKDOWN_HELP = ('You can use <a href="#markdown" title="Markdown quick reference" '
                 'data-bs-toggle="popover" data-bs-content="%(markdown_tooltip)s" '
                 'data-bs-html="true">Markdown formatting</a> here')
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\(?[a-z_]*\)?[sd%]")


def _extracted(tmp_path: pathlib.Path) -> polib.POFile:
    pot = tmp_path / "messages.pot"
    pybabel = pathlib.Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_", "-k", "tk._", "-k", "N_", "-k", "site_gettext",
                    "--no-location", "-o", str(pot),
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
        for translated in [entry.msgstr] if not entry.msgid_plural else \
                entry.msgstr_plural.values():
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == \
                sorted(PLACEHOLDER.findall(translated)), entry.msgid


def test_other_packages_messages_are_translated_in_usted():
    """CKAN's own Spanish says "Podés" and "Actrulizar"; those the portal shows are fixed here
    and use the usted form of Peruvian Spanish."""
    spanish = {e.msgid: e.msgstr or " ".join(e.msgstr_plural.values())
               for e in polib.pofile(str(PO))}
    assert spanish["Update {object_type}"] == "Guardar {object_type}"
    assert "Podés" not in spanish[MARKDOWN_HELP] and "Puede usar" in spanish[MARKDOWN_HELP]
    for msgid, text in spanish.items():
        assert not re.search(r"\b(Podés|podés|Tenés|tenés|Actrulizar)\b", text), msgid


HARVEST_PO = ROOT / "ckanext/opengovpe/i18n/es/LC_MESSAGES/ckanext-opengovpe-harvest.po"


def test_every_message_of_ckanext_harvest_has_a_spanish_translation(tmp_path):
    """ckanext-harvest ships no Spanish; CKAN's catalogue and ours cover each of its messages."""
    import ckan
    import ckanext.harvest

    harvest_dir = pathlib.Path(ckanext.harvest.__file__).parent
    core = polib.mofile(str(pathlib.Path(ckan.__file__).parent / "i18n/es/LC_MESSAGES/ckan.mo"))
    ours = polib.pofile(str(HARVEST_PO))
    spanish = {e.msgid for e in core if e.msgstr or any(e.msgstr_plural.values())}
    spanish |= {e.msgid for e in polib.pofile(str(PO)) if e.msgstr}
    spanish |= {e.msgid for e in ours if e.msgstr or any(e.msgstr_plural.values())}
    pot = tmp_path / "harvest.pot"
    pybabel = pathlib.Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_",
                    "--no-location", "-o", str(pot), str(harvest_dir)], check=True)
    messages = [e.msgid for e in polib.pofile(str(pot))]
    assert len(messages) > 100
    assert [m for m in messages if m not in spanish] == []
    for entry in ours:
        for translated in [entry.msgstr, *entry.msgstr_plural.values()]:
            if translated:
                assert sorted(PLACEHOLDER.findall(entry.msgid)) == \
                    sorted(PLACEHOLDER.findall(translated)), entry.msgid
