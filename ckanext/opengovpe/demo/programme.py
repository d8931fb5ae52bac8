"""Demo programme: OECE's working group, norms and opening plan as PE0087 set them,
and two more entities at earlier stages, so the scoreboard has something to compare."""
from __future__ import annotations

import datetime
from typing import Any, Callable

import ckan.plugins.toolkit as tk

Action = Callable[[dict[str, Any]], Any]


def _day(offset: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


OTHER_ENTITIES = [
    {"name": "municipalidad-provincial-del-cusco", "title": "Municipalidad Provincial del Cusco",
     "acronym": "MPC", "level_of_government": "local",
     "entity_type": "municipalidad-provincial", "sector": "gobiernos-locales",
     "ubigeo": "080101", "description": "Gobierno local de la provincia del Cusco."},
    {"name": "gobierno-regional-de-arequipa", "title": "Gobierno Regional de Arequipa",
     "acronym": "GRA", "level_of_government": "regional", "entity_type": "gobierno-regional",
     "sector": "gobiernos-regionales", "ubigeo": "04",
     "description": "Gobierno regional del departamento de Arequipa."},
]


def regulations(org: str) -> list[dict[str, Any]]:
    return [
        {"name": f"{org}-rpe-creacion-grupo", "type": "norma", "owner_org": org,
         "title": "Conformación del Grupo de Trabajo Institucional de Datos Abiertos",
         "regulation_type": "resolucion-de-presidencia-ejecutiva", "number": "045-2020-OSCE/PRE",
         "issuing_body": "Presidencia Ejecutiva", "issue_date": "2020-03-02",
         "publication_date": "2020-03-04", "subjects": ["creacion-del-grupo", "designacion"],
         "validity": "vigente", "legal_basis": "DS 016-2017-PCM; DL 1412"},
        {"name": f"{org}-rpe-plan-apertura", "type": "norma", "owner_org": org,
         "title": "Aprobación del Plan de Apertura de Datos",
         "regulation_type": "resolucion-de-secretaria-general", "number": "112-2020-OSCE/SGE",
         "issuing_body": "Secretaría General", "issue_date": "2020-09-15",
         "publication_date": "2020-09-16", "subjects": ["aprobacion-del-plan"],
         "validity": "vigente", "legal_basis": "DS 029-2021-PCM"},
    ]


def working_group(org: str) -> dict[str, Any]:
    return {
        "name": f"{org}-grupo-datos-abiertos", "type": "grupo-trabajo", "owner_org": org,
        "title": "Grupo de Trabajo Institucional de Datos Abiertos",
        "group_type": "grupo-de-trabajo", "status": "activo",
        "creating_norm": f"{org}-rpe-creacion-grupo", "installation_date": "2020-03-10",
        "meeting_frequency": "MONTHLY",
        "functions": "Priorizar, preparar y publicar los datos de la entidad.",
        "members": [
            {"person": "María Torres", "position": "Secretaria General", "role": "presidencia",
             "member_sector": "estado", "kind": "titular"},
            {"person": "Jorge Quispe", "position": "Oficial de Gobierno de Datos",
             "role": "oficial-de-gobierno-de-datos", "member_sector": "estado",
             "kind": "titular"},
            {"person": "Lucía Ramos", "position": "Investigadora",
             "role": "observador", "member_sector": "sociedad-civil", "kind": "titular"},
        ],
        "sessions": [{"number": "1", "kind": "ordinaria", "date": "2020-03-10",
                      "modality": "presencial", "agenda": "Instalación del grupo"},
                     {"number": "2", "kind": "ordinaria", "date": "2020-06-15",
                      "modality": "virtual", "agenda": "Inventario de datos"}],
    }


def plan(org: str) -> dict[str, Any]:
    return {"name": f"{org}-plan-apertura-2025", "type": "plan-apertura", "owner_org": org,
            "title": "Plan de Apertura de Datos 2025-2026", "code": "PAD-2025",
            "version": "1", "status": "en-ejecucion", "period_start": "2025-01-01",
            "period_end": "2026-12-31",
            "approving_regulation": f"{org}-rpe-plan-apertura",
            "vision": "Datos de contrataciones útiles para la vigilancia ciudadana."}


PLAN_ITEMS = [
    {"key": "seace", "title": "Contrataciones públicas del SEACE en OCDS",
     "theme": "economia-y-finanzas", "status": "en-preparacion",
     "criteria": ["solicitudes-de-acceso-a-la-informacion", "compromiso-de-gobierno-abierto"],
     "responsible": "Jorge Quispe", "access_level": "publico", "frequency": "DAILY",
     "formats": ["JSON", "CSV"], "dataset": "contrataciones-publicas-seace"},
    {"key": "proveedores", "title": "Proveedores adjudicados",
     "theme": "economia-y-finanzas", "status": "listo-para-publicar",
     "criteria": ["solicitudes-ciudadanas-de-datos"], "responsible": "Ana Flores",
     "access_level": "publico", "frequency": "MONTHLY", "formats": ["CSV"],
     "dataset": "proveedores-adjudicados"},
    {"key": "sanciones", "title": "Proveedores sancionados", "theme": "gobernabilidad",
     "status": "planificado", "criteria": ["registro-publico-oficial"],
     "responsible": "Ana Flores", "access_level": "publico", "frequency": "MONTHLY",
     "formats": ["CSV"]},
]


def plan_milestones(responsible_email: str) -> list[dict[str, Any]]:
    """The four PE0087 milestones: two done with evidence, one running, one overdue."""
    return [
        {"name": "Sensibilización e instalación del Grupo de Trabajo", "status": "completado",
         "start_date": _day(-300), "end_date": _day(-240), "actual_end_date": _day(-245),
         "progress": 100, "responsible": "María Torres", "responsible_email": responsible_email,
         "evidence": [{"type": "acta", "title": "Acta de instalación",
                       "url": "https://www.gob.pe/oece", "date": _day(-245)}]},
        {"name": "Aprobación del marco normativo interno", "status": "completado",
         "start_date": _day(-240), "end_date": _day(-180), "actual_end_date": _day(-185),
         "progress": 100, "responsible": "María Torres", "responsible_email": responsible_email,
         "evidence": [{"type": "norma", "title": "Resolución 045-2020-OSCE/PRE"}]},
        {"name": "Elaboración del plan de apertura", "status": "en-curso", "progress": 70,
         "start_date": _day(-120), "end_date": _day(20), "responsible": "Jorge Quispe",
         "responsible_email": responsible_email, "item_key": "seace"},
        {"name": "Publicación en el portal institucional", "status": "retrasado", "progress": 30,
         "start_date": _day(-90), "end_date": _day(-10), "responsible": "Ana Flores",
         "responsible_email": responsible_email, "item_key": "proveedores"},
    ]


def _exists(action: Action, name: str) -> bool:
    try:
        action({"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def seed(context: Callable[[], dict[str, Any]], organization: str) -> list[str]:
    created: list[str] = []

    def call(name: str, data: dict[str, Any]) -> Any:
        return tk.get_action(name)(context(), data)

    def show(name: str) -> Action:
        return lambda data: call(name, data)

    for entity in OTHER_ENTITIES:
        if not _exists(show("organization_show"), entity["name"]):
            call("organization_create", entity)
            created.append(f"organization {entity['name']}")
    cusco = OTHER_ENTITIES[0]["name"]
    for record in regulations(organization) + regulations(cusco)[:1] + [
            working_group(organization), plan(organization)]:
        if not _exists(show("package_show"), record["name"]):
            call("package_create", record)
            created.append(f"{record['type']} {record['name']}")
    plan_name = plan(organization)["name"]
    if not call("opengovpe_plan_show", {"id": plan_name})["items"]:
        items = [dict({k: v for k, v in i.items() if k != "dataset"},
                      dataset_id=i.get("dataset")) for i in PLAN_ITEMS]
        call("opengovpe_plan_save", {"id": plan_name, "items": items,
                                     "milestones": plan_milestones("datos@oece.gob.pe")})
        created.append(f"plan inventory and milestones of {plan_name}")
    return created
