"""Outbound HTTP for URLs that users configure (harvest sources, the national portal).

A configured URL is untrusted: it could point the portal at its own database, at the
cloud metadata service or at a file. Every request made for one goes through here:
http(s) only, every resolved address public (unless allowed by configuration), each
redirect checked again, bounded time and size.
"""
from __future__ import annotations

import io
import ipaddress
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional
from urllib.parse import unquote, urljoin, urlsplit

import requests

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

USER_AGENT = "ckanext-opengovpe (+https://github.com/ckan/ckan)"
REDIRECT_CODES = {301, 302, 303, 307, 308}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """A configured URL could not be fetched safely; ``reason`` says why, for callers."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _allowed() -> tuple[set[str], list[IPNetwork]]:
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in tk.config.get("ckanext.opengovpe.fetch.allowed_hosts") or []:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
TEREDO = ipaddress.ip_network("2001::/32")
LOW_32_BITS = 0xFFFFFFFF


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by which packets to it reach IPv4 hosts.

    IPv4-mapped ``::ffff:a.b.c.d`` and IPv4-compatible ``::a.b.c.d`` (RFC 4291), NAT64
    ``64:ff9b::/96`` (RFC 6052) and its local-use ``64:ff9b:1::/48`` (RFC 8215; its prefix
    length is the operator's choice, so both the /96 and the /48 positions count), 6to4
    ``2002::/16`` (RFC 3056, bits 16..48) and Teredo ``2001::/32`` (RFC 4380, the client's
    address, the last 32 bits inverted). Empty for anything else.
    """
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    value = int(address)
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address in IPV4_COMPATIBLE or address in NAT64_WELL_KNOWN:
        return [ipaddress.IPv4Address(value & LOW_32_BITS)]
    if address in NAT64_LOCAL:
        # RFC 6052 /48: 16 bits at 48..63, then the reserved octet, then 16 bits at 72..87
        at_48 = ((value >> 64) & 0xFFFF) << 16 | (value >> 40) & 0xFFFF
        return [ipaddress.IPv4Address(value & LOW_32_BITS), ipaddress.IPv4Address(at_48)]
    if address.sixtofour:
        return [address.sixtofour]
    if address in TEREDO and address.teredo:
        return [address.teredo[1]]
    return []


def _is_public(address: IPAddress) -> bool:
    embedded = embedded_ipv4(address)
    if embedded:
        return all(_is_public(inner) for inner in embedded)
    return address.is_global and not address.is_multicast


def _is_allowed(address: IPAddress, networks: list[IPNetwork]) -> bool:
    candidates = [address, *embedded_ipv4(address)]
    return any(candidate in net for candidate in candidates for net in networks)


def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError("connection", f"Cannot resolve host {host!r}: {err}") from err
    found: list[IPAddress] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        found.append(ipaddress.ip_address(raw))
    return found


def local_file(url: str) -> Optional[str]:
    """The path of a ``file://`` URL inside ``ckanext.opengovpe.ocds.local_directory``, the one
    directory harvest sources may read from disk; None for any other URL or path."""
    root = tk.config.get("ckanext.opengovpe.ocds.local_directory")
    parts = urlsplit(url)
    if not root or parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    root = os.path.realpath(root)
    wanted = os.path.realpath(unquote(parts.path))
    if os.path.commonpath([root, wanted]) != root or not os.path.isfile(wanted):
        return None
    return wanted


