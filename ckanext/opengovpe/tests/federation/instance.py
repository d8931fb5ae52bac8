"""A second, real CKAN instance for federation tests: its own database, ini and HTTP port.

It stands in for the national portal or for another institution's catalogue. The
database is this test database's name plus a number (``<db>2``, ``<db>3``…), created the
way ``scripts/lib.sh`` does; Redis uses this test database's number plus two (or
``OPENGOVPE_TEST_REDIS_URL<n>``). The server is ``ckan run`` on a free port of 127.0.0.1,
seeded through its API with a sysadmin's token.
"""
from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
from typing import Any, Optional

import requests
from sqlalchemy.engine import make_url

from ckan.common import config

from ..workers import psql_admin

CKAN = str(pathlib.Path(sys.executable).parent / "ckan")
INI = """\
[DEFAULT]
debug = false

[app:main]
use = egg:ckan
ckan.site_id = {site_id}
ckan.site_url = {url}
SECRET_KEY = {site_id}-secret-for-tests-only
WTF_CSRF_ENABLED = false
sqlalchemy.url = {db_url}
ckan.redis.url = {redis_url}
solr_url = http://127.0.0.1:8983/solr/unused
ckan.storage_path = {storage}
ckan.plugins = {plugins}
ckan.locale_default = es
ckan.locales_offered = es en
ckan.auth.create_user_via_web = false
ckan.cache_expires = 0
ckan.tracking_enabled = false
{extra}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict[str, str]:
    """This process's environment without CKAN_* overrides, which would win over the ini."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}


def _second_redis(number: int) -> str:
    if os.environ.get(f"OPENGOVPE_TEST_REDIS_URL{number}"):
        return os.environ[f"OPENGOVPE_TEST_REDIS_URL{number}"]
    base, _, db = str(config.get("ckan.redis.url")).rpartition("/")
    return f"{base}/{int(db or 0) + 2}"


class Instance:
    """A running CKAN: ``url``, ``token`` of its sysadmin, ``action()`` to call its API."""

    def __init__(self, number: int, plugins: str, workdir: pathlib.Path,
                 extra: Optional[dict[str, str]] = None) -> None:
        url = make_url(config["sqlalchemy.url"])
        self.database = f"{url.database}{number}"
        self.db_url = url.set(database=self.database).render_as_string(hide_password=False)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.ini = workdir / f"instance{number}.ini"
        self.ini.write_text(INI.format(
            site_id=f"opengovpe_instance{number}", url=self.url, db_url=self.db_url,
            redis_url=_second_redis(number), storage=workdir / f"storage{number}",
            plugins=plugins,
            extra="\n".join(f"{k} = {v}" for k, v in (extra or {}).items())))
        self.token = ""
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.log = workdir / f"instance{number}.log"

    def ckan(self, *args: str) -> str:
        done = subprocess.run([CKAN, "-c", str(self.ini), *args], capture_output=True,
                              text=True, timeout=300, env=_environment())
        if done.returncode:
            raise RuntimeError(f"ckan {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> "Instance":
        psql_admin("postgres", f"drop database if exists {self.database} with (force)")
        psql_admin("postgres", f"create database {self.database} owner ckan_opengovpe "
                          "encoding 'utf8' template template0")
        psql_admin(self.database, "create extension if not exists unaccent")
        psql_admin(self.database, "create extension if not exists pg_trgm")
        self.ckan("db", "upgrade")
        self.ckan("user", "add", "portaladmin", "email=portaladmin@example.org",
                  "password=Portal-admin-2025")
        self.ckan("sysadmin", "add", "portaladmin")
        self.token = self.ckan("user", "token", "add", "portaladmin", "tests",
                               "--quiet").strip().splitlines()[-1]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [CKAN, "-c", str(self.ini), "run", "--host", "127.0.0.1", "--port",
                 str(self.port), "--disable-reloader", "--threaded"],
                stdout=log, stderr=subprocess.STDOUT, env=_environment())
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"CKAN exited:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/api/3/action/status_show", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"CKAN did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def action(self, action: str, /, **data: Any) -> Any:
        answer = requests.post(f"{self.url}/api/3/action/{action}", json=data,
                               headers={"Authorization": self.token}, timeout=60)
        body = answer.json()
        assert body["success"], body
        return body["result"]
