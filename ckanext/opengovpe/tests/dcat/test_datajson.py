"""/data.json in Project Open Data v1.1 for the national portal's DKAN harvester."""
from __future__ import annotations

import json
import re

import pytest

from ckan.tests import factories, helpers

from .conftest import FULL_ORG

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


def _schema_errors(validator, document: dict) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(document))


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
def test_demo_data_json_is_pod_v11(app, pod_validator):
    document = _document(app)
    # every public dataset of the demo, and nothing else
    public = helpers.call_action("package_search", fq="+dataset_type:(dataset OR contrataciones)",
                                 rows=1000)
    assert public["count"] > 4
    assert sorted(d["title"] for d in document["dataset"]) == sorted(
        d["title"] for d in public["results"])
    _check_pod(document)
    assert _schema_errors(pod_validator, document) == []


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
    # the entity's name on the national portal, not the declared sub-unit: DKAN files the
    # dataset under the publisher group of that name
    assert entry["publisher"]["name"] == "Municipalidad de Miraflores"
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


# what the portal publishes besides the rich dataset: the least a publisher can fill in, and
# text, URLs and types a publisher types by hand
MINIMAL_DATASET = {"name": "padron-minimo", "title": "Padrón", "notes": "Padrón.",
                   "resources": [{"url": "https://www.miraflores.gob.pe/padron"}]}
ODD_DATASET = {
    "name": "odd-characters",
    "title": "Año \"2024\" — ñandú & <script>alert('x')</script> 🐍",
    "notes": "Línea 1\nLínea 2\t«citas» \\ barra",
    "tags": [{"name": "niños y niñas"}, {"name": "región"}],
    "url": "https://www.miraflores.gob.pe/información pública",
    "resources": [
        {"url": "https://www.miraflores.gob.pe/datos/población 2024.csv", "format": "CSV",
         "mimetype": "text/csv; charset=utf-8", "name": "Población «2024»"},
        {"url": "https://www.miraflores.gob.pe/datos/otro.xyz", "format": "formato raro",
         "mimetype": "no es un tipo"},
    ],
}


@pytest.fixture
def three_kinds(full_dataset, full_org, sysadmin) -> dict[str, dict]:
    context = {"user": sysadmin["name"]}
    return {
        "rich": full_dataset,
        "minimal": helpers.call_action("package_create", context, owner_org=full_org["id"],
                                       **MINIMAL_DATASET),
        "odd": helpers.call_action("package_create", context, owner_org=full_org["id"],
                                   **ODD_DATASET),
    }


def test_data_json_is_valid_against_the_official_pod_schema(app, three_kinds, pod_validator):
    document = _document(app)
    assert _schema_errors(pod_validator, document) == []
    by_identifier = {e["identifier"]: e for e in document["dataset"]}
    assert set(by_identifier) == {"MIRAFLORES-LIC-001", three_kinds["minimal"]["id"],
                                  three_kinds["odd"]["id"]}
    for entry in document["dataset"]:
        # what DKAN's data.json harvester needs to make a dataset and its resources
        assert entry["modified"] and entry["publisher"]["name"] == "Municipalidad de Miraflores"
        assert entry["distribution"]
        for distribution in entry["distribution"]:
            assert distribution.get("downloadURL") or distribution.get("accessURL")
    odd = by_identifier[three_kinds["odd"]["id"]]
    assert odd["title"] == ODD_DATASET["title"]
    assert odd["landingPage"] == "https://www.miraflores.gob.pe/informaci%C3%B3n%20p%C3%BAblica"
    csv, unknown = odd["distribution"]
    assert csv["downloadURL"].endswith("/datos/poblaci%C3%B3n%202024.csv")
    assert csv["mediaType"] == "text/csv"
    # no media type POD accepts: offered to be visited, not downloaded
    assert unknown == {"@type": "dcat:Distribution", "format": "formato raro",
                       "accessURL": "https://www.miraflores.gob.pe/datos/otro.xyz"}
    minimal = by_identifier[three_kinds["minimal"]["id"]]
    assert minimal["keyword"] and minimal["contactPoint"]["hasEmail"] == \
        "mailto:datosabiertos@miraflores.gob.pe"


