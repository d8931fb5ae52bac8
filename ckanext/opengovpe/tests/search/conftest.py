"""Known data for the search tests: two entities, a group and eight datasets."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories


def _set_modified(name: str, when: datetime.datetime) -> None:
    pkg = model.Package.get(name)
    pkg.metadata_modified = when
    model.Session.commit()


@pytest.fixture
def corpus(clean_db) -> dict[str, Any]:
    """Datasets whose titles, tags, notes and formats the tests rely on."""
    oece = factories.Organization(name="oece", title="OECE")
    minsa = factories.Organization(name="minsa", title="Ministerio de Salud")
    group = factories.Group(name="compras-publicas", title="Compras públicas")

    def make(name: str, title: str, org: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("notes", "")
        tags = kwargs.pop("tags", [])
        formats = kwargs.pop("formats", [])
        return factories.Dataset(
            name=name, title=title, owner_org=org["id"],
            tags=[{"name": t} for t in tags],
            resources=[{"url": f"http://example.org/{name}.{f.lower()}", "format": f}
                       for f in formats],
            **kwargs)

    datasets = {
        "contratacion": make(
            "contratacion-obras", "Contratación de obras públicas", oece,
            notes="Procesos del SEACE con su valor referencial.",
            tags=["obras", "contratación"], formats=["CSV", "JSON"],
            groups=[{"name": group["name"]}],
            extras=[{"key": "frecuencia", "value": "MONTHLY"},
                    {"key": "cobertura_inicio_date", "value": "2020-01-01"}]),
        "contratos": make(
            "contratos-vigentes", "Registro de contratos vigentes", oece,
            notes="Un contrato por fila.", tags=["contratos"], formats=["CSV"],
            extras=[{"key": "frecuencia", "value": "DAILY"},
                    {"key": "cobertura_inicio_date", "value": "2023-06-15"}]),
        "proveedores": make(
            "proveedores", "Proveedores adjudicados", oece,
            notes="Lista de proveedores con contratación directa.",
            tags=["proveedores"], formats=["XLSX"]),
        "tag_only": make(
            "hospitales", "Hospitales del Perú", minsa,
            notes="Establecimientos de salud.", tags=["salud", "licitación"],
            formats=["CSV"]),
        "notes_only": make(
            "camas-uci", "Camas UCI", minsa,
            notes="Disponibilidad diaria; incluye licitación de equipos.",
            tags=["salud"], formats=["JSON"]),
        "title_hit": make(
            "licitacion-medicamentos", "Licitación de medicamentos", minsa,
            notes="Compras corporativas.", tags=["medicamentos"], formats=["PDF"]),
        "private": make(
            "borrador-interno", "Contratación reservada interna", oece,
            private=True, tags=["obras"], formats=["CSV"]),
    }
    _set_modified("proveedores", datetime.datetime(2019, 5, 1, 12, 0, 0))
    from ckan.lib.search import rebuild
    rebuild("proveedores")
    return {"oece": oece, "minsa": minsa, "group": group, "datasets": datasets,
            "sysadmin": factories.Sysadmin()}


def pytest_collection_modifyitems(items):
    """The search backend is tested with stock CKAN fields: no schema plugin.

    ``opengovpe`` stays for its Spanish messages; a test that names its own
    plugins keeps them.
    """
    for item in items:
        if "/tests/search/" not in str(item.fspath):
            continue
        if any(mark.args and mark.args[0] == "ckan.plugins"
               for mark in item.iter_markers("ckan_config")):
            continue
        item.add_marker(pytest.mark.ckan_config("ckan.plugins",
                                                "opengovpe activity opengovpe_search"))
