"""Demo entities across levels of government, sectors, departments and programme stages,
so that the scoreboard, the home page's charts and the map tell a story on first start.

Each entity gets the records of the stage it has reached (PE0087 order: internal norm in
force, working group established, plan approved, datasets published) and its plan, from
stage 3 on, has milestones spread over the last months. The names are real institutions;
the records are demonstration content and say so.
"""
from __future__ import annotations

import datetime
from typing import Any, Callable

import ckan.plugins.toolkit as tk

DEMO_NOTE = "Contenido de demostración del portal."

# name, title, acronym, level, entity type, sector, UBIGEO of the seat, stage reached
ENTITIES: list[tuple[str, str, str, str, str, str, str, int]] = [
    ("ministerio-de-salud", "Ministerio de Salud", "MINSA", "nacional", "ministerio",
     "salud", "150101", 4),
    ("ministerio-de-educacion", "Ministerio de Educación", "MINEDU", "nacional",
     "ministerio", "educacion", "150130", 3),
    ("ministerio-del-ambiente", "Ministerio del Ambiente", "MINAM", "nacional", "ministerio",
     "ambiente", "150122", 2),
    ("defensoria-del-pueblo", "Defensoría del Pueblo", "DP", "nacional",
     "organismo-constitucionalmente-autonomo", "organismos-autonomos", "150101", 1),
    ("gobierno-regional-de-piura", "Gobierno Regional de Piura", "GORE Piura", "regional",
     "gobierno-regional", "gobiernos-regionales", "200101", 4),
    ("gobierno-regional-de-san-martin", "Gobierno Regional de San Martín",
     "GORE San Martín", "regional", "gobierno-regional", "gobiernos-regionales", "220101", 3),
    ("gobierno-regional-de-loreto", "Gobierno Regional de Loreto", "GOREL", "regional",
     "gobierno-regional", "gobiernos-regionales", "160101", 1),
    ("municipalidad-metropolitana-de-lima", "Municipalidad Metropolitana de Lima", "MML",
     "local", "municipalidad-provincial", "gobiernos-locales", "150101", 4),
    ("municipalidad-provincial-de-trujillo", "Municipalidad Provincial de Trujillo", "MPT",
     "local", "municipalidad-provincial", "gobiernos-locales", "130101", 2),
    ("municipalidad-de-miraflores", "Municipalidad Distrital de Miraflores", "MDM", "local",
     "municipalidad-distrital", "gobiernos-locales", "150122", 3),
    ("municipalidad-provincial-de-puno", "Municipalidad Provincial de Puno", "MPP", "local",
     "municipalidad-provincial", "gobiernos-locales", "210101", 1),
    ("municipalidad-provincial-de-huamanga", "Municipalidad Provincial de Huamanga", "MPH",
     "local", "municipalidad-provincial", "gobiernos-locales", "050101", 0),
]

ITEMS = [("Presupuesto institucional de apertura y modificado", "economia-y-finanzas"),
         ("Directorio de establecimientos y sedes", "gobernabilidad"),
         ("Obras públicas en ejecución", "desarrollo-urbano"),
         ("Solicitudes de acceso a la información atendidas", "gobernabilidad")]


def _day(offset: int) -> str:
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def entity(row: tuple[str, str, str, str, str, str, str, int]) -> dict[str, Any]:
    name, title, acronym, level, kind, sector, ubigeo, _stage = row
    return {"name": name, "title": title, "acronym": acronym, "level_of_government": level,
            "entity_type": kind, "sector": sector, "ubigeo": ubigeo,
            "description": f"{title}. {DEMO_NOTE}"}


