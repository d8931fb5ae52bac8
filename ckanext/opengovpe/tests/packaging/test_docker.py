"""docker/ is the production shape; its compose file must stay valid."""
from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest
import yaml

DOCKER = pathlib.Path(__file__).resolve().parents[4] / "docker"


def test_compose_defines_the_production_services():
    compose = yaml.safe_load((DOCKER / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("ckan", "db", "solr", "redis", "nginx", "harvester-gather",
                 "harvester-fetch", "scheduler", "jobs-worker"):
        assert name in services, name
    # the recurring work: the portal's scheduler enqueues it, CKAN's worker runs it
    assert services["scheduler"]["command"][-2:] == ["opengovpe", "scheduler"]
    assert services["jobs-worker"]["command"][-2:] == ["jobs", "worker"]
    for name in ("ckan", "db", "solr", "redis", "nginx"):
        assert "healthcheck" in services[name], name
    env = (DOCKER / ".env.example").read_text()
    # large portals keep Solr: the embedded backend is not enabled there
    plugins_line = next(line for line in env.splitlines() if line.startswith("CKAN__PLUGINS"))
    assert "opengovpe_search" not in plugins_line
    # usage figures on the Solr stack too
    assert " tracking" in plugins_line
    assert "CKAN_SOLR_URL" in env


def test_compose_config_validates():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"],
                                        capture_output=True).returncode != 0:
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(["bash", str(DOCKER / "validate.sh")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_builds_every_message_catalogue():
    """The repository holds .po files only; the image compiles every one into its .mo."""
    dockerfile = (DOCKER / "ckan" / "Dockerfile").read_text()
    catalogues = DOCKER.parent / "ckanext/opengovpe/i18n/es/LC_MESSAGES"
    assert sorted(po.stem for po in catalogues.glob("*.po")) == [
        "ckanext-opengovpe", "ckanext-opengovpe-harvest"]
    assert 'ckanext/opengovpe/i18n/*/LC_MESSAGES/*.po; do' in dockerfile
    assert 'pybabel -q compile -i "$po" -o "${po%.po}.mo"' in dockerfile
