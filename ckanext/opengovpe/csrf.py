"""A CSRF token on every state-changing request a browser session makes.

CKAN lets a request through without a CSRF token when it is anonymous or authenticated by
an API token, which is right for that request. It does so by calling
``CSRFProtect.exempt`` on the request's view, and that exemption is never undone: after one
anonymous visit to a page (or one call of the action API by a script), POSTs to the same
view from a logged-in browser are accepted without a token for the life of the process
(reported to CKAN in docs/upstream/ckan-csrf-exempt.md).

The guard decides per request instead. It runs after CKAN's and Flask-WTF's own
``before_request`` hooks and validates the token of every POST, PUT, PATCH or DELETE whose
user was identified by the session cookie, unless Flask-WTF already did. Anonymous requests
and requests with an API token stay exempt, as in CKAN. Exemptions recorded on Flask-WTF
are not consulted: they cannot tell CKAN's per-request ones from deliberate ones, and a
view that callers reach without a session (a webhook, say) does not see the guard anyway.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, request
from flask_login import current_user

# the one CSRFProtect instance CKAN registers on its Flask application
from ckan.config.middleware.flask_app import csrf as ckan_csrf

log = logging.getLogger(__name__)


def require_token_from_sessions() -> None:
    """``before_request`` hook: HTTP 400 for a session's state-changing request without a
    valid CSRF token."""
    settings = current_app.config
    if not settings.get("WTF_CSRF_ENABLED") or not settings.get("WTF_CSRF_CHECK_DEFAULT"):
        return
    if request.method not in settings["WTF_CSRF_METHODS"] or not request.endpoint:
        return
    if g.get("csrf_valid"):  # Flask-WTF checked this request's token already
        return
    if g.get("login_via_auth_header") or not current_user.is_authenticated:
        return  # anonymous, or an API token: exempt by design
    log.debug("CSRF token required for %s %s by session", request.method, request.endpoint)
    ckan_csrf.protect()  # raises CSRFError (HTTP 400) without a valid token


def install(app: Any) -> None:
    """Register the guard on CKAN's Flask ``app`` (from ``IMiddleware.make_middleware``)."""
    app.before_request(require_token_from_sessions)
