"""One gather of an OCDS harvest source: its files read into the process store.

A :class:`Gather` is made for each harvest job and holds everything the run needs: the
source's configuration, the files it reads, the process store it writes to, its report
lines and its counts. Each file is downloaded through ``net.py`` (public http(s) only,
capped, redirects re-checked), streamed with ijson (:class:`FileReading`: records compiled
at once, loose releases staged on disk and merged per ocid with ocdsmerge) and stored once
per (source, ocid). The run ends with the buyer-year datasets to write and the files read.
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
from collections.abc import Callable, Iterator
from typing import Any, Optional

from ckan import model

from ckanext.opengovpe import net
# report lines are stored: written in the portal's language, not the consumer's (it serves
# no request, and tk._ would leave them in English)
from ckanext.opengovpe.translation import N_, site_gettext

from . import parse, process, publish, store

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


def config_digest(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


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


class Gather:
    """The gather of one harvest job.

    ``report`` stores one line of the job's report; the run counts every error and stores
    the first ``max_errors`` of them, then one line saying that more follow.
    """

    def __init__(self, source_id: str, source_url: str, config: dict[str, Any],
                 report: Callable[[str], None]) -> None:
        self.source_id, self.source_url, self.config = source_id, source_url, config
        self.report = report
        package = model.Package.get(source_id)
        self.source_slug = package.name if package is not None else source_id
        self.errors = 0
        self.touched: set[str] = set()  # buyer-year datasets whose processes changed
        self.seen: set[str] = set()  # ocids read in this run
        self.files: list[dict[str, Any]] = []  # files read whole, for their datasets
        self.batch = store.Batch(source_id)

    def run(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Read every file of the source; the buyer-year datasets to write (sorted) and the
        files read (without their local paths)."""
        complete, unchanged = True, False
        try:
            # lazily: an API page's ``links.next`` is known once the page has been read
            reading: Optional[FileReading] = None
            for spec in self._files(lambda: reading.next_link if reading else None):
                if spec.get("skip"):
                    continue
                reading = FileReading(self, spec)
                ok = reading.run()
                complete = complete and ok
                unchanged = unchanged or bool(spec.get("unchanged"))
                if ok and self.config["kind"] != "oece_api" and not spec.get("unchanged"):
                    self.files.append(spec)
        except (net.FetchError, parse.InputError, ValueError) as err:
            complete = False
            self.error(site_gettext("Could not list the files: %s") % err)
        self.touched |= self.batch.flush()
        # a file skipped as unchanged stored nothing new: nothing of it is gone either
        if self.config["kind"] == "url" and complete and not unchanged:
            self.touched |= self._apply_deletions()
        model.Session.commit()
        self.touched |= store.stale(self.source_id)
        files = [{key: value for key, value in spec.items() if key != "path"}
                 for spec in self.files]
        return sorted(self.touched), files

    def error(self, message: str) -> None:
        self.errors += 1
        max_errors = self.config["max_errors"]
        if self.errors <= max_errors:
            self.report(message)
        elif self.errors == max_errors + 1:
            self.report(site_gettext("More errors follow; only the first %s are listed")
                        % max_errors)

    def process_error(self, err: process.ProcessError, url: str, position: int = 0) -> None:
        """One report line in the portal's language; the English detail goes to the log."""
        log.warning("OCDS %s: object %s: %s", url, position, err)
        self.error(site_gettext(err.message) % err.params)

    def input_error(self, err: parse.InputError, url: str) -> None:
        log.warning("OCDS %s: %s", url, err)
        self.error(site_gettext("%(url)s: %(error)s")
                   % {"url": url, "error": site_gettext(err.message) % err.params})

    def _files(self, next_link: Callable[[], Optional[str]]) -> Iterator[dict[str, Any]]:
        label = self.source_slug
        kind = self.config["kind"]
        if kind == "url":
            yield {"url": self.source_url, "name": process.month_name(label, "file"),
                   "period": ""}
        elif kind == "oece_api":
            next_url: Optional[str] = self.source_url
            page = 0
            while next_url and page < self.config["max_pages"]:
                page += 1
                yield {"url": next_url, "name": process.month_name(label, f"page-{page}"),
                       "period": f"page {page}", "next_from_links": True}
                next_url = next_link()
        else:
            yield from self._bulk_months(label)

    def _bulk_months(self, label: str) -> Iterator[dict[str, Any]]:
        """The latest ``months`` monthly files of an OECE files index, newest first."""
        entries: list[dict[str, Any]] = []
        next_url: Optional[str] = self.source_url
        pages, months = 0, self.config["months"]
        while next_url and pages < self.config["max_pages"] and len(entries) < months:
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
        for entry in entries[:months]:
            period = f"{int(entry.get('year') or 0):04d}-{int(entry.get('month') or 0):02d}"
            name = process.month_name(label, period)
            sha = str(entry.get("sha256") or entry.get("hash") or "").lower()
            known = publish.stored_checksum(name)
            yield {"url": str(entry["url"]), "name": name, "period": period, "expected_sha256": sha,
                   "skip": bool(sha) and known == sha}

    def store(self, compiled: dict[str, Any], position: int, url: str) -> bool:
        """Check a compiled process and queue it for the store; False if refused."""
        try:
            process.check(compiled)
        except process.ProcessError as err:
            self.process_error(err, url, position)
            return False
        # serialised once: the text is stored as it is and hashed for the digest
        text = process.canonical(compiled)
        release = json.loads(text)
        year = process.year_of(release)
        assert year is not None  # check() refused releases without a year
        buyer = process.buyer_of(release, self.config["buyer_identity"])
        if buyer is None:
            name = process.no_buyer_name(self.source_slug, year)
            self.error(site_gettext("Process %(ocid)s names no buyer (buyer, a party with role "
                                    "buyer, "
                         "tender.procuringEntity or a party with role procuringEntity): it is "
                         "kept in the dataset %(dataset)s of processes without a buyer. Ask "
                         "the publisher to name the buyer of each process.")
                       % {"ocid": release["ocid"], "dataset": name})
        else:
            name = process.dataset_name(buyer["key"], year)
        self.seen.add(release["ocid"])
        self.touched |= self.batch.add(release["ocid"], name, process.digest_of(text), text)
        return True

    def _apply_deletions(self) -> set[str]:
        """Processes gone from a complete snapshot, removed unless too many at once."""
        stored = store.ocids(self.source_id)
        gone = [ocid for ocid in stored if ocid not in self.seen]
        if not gone:
            return set()
        share = self.config["max_delete_share"]
        if len(gone) > share * len(stored):
            self.error(site_gettext("%(n)s of %(total)s processes are gone from the source, more "
                                    "than "
                         "the allowed share (%(share)s): none is deleted")
                       % {"n": len(gone), "total": len(stored), "share": share})
            return set()
        store.delete(self.source_id, gone)
        return {stored[ocid] for ocid in gone}


