"""Read the national portal's catalogue safely, whichever software serves it.

datosabiertos.gob.pe runs DKAN 7 (Drupal 7), whose CKAN-compatible API is the one CKAN's
harvesters read: ``site_read``, ``package_list``, ``current_package_list_with_resources``
(``limit``/``offset``), ``package_show``, ``group_list``, ``group_package_show``… and no
``package_search``; its publishers are Drupal groups, listed in a dataset's ``groups``. The
catalogue is read in the first of these modes that works, named in the report:

- ``ckan``: ``package_search`` pages (a CKAN portal), the publisher in ``organization``;
- ``dkan``: ``site_read`` answers, then ``current_package_list_with_resources`` pages,
  advancing by what each page holds (DKAN caps ``limit``), the publisher among ``groups``
  (by name, title or id) or in ``organization``;
- ``data_json``: the portal's ``/data.json`` (Project Open Data v1.1), the publisher by
  ``publisher.name``, when its API is missing or broken.

Every request goes through :mod:`ckanext.opengovpe.net`, at most
``ckanext.opengovpe.national_portal.requests_per_second`` a second; whatever goes wrong (no
route, timeout, an HTML error page, JSON that is not an API answer, ``success: false``)
becomes one :class:`FederationError` with a clear message. When every mode fails, the
report shows why ``package_search`` did.
"""
from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import unquote, urlencode, urlsplit

import ckan.plugins.toolkit as tk

from .. import net
from .messages import N_, FederationError

log = logging.getLogger(__name__)

FETCH_MESSAGES = {
    "scheme": N_("The portal URL must be an http or https address."),
    "address": N_("The portal URL points to an address that is not public, which is refused."),
    "redirects": N_("The portal redirected too many times."),
    "too_large": N_("The portal's answer is larger than the allowed size."),
    "timeout": N_("The portal did not answer in time."),
    "connection": N_("The portal could not be reached."),
    "http": N_("The portal answered with an HTTP error."),
    "content": N_("The portal's answer could not be read."),
}


CKAN, DKAN, DATA_JSON = "ckan", "dkan", "data_json"
MODE_LABELS = {
    CKAN: N_("CKAN API (package_search)"),
    DKAN: N_("DKAN 7 API (current_package_list_with_resources)"),
    DATA_JSON: N_("data.json catalogue (Project Open Data v1.1)"),
}


class Throttle:
    """At most ``per_second`` requests a second to the portal (0: no limit), across threads."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()
        self.requests = 0

    def wait(self) -> None:
        with self._lock:
            self.requests += 1
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


@dataclass
class RemoteDataset:
    """What the report needs of one dataset on the remote portal."""

    id: str
    name: str
    title: str
    metadata_modified: str
    organization: str
    keys: set[str] = field(default_factory=set)
    resource_urls: set[str] = field(default_factory=set)
    # a data.json entry's ``modified`` is the publisher's declared date, not the time the
    # portal last changed the record, and is compared with our declared date
    declared_date: bool = False

    def page_url(self, portal: str) -> str:
        return f"{portal.rstrip('/')}/dataset/{self.name or self.id}"


def _fetch_error(err: net.FetchError) -> FederationError:
    message = FETCH_MESSAGES.get(err.reason, FETCH_MESSAGES["content"])
    return FederationError(err.reason, message, detail=str(err))


def _get(url: str, throttle: Optional[Throttle]) -> tuple[bytes, str]:
    if throttle:
        throttle.wait()
    limit = tk.config.get("ckanext.opengovpe.national_portal.max_bytes")
    timeout = tk.config.get("ckanext.opengovpe.national_portal.timeout")
    try:
        with net.open_url(url, max_bytes=limit, timeout=timeout,
                          accept="application/json") as fetched:
            content_type = fetched.content_type
            body = fetched.read()
    except net.FetchError as err:
        log.info("National portal request %s failed: %s", url, err)
        raise _fetch_error(err) from err
    return body, content_type


def call(portal: str, action: str, params: dict[str, Any],
         throttle: Optional[Throttle] = None) -> Any:
    """The ``result`` of one read action of ``portal``'s API, or a FederationError."""
    url = f"{portal.rstrip('/')}/api/3/action/{action}"
    if params:
        url += "?" + urlencode(params)
    body, content_type = _get(url, throttle)
    return parse_answer(body, content_type, url)


