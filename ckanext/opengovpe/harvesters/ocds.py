"""``opengovpe_ocds``: harvest OCDS procurement data into one dataset per buyer and year.

Gather downloads each file through ``net.py`` (public http(s) only, capped, redirects
re-checked), streams it with ijson, compiles each process (the publisher's
``compiledRelease`` first, else ocdsmerge) and stores it once per (source, ocid); one harvest
object is made per buyer-year dataset that changed and per file read. Import rebuilds those
datasets from the stored processes. A bad object is one line of the report; the rest goes on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from typing import Any, Optional

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

from ckanext.opengovpe import net
from ckanext.opengovpe.procurement import parse, process, publish, store
# report lines are stored: written in the portal's language, not the consumer's (it serves
# no request, and tk._ would leave them in English); forms and pages keep tk._
from ckanext.opengovpe.translation import N_, site_gettext

from . import recovery

log = logging.getLogger(__name__)

KINDS = ("url", "oece_bulk", "oece_api")
DEFAULTS: dict[str, Any] = {"kind": "url", "months": 2, "max_pages": 1000,
                            "max_delete_share": 0.2, "max_errors": 200,
                            "max_unpacked_mb": 2048, "license_id": "cc-by",
                            "buyer_identity": "identifier"}
PROGRESS_EVERY = 1000


class ConfigError(ValueError):
    """A source configuration error: the option at fault and an English message to translate."""

    def __init__(self, field: str, message: str, **params: Any) -> None:
        self.field, self.message, self.params = field, message, params
        super().__init__(f"{field}: {message % params}")

    def translated(self) -> str:
        return f"{self.field}: {tk._(self.message) % self.params}"


def parse_config(text: Optional[str]) -> dict[str, Any]:
    """The source configuration with defaults; ConfigError names the option at fault."""
    try:
        given = json.loads(text) if text and text.strip() else {}
    except ValueError as err:
        raise ConfigError("config", N_("not valid JSON (%(error)s)"), error=str(err)) from err
    if not isinstance(given, dict):
        raise ConfigError("config", N_("must be a JSON object"))
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ConfigError(unknown[0], N_("unknown option (known: %(known)s)"),
                          known=", ".join(DEFAULTS))
    config = {**DEFAULTS, **given}
    if config["kind"] not in KINDS:
        raise ConfigError("kind", N_("must be one of %(kinds)s"), kinds=", ".join(KINDS))
    for key, low, high in (("months", 1, 240), ("max_pages", 1, 100000),
                           ("max_errors", 1, 100000), ("max_unpacked_mb", 1, 65536)):
        if not isinstance(config[key], int) or isinstance(config[key], bool) \
                or not low <= config[key] <= high:
            raise ConfigError(key, N_("must be a whole number from %(low)s to %(high)s"),
                              low=low, high=high)
    share = config["max_delete_share"]
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        raise ConfigError("max_delete_share", N_("must be a number from 0 to 1"))
    if config["buyer_identity"] not in process.IDENTITY_RULES:
        raise ConfigError("buyer_identity", N_("must be one of %(kinds)s"),
                          kinds=", ".join(process.IDENTITY_RULES))
    if not isinstance(config["license_id"], str):
        raise ConfigError("license_id", N_("must be a licence id"))
    return config


class Progress:
    """Records per second and, from the bytes read out of the known size, the time left."""

    def __init__(self, label: str, unpacked: parse.Unpacked) -> None:
        self.label, self.unpacked = label, unpacked
        self.count, self.start = 0, time.monotonic()

    def step(self) -> None:
        self.count += 1
        if self.count % PROGRESS_EVERY == 0:
            elapsed = max(time.monotonic() - self.start, 1e-6)
            done, total = self.unpacked.reader.count, self.unpacked.total
            eta = ""
            if total and done:
                eta = f", {100 * done / total:.0f}%, ETA {(total - done) * elapsed / done:.0f} s"
            log.info("%s: %s records, %.0f records/s%s", self.label, self.count,
                     self.count / elapsed, eta)


class OcdsHarvester(HarvesterBase, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.ITemplateHelpers)

    def get_helpers(self) -> dict[str, Any]:
        return {"opengovpe_ocds_flags": opengovpe_ocds_flags,
                "opengovpe_ocds_money": opengovpe_ocds_money,
                "opengovpe_ocds_shares": opengovpe_ocds_shares,
                "opengovpe_ocds_resource_url": opengovpe_ocds_resource_url}

    def info(self) -> dict[str, str]:
        return {"name": "opengovpe_ocds",
                "title": tk._("Public procurement (OCDS)"),
                "description": tk._("OECE bulk files, the OECE API or any OCDS record or release "
                                    "package, into one dataset per buyer and year with red flags")}

    def validate_config(self, config: Optional[str]) -> str:
        try:
            parse_config(config)
        except ConfigError as err:
            raise ValueError(tk._("Invalid configuration: %s") % err.translated()) from err
        return config or ""

    # gather ---------------------------------------------------------------------------
    def gather_stage(self, harvest_job: Any) -> list[str]:
        # one gather per source at a time: a second one (a job sent twice) waits, then finds
        # the processes stored and nothing left to write
        with recovery.advisory_lock(recovery.gather_lock_name(harvest_job.source_id),
                                    wait=True):
            return self._gather(harvest_job)

    def _gather(self, harvest_job: Any) -> list[str]:
        source = harvest_job.source
        config = parse_config(source.config)
        self.errors = 0
        self.max_errors = config["max_errors"]
        self.config = config
        self.source_name = source.title or source.id
        package = model.Package.get(source.id)
        self.source_slug = package.name if package is not None else source.id
        touched: set[str] = set()
        seen: set[str] = set()
        months: list[dict[str, Any]] = []
        complete, unchanged = True, False
        try:
            # lazily: an API page's ``links.next`` is known once the page has been read
            for spec in self._files(source.url, config, source.id):
                if spec.get("skip"):
                    continue
                ok = self._read_file(spec, source.id, config, harvest_job, touched, seen)
                complete = complete and ok
                unchanged = unchanged or bool(spec.get("unchanged"))
                if ok and config["kind"] != "oece_api" and not spec.get("unchanged"):
                    months.append(spec)
        except (net.FetchError, parse.InputError, ValueError) as err:
            complete = False
            self._error(site_gettext("Could not list the files: %s") % err, harvest_job)
        # a file skipped as unchanged stored nothing new: nothing of it is gone either
        if config["kind"] == "url" and complete and not unchanged:
            touched |= self._apply_deletions(source.id, seen, config, harvest_job)
        model.Session.commit()
        touched |= store.stale(source.id)
        ids = []
        for name in sorted(touched):
            obj = HarvestObject(guid=name, job=harvest_job,
                                content=json.dumps({"type": "buyer_year", "name": name}))
            obj.save()
            ids.append(obj.id)
        for spec in months:
            info = {key: value for key, value in spec.items() if key != "path"}
            obj = HarvestObject(guid=spec["name"], job=harvest_job,
                                content=json.dumps({"type": "file", **info}))
            obj.save()
            ids.append(obj.id)
        log.info("OCDS gather of %s: %s datasets to write, %s errors", source.id,
                 len(ids), self.errors)
        return ids

    def _error(self, message: str, harvest_job: Any) -> None:
        self.errors += 1
        if self.errors <= self.max_errors:
            self._save_gather_error(message, harvest_job)
        elif self.errors == self.max_errors + 1:
            self._save_gather_error(
                site_gettext("More errors follow; only the first %s are listed")
                % self.max_errors, harvest_job)

    def _process_error(self, err: process.ProcessError, url: str, harvest_job: Any,
                       position: int = 0) -> None:
        """One report line in the portal's language; the English detail goes to the log."""
        log.warning("OCDS %s: object %s: %s", url, position, err)
        self._error(site_gettext(err.message) % err.params, harvest_job)

    def _input_error(self, err: parse.InputError, url: str, harvest_job: Any) -> None:
        log.warning("OCDS %s: %s", url, err)
        self._error(site_gettext("%(url)s: %(error)s")
                    % {"url": url, "error": site_gettext(err.message) % err.params},
                    harvest_job)

    def _files(self, url: str, config: dict[str, Any], source_id: str
               ) -> Iterator[dict[str, Any]]:
        source = model.Package.get(source_id)
        label = source.name if source else source_id
        if config["kind"] == "url":
            yield {"url": url, "name": process.month_name(label, "file"), "period": ""}
        elif config["kind"] == "oece_api":
            next_url: Optional[str] = url
            page = 0
            while next_url and page < config["max_pages"]:
                page += 1
                yield {"url": next_url, "name": process.month_name(label, f"page-{page}"),
                       "period": f"page {page}", "next_from_links": True}
                next_url = self._next_link
        else:
            yield from self._bulk_months(url, config, label)

    def _bulk_months(self, url: str, config: dict[str, Any], label: str
                     ) -> Iterator[dict[str, Any]]:
        """The latest ``months`` monthly files of an OECE files index, newest first."""
        entries: list[dict[str, Any]] = []
        next_url: Optional[str] = url
        pages = 0
        while next_url and pages < config["max_pages"] and len(entries) < config["months"]:
            pages += 1
            index = json.loads(net.get_bytes(next_url, max_bytes=20 * 2**20))
            if not isinstance(index, dict) or not isinstance(index.get("results"), list):
                raise ValueError("the files index has no 'results' list")
            for entry in index["results"]:
                if isinstance(entry, dict) and entry.get("url"):
                    entries.append(entry)
            following = index.get("next") or (index.get("links") or {}).get("next")
            next_url = str(following) if following else None
        entries.sort(key=lambda e: (int(e.get("year") or 0), int(e.get("month") or 0)),
                     reverse=True)
        for entry in entries[:config["months"]]:
            period = f"{int(entry.get('year') or 0):04d}-{int(entry.get('month') or 0):02d}"
            name = process.month_name(label, period)
            sha = str(entry.get("sha256") or entry.get("hash") or "").lower()
            known = publish.stored_checksum(name)
            yield {"url": str(entry["url"]), "name": name, "period": period, "expected_sha256": sha,
                   "skip": bool(sha) and known == sha}

    _next_link: Optional[str] = None

    def _read_file(self, spec: dict[str, Any], source_id: str, config: dict[str, Any],
                   harvest_job: Any, touched: set[str], seen: set[str]) -> bool:
        """Download, unpack and parse one file into the process store. False if incomplete."""
        workdir = tempfile.mkdtemp(prefix="opengovpe-ocds-")
        self._next_link = None
        try:
            path = os.path.join(workdir, "download")
            fetch = self._copy_local if spec["url"].startswith("file:") else self._download
            if not fetch(spec["url"], path, harvest_job):
                return False
            spec["downloaded_sha256"] = _sha256_file(path)
            counts = {"records": 0, "releases": 0, "errors": 0, "stored": 0}
            ok = self._parse_file(path, spec, source_id, config, harvest_job, touched, seen,
                                  counts, workdir)
            spec.update(counts)
            return ok
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _copy_local(self, url: str, path: str, harvest_job: Any) -> bool:
        """A ``file://`` source, read only inside ``ckanext.opengovpe.ocds.local_directory``."""
        wanted = net.local_file(url)
        if wanted is None:
            log.warning("OCDS %s: not a file under ckanext.opengovpe.ocds.local_directory", url)
            self._error(site_gettext(
                "%(url)s is not a file in the directory the portal allows harvest "
                "sources to read (ckanext.opengovpe.ocds.local_directory). Use an "
                "http(s) URL, or ask the portal admin to allow that directory.")
                % {"url": url}, harvest_job)
            return False
        shutil.copyfile(wanted, path)
        return True

    def _download(self, url: str, path: str, harvest_job: Any) -> bool:
        try:
            with net.open_url(url, accept="application/json, application/zip, "
                              "application/gzip, */*") as fetched:
                if fetched.content_type.startswith("text/html"):
                    raise parse.InputError(N_(
                        "The server answered an HTML page, not OCDS; check the source URL "
                        "or try again later."))
                with open(path, "wb") as out:
                    for chunk in fetched.iter_bytes():
                        out.write(chunk)
        except parse.InputError as err:
            self._input_error(err, url, harvest_job)
            return False
        except net.FetchError as err:
            log.warning("OCDS %s: %s", url, err)
            self._error(site_gettext(
                "%(url)s could not be downloaded (%(error)s). Check the source URL "
                "and that the server answers, then run the harvest again.")
                % {"url": url, "error": err}, harvest_job)
            return False
        return True

    def _parse_file(self, path: str, spec: dict[str, Any], source_id: str,
                    config: dict[str, Any], harvest_job: Any, touched: set[str],
                    seen: set[str], counts: dict[str, int], workdir: str) -> bool:
        url = spec["url"]
        if config["kind"] == "url" and self._unchanged(path, spec, config):
            log.info("OCDS %s: the same data as the last complete read, with the same "
                     "configuration; not read again", url)
            spec["unchanged"] = True
            return True
        spec["read_with"] = _config_digest(config)
        hasher = hashlib.sha256()
        staged = sqlite3.connect(os.path.join(workdir, "releases.sqlite"))
        staged.execute("CREATE TABLE r (ocid TEXT, body TEXT)")
        complete = True
        try:
            unpacked = parse.open_unpacked(path, config["max_unpacked_mb"] * 2**20)
            progress = Progress(f"OCDS {url}", unpacked)
            hashing = _HashingReader(unpacked.stream, hasher)
            try:
                meta: dict[str, Any] = {}
                in_file: set[str] = set()
                for item in parse.iter_items(hashing, meta):
                    progress.step()
                    if item.kind == "record":
                        self._take_record(item, in_file, url, source_id, harvest_job, touched,
                                          seen, counts)
                    else:
                        counts["releases"] += 1
                        staged.execute("INSERT INTO r VALUES (?, ?)", (
                            str(item.data.get("ocid") or ""),
                            json.dumps(process.to_json(item.data))))
                following = (meta.get("links") or {}).get("next") \
                    if isinstance(meta.get("links"), dict) else None
                self._next_link = str(following) if following else None
            except parse.InputError as err:
                complete = False
                counts["errors"] += 1
                self._input_error(err, url, harvest_job)
            finally:
                unpacked.close()
            self._merge_staged(staged, url, source_id, harvest_job, touched, seen, counts)
        except parse.InputError as err:
            counts["errors"] += 1
            self._input_error(err, url, harvest_job)
            return False
        finally:
            staged.close()
        log.info("OCDS %s: %s records and %s releases read, %s stored, %s errors, in %.1f s",
                 url, counts["records"], counts["releases"], counts["stored"], counts["errors"],
                 time.monotonic() - progress.start)
        if complete:
            spec["sha256"] = hasher.hexdigest()
            expected = spec.get("expected_sha256")
            if expected and expected != spec["sha256"]:
                self._error(site_gettext(
                    "%(url)s: the SHA-256 of the data (%(got)s) differs from the "
                    "published one (%(expected)s)")
                    % {"url": url, "got": spec["sha256"], "expected": expected},
                    harvest_job)
                return False
        return complete

    def _unchanged(self, path: str, spec: dict[str, Any], config: dict[str, Any]) -> bool:
        """Whether the file's data and the source's configuration are those of the last
        complete read (its file dataset's checksum), so nothing can have changed."""
        stored = publish.stored_reading(spec["name"])
        if stored is None or stored[1] != _config_digest(config):
            return False
        digest = hashlib.sha256()
        try:
            unpacked = parse.open_unpacked(path, config["max_unpacked_mb"] * 2**20)
            try:
                for block in iter(lambda: unpacked.stream.read(1 << 20), b""):
                    digest.update(block)
            finally:
                unpacked.close()
        except parse.InputError:
            return False  # read it, to report why
        return digest.hexdigest() == stored[0]

    def _take_record(self, item: parse.Item, in_file: set[str], url: str, source_id: str,
                     harvest_job: Any, touched: set[str], seen: set[str],
                     counts: dict[str, int]) -> None:
        counts["records"] += 1
        ocid = item.data.get("ocid")
        if ocid in seen and ocid not in in_file:
            return  # a newer file of this run already had the process
        if ocid is not None:
            in_file.add(ocid)
        if ocid in seen:
            counts["errors"] += 1
            self._error(site_gettext("%(url)s: object %(n)s: duplicate ocid %(ocid)s, "
                                     "the first one is kept")
                        % {"url": url, "n": item.position, "ocid": ocid}, harvest_job)
            return
        try:
            compiled = process.compile_record(item.data)
        except process.ProcessError as err:
            counts["errors"] += 1
            self._process_error(err, url, harvest_job)
            return
        self._store(compiled, item.position, url, source_id, harvest_job, touched, seen, counts)

    def _merge_staged(self, staged: sqlite3.Connection, url: str, source_id: str,
                      harvest_job: Any, touched: set[str], seen: set[str],
                      counts: dict[str, int]) -> None:
        """Merge the loose releases of each ocid (read back from disk, one ocid at a time)."""
        staged.execute("CREATE INDEX r_ocid ON r (ocid)")
        current: Optional[str] = None
        group: list[dict[str, Any]] = []
        for ocid, body in staged.execute("SELECT ocid, body FROM r ORDER BY ocid, rowid"):
            if ocid != current and group:
                self._merge_one(group, url, source_id, harvest_job, touched, seen, counts)
                group = []
            current = ocid
            group.append(json.loads(body))
        if group:
            self._merge_one(group, url, source_id, harvest_job, touched, seen, counts)

    def _merge_one(self, group: list[dict[str, Any]], url: str, source_id: str,
                   harvest_job: Any, touched: set[str], seen: set[str],
                   counts: dict[str, int]) -> None:
        if not group[0].get("ocid"):
            counts["errors"] += len(group)
            self._error(site_gettext("%(url)s: %(n)s releases without an ocid were skipped")
                        % {"url": url, "n": len(group)}, harvest_job)
            return
        try:
            compiled = process.compile_releases(group)
        except process.ProcessError as err:
            counts["errors"] += 1
            self._process_error(err, url, harvest_job)
            return
        self._store(compiled, 0, url, source_id, harvest_job, touched, seen, counts)

    def _store(self, compiled: dict[str, Any], position: int, url: str, source_id: str,
               harvest_job: Any, touched: set[str], seen: set[str],
               counts: dict[str, int]) -> None:
        try:
            process.check(compiled)
        except process.ProcessError as err:
            counts["errors"] += 1
            self._process_error(err, url, harvest_job, position)
            return
        release = process.to_json(compiled)
        year = process.year_of(release)
        assert year is not None  # check() refused releases without a year
        buyer = process.buyer_of(release, self.config["buyer_identity"])
        if buyer is None:
            name = process.no_buyer_name(self.source_slug, year)
            self._error(site_gettext(
                "Process %(ocid)s names no buyer (buyer, a party with role buyer, "
                "tender.procuringEntity or a party with role procuringEntity): it is "
                "kept in the dataset %(dataset)s of processes without a buyer. Ask "
                "the publisher to name the buyer of each process.")
                % {"ocid": release["ocid"], "dataset": name}, harvest_job)
        else:
            name = process.dataset_name(buyer["key"], year)
        seen.add(release["ocid"])
        changed = store.upsert(source_id, release["ocid"], name, process.digest(release), release)
        counts["stored"] += 1
        if changed:
            touched |= changed

    def _apply_deletions(self, source_id: str, seen: set[str], config: dict[str, Any],
                         harvest_job: Any) -> set[str]:
        """Processes gone from a complete snapshot, removed unless too many at once."""
        stored = store.ocids(source_id)
        gone = [ocid for ocid in stored if ocid not in seen]
        if not gone:
            return set()
        if len(gone) > config["max_delete_share"] * len(stored):
            self._error(site_gettext(
                "%(n)s of %(total)s processes are gone from the source, more than "
                "the allowed share (%(share)s): none is deleted")
                % {"n": len(gone), "total": len(stored),
                   "share": config["max_delete_share"]}, harvest_job)
            return set()
        store.delete(source_id, gone)
        return {stored[ocid] for ocid in gone}

    # fetch and import -------------------------------------------------------------------
    def fetch_stage(self, harvest_object: Any) -> bool:
        return True  # gather already stored every process

    def import_stage(self, harvest_object: Any) -> bool | str:
        # held while importing: the scheduler re-queues an object whose worker died
        with recovery.advisory_lock(recovery.object_lock_name(harvest_object.id), wait=False):
            return self._import(harvest_object)

    def _import(self, harvest_object: Any) -> bool | str:
        content = json.loads(harvest_object.content or "{}")
        source = harvest_object.source or harvest_object.job.source
        config = parse_config(source.config)
        try:
            if content.get("type") == "buyer_year":
                package_id = publish.write_buyer_year(
                    source, config, content["name"], self._get_user_name())
            else:
                package_id = publish.write_file_dataset(source, config, content,
                                                        self._get_user_name())
        except (tk.ValidationError, OSError) as err:
            self._save_object_error(site_gettext("Could not write dataset %(name)s: %(error)s")
                                    % {"name": harvest_object.guid, "error": err},
                                    harvest_object, "Import")
            return False
        if package_id is None:
            harvest_object.current = False
            harvest_object.save()
            return "unchanged"
        previous = model.Session.query(HarvestObject).filter(
            HarvestObject.guid == harvest_object.guid, HarvestObject.current.is_(True),
            HarvestObject.id != harvest_object.id).all()
        for old in previous:
            old.current = False
            old.save()
        harvest_object.package_id = package_id
        harvest_object.current = True
        harvest_object.save()
        return True


