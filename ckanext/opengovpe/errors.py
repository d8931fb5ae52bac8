"""A clear "try again shortly" answer while the database is down, instead of a 500.

When PostgreSQL restarts, every request fails until the connection pool reconnects
(``sqlalchemy.pool_pre_ping`` makes that happen on the next checkout). Without this,
CKAN answers those requests with an internal server error; with it, visitors and API
clients get HTTP 503 with ``Retry-After`` and a sentence in their language, and the
portal recovers by itself as soon as the database answers again.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from flask import Response, g, has_request_context, request
from markupsafe import escape
from sqlalchemy import exc as sa_exc

import ckan.lib.base as base
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SolrConnectionError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "30"

# what SQLAlchemy raises when the server is gone or refuses connections
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
               SolrConnectionError)


def _forget_session() -> None:
    try:
        model.Session.remove()
    except sa_exc.SQLAlchemyError:
        # the connection is already gone; the pool replaces it on next checkout
        model.Session.registry.clear()


def service_unavailable(error: Exception) -> Response:
    """Flask error handler for :data:`UNAVAILABLE`."""
    _forget_session()
    log.error("Database unavailable during %s %s: %s", request.method, request.path,
              type(error).__name__)
    message = tk._("The portal cannot reach its database right now. "
                   "Please try again in a minute.")
    headers = {"Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        body = json.dumps({"success": False, "error": {
            "__type": "Service Unavailable", "message": message}}, ensure_ascii=False)
        return Response(body, 503, headers, content_type="application/json;charset=utf-8")
    extra: dict[str, Any] = {"code": 503, "content": message,
                             "name": tk._("Service temporarily unavailable")}
    try:
        html = base.render("error_document_template.html", extra)
    except Exception:  # the page chrome itself may need the database
        log.debug("Plain error page: the template could not be rendered", exc_info=True)
        html = f"<!DOCTYPE html><title>503</title><p>{escape(message)}</p>"
    return Response(html, 503, headers, content_type="text/html; charset=utf-8")


def _note_lost_database(context: Any) -> None:
    """SQLAlchemy ``handle_error`` hook: remember that this request lost the database."""
    if has_request_context() and (
            context.is_disconnect
            or isinstance(context.sqlalchemy_exception, UNAVAILABLE)):
        g.opengovpe_database_lost = context.sqlalchemy_exception or context.original_exception


def _unavailable_instead_of_500(response: Response) -> Response:
    """CKAN's action API turns every exception into its own 500 answer, so a request whose
    connection died mid-action (PostgreSQL restarting under it) never reaches the error
    handler; the ``handle_error`` hook saw it, and the answer becomes the same 503."""
    lost = g.get("opengovpe_database_lost")
    if response.status_code == 500 and lost is not None:
        return service_unavailable(lost)
    return response


def register(app: Any) -> None:
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, service_unavailable)
    app.after_request(_unavailable_instead_of_500)
    engine = model.meta.engine
    if engine is not None and not sa.event.contains(engine, "handle_error",
                                                     _note_lost_database):
        sa.event.listen(engine, "handle_error", _note_lost_database)
