"""Refresh the message template and the Spanish catalogue's entries (translations kept).

Entries marked ``#. another package's message: …`` translate CKAN's, ckanext-scheming's,
ckanext-harvest's or ckanext-dcat's messages whose Spanish is missing or wrong; they are
kept as they are.

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
# the extracted comment ("#.") that marks a message of CKAN, scheming, harvest or dcat
# translated here: the extension's catalogue is merged last, so its Spanish wins
OVERRIDE = "another package's message"


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
    ours = polib.pofile(str(POT))
    for entry in ours:
        new.append(polib.POEntry(msgid=entry.msgid, msgstr=known.get(entry.msgid, "")))
    # other packages' messages whose Spanish is missing or wrong, kept by hand at the end
    extracted = {entry.msgid for entry in ours}
    for entry in old:
        if entry.comment.startswith(OVERRIDE) and entry.msgid not in extracted:
            new.append(entry)
    new.save(str(PO))
    missing = [e.msgid for e in new
               if not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