def _config_digest(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Hashes what a parser reads from a buffered stream (peek is passed through)."""

    def __init__(self, stream: Any, hasher: Any) -> None:
        self.stream, self.hasher = stream, hasher

    def peek(self, size: int = 0) -> bytes:
        return self.stream.peek(size)

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.hasher.update(data)
        return data



def _json_field(data: dict[str, Any], field: str) -> Any:
    try:
        return json.loads(data.get(field) or "{}")
    except ValueError:
        return {}


def opengovpe_ocds_flags(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The red flags of a buyer-year dataset, with counts, the number of processes each could
    not be computed for, and translated explanations."""
    counts = _json_field(data, "red_flags")
    unknown = _json_field(data, "flags_not_computable")
    return [{**flag, "count": counts.get(flag["code"], 0),
             "not_computable": unknown.get(flag["code"], 0)}
            for flag in publish.flag_definitions()]


def opengovpe_ocds_money(data: dict[str, Any]) -> dict[str, Any]:
    """A buyer-year's totals per currency, formatted, its conversion to soles if any, and
    how many processes each date field placed."""
    def fmt(amount: Any) -> str:
        return f"{float(amount or 0):,.2f}"
    totals = [{"currency": currency, **{kind: fmt(sums.get(kind)) for kind in
                                        ("estimate", "awarded", "contracted")}}
              for currency, sums in sorted(_json_field(data, "totals_by_currency").items())]
    converted = _json_field(data, "converted_pen")
    if converted:
        converted = {**converted, **{kind: fmt(converted.get(kind))
                                     for kind in ("estimate", "awarded", "contracted")}}
    return {"totals": totals, "converted": converted,
            "date_sources": sorted(_json_field(data, "date_sources").items())}


# OCDS codes of procurementMethod and mainProcurementCategory, as people read them
SHARE_LABELS = {
    "open": N_("Open"), "selective": N_("Selective"), "limited": N_("Limited"),
    "direct": N_("Direct"), "goods": N_("Goods"), "works": N_("Works"),
    "services": N_("Services"), "unknown": N_("Not stated"),
}


def opengovpe_ocds_shares(data: dict[str, Any], field: str) -> list[dict[str, str]]:
    """A share field (method or category) as labelled percentages, largest first; codes
    outside the OCDS codelists are shown as the publisher wrote them."""
    shares = _json_field(data, field)
    if not isinstance(shares, dict):
        return []
    rows = []
    for code, share in shares.items():
        try:
            percent = float(share) * 100
        except (TypeError, ValueError):
            continue
        label = SHARE_LABELS.get(code)
        rows.append({"code": str(code), "label": tk._(label) if label else str(code),
                     "percent": f"{percent:.1f} %", "share": percent})
    return sorted(rows, key=lambda row: -row["share"])


def opengovpe_ocds_resource_url(data: dict[str, Any], filename: str) -> str:
    for resource in data.get("resources") or []:
        if str(resource.get("url") or "").endswith(filename):
            return str(resource["url"])
    return ""
