"""``/data.json``: the catalogue in Project Open Data v1.1, the format DKAN harvests.

``/organization/<entity>/data.json`` is the same document limited to one entity's published
datasets, so the national portal can harvest one institution.

``publisher.name`` is the name under which the national portal knows the entity (its profile's
``national_portal_name``), else the entity's title: DKAN's data.json harvester files each
dataset under the publisher group of that name, so a sub-unit declared on the dataset would
open a group of its own there instead of joining the entity's.

The document is built from the catalogue's dataset dicts in batches and kept in Redis under the
catalogue's generation (:func:`.catalog.generation`, moved by every dataset change), so any
dataset change invalidates it; ``ckanext.opengovpe.dcat.datajson_cache_ttl`` bounds its life
for changes no dataset records (an entity's name or e-mail).
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterator
from urllib.parse import quote

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from .. import vocab
from . import catalog
from .fields import as_list, mailto
from . import vocabulary as v

log = logging.getLogger(__name__)

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
BATCH = 500
# POD v1.1's patterns for hasEmail (vcard.json) and mediaType (distribution.json)
MAILTO = re.compile(r"^mailto:[\w_~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+?$", re.ASCII)
MEDIA_TYPE = re.compile(r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$", re.ASCII)
# characters a URI may hold as they are (RFC 3986 reserved, unreserved and "%")
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def _uri(value: Any) -> str | None:
    """A URL as a URI: other characters (accents, spaces) percent-encoded as UTF-8."""
    if not isinstance(value, str) or not value.strip():
        return None
    return quote(value.strip(), safe=_URI_SAFE)


def _temporal(periods: Any) -> str | None:
    for period in as_list(periods):
        if isinstance(period, dict) and period.get("start"):
            return f"{period['start']}/{period.get('end') or period['start']}"
    return None


def _distribution(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource as a distribution: ``downloadURL`` with its ``mediaType`` (POD requires one
    with the other); a file of no known media type is offered as ``accessURL``."""
    item: dict[str, Any] = {"@type": "dcat:Distribution"}
    download = _uri(resource.get("download_url") or resource.get("url"))
    access = _uri(resource.get("access_url"))
    fmt = resource.get("format")
    # a declared type may carry parameters ("text/csv; charset=utf-8"), which POD does not take
    types = [str(m).split(";")[0].strip()
             for m in (resource.get("mimetype"), v.media_type_for_format(fmt)) if m]
    media = next((m for m in types if MEDIA_TYPE.match(m)), None)
    if download and media:
        item["downloadURL"] = download
        item["mediaType"] = media
    elif download and not access:
        access = download
    if access and access != item.get("downloadURL"):
        item["accessURL"] = access
    if fmt:
        item["format"] = fmt
    if resource.get("name"):
        item["title"] = resource["name"]
    if resource.get("description"):
        item["description"] = resource["description"]
    return item


def _optional(dataset: dict[str, Any], topic: Any, lang: str) -> dict[str, Any]:
    """The optional POD fields of a dataset (empty values are left out by the caller)."""
    places = [vocab.ubigeo_name(code) for code in as_list(dataset.get("ubigeo_coverage"))]
    places += [s.get("text") for s in as_list(dataset.get("spatial_coverage"))
               if isinstance(s, dict)]
    frequency = vocab.term("frequency", dataset.get("frequency"))
    standards = [c for c in as_list(dataset.get("conforms_to")) if str(c).startswith("http")]
    themes = [topic.label(lang)] if topic else []
    themes += [vocab.label("eu_theme", code, lang) for code in as_list(dataset.get("eu_theme"))]
    languages = [vocab.term("language", code) for code in as_list(dataset.get("language"))]
    return {
        "spatial": ", ".join(p.title() for p in places if p),
        "temporal": _temporal(catalog.temporal_periods(dataset)),
        "accrualPeriodicity": frequency.get("iso8601") if frequency else None,
        "issued": dataset.get("issued"),
        "landingPage": _uri(dataset.get("url")),
        "describedBy": _uri(dataset.get("data_dictionary")),
        "conformsTo": standards[0] if standards else None,
        "references": list(dict.fromkeys(_uri(d) for d in as_list(dataset.get("documentation"))
                                         if str(d).startswith("http"))),
        "theme": list(dict.fromkeys(t for t in themes if t)),
        "language": [t.get("iso639_1") for t in languages if t and t.get("iso639_1")],
        "distribution": [d for d in (_distribution(r) for r in dataset.get("resources") or [])
                         if "downloadURL" in d or "accessURL" in d],
    }