@pytest.mark.ckan_config("ckanext.opengovpe.dcat.datajson_cache_ttl", "0")
def test_identifiers_stay_the_same_across_builds_and_edits(app, three_kinds, sysadmin):
    first = [(e["identifier"], e["title"]) for e in _document(app)["dataset"]]
    for dataset in three_kinds.values():
        helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=dataset["id"],
                            notes="Descripción revisada.")
    second = [(e["identifier"], e["title"]) for e in _document(app)["dataset"]]
    assert sorted(first) == sorted(second)


def test_the_publisher_is_the_entity_title_without_a_national_portal_name(app, sysadmin):
    org = factories.Organization(title="Gobierno Regional de Cusco", national_portal_name="")
    helpers.call_action("package_create", {"user": sysadmin["name"]}, owner_org=org["id"],
                        **MINIMAL_DATASET)
    [entry] = _document(app)["dataset"]
    assert entry["publisher"] == {"@type": "org:Organization",
                                  "name": "Gobierno Regional de Cusco"}


@pytest.fixture
def two_entities(full_dataset, full_org, sysadmin) -> dict[str, dict]:
    other = helpers.call_action("organization_create", {"user": sysadmin["name"]},
                                name="gobierno-regional-de-cusco",
                                title="Gobierno Regional de Cusco")
    helpers.call_action("package_create", {"user": sysadmin["name"]}, owner_org=other["id"],
                        **MINIMAL_DATASET)
    helpers.call_action("package_create", {"user": sysadmin["name"]}, owner_org=other["id"],
                        name="privado", title="Privado", notes="Privado.", private=True)
    return {"miraflores": full_org, "cusco": other}


def test_an_entity_data_json_has_only_that_entitys_published_datasets(app, two_entities,
                                                                        pod_validator):
    url = f"/organization/{two_entities['cusco']['name']}/data.json"
    response = app.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    document = json.loads(response.body)
    assert _schema_errors(pod_validator, document) == []
    assert [e["title"] for e in document["dataset"]] == ["Padrón"]
    assert {e["publisher"]["name"] for e in document["dataset"]} == {"Gobierno Regional de Cusco"}
    by_id = json.loads(app.get(f"/organization/{two_entities['miraflores']['id']}/data.json").body)
    assert [e["identifier"] for e in by_id["dataset"]] == ["MIRAFLORES-LIC-001"]


def test_an_entity_data_json_is_cached_until_a_dataset_changes(app, two_entities, sysadmin,
                                                               full_dataset):
    url = f"/organization/{FULL_ORG['name']}/data.json"
    first = app.get(url).body
    assert app.get(url).body == first
    helpers.call_action("package_patch", {"user": sysadmin["name"]}, id=full_dataset["id"],
                        title="Licencias (actualizado)")
    [entry] = json.loads(app.get(url).body)["dataset"]
    assert entry["title"] == "Licencias (actualizado)"
    # the national document is cached apart and sees the change too
    assert "Licencias (actualizado)" in {e["title"] for e in _document(app)["dataset"]}


@pytest.mark.parametrize("reference", [
    "no-existe", "a%00b", "%00", "x" * 5000, "ñ" * 101, "dataset", "licencias-de-funcionamiento",
    "un%20grupo", "..%2F..%2Fdata.json",
])
def test_an_unknown_entity_data_json_is_a_404(app, two_entities, reference):
    response = app.get(f"/organization/{reference}/data.json", expect_errors=True)
    assert response.status_code == 404


def test_a_group_or_a_deleted_entity_has_no_data_json(app, sysadmin):
    group = factories.Group(name="un-grupo")
    closed = factories.Organization(name="entidad-cerrada")
    helpers.call_action("organization_delete", {"user": sysadmin["name"]}, id=closed["id"])
    for name in (group["name"], closed["name"]):
        assert app.get(f"/organization/{name}/data.json",
                       expect_errors=True).status_code == 404


def test_the_entity_page_links_its_data_json(app, two_entities):
    body = app.get(f"/organization/{FULL_ORG['name']}").body
    assert f"/organization/{FULL_ORG['name']}/data.json" in body
    assert 'rel="alternate" type="application/json"' in body
