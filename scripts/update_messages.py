"""Refresh the message template and the Spanish catalogue's entries (translations kept).

Run from the repository root with the virtualenv's Python after changing messages;
new messages get an empty translation that tests/test_i18n.py reports until filled in.
"""
from __future__ import annotations

import pathlib
import subprocess
import sys

import polib

ROOT = pathlib.Path(__file__).resolve().parents[1]
POT = ROOT / "ckanext/opengovpe/i18n/ckanext-opengovpe.pot"
PO = ROOT / "ckanext/opengovpe/i18n/es/LC_MESSAGES/ckanext-opengovpe.po"


def main() -> int:
    pybabel = pathlib.Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_",
                    "-k", "tk._", "-k", "N_", "-k", "site_gettext",
                    "--no-location", "-o", str(POT),
                    str(ROOT / "ckanext/opengovpe")], check=True)
    old = polib.pofile(str(PO))
    known = {e.msgid: e.msgstr for e in old}
    new = polib.POFile(wrapwidth=0)
    new.metadata = old.metadata
    for entry in polib.pofile(str(POT)):
        new.append(polib.POEntry(msgid=entry.msgid, msgstr=known.get(entry.msgid, "")))
    new.save(str(PO))
    missing = [e.msgid for e in new if not e.msgstr]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
