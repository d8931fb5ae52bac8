"""A live portal on a free local port and headless Chromium driven by Playwright."""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_settings() -> dict[str, str]:
    """Options the live portal runs with on top of test.ini; a test module may override."""
    return {}


@pytest.fixture
def live_server(clean_db, tmp_path, live_settings) -> Iterator[str]:
    """The portal served by `ckan run` on the test database, as a browser reaches it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ini = tmp_path / "live.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        f"ckan.site_url = {url}\n"
        "WTF_CSRF_ENABLED = true\n"
        + "".join(f"{key} = {value}\n" for key, value in live_settings.items())
    )
    ckan = pathlib.Path(sys.executable).parent / "ckan"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [str(ckan), "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port),
         "--disable-reloader"],
        stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/3/action/status_show", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError((tmp_path / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def browser_page(request):
    """A fresh Chromium page; a screenshot of the last state is kept as a test artifact."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: scripts/test.sh installs the Debian package")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="es-PE")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"),
                            full_page=True)
            browser.close()