def check_url(url: str) -> None:
    """Raise :class:`FetchError` unless ``url`` is http(s) on public addresses (or allowed)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise FetchError("scheme", f"Not a valid URL: {url!r}") from err
    if parts.scheme == "file" and local_file(url):
        return
    if parts.scheme not in ("http", "https"):
        scheme = parts.scheme or "none"
        raise FetchError("scheme", f"Only http and https URLs are allowed, not {scheme!r}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise FetchError("scheme", f"The URL has no host: {url!r}")
    if parts.username or parts.password:
        raise FetchError("scheme", "URLs with a user name or password are not allowed")
    names, networks = _allowed()
    if host in names:
        return
    for address in _addresses(host, port or (443 if parts.scheme == "https" else 80)):
        if _is_public(address) or _is_allowed(address, networks):
            continue
        raise FetchError(
            "address",
            f"The host {host!r} resolves to {address}, which is not a public address",
        )


class Fetched:
    """A response whose body is read lazily and never beyond ``max_bytes``."""

    def __init__(self, response: requests.Response, max_bytes: int) -> None:
        self._response = response
        self.max_bytes = max_bytes
        self.url: str = response.url
        self.status_code: int = response.status_code
        self.headers = response.headers
        self.bytes_read = 0
        self._raw = response.raw
        self._raw.decode_content = True
        self.stream = _CappedReader(self)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    def _read(self, size: int) -> bytes:
        try:
            chunk = self._raw.read(size)
        except requests.exceptions.RequestException as err:
            raise _translate(err, self.url) from err
        except Exception as err:  # urllib3 raises its own errors from read()
            name = type(err).__name__
            if "Timeout" in name:
                raise FetchError("timeout", f"Timed out reading {self.url}") from err
            if "Decode" in name:
                raise FetchError(
                    "content", f"The response from {self.url} is not valid compressed data"
                ) from err
            raise FetchError("connection", f"Reading {self.url} failed: {err}") from err
        self.bytes_read += len(chunk)
        if self.bytes_read > self.max_bytes:
            raise FetchError(
                "too_large",
                f"The response from {self.url} is larger than {self.max_bytes} bytes",
            )
        return chunk

    def iter_bytes(self, size: int = 65536) -> Iterator[bytes]:
        while True:
            chunk = self._read(size)
            if not chunk:
                return
            yield chunk

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())


class _CappedReader(io.RawIOBase):
    """A binary file over the capped body, for streaming parsers (ijson, zipfile via a copy)."""

    def __init__(self, fetched: Fetched) -> None:
        self._fetched = fetched

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._fetched._read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _translate(err: Exception, url: str) -> FetchError:
    if isinstance(err, requests.exceptions.Timeout):
        return FetchError("timeout", f"Timed out waiting for {url}")
    if isinstance(err, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return FetchError("scheme", f"Not a valid URL: {url!r}")
    return FetchError("connection", f"Could not connect to {url}: {type(err).__name__}")


@contextmanager
def open_url(
    url: str,
    *,
    max_bytes: Optional[int] = None,
    timeout: Optional[float] = None,
    headers: Optional[dict[str, str]] = None,
    accept: Optional[str] = None,
) -> Iterator[Fetched]:
    """Open ``url`` safely; yields a :class:`Fetched` whose body is read on demand.

    ``timeout`` overrides the read timeout; non-2xx answers raise ``FetchError("http")``.
    """
    limit = (
        max_bytes if max_bytes is not None else tk.config.get("ckanext.opengovpe.fetch.max_bytes")
    )
    timeouts = (
        tk.config.get("ckanext.opengovpe.fetch.connect_timeout"),
        timeout if timeout is not None else tk.config.get("ckanext.opengovpe.fetch.read_timeout"),
    )
    max_redirects = tk.config.get("ckanext.opengovpe.fetch.max_redirects")
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    if accept:
        sent["Accept"] = accept
    current = url
    with requests.Session() as session:
        session.trust_env = False  # never route through a proxy from the environment
        for hop in range(max_redirects + 1):
            check_url(current)
            try:
                response = session.get(
                    current, headers=sent, timeout=timeouts, stream=True, allow_redirects=False
                )
            except requests.exceptions.RequestException as err:
                raise _translate(err, current) from err
            if response.status_code in REDIRECT_CODES and response.headers.get("Location"):
                response.close()
                if hop == max_redirects:
                    raise FetchError("redirects", f"More than {max_redirects} redirects from {url}")
                current = urljoin(current, response.headers["Location"])
                continue
            break
        try:
            if not 200 <= response.status_code < 300:
                raise FetchError("http", f"{current} answered HTTP {response.status_code}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(
                    "too_large", f"The response from {current} is larger than {limit} bytes"
                )
            log.debug("Fetching %s", current)
            yield Fetched(response, limit)
        finally:
            response.close()


def get_bytes(
    url: str,
    *,
    max_bytes: Optional[int] = None,
    timeout: Optional[float] = None,
    headers: Optional[dict[str, str]] = None,
) -> bytes:
    """The whole body of ``url``, fetched under the same rules as :func:`open_url`."""
    with open_url(url, max_bytes=max_bytes, timeout=timeout, headers=headers) as fetched:
        return fetched.read()
