"""Link-check N URLs (10,000 by default) spread over H hosts of a local server, within the
politeness limits, and check from the server's side that they were never exceeded.

    .venv/bin/python bench/link_check_bench.py [--urls 10000] [--hosts 50]
        [--per-host 2] [--delay 1.0]

Each host is a loopback address (127.0.0.1, 127.0.0.2, …) of one threaded server; the
server records, per host, the most requests it served at once and the shortest gap between
two request starts. The figure goes to bench/results/link_check.json.
"""
from __future__ import annotations

import argparse
import http.server
import json
import os
import threading
import time
from collections import defaultdict

from ckan.common import config

HERE = os.path.dirname(os.path.abspath(__file__))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    in_flight: dict[str, int] = defaultdict(int)
    most: dict[str, int] = defaultdict(int)
    last_start: dict[str, float] = {}
    min_gap: dict[str, float] = {}
    served = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        cls = type(self)
        host = self.headers.get("Host", "").split(":")[0]
        now = time.monotonic()
        with cls.lock:
            cls.served += 1
            cls.in_flight[host] += 1
            cls.most[host] = max(cls.most[host], cls.in_flight[host])
            if host in cls.last_start:
                gap = now - cls.last_start[host]
                cls.min_gap[host] = min(cls.min_gap.get(host, gap), gap)
            cls.last_start[host] = now
        time.sleep(0.02)  # a server's answer time
        self.send_response(404 if self.path.endswith("7") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        with cls.lock:
            cls.in_flight[host] -= 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--delay", type=float, default=1.0)
    args = parser.parse_args()

    config["ckanext.opengovpe.fetch.allowed_hosts"] = ["127.0.0.0/8"]
    from ckanext.opengovpe.quality import links

    httpd = Server(("0.0.0.0", 0), Handler)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    urls = [f"http://127.0.0.{n % args.hosts + 1}:{port}/recurso/{n}" for n in range(args.urls)]
    limits = links.Limits(workers=args.hosts * args.per_host, per_host=args.per_host,
                          host_delay=args.delay, timeout=10.0, max_bytes=65536,
                          max_redirects=5)
    started = time.monotonic()
    outcomes = links.check_all(urls, limits)
    elapsed = time.monotonic() - started
    httpd.shutdown()
    result = {
        "urls": len(urls), "hosts": args.hosts, "per_host": args.per_host,
        "host_delay": args.delay, "seconds": round(elapsed, 1),
        "urls_per_second": round(len(urls) / elapsed, 1),
        "reachable": sum(o.reachable for o in outcomes),
        "unanswered": sum(o.status is None for o in outcomes),
        "served": Handler.served,
        "most_at_once_per_host": max(Handler.most.values()),
        "shortest_gap_between_starts": round(min(Handler.min_gap.values()), 3),
    }
    print(json.dumps(result, indent=2))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "link_check.json"), "w") as out:
        json.dump(result, out, indent=2)
    assert result["most_at_once_per_host"] <= args.per_host, result
    assert result["unanswered"] == 0, result


if __name__ == "__main__":
    main()
