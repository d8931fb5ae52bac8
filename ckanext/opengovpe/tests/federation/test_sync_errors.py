"""Whatever the portal answers, the report says so in one line and never shows a traceback."""
from __future__ import annotations

import json

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from .conftest import LOCAL
from .instance import free_port

pytestmark = [pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", LOCAL),
              pytest.mark.ckan_config("ckanext.opengovpe.national_portal.timeout", 0.5),
              pytest.mark.ckan_config("ckanext.opengovpe.national_portal.max_bytes", 10000),
              pytest.mark.usefixtures("with_plugins", "clean_db")]

def report(cli, portal: str) -> tuple[int, str, dict]:
    result = cli.invoke(ckan_command, ["opengovpe", "national-sync-report", "--portal", portal,
                                       "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output, json.loads(result.stdout)


@pytest.mark.parametrize(("case", "message"), [
    ("html", "answered {url}/api/3/action/package_search?rows=100&sort=name+asc&start=0 "
             "with a web page instead of JSON"),
    ("html-error", "The portal answered with an HTTP error. ({url}/api/3/action/package_search"),
    ("not-json", "is not valid JSON"),
    ("truncated", "is not valid JSON"),
    ("nested", "is not valid JSON"),
    ("not-api", "is not a CKAN API answer"),
    ("refused", "The portal refused the request {url}/api/3/action/package_search"),
    ("no-results", "The portal's package_search answer has no list of results."),
    ("huge", "The portal's answer is larger than the allowed size."),
    ("slow", "The portal did not answer in time."),
])
def test_a_bad_answer_is_one_clear_report_line(cli, server, case, message):
    factories.Dataset(name="contratos", notes="x", owner_org=factories.Organization()["id"])
    url = f"{server}/{case}"
    code, output, answer = report(cli, url)
    assert code == 2
    assert message.format(url=url) in answer["error"], answer["error"]
    assert answer["datasets"] == [] and answer["counts"]["missing"] == 0
    assert f"Error: {answer['error']}" in output


def test_refused_answer_keeps_the_portal_reason(cli, server):
    _, _, answer = report(cli, f"{server}/refused")
    assert answer["error"].endswith("(Access denied)")


def test_unreachable_portal(cli):
    code, _, answer = report(cli, f"http://127.0.0.1:{free_port()}")
    assert code == 2
    assert answer["error"].startswith("The portal could not be reached.")


def test_portal_url_must_be_public_http(cli, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.opengovpe.fetch.allowed_hosts", [])
    _, _, private = report(cli, "http://127.0.0.1:9/")
    assert private["error"].startswith("The portal URL points to an address that is not public")
    _, _, scheme = report(cli, "file:///etc/passwd")
    assert scheme["error"].startswith("The portal URL must be an http or https address.")


def test_table_shows_the_error_line(cli, server):
    result = cli.invoke(ckan_command, ["opengovpe", "national-sync-report",
                                       "--portal", f"{server}/not-json"])
    assert result.exit_code == 2
    assert result.output.splitlines()[1].startswith("Error: The portal's answer to ")


def test_a_good_answer_from_the_same_server(cli, server):
    factories.Dataset(name="contratos", notes="x", owner_org=factories.Organization()["id"])
    code, _, answer = report(cli, f"{server}/ok")
    assert code == 0 and answer["counts"]["present"] == 1
