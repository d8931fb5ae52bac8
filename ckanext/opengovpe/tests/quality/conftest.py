"""A dataset described in every property the quality score reads."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from ckan.tests import factories, helpers

ACCESS_URL = "https://www.miraflores.gob.pe/licencias/descargas"
DOWNLOAD_URL = "https://www.miraflores.gob.pe/licencias.csv"

DESCRIBED: dict[str, Any] = {
    "name": "licencias-de-funcionamiento",
    "title": "Licencias de funcionamiento otorgadas",
    "notes": "Licencias de funcionamiento otorgadas por la municipalidad, por giro y fecha.",
    "tags": [{"name": "licencias"}, {"name": "comercio"}],
    "license_id": "cc-by",
    "pnda_theme": "economia-y-finanzas",
    "eu_theme": ["ECON"],
    "access_rights": "publico",
    "frequency": "MONTHLY",
    "language": ["SPA"],
    "temporal_coverage": [{"start": "2020-01-01", "end": "2024-12-31"}],
    "ubigeo_coverage": ["150122"],
    "contact": [{"name": "Oficina de Gobierno Digital", "email": "gd@miraflores.gob.pe"}],
    "issued": "2020-02-01",
    "modified": "2025-07-01",
    "resources": [{
        "url": DOWNLOAD_URL,
        "name": "Licencias (CSV)",
        "format": "CSV",
        "mimetype": "text/csv",
        "size": 123456,
        "license": "cc-by",
        "rights": "Datos personales anonimizados.",
        "access_url": ACCESS_URL,
        "download_url": DOWNLOAD_URL,
    }],
}


@pytest.fixture
def sysadmin(with_plugins, clean_db) -> dict[str, Any]:
    return factories.Sysadmin()


@pytest.fixture
def entity(sysadmin) -> dict[str, Any]:
    return helpers.call_action(
        "organization_create", {"user": sysadmin["name"]},
        name="municipalidad-de-miraflores", title="Municipalidad Distrital de Miraflores",
        ruc="20131377224", level_of_government="local",
        entity_type="municipalidad-distrital", ubigeo="150122")


@pytest.fixture
def described(entity, sysadmin) -> dict[str, Any]:
    """package_show of a dataset described in every property of the MQA table."""
    created = helpers.call_action("package_create", {"user": sysadmin["name"]},
                                  owner_org=entity["id"], **copy.deepcopy(DESCRIBED))
    return helpers.call_action("package_show", {"ignore_auth": True}, id=created["id"])
