"""National-portal sync benchmark: a DKAN 7 portal of 5,000 datasets and 300 publishers.

Reads the local DKAN 7 stand-in (``ckanext/opengovpe/tests/federation/dkan.py``, capped at
``--cap`` datasets a page) the way the sync report does (``portal.read``: ``package_search``
refused, ``site_read``, then ``current_package_list_with_resources`` pages), once for the
whole portal and once for one publisher (a group, by title), then compares the whole portal
with as many local datasets (``sync.compare``). Reports seconds, requests, and the most
requests the stand-in received in any one second against the configured limit.

Targets: the whole comparison within 60 s; never more requests in a second than
``--per-second``. Needs no database: the options the code reads are set here.

Run: ``.venv/bin/python bench/national_sync_bench.py [--datasets 5000] [--publishers 300]
[--per-second 5] [--cap 100]``; figures go to ``bench/results/national-sync.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from ckan.common import config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
from ckanext.opengovpe.federation import portal as remote, sync  # noqa: E402
from ckanext.opengovpe.tests.federation.dkan import DkanPortal, serve  # noqa: E402

TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--publishers", type=int, default=300)
    parser.add_argument("--per-second", type=float, default=5.0)
    parser.add_argument("--cap", type=int, default=100)
    args = parser.parse_args()
    config.update({
        "ckan.site_url": "https://datos.entidad.gob.pe",
        "ckanext.opengovpe.fetch.allowed_hosts": ["127.0.0.1"],
        "ckanext.opengovpe.fetch.max_bytes": 50 * 1024 * 1024,
        "ckanext.opengovpe.fetch.connect_timeout": 5.0,
        "ckanext.opengovpe.fetch.read_timeout": 30.0,
        "ckanext.opengovpe.fetch.max_redirects": 5,
        "ckanext.opengovpe.national_portal.max_bytes": 50 * 1024 * 1024,
        "ckanext.opengovpe.national_portal.timeout": 30.0,
        "ckanext.opengovpe.national_portal.page_size": args.cap,
        "ckanext.opengovpe.national_portal.max_datasets": 100000,
        "ckanext.opengovpe.national_portal.requests_per_second": args.per_second,
    })
    dkan = DkanPortal(cap=args.cap)
    groups = [dkan.group(f"entidad-{n:03d}", f"Entidad pública {n:03d}")
              for n in range(args.publishers)]
    modified = dt.datetime(2025, 6, 1, 10, 0)
    for n in range(args.datasets):
        dkan.add(name=f"conjunto-{n:05d}", title=f"Conjunto {n:05d}", group=groups[n % len(groups)],
                 urls=[f"https://datos.entidad.gob.pe/files/{n}.csv"], modified=modified)
    figures: dict[str, object] = {"datasets": args.datasets, "publishers": args.publishers,
                                  "per_second_limit": args.per_second, "page_cap": args.cap}
    with serve(dkan):
        started = time.perf_counter()
        listing = remote.read(dkan.url)
        figures["read_all_seconds"] = round(time.perf_counter() - started, 2)
        figures["read_all_requests"] = listing.requests
        figures["mode"] = listing.mode
        locals_ = [sync.Local({"id": f"local-{n}", "name": f"conjunto-{n:05d}",
                               "title": f"Conjunto {n:05d}",
                               "metadata_modified": "2025-05-01T00:00:00"},
                              {f"local-{n}"}, {remote.normalize(
                                  f"https://datos.entidad.gob.pe/files/{n}.csv")})
                   for n in range(args.datasets)]
        started = time.perf_counter()
        rows = sync.compare(locals_, listing.datasets, dkan.url)
        figures["compare_seconds"] = round(time.perf_counter() - started, 2)
        figures["present"] = sum(1 for r in rows if r.status == sync.PRESENT)
        figures["total_seconds"] = round(figures["read_all_seconds"]  # type: ignore[operator]
                                         + figures["compare_seconds"], 2)  # type: ignore[operator]
        started = time.perf_counter()
        one = remote.read(dkan.url, groups[7].title)
        figures["read_one_publisher_seconds"] = round(time.perf_counter() - started, 2)
        figures["read_one_publisher_datasets"] = len(one.datasets)
        figures["most_requests_in_one_second"] = dkan.most_requests_in_a_second()
    figures["within_target"] = (figures["total_seconds"] <= TARGET_SECONDS  # type: ignore
                                and figures["most_requests_in_one_second"]
                                <= max(args.per_second, 1) + 1)  # type: ignore[operator]
    print(json.dumps(figures, indent=2))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "national-sync.json"), "w") as out:
        json.dump(figures, out, indent=2)
        out.write("\n")
    return 0 if figures["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
