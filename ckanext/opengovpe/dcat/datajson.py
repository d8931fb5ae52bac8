"""``/data.json``: the catalogue in Project Open Data v1.1, the format DKAN harvests.

The document is built from the catalogue's dataset dicts in batches and kept in Redis under the
catalogue's generation (:func:`.catalog.generation`, moved by every dataset change), so any
dataset change invalidates it; ``ckanext.opengovpe.dcat.datajson_cache_ttl`` bounds its life
for changes no dataset records (an entity's name or e-mail).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Iterator

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from redis.exceptions import RedisError

from .. import vocab
from . import catalog
from . import vocabulary as v

log = logging.getLogger(__name__)

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
BATCH = 500


def _mailto(email: str) -> str:
    return email if email.startswith("mailto:") else "mailto:" + email


def _list(value: Any) -> list[Any]:
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [loaded]
    return list(value)


def _temporal(periods: Any) -> str | None:
    for period in _list(periods):
        if isinstance(period, dict) and period.get("start"):
            return f"{period['start']}/{period.get('end') or period['start']}"
    return None


def _distribution(resource: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "dcat:Distribution"}
    url = resource.get("url")
    download = resource.get("download_url") or url
    access = resource.get("access_url")
    fmt = resource.get("format")
    media = resource.get("mimetype") or v.media_type_for_format(fmt)
    if download:
        item["downloadURL"] = download
        if media:
            item["mediaType"] = media
    if access and access != download:
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
    places = [vocab.ubigeo_name(code) for code in _list(dataset.get("ubigeo_coverage"))]
    places += [s.get("text") for s in _list(dataset.get("spatial_coverage"))
               if isinstance(s, dict)]
    frequency = vocab.term("frequency", dataset.get("frequency"))
    standards = [c for c in _list(dataset.get("conforms_to")) if str(c).startswith("http")]
    themes = [topic.label(lang)] if topic else []
    themes += [vocab.label("eu_theme", code, lang) for code in _list(dataset.get("eu_theme"))]
    languages = [vocab.term("language", code) for code in _list(dataset.get("language"))]
    return {
        "spatial": ", ".join(p.title() for p in places if p),
        "temporal": _temporal(catalog.temporal_periods(dataset)),
        "accrualPeriodicity": frequency.get("iso8601") if frequency else None,
        "issued": dataset.get("issued"),
        "landingPage": dataset.get("url"),
        "describedBy": dataset.get("data_dictionary"),
        "conformsTo": standards[0] if standards else None,
        "references": [d for d in _list(dataset.get("documentation"))
                       if str(d).startswith("http")],
        "theme": themes,
        "language": [t.get("iso639_1") for t in languages if t and t.get("iso639_1")],
        "distribution": [_distribution(r) for r in dataset.get("resources") or []],
    }


def dataset_entry(dataset: dict[str, Any], lang: str) -> dict[str, Any]:
    """One ``dataset[]`` entry of data.json for a package_show dict."""
    org = dataset.get("organization") or {}
    declared = [p for p in _list(dataset.get("publisher")) if isinstance(p, dict)]
    publisher = (declared[0].get("name") if declared else None) or org.get("title") or ""
    topic = vocab.term("pnda_theme", dataset.get("pnda_theme"))
    keywords = [t["name"] for t in dataset.get("tags") or []]
    if not keywords:
        keywords = [topic.label(lang)] if topic else [dataset["title"]]
    contact = next((c for c in _list(dataset.get("contact"))
                    if isinstance(c, dict) and c.get("email")), None)
    email = (contact or {}).get("email") or org.get("open_data_email") \
        or tk.config.get("ckanext.opengovpe.dcat.publisher_email")
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
        entry["contactPoint"]["hasEmail"] = _mailto(email)
    licence = vocab.term("license", dataset.get("license_id"))
    if licence is not None:
        entry["license"] = licence.get("uri")
    if entry["accessLevel"] != "public":
        rights = next((r["rights"] for r in dataset.get("resources") or [] if r.get("rights")),
                      None)
        entry["rights"] = (rights or tk._("Access is restricted: see the dataset page"))[:255]
    entry.update({key: value for key, value in _optional(dataset, topic, lang).items()
                  if value})
    return entry


def iter_document(lang: str) -> Iterator[str]:
    """The data.json document in pieces, batch by batch."""
    head = {"@context": CONTEXT, "@type": "dcat:Catalog", "conformsTo": SCHEMA,
            "describedBy": DESCRIBED_BY}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "dataset": ['
    first = True
    for batch in catalog.iter_batches(BATCH):
        for dataset in batch:
            yield ("" if first else ",") + json.dumps(dataset_entry(dataset, lang),
                                                      ensure_ascii=False)
            first = False
    yield "]}"


def document(lang: str) -> bytes:
    """The data.json document, from the cache when no dataset has changed since."""
    site_id = tk.config.get("ckan.site_id")
    ttl = int(tk.config.get("ckanext.opengovpe.dcat.datajson_cache_ttl"))
    key = f"{site_id}:opengovpe_dcat:datajson:{lang}:{catalog.generation()}"
    try:
        redis = connect_to_redis()
        cached = redis.get(key) if ttl > 0 else None
    except RedisError:
        log.warning("Redis unavailable: data.json built without the cache", exc_info=True)
        redis, cached = None, None
    if cached is not None:
        return cached
    body = "".join(iter_document(lang)).encode("utf-8")
    if redis is not None and ttl > 0:
        try:
            redis.set(key, body, ex=ttl)
        except RedisError:
            log.warning("Could not cache data.json", exc_info=True)
    return body
