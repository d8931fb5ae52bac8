"""The entity form creates an entity as a browser sends it: with its (empty) image file."""
from __future__ import annotations

import io

import pytest

from ckan.tests import factories, helpers

from ..helpers import csrf

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_entity_form_with_its_file_field_creates_the_entity(app):
    admin = factories.SysadminWithToken()
    headers = {"Authorization": admin["token"]}
    form = app.get("/organization/new", headers=headers).body
    app.post("/organization/new", headers=headers, data={
        "_csrf_token": csrf(form), "title": "Municipalidad Provincial del Cusco",
        "name": "municipalidad-provincial-del-cusco", "description": "Gobierno local.",
        "image_url": "", "image_upload": (io.BytesIO(b""), ""), "save": ""},
        follow_redirects=False, status=302)
    shown = helpers.call_action("organization_show", id="municipalidad-provincial-del-cusco")
    assert shown["title"] == "Municipalidad Provincial del Cusco"
