"""Streaming reading of OCDS files: record packages, release packages, JSON lines, bare releases.

Files are read from an open binary stream with ijson, one record or release at a time, so
memory stays flat whatever the size of a month. Compressed input (gzip, zip) is unpacked on
the fly behind a cap on the unpacked size, so a compression bomb stops with a clear error.
"""
from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Optional

import ijson

from ckanext.opengovpe.translation import N_

SNIFF = 4096
# a top-level object with one of these is a record or release (even one lacking its ocid)
RELEASE_KEYS = {"ocid", "tag", "buyer", "tender", "compiledRelease"}


class InputError(Exception):
    """The file as a whole cannot be read further (what was read before it is kept).

    ``message`` is an English message id (``N_``) with ``params``, translated in the harvest
    report; ``str()`` is the English text for the log.
    """

    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params
        super().__init__(message % params)


@dataclass
class Item:
    """One OCDS object from a file: ``kind`` is "record" or "release"."""

    kind: str
    data: dict[str, Any]
    position: int


class CappedReader(io.RawIOBase):
    """A binary stream that fails once more than ``limit`` bytes have been read from it."""

    def __init__(self, raw: IO[bytes], limit: int, what: str) -> None:
        self.raw, self.limit, self.what, self.count = raw, limit, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise InputError(N_("The data unpacks to more than %(limit)s bytes; raise the "
                                 "source option max_unpacked_mb if the file is genuine."),
                              limit=self.limit)
        buffer[:len(data)] = data
        return len(data)


@dataclass
class Unpacked:
    """The JSON of a downloaded file: a capped stream, what to close, and its size if known."""

    stream: IO[bytes]
    handles: list[Any]
    reader: CappedReader
    total: Optional[int]

    def close(self) -> None:
        for handle in self.handles:
            handle.close()


def open_unpacked(path: str, max_unpacked: int) -> Unpacked:
    """The JSON inside ``path`` (plain, gzip or the first .json of a zip) as a capped stream."""
    raw = open(path, "rb")  # noqa: SIM115 - closed through Unpacked.close
    head = raw.read(4)
    raw.seek(0)
    total: Optional[int] = None
    if head[:2] == b"\x1f\x8b":
        inner: IO[bytes] = gzip.GzipFile(fileobj=raw)
        handles: list[Any] = [inner, raw]
        what = "The gzip file"
    elif head == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile as err:
            raw.close()
            raise InputError(N_("The file is not a valid zip file (%(error)s); check the "
                                "source URL."), error=str(err)) from err
        names = [n for n in archive.namelist() if n.lower().endswith((".json", ".jsonl"))]
        if not names:
            raw.close()
            raise InputError(N_("The zip file holds no .json file; check the source URL."))
        inner = archive.open(names[0])
        total = archive.getinfo(names[0]).file_size
        handles = [inner, archive, raw]
        what = f"The zip member {names[0]}"
    else:
        inner, handles, what = raw, [raw], "The file"
        total = os.path.getsize(path)
    reader = CappedReader(inner, max_unpacked, what)
    return Unpacked(io.BufferedReader(reader, 1 << 16), handles, reader, total)


def sniff(stream: IO[bytes]) -> bytes:
    """The first non-blank bytes of a buffered stream, without consuming them."""
    peek = stream.peek(SNIFF) if hasattr(stream, "peek") else b""
    return peek.lstrip()[:SNIFF]


def iter_items(stream: IO[bytes],
               meta: Optional[dict[str, Any]] = None) -> Iterator[Item]:
    """Every record and release in an OCDS JSON stream, in order, built one at a time.

    Raises :class:`InputError` on HTML, non-JSON or malformed/truncated JSON; the items
    yielded before the error stay valid. A package's own fields (publisher, ``links``...)
    go into ``meta``; without ``meta``, a package's items are all that is read of it.
    """
    head = sniff(stream)
    if not head:
        raise InputError(N_("The file is empty; check the source URL or try again later."))
    if head[:1] == b"<":
        raise InputError(N_("The file is HTML or XML, not OCDS JSON (an error page?); check the "
                            "source URL or try again later."))
    if head[:1] not in (b"{", b"["):
        raise InputError(N_("The file is not JSON; check that the source URL gives OCDS JSON."))
    array = _package_array(head) if meta is None else None
    splitter = _Splitter(meta if meta is not None else {})
    try:
        if array is not None:
            yield from splitter.package_items(stream, array)
        else:
            for prefix, event, value in ijson.parse(stream, multiple_values=True):
                item = splitter.feed(prefix, event, value)
                if item is not None:
                    yield item
    except ijson.common.IncompleteJSONError as err:
        raise InputError(N_("Malformed or truncated JSON after %(n)s objects (%(error)s); the "
                            "objects before it are kept. Try again later or ask the publisher "
                            "to correct the file."), n=splitter.position, error=str(err)) from err
    except ijson.common.JSONError as err:
        raise InputError(N_("Malformed JSON after %(n)s objects (%(error)s); the objects before "
                            "it are kept. Ask the publisher to correct the file."),
                         n=splitter.position, error=str(err)) from err


def _package_array(head: bytes) -> Optional[str]:
    """``records`` or ``releases`` when the first bytes show a package whose items are in
    that array, with no field before it that makes the document a record or release; else
    None (JSON lines, bare releases or records, or a head too short to tell)."""
    events = ijson.parse(io.BytesIO(head))
    try:
        first = next(events)
        if first != ("", "start_map", None):
            return None
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                if value in RELEASE_KEYS:
                    return None
                if value in ("records", "releases"):
                    return value if next(events)[1] == "start_array" else None
    except (ijson.common.JSONError, StopIteration):
        return None
    return None


class _Splitter:
    """Builds each item of ``records``/``releases`` (or each top-level release or record)
    from ijson events, never the whole package."""

    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta
        self.position = 0
        self.builder: Optional[ijson.ObjectBuilder] = None
        self.item_prefix = ""
        self.top: Optional[ijson.ObjectBuilder] = None
        self.top_is_record = False

    def package_items(self, stream: IO[bytes], array: str) -> Iterator[Item]:
        """The items of a plain package's ``array``, each built by ijson's C backend (the
        rest of the package is skipped)."""
        kind = "record" if array == "records" else "release"
        for data in ijson.items(stream, f"{array}.item", multiple_values=True):
            if isinstance(data, dict):
                self.position += 1
                yield Item(kind, data, self.position)

    def feed(self, prefix: str, event: str, value: Any) -> Optional[Item]:
        if self.builder is not None:
            self.builder.event(event, value)
            if prefix == self.item_prefix and event == "end_map":
                self.position += 1
                kind = "record" if self.item_prefix == "records.item" else "release"
                item, self.builder = Item(kind, self.builder.value, self.position), None
                return item
            return None
        if event == "start_map" and (prefix == "records.item" or (
                prefix == "releases.item" and not self.top_is_record)):
            self.builder, self.item_prefix = ijson.ObjectBuilder(), prefix
            self.builder.event(event, value)
            return None
        if prefix == "" and event == "start_map":
            self.top, self.top_is_record = ijson.ObjectBuilder(), False
        elif prefix == "" and event == "map_key" and value == "ocid":
            self.top_is_record = True
        if self.top is None:
            return None
        self.top.event(event, value)
        if prefix == "" and event == "end_map":
            document, self.top = self.top.value, None
            if isinstance(document, dict) and RELEASE_KEYS & document.keys():
                self.position += 1
                record = "releases" in document or "compiledRelease" in document
                return Item("record" if record else "release", document, self.position)
            if isinstance(document, dict):
                self.meta.update(document)
        return None
