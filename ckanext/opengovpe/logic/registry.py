"""The actions and auth functions the ``opengovpe`` plugin registers: what CKAN's blanket
decorators collect from ``action`` and ``auth`` (their public functions), and the
``opengovpe_*`` functions of the data-request modules."""
from __future__ import annotations

from typing import Any, Callable

from ckan.authz import get_local_functions

from . import action, auth, demand_action, demand_auth


def _opengovpe(module: Any) -> dict[str, Callable[..., Any]]:
    return {name: f for name, f in get_local_functions(module) if name.startswith("opengovpe_")}


def actions() -> dict[str, Callable[..., Any]]:
    return {**dict(get_local_functions(action)), **_opengovpe(demand_action)}


def auth_functions() -> dict[str, Callable[..., Any]]:
    return {**dict(get_local_functions(auth)), **_opengovpe(demand_auth)}
