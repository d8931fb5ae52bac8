"""Bad input is one line of the harvest report; the job finishes and nothing else is lost."""
from __future__ import annotations

import copy
import gzip
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from ckan.tests import factories, helpers
import ckan.plugins.toolkit as tk

from ckanext.opengovpe.tests.procurement import synthetic

from .conftest import Files
from .test_ocds import PLUGINS, buyer_years, real_records

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.harvest.mq.type", "redis"),
    pytest.mark.ckan_config("ckan.harvest.mq.redis_db", "4"),
    pytest.mark.ckan_config("ckanext.opengovpe.fetch.allowed_hosts", "127.0.0.1 localhost"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

PIURA = "contrataciones-pe-consucode-10352-2026"
LIMA = "contrataciones-pe-consucode-200030-2026"


def with_second(change: Callable[[dict[str, Any]], None]) -> bytes:
    """The real records, the second (Lima) one changed; the first (Piura) stays good."""
    package = json.loads(real_records())
    change(package["records"][1]["compiledRelease"])
    return json.dumps(package).encode()


def set_path(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(release: dict[str, Any]) -> None:
        target = release
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


def raw_amount(text: str) -> bytes:
    """A package whose Lima tender amount is the literal JSON number ``text``."""
    body = with_second(set_path("tender.value.amount", 987654.321)).decode()
    return body.replace("987654.321", text).encode()


def without_ocid() -> bytes:
    package = json.loads(real_records())
    record = package["records"][1]
    record.pop("ocid")
    record["compiledRelease"].pop("ocid")
    return json.dumps(package).encode()


def truncated() -> bytes:
    """Cut inside the second record."""
    body = real_records()
    return body[:body.index(b"ocds-dgv273-seacev3-1216217") + 10]


def duplicated() -> bytes:
    package = json.loads(real_records())
    package["records"].append(copy.deepcopy(package["records"][0]))
    return json.dumps(package).encode()


# (name, body, message expected in the report, Piura kept, Lima kept)
OBJECT_ERRORS = [
    ("missing ocid", without_ocid(), "Se omitió un objeto sin ocid", True, False),
    ("negative amount", with_second(set_path("tender.value.amount", -5)),
     "Proceso ocds-dgv273-seacev3-1216217: tender.value.amount es negativo (-5)", True, False),
    ("NaN amount", with_second(set_path("tender.value.amount", "NaN")),
     "tender.value.amount no es un número finito", True, False),
    ("exponent amount", raw_amount("1e400"), "supera cualquier presupuesto público", True, False),
    ("text amount", with_second(set_path("tender.value.amount", "12,5")),
     "tender.value.amount '12,5' no es un número", True, False),
    ("impossible date", with_second(set_path("tender.datePublished", "2026-13-45T00:00:00")),
     "tender.datePublished '2026-13-45T00:00:00' no es una fecha posible", True, False),
    ("far-future date", with_second(set_path("date", "9999-01-01T00:00:00Z")),
     "date '9999-01-01T00:00:00Z' no es una fecha posible", True, False),
    ("unknown currency", with_second(set_path("tender.value.currency", "XYZ")),
     "tender.value.currency 'XYZ' no es un código de moneda ISO 4217", True, False),
    ("huge string", with_second(set_path("tender.description", "x" * 200_000)),
     "tender.description tiene más de 100000 caracteres", True, False),
    ("duplicate ocid", duplicated(), "ocid ocds-dgv273-seacev3-1202858 repetido", True, True),
]


def zipped(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("month.json", data)
    return out.getvalue()


BOMB = b'{"records": [' + b" " * (8 * 2**20) + b"]}"
# (name, content type, body, message expected, Piura kept)
FILE_ERRORS = [
    ("truncated JSON", "application/json", truncated(),
     "JSON mal formado o truncado después de 1 objetos", True),
    ("malformed JSON", "application/json",
     real_records().replace(b'"ocid": "ocds-dgv273-seacev3-1216217"', b'"ocid": ,'),
     "JSON mal formado", True),
    ("HTML page as 200", "text/html", b"<html><body>Mantenimiento</body></html>",
     "una página HTML, no con datos OCDS", False),
    ("HTML labelled as JSON", "application/json", b"<!DOCTYPE html><html></html>",
     "HTML o XML, no JSON de OCDS", False),
    ("wrong content type", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
     "El archivo no es JSON", False),
    ("gzip bomb", "application/gzip", gzip.compress(BOMB), "descomprimidos superan", False),
    ("zip bomb", "application/zip", zipped(BOMB), "descomprimidos superan", False),
    ("empty", "application/json", b"", "El archivo está vacío", False),
]


def run(server: str, make_source: Any, run_test: Any, content_type: str, body: bytes,
        config: str = "") -> tuple[dict[str, Any], str]:
    Files.documents["/bad"] = (200, content_type, body)
    source = make_source(f"{server}/bad", config)
    report = run_test(source["id"])
    job = helpers.call_action("harvest_job_list", source_id=source["id"])[0]
    assert job["status"] == "Finished"
    return report, " | ".join(e["message"] for e in report["gather_errors"])


@pytest.mark.parametrize("name, body, message, piura, lima", OBJECT_ERRORS,
                         ids=[case[0] for case in OBJECT_ERRORS])
def test_a_bad_object_is_reported_and_the_rest_harvested(server, make_source, run_test,
                                                         name, body, message, piura, lima):
    report, messages = run(server, make_source, run_test, "application/json", body)
    assert message in messages
    assert len(report["gather_errors"]) == 1
    assert (PIURA in buyer_years(), LIMA in buyer_years()) == (piura, lima)


@pytest.mark.parametrize("name, content_type, body, message, piura", FILE_ERRORS,
                         ids=[case[0] for case in FILE_ERRORS])
def test_a_bad_file_is_reported_and_what_was_read_is_kept(server, make_source, run_test,
                                                          name, content_type, body, message,
                                                          piura):
    _, messages = run(server, make_source, run_test, content_type, body,
                      json.dumps({"max_unpacked_mb": 1}))
    assert message in messages
    assert (PIURA in buyer_years()) == piura
    assert LIMA not in buyer_years()


def test_releases_without_ocid_are_reported(server, make_source, run_test):
    release = synthetic.sample(synthetic.WORKS)
    release.pop("ocid")
    body = json.dumps({"releases": [release]}).encode()
    _, messages = run(server, make_source, run_test, "application/json", body)
    assert "se omitieron 1 entregas sin ocid" in messages
    assert buyer_years() == {}


@pytest.mark.parametrize("config, message", [
    ("{not json", "config: JSON no válido"),
    ('["oece_bulk"]', "config: debe ser un objeto JSON"),
    ('{"kind": "ftp"}', "kind: debe ser uno de url, oece_bulk, oece_api"),
    ('{"months": 0}', "months: debe ser un número entero de 1 a 240"),
    ('{"months": "2"}', "months: debe ser un número entero de 1 a 240"),
    ('{"max_delete_share": 2}', "max_delete_share: debe ser un número de 0 a 1"),
    ('{"colour": "red"}', "colour: opción desconocida"),
])
def test_source_configuration_is_checked_field_by_field(app, config, message):
    """In the portal's language, as the harvest source form shows it."""
    org = factories.Organization()
    with app.flask_app.test_request_context(), pytest.raises(tk.ValidationError) as err:
        helpers.call_action("harvest_source_create", {"user": factories.Sysadmin()["name"]},
                            name="ocds-bad", url="http://127.0.0.1/x", config=config,
                            source_type="opengovpe_ocds", owner_org=org["id"])
    assert message in str(err.value.error_dict["config"])


def test_a_source_on_a_private_address_is_refused():
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as err:
        helpers.call_action("harvest_source_create", {"user": factories.Sysadmin()["name"]},
                            name="ocds-private", url="http://10.0.0.1/api/v1/files",
                            source_type="opengovpe_ocds", owner_org=org["id"])
    assert "url" in err.value.error_dict
