"""A page whose address names a record with NUL in its id or name is not found.

No id or name holds NUL, and some of CKAN's views look the record up in the database before
any action (the dataset edit page reads the dataset's type first), where PostgreSQL refuses
the NUL with a 500. The request is answered 404 before any view runs.
"""
from __future__ import annotations

from typing import Any

from flask import request

import ckan.plugins.toolkit as tk


def _refuse_nul_in_path() -> None:
    if any(isinstance(value, str) and "\x00" in value
           for value in (request.view_args or {}).values()):
        tk.abort(404, tk._("Not found"))


def install(app: Any) -> None:
    app.before_request(_refuse_nul_in_path)
