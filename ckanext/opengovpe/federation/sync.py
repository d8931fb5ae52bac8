"""Which of this portal's public datasets the national portal has, lacks or has out of date.

Matching rule, in order, for each local public dataset:

1. the same ``name`` (URL slug) on both portals;
2. otherwise a shared identifier: the local dataset's id, its ``identifier`` field and its
   DCAT URI (``<ckanext.dcat.base_uri or ckan.site_url>/dataset/<id or name>``) against the
   remote dataset's ``id``, ``identifier``, ``uri``, ``guid`` and the extras ``identifier``,
   ``uri``, ``guid``, ``dcat_identifier``, ``harvest_url``, ``source_url`` (compared
   without case, ``http(s)://`` or a trailing slash), which is how a copy harvested
   through DCAT or data.json keeps pointing back here.

A matched dataset is *outdated* there when its ``metadata_modified`` is older than ours
or when the sets of resource URLs differ; otherwise it is *present*. Unmatched local
datasets are *missing*; remote datasets no local one matched are *only there*.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

from . import portal as remote
from .messages import N_, FederationError

log = logging.getLogger(__name__)

PRESENT, MISSING, OUTDATED, ONLY_THERE = "present", "missing", "outdated", "only_there"
STATUSES = (MISSING, OUTDATED, ONLY_THERE, PRESENT)
STATUS_LABELS = {
    PRESENT: N_("Present"),
    MISSING: N_("Missing there"),
    OUTDATED: N_("Outdated there"),
    ONLY_THERE: N_("Only there"),
}
FORMATS = ("table", "csv", "json")
COLUMNS = ("status", "name", "title", "local_url", "remote_name", "remote_url",
           "local_modified", "remote_modified", "detail", "entity")

Note = tuple[str, dict[str, Any]]


@dataclass
class Row:
    status: str
    name: str = ""
    title: str = ""
    local_url: str = ""
    remote_name: str = ""
    remote_url: str = ""
    local_modified: str = ""
    remote_modified: str = ""
    notes: list[Note] = field(default_factory=list)
    # the local entity (organization) name and title of a local dataset
    entity: str = ""
    entity_title: str = ""

    def detail(self, translate: Optional[Callable[[str], str]] = None) -> str:
        return "; ".join((translate(msg) if translate else msg) % params
                         for msg, params in self.notes)

    def as_dict(self, translate: Optional[Callable[[str], str]] = None) -> dict[str, str]:
        return {"status": self.status, "name": self.name, "title": self.title,
                "local_url": self.local_url, "remote_name": self.remote_name,
                "remote_url": self.remote_url, "local_modified": self.local_modified,
                "remote_modified": self.remote_modified, "detail": self.detail(translate),
                "entity": self.entity}


@dataclass
class Report:
    portal: str
    publisher: str
    generated: str
    rows: list[Row] = field(default_factory=list)
    error: Optional[FederationError] = None
    mode: str = ""
    requests: int = 0

    def mode_text(self, translate: Optional[Callable[[str], str]] = None) -> str:
        label = remote.MODE_LABELS.get(self.mode)
        return (translate(label) if translate else label) if label else ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status: found.get(status, 0) for status in STATUSES}

    def error_text(self, translate: Optional[Callable[[str], str]] = None) -> str:
        return self.error.render(translate) if self.error else ""


@dataclass
class Local:
    data: dict[str, Any]
    keys: set[str]
    resource_urls: set[str]


def _local_keys(data: dict[str, Any]) -> set[str]:
    base = (tk.config.get("ckanext.dcat.base_uri") or tk.config.get("ckan.site_url")
            or "").rstrip("/")
    keys = {data["id"], f"{base}/dataset/{data['id']}", f"{base}/dataset/{data['name']}"}
    for name in ("identifier", "uri"):
        if isinstance(data.get(name), str) and data[name].strip():
            keys.add(data[name])
    return {remote.normalize(k) for k in keys}


def local_datasets(organization: Optional[str] = None) -> list[Local]:
    """This portal's public, active publication datasets (of one entity if given)."""
    found: list[Local] = []
    fq = "+dataset_type:dataset"
    if organization:
        fq += f' +organization:"{organization}"'
    start, rows = 0, 1000
    while True:
        result = tk.get_action("package_search")({"ignore_auth": True}, {
            "fq": fq, "rows": rows, "start": start, "sort": "name asc",
            "include_private": False, "include_drafts": False})
        for data in result["results"]:
            urls = {remote.normalize(r["url"]) for r in data.get("resources", [])
                    if r.get("url")}
            found.append(Local(data, _local_keys(data), urls))
        start += rows
        if start >= result["count"] or not result["results"]:
            return found


