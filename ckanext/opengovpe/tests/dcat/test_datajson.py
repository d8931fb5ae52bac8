"""/data.json in Project Open Data v1.1 for the national portal's DKAN harvester."""
from __future__ import annotations

import json
import re

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# the fields POD v1.1 requires of every dataset (bureauCode and programCode only of US
# federal agencies), and the patterns of those with one
REQUIRED = ("title", "description", "keyword", "modified", "publisher", "contactPoint",
            "identifier", "accessLevel")
MAILTO = re.compile(r"^mailto:[\w_~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+?$")
ACCRUAL = re.compile(r"^R/P(?:\d+(?:\.\d+)?[YMWD])+$|^R/PT\d+[HMS]$|^irregular$")


def _document(app) -> dict:
    response = app.get("/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def _check_pod(document: dict) -> None:
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert document["@type"] == "dcat:Catalog"
    for entry in document["dataset"]:
        for field in REQUIRED:
            assert entry.get(field), field
        assert entry["keyword"] and all(isinstance(k, str) for k in entry["keyword"])
        assert entry["publisher"]["name"]
        assert entry["contactPoint"]["fn"]
        assert MAILTO.match(entry["contactPoint"]["hasEmail"])
        assert entry["accessLevel"] in ("public", "restricted public", "non-public")
        if entry["accessLevel"] != "public":
            assert 0 < len(entry["rights"]) <= 255
        if "accrualPeriodicity" in entry:
            assert ACCRUAL.match(entry["accrualPeriodicity"])
        for distribution in entry.get("distribution", []):
            assert distribution.get("downloadURL") or distribution.get("accessURL")
            if "downloadURL" in distribution and "mediaType" in distribution:
                assert re.match(r"^[-\w.]+/[-\w.+]+$", distribution["mediaType"])


@pytest.mark.usefixtures("demo")
def test_demo_data_json_is_pod_v11(app):
    document = _document(app)
    assert len(document["dataset"]) == 4
    _check_pod(document)


def test_every_field_reaches_data_json(app, full_dataset):
    [entry] = _document(app)["dataset"]
    _check_pod({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
                "@type": "dcat:Catalog", "dataset": [entry]})
    assert entry["identifier"] == "MIRAFLORES-LIC-001"
    assert entry["accessLevel"] == "restricted public"
    assert entry["rights"] == "Datos personales anonimizados."
    assert entry["accrualPeriodicity"] == "R/P1M"
    assert entry["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert entry["contactPoint"] == {"@type": "vcard:Contact",
                                     "fn": "Oficina de Gobierno Digital",
                                     "hasEmail": "mailto:gd@miraflores.gob.pe"}
    assert entry["publisher"]["name"] == "Gerencia de Desarrollo Económico"
    assert entry["temporal"] == "2020-01-01/2024-12-31"
    assert "Miraflores" in entry["spatial"]
    assert entry["language"] == ["es", "qu"]
    assert entry["describedBy"] == "https://www.miraflores.gob.pe/licencias/diccionario.pdf"
    assert entry["conformsTo"] == "https://www.w3.org/TR/tabular-data-primer/"
    assert entry["references"] == ["https://www.miraflores.gob.pe/licencias/metodologia"]
    assert "Economía y Finanzas" in entry["theme"]
    csv = entry["distribution"][0]
    assert csv["downloadURL"] == "https://www.miraflores.gob.pe/licencias.csv"
    assert csv["accessURL"] == "https://www.miraflores.gob.pe/licencias/descargas"
    assert csv["mediaType"] == "text/csv" and csv["format"] == "CSV"
    assert entry["distribution"][1]["mediaType"].endswith("spreadsheetml.sheet")


def test_data_json_is_cached_until_a_dataset_changes(app, full_dataset, sysadmin):
    first = app.get("/data.json").body
    assert app.get("/data.json").body == first
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=full_dataset["id"],
                        title="Licencias de funcionamiento (actualizado)")
    [entry] = _document(app)["dataset"]
    assert entry["title"] == "Licencias de funcionamiento (actualizado)"
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=full_dataset["id"],
                        private=True)
    assert _document(app)["dataset"] == []