def parse_answer(body: bytes, content_type: str, url: str) -> Any:
    """The ``result`` of a CKAN API answer, refusing anything else clearly."""
    head = body[:512].lstrip().lower()
    if content_type in ("text/html", "application/xhtml+xml") or head.startswith(
            (b"<!doctype", b"<html")):
        raise FederationError("content", N_(
            "The portal answered %(url)s with a web page instead of JSON: is this the "
            "address of a CKAN-compatible API?"), url=url)
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        raise FederationError("content", N_(
            "The portal's answer to %(url)s is not valid JSON."), url=url) from None
    if not isinstance(answer, dict) or "success" not in answer:
        raise FederationError("content", N_(
            "The portal's answer to %(url)s is not a CKAN API answer."), url=url)
    if answer["success"] is not True:
        error = answer.get("error")
        detail = error.get("message") if isinstance(error, dict) else None
        raise FederationError("api", N_("The portal refused the request %(url)s."),
                              detail=str(detail or error or "success: false")[:300], url=url)
    return answer.get("result")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _keys(data: dict[str, Any]) -> set[str]:
    """Identifiers by which a remote dataset may be known here (see sync.match)."""
    keys = {_text(data.get(k)) for k in ("identifier", "uri", "id", "guid")}
    for extra in data.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") in (
                "identifier", "uri", "guid", "dcat_identifier", "harvest_url", "source_url"):
            keys.add(_text(extra.get("value")))
    return {normalize(k) for k in keys if k}