def _when(value: str) -> Optional[datetime.datetime]:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _compare(local: Local, there: remote.RemoteDataset) -> list[Note]:
    notes: list[Note] = []
    here = local.data["metadata_modified"]
    if there.declared_date:
        # what our data.json gives as ``modified``, so a harvested copy reads as up to date
        here = local.data.get("modified") or here
    ours, theirs = _when(here), _when(there.metadata_modified)
    if ours and theirs and theirs < ours:
        notes.append((N_("modified here on %(here)s, there on %(there)s"),
                      {"here": ours.date().isoformat(), "there": theirs.date().isoformat()}))
    lacking = local.resource_urls - there.resource_urls
    extra = there.resource_urls - local.resource_urls
    if lacking:
        notes.append((N_("%(count)s resources not there"), {"count": len(lacking)}))
    if extra:
        notes.append((N_("%(count)s resources only there"), {"count": len(extra)}))
    return notes


def compare(locals_: list[Local], remotes: list[remote.RemoteDataset], portal: str) -> list[Row]:
    """One row per local dataset and per remote dataset no local one matched."""
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    by_name = {r.name: r for r in remotes if r.name}
    by_key: dict[str, remote.RemoteDataset] = {}
    for item in remotes:
        for key in item.keys:
            by_key.setdefault(key, item)
    matched: set[int] = set()
    rows: list[Row] = []
    for local in locals_:
        data = local.data
        entity = data.get("organization") or {}
        row = Row(status=MISSING, name=data["name"], title=data.get("title") or data["name"],
                  local_url=f"{site}/dataset/{data['name']}",
                  local_modified=data["metadata_modified"], entity=entity.get("name") or "",
                  entity_title=entity.get("title") or entity.get("name") or "")
        there = by_name.get(data["name"])
        if there is None or id(there) in matched:
            there = next((by_key[k] for k in sorted(local.keys)
                          if k in by_key and id(by_key[k]) not in matched), None)
        if there is not None:
            matched.add(id(there))
            row.remote_name, row.remote_url = there.name, there.page_url(portal)
            row.remote_modified = there.metadata_modified
            row.notes = _compare(local, there)
            row.status = OUTDATED if row.notes else PRESENT
        rows.append(row)
    for item in remotes:
        if id(item) not in matched:
            rows.append(Row(status=ONLY_THERE, title=item.title, remote_name=item.name,
                            remote_url=item.page_url(portal),
                            remote_modified=item.metadata_modified))
    rows.sort(key=lambda r: (STATUSES.index(r.status), r.name or r.remote_name))
    return rows


def build(portal: str, publisher: Optional[str] = None,
          organization: Optional[str] = None) -> Report:
    """Compare this portal with ``portal``; a problem there is the report's ``error``.

    With ``organization`` (a local entity) and no ``publisher``, the entity's name on the
    national portal (its ``national_portal_name``) is the publisher there.
    """
    if organization and not publisher:
        try:
            entity = tk.get_action("organization_show")(
                {"ignore_auth": True}, {"id": organization, "include_datasets": False})
        except tk.ObjectNotFound:
            entity = {}
        publisher = entity.get("national_portal_name") or None
    report = Report(portal=portal, publisher=publisher or "",
                    generated=datetime.datetime.now(datetime.timezone.utc)
                    .replace(microsecond=0).isoformat())
    if not portal:
        report.error = FederationError("config", N_(
            "No national portal URL is configured (ckanext.opengovpe.national_portal.url)."))
        return report
    try:
        listing = remote.read(portal, publisher)
    except FederationError as err:
        log.warning("National sync report against %s failed: %s", portal, err)
        report.error = err
        return report
    report.mode, report.requests = listing.mode, listing.requests
    report.rows = compare(local_datasets(organization), listing.datasets, portal)
    return report


def render(report: Report, fmt: str,
           translate: Optional[Callable[[str], str]] = None) -> str:
    """The report as ``table`` (for a terminal), ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps({
            "portal": report.portal, "publisher": report.publisher,
            "mode": report.mode or None, "generated": report.generated,
            "error": report.error_text(translate) or None,
            "counts": report.counts, "datasets": [r.as_dict(translate) for r in report.rows],
        }, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in report.rows:
            writer.writerow(row.as_dict(translate))
        return out.getvalue()
    return _table(report, translate)


def _table(report: Report, translate: Optional[Callable[[str], str]]) -> str:
    t = translate or (lambda s: s)
    lines = [f"{t(N_('National portal'))}: {report.portal}"
             + (f" ({t(N_('publisher'))}: {report.publisher})" if report.publisher else "")]
    if report.error:
        lines.append(f"{t(N_('Error'))}: {report.error_text(translate)}")
        return "\n".join(lines) + "\n"
    lines.append(f"{t(N_('Read through'))}: {report.mode_text(translate)}")
    lines.append(", ".join(f"{t(STATUS_LABELS[s])}: {n}" for s, n in report.counts.items()))
    cells = [(t(STATUS_LABELS[r.status]), r.name or "-", r.remote_name or "-",
              r.detail(translate)) for r in report.rows]
    header = (t(N_("Status")), t(N_("Here")), t(N_("There")), t(N_("Detail")))
    widths = [max([len(header[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    for cell in [header] + cells:
        lines.append("  ".join(cell[i].ljust(widths[i]) for i in range(3)) + "  " + cell[3])
    return "\n".join(line.rstrip() for line in lines) + "\n"
