"""What a Spanish page must not show: English messages of the catalogues the portal uses.

A text shown to people is English when it is a message of CKAN's, ckanext-scheming's,
ckanext-harvest's, ckanext-dcat's or this extension's catalogues (placeholders filled in)
that the portal's merged Spanish catalogue does not turn into something else, or when it
contains one of a few English words that no Spanish page uses.
"""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import tempfile
import urllib.parse
from collections import Counter, deque
from typing import Callable, Iterable, Iterator

import lxml.html
import polib

ROOT = pathlib.Path(__file__).resolve().parents[4]
SITE = pathlib.Path(polib.__file__).parent
I18N = ROOT / "ckanext/opengovpe/i18n/es/LC_MESSAGES"

# words and phrases of English interfaces that no Spanish page shows, whatever the content
ENGLISH = re.compile(
    r"\b(found|There is no|There are no|Navigate to|Filter by|Source type|Monthly|Weekly|"
    r"Biweekly|Daily|Members?|Packages?|Changed|Deleted|New (?:Package|Resource|Group)|"
    r"Password1|Password2|Unpublish|Publish|Save|Edit|Update|Actrulizar|"
    # vos, which Peruvian Spanish does not use
    r"[Pp]odés|[Tt]enés|[Qq]uerés|[Hh]acé|Definí|"
    r"Followers|Activity Stream|Search|Download|Sign in|Log in|Register|None)\b"
    # a record type's slug where its name belongs ("Plan-Aperturas", "Contratacioness")
    r"|Plan-[Aa]pertura|Grupo-[Tt]rabajo|Contratacioness")
# values shown instead of their labels
CODES = re.compile(r"^(active|draft|deleted|public|private|True|False|DAILY|WEEKLY|MONTHLY|"
                   r"QUARTERLY|ANNUAL|IRREG)$")
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
SKIP_TAGS = {"script", "style", "noscript", "template", "code", "pre"}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\([a-z_0-9]+\)[sd]|%[sd]")


def _catalogue_files() -> Iterator[pathlib.Path]:
    """English messages: CKAN's template, dcat's and ours; scheming's and harvest's extracted."""
    import ckan
    import ckanext.dcat

    yield pathlib.Path(ckan.__file__).parent / "i18n/ckan.pot"
    yield from pathlib.Path(ckanext.dcat.__file__).parent.glob("i18n/*.pot")
    yield ROOT / "ckanext/opengovpe/i18n/ckanext-opengovpe.pot"


def _extracted(package: str) -> polib.POFile:
    directory = pathlib.Path(__import__(package, fromlist=["x"]).__file__).parent
    pybabel = pathlib.Path(sys.executable).parent / "pybabel"
    with tempfile.TemporaryDirectory() as tmp:
        pot = pathlib.Path(tmp) / "messages.pot"
        subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                        "-k", "_", "--no-location", "-o", str(pot), str(directory)], check=True)
        return polib.pofile(str(pot))


def spanish_catalogue() -> dict[str, str]:
    """The Spanish the portal shows, merged as Flask-Babel merges the plugins' catalogues."""
    import ckan
    import ckanext.dcat

    merged: dict[str, str] = {}
    for mo in [pathlib.Path(ckan.__file__).parent / "i18n/es/LC_MESSAGES/ckan.mo",
               pathlib.Path(ckanext.dcat.__file__).parent / "i18n/es/LC_MESSAGES/ckanext-dcat.mo",
               I18N / "ckanext-opengovpe-harvest.mo", I18N / "ckanext-opengovpe.mo"]:
        for entry in polib.mofile(str(mo)):
            if entry.msgstr:
                merged[entry.msgid] = entry.msgstr
            for index, text in entry.msgstr_plural.items():
                if text:
                    merged[entry.msgid if index == 0 else entry.msgid_plural] = text
    return merged


