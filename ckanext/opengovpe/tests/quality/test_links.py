"""The link check against a real local HTTP server."""
from __future__ import annotations

import datetime
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from ckanext.opengovpe.quality import links
from ckanext.opengovpe.tests.helpers import QuietServer

pytestmark = pytest.mark.usefixtures("with_plugins")

LOCAL = "127.0.0.0/8"
HUGE_CHUNKS = 4096  # 64 KiB each: 256 MiB if the client read it all


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    in_flight = 0
    most_in_flight = 0
    served = 0
    ranges: list[str] = []
    huge_written = 0
    huge_done = threading.Event()
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _count(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.served += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        time.sleep(0.05)  # long enough for concurrent requests to overlap
        with cls.lock:
            cls.in_flight -= 1

    def do_HEAD(self) -> None:
        path = self.path
        if path.startswith("/count"):
            self._count()
            self._answer(200)
        elif path == "/ok":
            self._answer(200)
        elif path == "/missing":
            self._answer(404)
        elif path == "/redirect":
            self._answer(302, {"Location": "/ok"})
        elif path == "/loop":
            self._answer(302, {"Location": "/loop"})
        elif path == "/slow":
            time.sleep(3)
            self._answer(200)
        else:  # /huge, /head-refused: HEAD not allowed, GET is
            self._answer(405)

    def do_GET(self) -> None:
        type(self).ranges.append(self.headers.get("Range", ""))
        if self.path == "/head-refused":
            self.send_response(206)
            self.send_header("Content-Range", "bytes 0-0/100")
            self.send_header("Content-Length", "1")
            self.end_headers()
            self.wfile.write(b"x")
            return
        # /huge ignores the range and sends a body far beyond any cap
        self.send_response(200)
        self.send_header("Content-Length", str(HUGE_CHUNKS * 65536))
        self.end_headers()
        try:
            for _ in range(HUGE_CHUNKS):
                self.wfile.write(b"\0" * 65536)
                type(self).huge_written += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            type(self).huge_done.set()


@pytest.fixture
def server() -> Iterator[str]:
    Handler.in_flight = Handler.most_in_flight = Handler.served = 0
    Handler.ranges = []
    Handler.huge_written = 0
    Handler.huge_done = threading.Event()
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _limits(**changes: object) -> links.Limits:
    values: dict[str, object] = dict(workers=4, per_host=2, host_delay=0.0, timeout=0.5,
                                     max_bytes=65536, max_redirects=3)
    values.update(changes)
    return links.Limits(**values)  # type: ignore[arg-type]


def _one(url: str, **limits: object) -> links.Outcome:
    [outcome] = links.check_all([url], _limits(**limits))
    return outcome


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
@pytest.mark.parametrize("path, reachable, status, error", [
    ("/ok", True, 200, None),
    ("/missing", False, 404, None),
    ("/redirect", True, 200, None),
    ("/loop", False, None, "redirects"),
    ("/slow", False, None, "timeout"),
    ("/head-refused", True, 206, None),
    ("/huge", True, 200, None),
])
def test_answers(server, path, reachable, status, error):
    outcome = _one(server + path)
    assert (outcome.reachable, outcome.status, outcome.error) == (reachable, status, error)


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_a_redirect_is_stored_with_its_final_url(server):
    assert _one(server + "/redirect").final_url == server + "/ok"


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_head_refused_falls_back_to_a_ranged_get(server):
    _one(server + "/head-refused")
    assert Handler.ranges == ["bytes=0-0"]


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_a_huge_body_is_not_read_beyond_the_cap(server):
    outcome = _one(server + "/huge", max_bytes=1024)
    assert outcome.reachable
    assert Handler.huge_done.wait(30)
    # the client hung up after the cap: what the server got out is what the socket
    # buffers held, far from the 256 MiB it offered
    assert Handler.huge_written < HUGE_CHUNKS * 65536 // 8


def test_private_addresses_are_refused(server):
    outcome = _one(server + "/ok")
    assert (outcome.reachable, outcome.error) == (False, "address")


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_no_more_requests_at_once_to_a_host_than_allowed(server):
    urls = [f"{server}/count/{n}" for n in range(24)]
    outcomes = links.check_all(urls, _limits(workers=12, per_host=3))
    assert all(o.reachable for o in outcomes)
    assert Handler.served == 24
    assert Handler.most_in_flight <= 3


def test_the_per_host_delay_spaces_the_starts():
    gate = links.HostGate(per_host=4, delay=2.0)
    starts = [gate.reserve("example.org", 100.0) for _ in range(4)]
    assert starts == [100.0, 102.0, 104.0, 106.0]
    # another host keeps its own schedule
    assert gate.reserve("example.net", 101.0) == 101.0
    # a start asked for after the schedule has passed is not delayed
    assert gate.reserve("example.org", 200.0) == 200.0


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_results_are_stored_and_rechecked_when_due(with_plugins, clean_db, server):
    urls = [server + "/ok", server + "/missing"]
    assert links.store(links.check_all(urls, _limits())) == 2
    assert links.results(urls + [server + "/never"]) == {urls[0]: True, urls[1]: False}
    now = datetime.datetime.now(datetime.timezone.utc)
    assert links.due(urls + [server + "/never"], now, 3600) == [server + "/never"]
    later = now + datetime.timedelta(hours=2)
    assert links.due(urls, later, 3600) == urls
