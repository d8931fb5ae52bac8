"""Seed the demo entity and its datasets; running it again changes nothing."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import entities, procurement, programme

log = logging.getLogger(__name__)

OECE = {
    "name": "oece",
    "title": "Organismo Especializado para las Contrataciones Públicas Eficientes (OECE)",
    "description": (
        "Supervisor de las contrataciones públicas del Perú (antes OSCE). Publica los "
        "datos del Sistema Electrónico de Contrataciones del Estado (SEACE) en el "
        "Estándar de Datos para las Contrataciones Abiertas (OCDS)."
    ),
    "acronym": "OECE",
    "ruc": "20419026809",
    "level_of_government": "nacional",
    "entity_type": "organismo-tecnico-especializado",
    "sector": "economia-y-finanzas",
    "ubigeo": "150131",
    "website": "https://www.gob.pe/oece",
    "open_data_email": "datosabiertos@oece.gob.pe",
    "national_portal_name": "Organismo Especializado para las Contrataciones Públicas Eficientes",
}

DATASETS: list[dict[str, Any]] = [
    {
        "name": "contrataciones-publicas-seace",
        "title": "Contrataciones públicas del SEACE en OCDS",
        "notes": (
            "Procesos de contratación, adjudicaciones y contratos registrados en el "
            "SEACE, publicados diariamente en el Estándar de Datos para las "
            "Contrataciones Abiertas (OCDS 1.1)."
        ),
        "tags": ["contratación pública", "OCDS", "SEACE"],
        "license_id": "cc-by",
        "resources": [
            {"name": "Paquete de registros OCDS (mensual)", "format": "JSON",
             "url": "https://contratacionesabiertas.oece.gob.pe/api/v1/files"},
        ],
    },
    {
        "name": "proveedores-adjudicados",
        "title": "Proveedores adjudicados por entidad y año",
        "notes": (
            "Proveedores que obtuvieron la buena pro en procesos de selección, con el "
            "monto adjudicado en soles por entidad contratante y año."
        ),
        "tags": ["proveedores", "contratación pública"],
        "license_id": "cc-by",
        "resources": [
            {"name": "Proveedores adjudicados (CSV)", "format": "CSV",
             "url": "https://contratacionesabiertas.oece.gob.pe/descargas/proveedores.csv"},
        ],
    },
    {
        "name": "ordenes-de-compra-y-servicio",
        "title": "Órdenes de compra y de servicio",
        "notes": (
            "Órdenes de compra y de servicio emitidas por las entidades públicas por "
            "montos menores a 8 UIT, registradas en el SEACE."
        ),
        "tags": ["órdenes de compra", "contratación pública"],
        "license_id": "cc-by",
        "resources": [
            {"name": "Órdenes de compra (CSV)", "format": "CSV",
             "url": "https://contratacionesabiertas.oece.gob.pe/descargas/ordenes.csv"},
            {"name": "Diccionario de datos", "format": "PDF",
             "url": "https://contratacionesabiertas.oece.gob.pe/descargas/diccionario.pdf"},
        ],
    },
]


def _context() -> Context:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _exists(action: str, name: str) -> bool:
    try:
        tk.get_action(action)(_context(), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def seed(organization: str) -> list[str]:
    """Create what is missing of the demo content; return what was created."""
    created: list[str] = []
    org = dict(OECE, name=organization)
    if not _exists("organization_show", organization):
        tk.get_action("organization_create")(_context(), org)
        created.append(f"organization {organization}")
    for dataset in DATASETS:
        if _exists("package_show", dataset["name"]):
            continue
        data = dict(dataset, owner_org=organization,
                    tags=[{"name": t} for t in dataset["tags"]])
        tk.get_action("package_create")(_context(), data)
        created.append(f"dataset {dataset['name']}")
    created.extend(programme.seed(_context, organization))
    created.extend(entities.seed(lambda action, data: tk.get_action(action)(_context(), data)))
    created.extend(procurement.seed(_context, organization))
    for item in created:
        log.info("Demo content created: %s", item)
    return created
