"""The package declares the libraries it runs with, at the versions the portal is tested with."""
from __future__ import annotations

import pathlib
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[4]


def _lines(name: str) -> list[Requirement]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return [Requirement(line) for line in (raw.split("#")[0].strip() for raw in
                                           text.splitlines()) if line]


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_the_package_declares_every_runtime_requirement_but_ckan_itself():
    wanted = {str(r) for r in _lines("requirements.txt") if r.name != "ckan"}
    assert {str(r) for r in _declared()} == wanted


def test_declared_versions_are_the_constrained_ones():
    constrained = {canonicalize_name(r.name): r.specifier for r in _lines("constraints.txt")}
    for requirement in _declared() + _lines("requirements.txt"):
        assert requirement.specifier == constrained[canonicalize_name(requirement.name)], \
            requirement.name
