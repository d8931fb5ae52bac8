"""A clear "try again shortly" answer while the database or Solr is down, instead of a 500.

When PostgreSQL restarts, every request fails until the connection pool reconnects
(``sqlalchemy.pool_pre_ping`` makes that happen on the next checkout). Without this,
CKAN answers those requests with an internal server error; with it, visitors and API
clients get HTTP 503 with ``Retry-After`` and a sentence in their language, and the
portal recovers by itself as soon as the database answers again.

The same holds for the pages that search (the dataset, plan and procurement listings) while
Solr is unreachable; CKAN's own search view turns that into a 500 of its own, which is
answered here as a 503 saying that search, and only search, is unavailable.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from flask import Response, g, has_request_context, request
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import InternalServerError

import ckan.lib.base as base
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SolrConnectionError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "30"
# the ``__type`` of the action API's answer when Solr cannot be reached
SEARCH_CONNECTION_ERROR = "Search Connection Error"

# what SQLAlchemy raises when the server is gone or refuses connections
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)


def _forget_session() -> None:
    try:
        model.Session.remove()
    except sa_exc.SQLAlchemyError:
        # the connection is already gone; the pool replaces it on next checkout
        model.Session.registry.clear()


def _unavailable(message: str) -> Response:
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


def service_unavailable(error: Exception) -> Response:
    """Flask error handler for :data:`UNAVAILABLE`."""
    _forget_session()
    log.error("Database unavailable during %s %s: %s", request.method, request.path,
              type(error).__name__)
    return _unavailable(tk._("The portal cannot reach its database right now. "
                             "Please try again in a minute."))


def search_unavailable(error: Exception) -> Response:
    """The answer of a page that needs search while Solr is unreachable."""
    log.error("Search unavailable during %s %s: %s", request.method, request.path,
              type(error).__name__)
    return _unavailable(tk._(
        "Search is not available right now. Dataset pages, plans and the catalogue still "
        "are: please try the search again in a minute."))


def _search_lost(error: BaseException | None) -> SolrConnectionError | None:
    """The Solr connection error behind ``error``: CKAN's search view catches it and
    aborts with a 500 of its own, raised while handling it."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, SolrConnectionError):
            return error
        error, seen = error.__context__, seen + 1
    return None


def _internal_error_handler(ckan_handler: Any) -> Any:
    def handle(error: Exception) -> Any:
        lost = _search_lost(error)
        if lost is not None:
            return search_unavailable(lost)
        return ckan_handler(error)
    return handle


def _note_lost_database(context: Any) -> None:
    """SQLAlchemy ``handle_error`` hook: remember that this request lost the database."""
    if has_request_context() and (
            context.is_disconnect
            or isinstance(context.sqlalchemy_exception, UNAVAILABLE)):
        g.opengovpe_database_lost = context.sqlalchemy_exception or context.original_exception


def _unavailable_instead_of_500(response: Response) -> Response:
    """CKAN's action API turns every exception into its own 500 answer, so a request whose
    connection died mid-action (PostgreSQL restarting under it) never reaches the error
    handler; the ``handle_error`` hook saw it, and the answer becomes the same 503. A search
    whose Solr is unreachable is answered by the API as its own "Search Connection Error"
    500, which becomes the search 503."""
    if response.status_code != 500:
        return response
    lost = g.get("opengovpe_database_lost")
    if lost is not None:
        return service_unavailable(lost)
    if request.path.startswith("/api/") and response.is_json:
        error = (response.get_json(silent=True) or {}).get("error") or {}
        if isinstance(error, dict) and error.get("__type") == SEARCH_CONNECTION_ERROR:
            return search_unavailable(SolrConnectionError(error.get("message")))
    return response


def register(app: Any) -> None:
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, service_unavailable)
    app.register_error_handler(SolrConnectionError, search_unavailable)
    ckan_handler = app.error_handler_spec.get(None, {}).get(500, {}).get(InternalServerError)
    if ckan_handler is not None:
        app.register_error_handler(500, _internal_error_handler(ckan_handler))
    app.after_request(_unavailable_instead_of_500)
    engine = model.meta.engine
    if engine is not None and not sa.event.contains(engine, "handle_error",
                                                     _note_lost_database):
        sa.event.listen(engine, "handle_error", _note_lost_database)