class FileReading:
    """One file of a gather: downloaded into a working directory, unpacked, parsed; its
    loose releases staged in SQLite there; its counts kept in its spec."""

    def __init__(self, gather: Gather, spec: dict[str, Any]) -> None:
        self.gather, self.spec, self.url = gather, spec, spec["url"]
        self.counts = {"records": 0, "releases": 0, "errors": 0, "stored": 0}
        self.in_file: set[str] = set()
        self.next_link: Optional[str] = None
        self.workdir = ""

    def run(self) -> bool:
        """Download, unpack and parse the file into the process store. False if incomplete."""
        self.workdir = tempfile.mkdtemp(prefix="opengovpe-ocds-")
        try:
            path = os.path.join(self.workdir, "download")
            fetch = self._copy_local if self.url.startswith("file:") else self._download
            if not fetch(path):
                return False
            self.spec["downloaded_sha256"] = _sha256_file(path)
            ok = self._parse(path)
            self.spec.update(self.counts)
            return ok
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _copy_local(self, path: str) -> bool:
        """A ``file://`` source, read only inside ``ckanext.opengovpe.ocds.local_directory``."""
        wanted = net.local_file(self.url)
        if wanted is None:
            log.warning("OCDS %s: not a file under ckanext.opengovpe.ocds.local_directory",
                        self.url)
            self.gather.error(site_gettext("%(url)s is not a file in the directory the portal "
                                           "allows "
                                "harvest sources to read (ckanext.opengovpe.ocds."
                                "local_directory). Use an http(s) URL, or ask the portal admin "
                                "to allow that directory.") % {"url": self.url})
            return False
        shutil.copyfile(wanted, path)
        return True

    def _download(self, path: str) -> bool:
        try:
            with net.open_url(self.url, accept="application/json, application/zip, "
                              "application/gzip, */*") as fetched:
                if fetched.content_type.startswith("text/html"):
                    raise parse.InputError(N_(
                        "The server answered an HTML page, not OCDS; check the source URL "
                        "or try again later."))
                with open(path, "wb") as out:
                    for chunk in fetched.iter_bytes():
                        out.write(chunk)
        except parse.InputError as err:
            self.gather.input_error(err, self.url)
            return False
        except net.FetchError as err:
            log.warning("OCDS %s: %s", self.url, err)
            self.gather.error(site_gettext("%(url)s could not be downloaded (%(error)s). Check "
                                           "the source "
                                "URL and that the server answers, then run the harvest again.")
                              % {"url": self.url, "error": err})
            return False
        return True

    def _parse(self, path: str) -> bool:
        config, url = self.gather.config, self.url
        if config["kind"] == "url" and self._unchanged(path):
            log.info("OCDS %s: the same data as the last complete read, with the same "
                     "configuration; not read again", url)
            self.spec["unchanged"] = True
            return True
        self.spec["read_with"] = config_digest(config)
        hasher = hashlib.sha256()
        staged = sqlite3.connect(os.path.join(self.workdir, "releases.sqlite"))
        staged.execute("CREATE TABLE r (ocid TEXT, body TEXT)")
        complete = True
        try:
            unpacked = parse.open_unpacked(path, config["max_unpacked_mb"] * 2**20)
            progress = Progress(f"OCDS {url}", unpacked)
            hashing = _HashingReader(unpacked.stream, hasher)
            try:
                # an API page's package fields are read for its ``links.next``; of a file,
                # only the records and releases
                meta: Optional[dict[str, Any]] = {} if self.spec.get("next_from_links") \
                    else None
                for item in parse.iter_items(hashing, meta):
                    progress.step()
                    if item.kind == "record":
                        self._take_record(item)
                    else:
                        self.counts["releases"] += 1
                        staged.execute("INSERT INTO r VALUES (?, ?)", (
                            str(item.data.get("ocid") or ""),
                            json.dumps(process.to_json(item.data))))
                links = (meta or {}).get("links")
                following = links.get("next") if isinstance(links, dict) else None
                self.next_link = str(following) if following else None
            except parse.InputError as err:
                complete = False
                self.counts["errors"] += 1
                self.gather.input_error(err, url)
            finally:
                unpacked.close()
            self._merge_staged(staged)
        except parse.InputError as err:
            self.counts["errors"] += 1
            self.gather.input_error(err, url)
            return False
        finally:
            staged.close()
        log.info("OCDS %s: %s records and %s releases read, %s stored, %s errors, in %.1f s",
                 url, self.counts["records"], self.counts["releases"], self.counts["stored"],
                 self.counts["errors"], time.monotonic() - progress.start)
        if complete:
            self.spec["sha256"] = hasher.hexdigest()
            expected = self.spec.get("expected_sha256")
            if expected and expected != self.spec["sha256"]:
                self.gather.error(site_gettext("%(url)s: the SHA-256 of the data (%(got)s) "
                                               "differs from "
                                    "the published one (%(expected)s)")
                                  % {"url": url, "got": self.spec["sha256"],
                                     "expected": expected})
                return False
        return complete

    def _unchanged(self, path: str) -> bool:
        """Whether the file's data and the source's configuration are those of the last
        complete read (its file dataset's checksum), so nothing can have changed."""
        config = self.gather.config
        stored = publish.stored_reading(self.spec["name"])
        if stored is None or stored[1] != config_digest(config):
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

    def _take_record(self, item: parse.Item) -> None:
        self.counts["records"] += 1
        ocid = item.data.get("ocid")
        seen = self.gather.seen
        if ocid in seen and ocid not in self.in_file:
            return  # a newer file of this run already had the process
        if ocid is not None:
            self.in_file.add(ocid)
        if ocid in seen:
            self.counts["errors"] += 1
            self.gather.error(site_gettext("%(url)s: object %(n)s: duplicate ocid %(ocid)s, "
                                "the first one is kept")
                              % {"url": self.url, "n": item.position, "ocid": ocid})
            return
        try:
            compiled = process.compile_record(item.data)
        except process.ProcessError as err:
            self.counts["errors"] += 1
            self.gather.process_error(err, self.url)
            return
        self._store(compiled, item.position)

    def _merge_staged(self, staged: sqlite3.Connection) -> None:
        """Merge the loose releases of each ocid (read back from disk, one ocid at a time)."""
        staged.execute("CREATE INDEX r_ocid ON r (ocid)")
        current: Optional[str] = None
        group: list[dict[str, Any]] = []
        for ocid, body in staged.execute("SELECT ocid, body FROM r ORDER BY ocid, rowid"):
            if ocid != current and group:
                self._merge_one(group)
                group = []
            current = ocid
            group.append(json.loads(body))
        if group:
            self._merge_one(group)

    def _merge_one(self, group: list[dict[str, Any]]) -> None:
        if not group[0].get("ocid"):
            self.counts["errors"] += len(group)
            self.gather.error(site_gettext("%(url)s: %(n)s releases without an ocid were skipped")
                              % {"url": self.url, "n": len(group)})
            return
        try:
            compiled = process.compile_releases(group)
        except process.ProcessError as err:
            self.counts["errors"] += 1
            self.gather.process_error(err, self.url)
            return
        self._store(compiled, 0)

    def _store(self, compiled: dict[str, Any], position: int) -> None:
        if self.gather.store(compiled, position, self.url):
            self.counts["stored"] += 1
        else:
            self.counts["errors"] += 1


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