class EnglishMessages:
    """Decides whether a text shown on a Spanish page is an untranslated English message."""

    def __init__(self) -> None:
        spanish = spanish_catalogue()
        entries: list[polib.POEntry] = []
        for path in _catalogue_files():
            entries.extend(polib.pofile(str(path)))
        for package in ("ckanext.scheming", "ckanext.harvest"):
            entries.extend(_extracted(package))
        self.exact: set[str] = set()
        patterns: list[tuple[str, str]] = []
        for entry in entries:
            for msgid in filter(None, [entry.msgid, entry.msgid_plural]):
                # a message whose Spanish is the same text ("API", "CSV") is not English
                if spanish.get(msgid) != msgid and re.search(r"[a-z]{2}", msgid):
                    self._add(msgid, patterns)
        self.patterns = [(re.compile(pattern), msgid) for pattern, msgid in patterns]
        self.pattern = re.compile("|".join(p for p, _ in patterns)) if patterns else None

    def _add(self, msgid: str, patterns: list[tuple[str, str]]) -> None:
        text = " ".join(msgid.split())
        pieces = PLACEHOLDER.split(text)
        if len(pieces) == 1:
            self.exact.add(text)
            return
        literal = "".join(pieces)
        if len(re.findall(r"[A-Za-z]", literal)) < 6 or " " not in literal.strip():
            return  # "{object_type}s": too little English of its own to recognise
        patterns.append(("(?:" + ".+?".join(re.escape(p) for p in pieces) + ")", text))

    def english(self, text: str) -> str | None:
        """Why the text is English, or None."""
        if text in self.exact:
            return f"untranslated message {text!r}"
        if self.pattern is not None and self.pattern.fullmatch(text):
            msgid = next(m for pattern, m in self.patterns if pattern.fullmatch(text))
            return f"untranslated message {msgid!r}"
        if ENGLISH.search(text):
            return "English word"
        if CODES.match(text):
            return "code instead of a label"
        return None


def visible_texts(html: str) -> Iterator[str]:
    """The page's texts as people and screen readers meet them, whitespace collapsed."""
    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # an empty or non-HTML body shows no text
        return
    yield from _texts(tree)


def _texts(element: lxml.html.HtmlElement) -> Iterator[str]:
    if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
        return
    if element.tag == "head":
        yield from _clean(t for title in element.iter("title") for t in [title.text])
        return
    yield from _clean([element.text])
    yield from _clean(element.get(name) for name in ATTRIBUTES)
    if element.tag in ("input", "button") and \
            element.get("type") in ("submit", "button", "reset"):
        yield from _clean([element.get("value")])
    for child in element:
        yield from _texts(child)
        yield from _clean([child.tail])


def _clean(texts: Iterable[str | None]) -> Iterator[str]:
    for text in texts:
        text = " ".join((text or "").split())
        if text:
            yield text


SKIP_PATHS = re.compile(
    r"^/(api|en|webassets|base|uploads|_debug|tracking)(/|$)|/download(/|$)|/logout|_logout|"
    r"/harvest/(refresh|clear|abort|delete|job/[^/]+/abort)|/export|/dcat|/catalog|"
    r"\.(csv|xlsx|json|jsonld|rdf|ttl|xml|n3|zip|png|jpg|svg|ico|css|js)$|^/data\.json")


WORD = re.compile(r"[a-z_]{2,12}")


def pattern_of(url: str) -> str:
    """One shape for the URLs that render the same page: segments after the first two and
    the query's values do not count."""
    parts = urllib.parse.urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shape = [s if i == 0 or WORD.fullmatch(s) else "*" for i, s in enumerate(segments)]
    keys = sorted(urllib.parse.parse_qs(parts.query))
    return "/".join(shape) + "?" + "&".join(keys)


def crawl(get: Callable[[str], tuple[int, str, str]], start: str = "/",
          per_pattern: int = 3, limit: int = 200) -> Iterator[tuple[str, int, str]]:
    """Pages reachable by links from ``start`` on the same host: (url, status, body).

    ``get`` returns the status, the content type and the body of a GET.
    """
    seen = {start}
    shapes: Counter[str] = Counter()
    queue = deque([start])
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        status, content_type, body = get(url)
        fetched += 1
        yield url, status, body
        if "html" not in content_type:
            continue
        for link in _links(body, url):
            shape = pattern_of(link)
            if link in seen or shapes[shape] >= per_pattern:
                continue
            seen.add(link)
            shapes[shape] += 1
            queue.append(link)


def _links(html: str, base: str) -> Iterable[str]:
    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # nothing to follow on an empty body
        return []
    links = []
    for href in tree.xpath("//a/@href"):
        absolute = urllib.parse.urljoin("http://portal" + base, href.strip())
        parts = urllib.parse.urlsplit(absolute)
        if parts.netloc != "portal" or parts.scheme != "http":
            continue
        if SKIP_PATHS.search(parts.path):
            continue
        links.append(urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, "")))
    return links
