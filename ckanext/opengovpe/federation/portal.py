"""Read a CKAN-compatible catalogue API (the national portal's) safely.

datosabiertos.gob.pe runs DKAN, which answers CKAN's read actions (``package_search``,
``package_show``). Every request goes through :mod:`ckanext.opengovpe.net`; whatever goes
wrong (no route, timeout, an HTML error page, JSON that is not an API answer,
``success: false``) becomes one :class:`FederationError` with a clear message.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlencode

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

    def page_url(self, portal: str) -> str:
        return f"{portal.rstrip('/')}/dataset/{self.name or self.id}"


def _fetch_error(err: net.FetchError) -> FederationError:
    message = FETCH_MESSAGES.get(err.reason, FETCH_MESSAGES["content"])
    return FederationError(err.reason, message, detail=str(err))


def call(portal: str, action: str, params: dict[str, Any]) -> Any:
    """The ``result`` of one read action of ``portal``'s API, or a FederationError."""
    url = f"{portal.rstrip('/')}/api/3/action/{action}"
    if params:
        url += "?" + urlencode(params)
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
    """Compare identifiers and URLs without case, scheme or trailing slash differences."""
    value = value.strip().lower().rstrip("/")
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def to_remote(data: dict[str, Any]) -> RemoteDataset:
    organization = data.get("organization") if isinstance(data.get("organization"), dict) else {}
    resources = data.get("resources") if isinstance(data.get("resources"), list) else []
    return RemoteDataset(
        id=_text(data.get("id")),
        name=_text(data.get("name")),
        title=_text(data.get("title")) or _text(data.get("name")),
        metadata_modified=_text(data.get("metadata_modified")),
        organization=_text(organization.get("name")),
        keys=_keys(data),
        resource_urls={normalize(r["url"]) for r in resources
                       if isinstance(r, dict) and _text(r.get("url"))},
    )


def _publisher_matches(data: dict[str, Any], publisher: str) -> bool:
    organization = data.get("organization")
    if not isinstance(organization, dict):
        return False
    wanted = publisher.strip().lower()
    return wanted in {_text(organization.get(k)).lower() for k in ("name", "title", "id")}


def _search(portal: str, params: dict[str, Any]) -> dict[str, Any]:
    result = call(portal, "package_search", params)
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise FederationError("content", N_(
            "The portal's package_search answer has no list of results."))
    return result


def datasets(portal: str, publisher: Optional[str] = None) -> Iterator[RemoteDataset]:
    """Every dataset of ``portal`` (of ``publisher`` if given), page by page."""
    rows = tk.config.get("ckanext.opengovpe.national_portal.page_size")
    ceiling = tk.config.get("ckanext.opengovpe.national_portal.max_datasets")
    params: dict[str, Any] = {"rows": rows, "sort": "name asc"}
    if publisher:
        quoted = publisher.replace("\\", "\\\\").replace('"', '\\"')
        params["fq"] = f'organization:"{quoted}"'
    start = seen = 0
    while True:
        result = _search(portal, dict(params, start=start))
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
                shown = call(portal, "package_show", {"id": data["id"]})
                data = shown if isinstance(shown, dict) else data
            # a portal that ignores fq still only counts the publisher's datasets
            if publisher and not _publisher_matches(data, publisher):
                continue
            yield to_remote(data)
        seen += len(page)
        start += rows
        if not page or (count is not None and start >= count):
            return
        if seen >= ceiling:
            raise FederationError("too_large", N_(
                "The portal lists more than %(limit)s datasets; raise "
                "ckanext.opengovpe.national_portal.max_datasets to compare them all."),
                limit=ceiling)
