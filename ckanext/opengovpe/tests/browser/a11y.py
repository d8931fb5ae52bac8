"""What the browser tests check on every page: it fits a phone, and axe-core finds no
serious or critical accessibility problem."""
from __future__ import annotations

import hashlib
import pathlib
from typing import Any

VENDOR = pathlib.Path(__file__).parent / "vendor"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    data = (VENDOR / "axe.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "vendor/axe.min.js was changed"
    return data.decode("utf-8")


def axe_findings(page: Any) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now,
    one line each: rule, impact, count and the first elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    violations = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))")
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {'; '.join(v['nodes'][:3])}"
            for v in violations if v["impact"] in BLOCKING]


def document_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")