def normalize(value: str) -> str:
    """Compare identifiers and URLs without case, scheme, trailing slash or percent-encoding
    differences (a URL with accents or spaces comes back percent-encoded from a data.json)."""
    value = unquote(value.strip()).lower().rstrip("/")
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def _iso(value: Any) -> str:
    """A timestamp as ISO 8601: CKAN's already is; DKAN 7 may give Drupal's
    ``Wed, 01/24/2018 - 11:00`` or ``2018-01-24 11:00:00``."""
    text = _text(value)
    for pattern in ("%a, %m/%d/%Y - %H:%M", "%m/%d/%Y - %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    return text


def _publishers(data: dict[str, Any]) -> list[str]:
    """Names, titles and ids of the dataset's publisher: its organization (CKAN) or its
    groups (DKAN 7), in that order."""
    found: list[str] = []
    owners = [data.get("organization")] + list(
        data.get("groups") if isinstance(data.get("groups"), list) else [])
    for owner in owners:
        if isinstance(owner, dict):
            found.extend(_text(owner.get(k)) for k in ("name", "title", "id"))
        elif isinstance(owner, str):
            found.append(owner.strip())
    return [name for name in found if name]


def to_remote(data: dict[str, Any]) -> RemoteDataset:
    resources = data.get("resources") if isinstance(data.get("resources"), list) else []
    publishers = _publishers(data)
    return RemoteDataset(
        id=_text(data.get("id")),
        name=_text(data.get("name")),
        title=_text(data.get("title")) or _text(data.get("name")),
        metadata_modified=_iso(data.get("metadata_modified")),
        organization=publishers[0] if publishers else "",
        keys=_keys(data),
        resource_urls={normalize(r["url"]) for r in resources
                       if isinstance(r, dict) and _text(r.get("url"))},
    )


def _publisher_matches(data: dict[str, Any], publisher: str) -> bool:
    wanted = publisher.strip().lower()
    return wanted in {name.lower() for name in _publishers(data)}


def _search(portal: str, params: dict[str, Any], throttle: Optional[Throttle]
            ) -> dict[str, Any]:
    result = call(portal, "package_search", params, throttle)
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise FederationError("content", N_(
            "The portal's package_search answer has no list of results."))
    return result


def _ceiling(seen: int) -> None:
    ceiling = tk.config.get("ckanext.opengovpe.national_portal.max_datasets")
    if seen >= ceiling:
        raise FederationError("ceiling", N_(
            "The portal lists more than %(limit)s datasets; raise "
            "ckanext.opengovpe.national_portal.max_datasets to compare them all."),
            limit=ceiling)


def ckan_datasets(portal: str, publisher: Optional[str] = None,
                  throttle: Optional[Throttle] = None) -> Iterator[RemoteDataset]:
    """Every dataset of a CKAN ``portal`` (of ``publisher`` if given), by ``package_search``."""
    rows = tk.config.get("ckanext.opengovpe.national_portal.page_size")
    params: dict[str, Any] = {"rows": rows, "sort": "name asc"}
    if publisher:
        quoted = publisher.replace("\\", "\\\\").replace('"', '\\"')
        params["fq"] = f'organization:"{quoted}"'
    start = seen = 0
    while True:
        result = _search(portal, dict(params, start=start), throttle)
        if start == 0 and "fq" in params and not result["results"]:
            # the publisher may be given by its title, or fq may be unsupported there:
            # read every dataset and keep the publisher's
            del params["fq"]
            continue
        page = result["results"]
        count = result.get("count") if isinstance(result.get("count"), int) else None
        for data in page:
            if not isinstance(data, dict):
                continue
            if "resources" not in data and _text(data.get("id")):
                shown = call(portal, "package_show", {"id": data["id"]}, throttle)
                data = shown if isinstance(shown, dict) else data
            # a portal that ignores fq still only counts the publisher's datasets
            if publisher and not _publisher_matches(data, publisher):
                continue
            yield to_remote(data)
        seen += len(page)
        start += rows
        if not page or (count is not None and start >= count):
            return
        _ceiling(seen)


def _dkan_page(result: Any) -> list[Any]:
    """DKAN 7 answers a list of datasets, or ``{"count": n, "result": [...]}``."""
    if isinstance(result, dict) and isinstance(result.get("result"), list):
        result = result["result"]
    if not isinstance(result, list):
        raise FederationError("content", N_(
            "The portal's current_package_list_with_resources answer has no list of "
            "datasets."))
    return result


def dkan_datasets(portal: str, publisher: Optional[str] = None,
                  throttle: Optional[Throttle] = None) -> Iterator[RemoteDataset]:
    """Every dataset of a DKAN 7 ``portal`` (of ``publisher`` if given)."""
    if call(portal, "site_read", {}, throttle) is not True:
        raise FederationError("content", N_("The portal's site_read answer is not true."))
    limit = tk.config.get("ckanext.opengovpe.national_portal.page_size")
    offset = 0
    while True:
        page = _dkan_page(call(portal, "current_package_list_with_resources",
                               {"limit": limit, "offset": offset}, throttle))
        if not page:
            return
        for data in page:
            # a page may nest each dataset in a list of one, as package_show does there
            if isinstance(data, list) and len(data) == 1:
                data = data[0]
            if isinstance(data, dict) and (not publisher or _publisher_matches(data, publisher)):
                yield to_remote(data)
        offset += len(page)  # DKAN may send fewer than asked: it caps limit
        _ceiling(offset)


def _catalogue(portal: str, throttle: Optional[Throttle]) -> list[Any]:
    url = f"{portal.rstrip('/')}/data.json"
    body, content_type = _get(url, throttle)
    try:
        catalogue = json.loads(body)
    except (ValueError, RecursionError):
        raise FederationError("content", N_(
            "The portal's answer to %(url)s is not valid JSON."), url=url) from None
    if not isinstance(catalogue, dict) or not isinstance(catalogue.get("dataset"), list):
        raise FederationError("content", N_(
            "The portal's %(url)s is not a Project Open Data catalogue."), url=url)
    return catalogue["dataset"]


def _landing_name(landing_page: str) -> str:
    path = urlsplit(landing_page).path.rstrip("/")
    return path.rsplit("/", 1)[1] if "/dataset/" in path else ""


def datajson_datasets(portal: str, publisher: Optional[str] = None,
                      throttle: Optional[Throttle] = None) -> Iterator[RemoteDataset]:
    """Every dataset of ``portal``'s ``/data.json`` (of ``publisher`` if given)."""
    wanted = (publisher or "").strip().lower()
    for entry in _catalogue(portal, throttle):
        if not isinstance(entry, dict):
            continue
        owner = entry.get("publisher") if isinstance(entry.get("publisher"), dict) else {}
        name = _text(owner.get("name"))
        if wanted and name.lower() != wanted:
            continue
        identifier = _text(entry.get("identifier"))
        landing = _text(entry.get("landingPage"))
        distributions = entry.get("distribution")
        urls = {_text(d.get("downloadURL")) or _text(d.get("accessURL"))
                for d in (distributions if isinstance(distributions, list) else [])
                if isinstance(d, dict)}
        yield RemoteDataset(
            id=identifier, name=_landing_name(landing),
            title=_text(entry.get("title")) or identifier,
            metadata_modified=_iso(entry.get("modified")), organization=name,
            keys={normalize(k) for k in (identifier, landing) if k},
            resource_urls={normalize(u) for u in urls if u}, declared_date=True)


@dataclass
class Listing:
    """The portal's datasets and the mode they were read in."""

    mode: str
    datasets: list[RemoteDataset]
    requests: int = 0


READERS = ((CKAN, ckan_datasets), (DKAN, dkan_datasets), (DATA_JSON, datajson_datasets))


def read(portal: str, publisher: Optional[str] = None) -> Listing:
    """The datasets of ``portal`` (of ``publisher`` if given) in the first mode that works.

    Raises the ``package_search`` failure when no mode works, or the dataset ceiling.
    """
    throttle = Throttle(tk.config.get("ckanext.opengovpe.national_portal.requests_per_second"))
    first: Optional[FederationError] = None
    for mode, reader in READERS:
        try:
            found = list(reader(portal, publisher, throttle))
        except FederationError as err:
            if err.reason == "ceiling":
                raise
            log.info("National portal %s not readable as %s: %s", portal, mode, err)
            first = first or err
            continue
        return Listing(mode, found, throttle.requests)
    assert first is not None
    raise first