def publisher_name(organization: dict[str, Any]) -> str:
    """The entity's name on the national portal: see the module's docstring."""
    return (str(organization.get("national_portal_name") or "").strip()
            or organization.get("title") or organization.get("name") or "")


def dataset_entry(dataset: dict[str, Any], lang: str) -> dict[str, Any]:
    """One ``dataset[]`` entry of data.json for a package_show dict."""
    org = dataset.get("organization") or {}
    declared = [p for p in as_list(dataset.get("publisher")) if isinstance(p, dict)]
    publisher = publisher_name(org) or (declared[0].get("name") if declared else None) \
        or tk.config.get("ckan.site_title") or ""
    topic = vocab.term("pnda_theme", dataset.get("pnda_theme"))
    keywords = [t["name"] for t in dataset.get("tags") or []]
    if not keywords:
        keywords = [topic.label(lang)] if topic else [dataset["title"]]
    contact = next((c for c in as_list(dataset.get("contact"))
                    if isinstance(c, dict) and c.get("email")), None)
    # POD requires an address of its pattern: the first one that has it, the portal's
    # outgoing address last
    email = next((e for e in ((contact or {}).get("email"), org.get("open_data_email"),
                              tk.config.get("ckanext.opengovpe.dcat.publisher_email"),
                              tk.config.get("smtp.mail_from"))
                  if isinstance(e, str) and MAILTO.match(mailto(e.strip()))), None)
    access = vocab.term("access_level", dataset.get("access_rights") or "publico")
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": dataset["title"],
        "description": dataset.get("notes") or dataset["title"],
        "keyword": keywords,
        "modified": dataset.get("modified") or dataset["metadata_modified"],
        "publisher": {"@type": "org:Organization", "name": publisher},
        "contactPoint": {"@type": "vcard:Contact",
                         "fn": (contact or {}).get("name") or publisher},
        "identifier": dataset.get("identifier") or dataset["id"],
        "accessLevel": access.get("datajson") if access else "public",
    }
    if email:
        entry["contactPoint"]["hasEmail"] = mailto(email.strip())
    licence = vocab.term("license", dataset.get("license_id"))
    if licence is not None:
        entry["license"] = _uri(licence.get("uri"))
    if entry["accessLevel"] != "public":
        rights = next((r["rights"] for r in dataset.get("resources") or [] if r.get("rights")),
                      None)
        entry["rights"] = (rights or tk._("Access is restricted: see the dataset page"))[:255]
    entry.update({key: value for key, value in _optional(dataset, topic, lang).items()
                  if value})
    return entry


def iter_document(lang: str, entity: dict[str, Any] | None = None) -> Iterator[str]:
    """The data.json document in pieces, batch by batch (of ``entity``'s datasets if given)."""
    head = {"@context": CONTEXT, "@type": "dcat:Catalog", "conformsTo": SCHEMA,
            "describedBy": DESCRIBED_BY}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "dataset": ['
    first = True
    for batch in catalog.iter_batches(BATCH, owner_org=entity["id"] if entity else None):
        for dataset in batch:
            yield ("" if first else ",") + json.dumps(dataset_entry(dataset, lang),
                                                      ensure_ascii=False)
            first = False
    yield "]}"


def document(lang: str, entity: dict[str, Any] | None = None) -> bytes:
    """The data.json document (of ``entity``, from :func:`.catalog.find_entity`, if given),
    from the cache when no dataset has changed since."""
    site_id = tk.config.get("ckan.site_id")
    ttl = int(tk.config.get("ckanext.opengovpe.dcat.datajson_cache_ttl"))
    scope = f"entity:{entity['id']}" if entity else "all"
    key = f"{site_id}:opengovpe_dcat:datajson:{scope}:{lang}:{catalog.generation()}"
    try:
        redis = connect_to_redis()
        cached = redis.get(key) if ttl > 0 else None
    except RedisError:
        log.warning("Redis unavailable: data.json built without the cache", exc_info=True)
        redis, cached = None, None
    if cached is not None:
        return cached
    body = "".join(iter_document(lang, entity)).encode("utf-8")
    if redis is not None and ttl > 0:
        try:
            redis.set(key, body, ex=ttl)
        except RedisError:
            log.warning("Could not cache data.json", exc_info=True)
    return body
