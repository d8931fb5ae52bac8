"""Pieces several test packages use: a quiet local HTTP server, the model/migration check,
the CSRF token of a form, an entity with a member in each role."""
from __future__ import annotations

import http.server
import re
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ckan.model as model
from ckan.tests import factories


class QuietServer(http.server.ThreadingHTTPServer):
    """A threaded local server that does not print a client hanging up (some tests do)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def schema_differences(metadata: Any, tables: set[str]) -> list[Any]:
    """What alembic finds between the tables declared in ``metadata`` and the database the
    migrations built, limited to ``tables`` (pass the declared metadata: clean_db rebinds
    ``model.meta.metadata`` to a reflected copy)."""
    with model.meta.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, type_, *_: type_ != "table" or name in tables,
            "compare_type": True,
        })
        diff = compare_metadata(context, metadata)
    return [d for d in diff if any(table in str(d) for table in tables)]


def csrf(html: str) -> str:
    """The CSRF token of the form in ``html``, to post it as a browser would."""
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def entity_with_members() -> tuple[dict[str, Any], dict[str, Any]]:
    """Users ``admin-user``, ``editor-user``, ``outsider-user`` and ``sysadmin-user`` (each
    with an API token), and the entity ``oece`` whose admin and editor the first two are."""
    users = {role: factories.UserWithToken(name=f"{role}-user")
             for role in ("admin", "editor", "outsider")}
    users["sysadmin"] = factories.SysadminWithToken(name="sysadmin-user")
    org = factories.Organization(name="oece", title="OECE", users=[
        {"name": users["admin"]["name"], "capacity": "admin"},
        {"name": users["editor"]["name"], "capacity": "editor"}])
    return users, org