def records(org: str, stage: int) -> list[dict[str, Any]]:
    """The datasets of an entity at ``stage``: its norms, group, plan and published data."""
    norm = {"name": f"{org}-norma-grupo", "type": "norma", "owner_org": org,
            "title": "Creación del Grupo de Trabajo Institucional de Datos Abiertos",
            "regulation_type": "resolucion-de-secretaria-general", "number": "001-2025",
            "issuing_body": "Secretaría General", "issue_date": _day(-330),
            "subjects": ["creacion-del-grupo"], "validity": "vigente",
            "legal_basis": "DS 016-2017-PCM; DL 1412"}
    group = {"name": f"{org}-grupo-datos-abiertos", "type": "grupo-trabajo",
             "owner_org": org, "title": "Grupo de Trabajo Institucional de Datos Abiertos",
             "group_type": "grupo-de-trabajo", "status": "activo",
             "creating_norm": norm["name"], "installation_date": _day(-320),
             "meeting_frequency": "MONTHLY",
             "functions": "Priorizar, preparar y publicar los datos de la entidad."}
    plan_norm = dict(norm, name=f"{org}-norma-plan", number="015-2025",
                     title="Aprobación del Plan de Apertura de Datos", issue_date=_day(-270),
                     subjects=["aprobacion-del-plan"], legal_basis="DS 029-2021-PCM")
    plan = {"name": f"{org}-plan-apertura", "type": "plan-apertura", "owner_org": org,
            "title": "Plan de Apertura de Datos 2025-2026", "code": "PAD-2025",
            "version": "1", "status": "en-ejecucion", "period_start": _day(-270),
            "period_end": _day(300), "approving_regulation": plan_norm["name"],
            "vision": f"Datos útiles para la ciudadanía. {DEMO_NOTE}"}
    data = {"name": f"{org}-presupuesto", "type": "dataset", "owner_org": org,
            "title": "Presupuesto institucional de apertura y modificado",
            "notes": f"Presupuesto de la entidad por genérica de gasto. {DEMO_NOTE}",
            "license_id": "odc-by",
            "resources": [{"name": "Presupuesto (CSV)", "format": "CSV",
                           "url": "https://www.mef.gob.pe/es/seguimiento-de-la-ejecucion-"
                                  "presupuestal-consulta-amigable"}]}
    chosen = [norm] if stage >= 1 else []
    chosen += [group] if stage >= 2 else []
    chosen += [plan_norm, plan] if stage >= 3 else []
    chosen += [data] if stage >= 4 else []
    return chosen


def plan_content(org: str, stage: int, seed: int) -> dict[str, Any]:
    """Items and milestones of an entity's plan; milestones finished over past months, one
    running and, for every other entity, one overdue."""
    items = [{"key": f"i{n}", "title": title, "theme": theme, "status": "en-preparacion",
              "responsible": "Oficina de Tecnologías de la Información",
              "access_level": "publico", "frequency": "MONTHLY", "formats": ["CSV"],
              "criteria": ["solicitudes-ciudadanas-de-datos"],
              "dataset_id": f"{org}-presupuesto" if (n == 0 and stage >= 4) else None}
             for n, (title, theme) in enumerate(ITEMS)]
    milestones = []
    for n in range(4):
        end = -240 + 60 * n + 7 * (seed % 4)
        milestones.append({
            "name": f"Preparar «{ITEMS[n][0]}»", "status": "completado", "progress": 100,
            "start_date": _day(end - 45), "end_date": _day(end),
            "actual_end_date": _day(end - 3), "responsible": "Coordinación de datos",
            "item_key": f"i{n}",
            "evidence": [{"type": "informe", "title": f"Informe de avance {n + 1}",
                          "date": _day(end - 3)}]})
    milestones.append({"name": "Publicar el inventario actualizado", "status": "en-curso",
                       "progress": 40, "start_date": _day(-30), "end_date": _day(45),
                       "responsible": "Coordinación de datos"})
    if seed % 2:
        milestones.append({"name": "Informe semestral de avance", "status": "retrasado",
                           "progress": 20, "start_date": _day(-60), "end_date": _day(-12),
                           "responsible": "Secretaría técnica"})
    return {"items": items, "milestones": milestones}


def seed(call: Callable[[str, dict[str, Any]], Any]) -> list[str]:
    """Create what is missing of the demo entities; return what was created."""
    created: list[str] = []

    def exists(action: str, name: str) -> bool:
        try:
            call(action, {"id": name})
        except tk.ObjectNotFound:
            return False
        return True

    for number, row in enumerate(ENTITIES):
        org, stage = row[0], row[-1]
        if not exists("organization_show", org):
            call("organization_create", entity(row))
            created.append(f"organization {org}")
        for record in records(org, stage):
            if not exists("package_show", record["name"]):
                call("package_create", record)
                created.append(f"{record['type']} {record['name']}")
        if stage >= 3 and not call("opengovpe_plan_show", {"id": f"{org}-plan-apertura"}
                                   )["items"]:
            call("opengovpe_plan_save", dict(plan_content(org, stage, number),
                                             id=f"{org}-plan-apertura"))
            created.append(f"plan inventory and milestones of {org}-plan-apertura")
    return created
