"""Outbound requests for configured URLs, against a real local HTTP server."""
from __future__ import annotations

import gzip
import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from ckanext.opengovpe import net
from ckanext.opengovpe.tests.helpers import QuietServer

LOCAL = "127.0.0.1 localhost"

# the options are declared by the opengovpe plugin
pytestmark = pytest.mark.usefixtures("with_plugins")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per scenario
        path = self.path
        if path == "/ok":
            self._send(200, b'{"ok": true}', {"Content-Type": "application/json; charset=utf-8"})
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/ok" if left == 0 else f"/hop/{left - 1}"
            self._send(302, b"", {"Location": target})
        elif path == "/to-file":
            self._send(302, b"", {"Location": "file:///etc/passwd"})
        elif path == "/to-metadata":
            self._send(301, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path.startswith("/to-ipv6/"):  # the address with "-" for ":"
            address = path.split("/")[2].replace("-", ":")
            self._send(302, b"", {"Location": f"http://[{address}]/latest/meta-data/"})
        elif path == "/big":
            self._send(200, b"x" * 5000)
        elif path == "/big-chunked":
            self.send_response(200)
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
        elif path == "/bomb":
            body = gzip.compress(b"\0" * 10_000_000)
            self._send(200, body, {"Content-Encoding": "gzip"})
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"12345")
            self.wfile.flush()
            time.sleep(3)
        elif path == "/error":
            self._send(503, b"<html>maintenance</html>", {"Content-Type": "text/html"})
        else:
            self._send(404, b"not found")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://example.org/data.json", "scheme"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("http://", "scheme"),
        ("http://user:secret@example.org/", "scheme"),
        ("http://[::1", "scheme"),
        ("http://127.0.0.1:5432/", "address"),
        ("http://localhost/", "address"),
        ("http://10.0.0.8/", "address"),
        ("http://192.168.1.1/", "address"),
        ("http://172.16.5.4/", "address"),
        ("http://169.254.169.254/latest/meta-data/", "address"),
        ("http://[::1]/", "address"),
        ("http://[::ffff:127.0.0.1]/", "address"),
        ("http://0.0.0.0/", "address"),
        ("http://2130706433/", "address"),
        ("http://224.0.0.1/", "address"),
    ],
)
def test_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.check_url(url)
    assert err.value.reason == reason
    assert str(err.value)


def test_unresolvable_host_is_a_connection_error() -> None:
    with pytest.raises(net.FetchError) as err:
        net.check_url("http://no-such-host.invalid/")
    assert err.value.reason == "connection"


def test_loopback_is_refused_unless_allowed(server: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + "/ok")
    assert err.value.reason == "address"


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.0/8")
def test_allowed_network_lets_tests_reach_a_local_server(server: str) -> None:
    with net.open_url(server + "/ok", accept="application/json") as fetched:
        assert fetched.status_code == 200
        assert fetched.content_type == "application/json"
        assert fetched.read() == b'{"ok": true}'


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_five_redirects_are_followed_and_a_sixth_is_refused(server: str) -> None:
    with net.open_url(server + "/hop/4") as fetched:
        assert fetched.url.endswith("/ok")
        assert fetched.read() == b'{"ok": true}'
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + "/hop/5")
    assert err.value.reason == "redirects"


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
@pytest.mark.parametrize(("path", "reason"), [("/to-file", "scheme"), ("/to-metadata", "address")])
def test_each_redirect_target_is_checked_again(server: str, path: str, reason: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + path)
    assert err.value.reason == reason


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/bomb"])
def test_bodies_are_capped_declared_streamed_or_decompressed(server: str, path: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + path, max_bytes=4096)
    assert err.value.reason == "too_large"


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_the_stream_is_a_file_for_streaming_parsers(server: str) -> None:
    with net.open_url(server + "/big-chunked", max_bytes=100_000) as fetched:
        assert fetched.stream.read(10) == b"y" * 10
        assert len(fetched.stream.read()) == 49_990
    with net.open_url(server + "/big-chunked", max_bytes=20_000) as fetched:
        with pytest.raises(net.FetchError):
            fetched.stream.read()


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
@pytest.mark.ckan_config("ckanext.opengovpe.fetch.read_timeout", "0.5")
def test_a_stalled_server_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + "/slow")
    assert err.value.reason in ("timeout", "connection")
    assert time.monotonic() - started < 3


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_http_errors_say_the_status(server: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(server + "/error")
    assert err.value.reason == "http"
    assert "503" in str(err.value)


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
def test_refused_connection_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(f"http://127.0.0.1:{port}/")
    assert err.value.reason == "connection"


# the cloud metadata service, 169.254.169.254, as each IPv6 form that carries an IPv4 address
METADATA_AS_IPV6 = [
    pytest.param("::ffff:169.254.169.254", id="ipv4-mapped"),
    pytest.param("::169.254.169.254", id="ipv4-compatible"),
    pytest.param("::a9fe:a9fe", id="ipv4-compatible-hex"),
    pytest.param("64:ff9b::a9fe:a9fe", id="nat64"),
    pytest.param("64:ff9b:1::a9fe:a9fe", id="nat64-local-96"),
    pytest.param("64:ff9b:1:a9fe:a9:fe00::", id="nat64-local-48"),
    pytest.param("2002:a9fe:a9fe::1", id="6to4"),
    pytest.param("2001:0:4136:e378:8000:63bf:5601:5601", id="teredo"),
]
PUBLIC_AS_IPV6 = [
    pytest.param("64:ff9b::808:808", id="nat64"),
    pytest.param("2002:808:808::1", id="6to4"),
    pytest.param("2001:0:4136:e378:8000:63bf:f7f7:f7f7", id="teredo"),
]


@pytest.mark.parametrize("address", METADATA_AS_IPV6)
def test_ipv6_carrying_a_private_ipv4_is_refused(address: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.check_url(f"http://[{address}]/latest/meta-data/")
    assert err.value.reason == "address"


@pytest.mark.parametrize("address", PUBLIC_AS_IPV6)
def test_ipv6_carrying_a_public_ipv4_is_accepted(address: str) -> None:
    net.check_url(f"http://[{address}]/catalogo.ttl")


def _resolving(monkeypatch: pytest.MonkeyPatch, name: str, address: str) -> None:
    """Let ``name`` resolve to ``address``, as a DNS record would (other names as usual)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> object:
        if host == name:
            return [(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                     (address, port, 0, 0))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("address", METADATA_AS_IPV6)
def test_host_name_resolving_to_ipv6_carrying_a_private_ipv4_is_refused(
        monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    _resolving(monkeypatch, "catalogo.example.org", address)
    with pytest.raises(net.FetchError) as err:
        net.check_url("https://catalogo.example.org/catalogo.ttl")
    assert err.value.reason == "address"


@pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL)
@pytest.mark.parametrize("address", METADATA_AS_IPV6)
def test_redirect_to_ipv6_carrying_a_private_ipv4_is_refused(server: str, address: str) -> None:
    with pytest.raises(net.FetchError) as err:
        net.get_bytes(f"{server}/to-ipv6/{address.replace(':', '-')}")
    assert err.value.reason == "address"
