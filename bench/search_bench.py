"""Search benchmark for the PostgreSQL index of plugin ``opengovpe_search``.

Fills a dedicated CKAN database with N synthetic Spanish datasets (bulk COPY
straight into CKAN's tables), times the full index rebuild and where its time
goes, then times ``package_search`` for a fixed mix of queries and writes the
figures to ``bench/results/``. Run through ``scripts/bench.sh``; see
``bench/README.md``.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from typing import Any, Callable, Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (the report writer)
ROOT = os.path.dirname(HERE)

TARGETS = {
    # (what, N it applies to, limit)
    "full_mix_p95_ms": 100.0,
    "free_text_no_facets_p95_ms": 50.0,
    "one_common_word_p95_ms": 50.0,
    "facets_all_cache_off_p95_ms": 100.0,
    "rebuild_datasets_per_s": 100.0,
    # each typing-help kind (titles, correction) on its own
    "typing_help_p95_ms": 50.0,
}
TARGET_N = 100_000

# --------------------------------------------------------------------------
# Word lists: synthetic, but shaped like a Peruvian open-data portal
# --------------------------------------------------------------------------

# (title phrase, tags, PNDA theme, group)
TOPICS: list[tuple[str, list[str], str, str]] = [
    ("Contratación de obras públicas", ["contrataciones", "obras públicas",
                                        "inversión pública"], "Gobernanza", "gobernanza"),
    ("Ejecución del presupuesto institucional", ["presupuesto", "gasto público",
                                                 "finanzas públicas"], "Economía",
     "economia-y-finanzas"),
    ("Matrícula escolar en instituciones educativas", ["educación", "matrícula",
                                                       "colegios"], "Educación", "educacion"),
    ("Atenciones en establecimientos de salud", ["salud", "hospitales", "atención médica"],
     "Salud", "salud"),
    ("Casos de dengue notificados", ["salud", "epidemiología", "dengue"], "Salud", "salud"),
    ("Vacunación contra la COVID-19", ["salud", "vacunación", "covid-19"], "Salud", "salud"),
    ("Denuncias por violencia familiar", ["seguridad ciudadana", "violencia", "mujer"],
     "Seguridad", "seguridad-ciudadana"),
    ("Licencias de funcionamiento otorgadas", ["licencias", "comercio", "municipal"],
     "Economía", "economia-y-finanzas"),
    ("Recaudación de tributos municipales", ["tributos", "recaudación", "impuesto predial"],
     "Economía", "economia-y-finanzas"),
    ("Calidad del agua para consumo humano", ["agua", "saneamiento", "medio ambiente"],
     "Ambiente", "medio-ambiente"),
    ("Recolección de residuos sólidos", ["residuos sólidos", "limpieza pública",
                                         "medio ambiente"], "Ambiente", "medio-ambiente"),
    ("Accidentes de tránsito registrados", ["transporte", "tránsito", "seguridad vial"],
     "Transporte", "transporte"),
    ("Proyectos de inversión pública", ["inversión pública", "proyectos", "invierte.pe"],
     "Economía", "economia-y-finanzas"),
    ("Padrón de beneficiarios de programas sociales", ["programas sociales", "pobreza",
                                                       "inclusión"], "Desarrollo social",
     "desarrollo-social"),
    ("Producción agrícola por cultivo", ["agricultura", "producción", "cultivos"],
     "Agricultura", "agricultura"),
    ("Precios de productos agropecuarios en mercados", ["precios", "mercados",
                                                        "agricultura"], "Agricultura",
     "agricultura"),
    ("Llegada de turistas nacionales y extranjeros", ["turismo", "visitantes"], "Economía",
     "economia-y-finanzas"),
    ("Concesiones mineras vigentes", ["minería", "concesiones", "energía"], "Energía y minas",
     "energia-y-mineria"),
    ("Consumo de energía eléctrica", ["energía", "electricidad"], "Energía y minas",
     "energia-y-mineria"),
    ("Remuneraciones del personal", ["transparencia", "personal", "remuneraciones"],
     "Gobernanza", "gobernanza"),
    ("Declaraciones juradas de funcionarios", ["transparencia", "integridad"], "Gobernanza",
     "gobernanza"),
    ("Emergencias atendidas por bomberos", ["emergencias", "gestión de riesgos"], "Seguridad",
     "seguridad-ciudadana"),
    ("Precipitación y temperatura diaria", ["clima", "meteorología", "hidrología"],
     "Ambiente", "medio-ambiente"),
    ("Infracciones al reglamento de tránsito", ["tránsito", "multas", "transporte"],
     "Transporte", "transporte"),
    ("Órdenes de compra y servicio", ["contrataciones", "compras públicas", "transparencia"],
     "Gobernanza", "gobernanza"),
    ("Nacimientos y defunciones inscritos", ["registro civil", "población", "estadística"],
     "Desarrollo social", "desarrollo-social"),
    ("Población censada por distrito", ["población", "censo", "estadística"],
     "Desarrollo social", "desarrollo-social"),
    ("Empleo formal en el sector privado", ["empleo", "trabajo", "economía"], "Economía",
     "economia-y-finanzas"),
    ("Exportaciones por partida arancelaria", ["comercio exterior", "exportaciones",
                                               "economía"], "Economía", "economia-y-finanzas"),
    ("Docentes por nivel educativo", ["educación", "docentes"], "Educación", "educacion"),
    ("Becas otorgadas a estudiantes", ["educación", "becas", "juventud"], "Educación",
     "educacion"),
    ("Camas hospitalarias disponibles", ["salud", "hospitales"], "Salud", "salud"),
    ("Áreas naturales protegidas", ["medio ambiente", "biodiversidad", "áreas protegidas"],
     "Ambiente", "medio-ambiente"),
    ("Focos de calor y deforestación", ["medio ambiente", "bosques", "deforestación"],
     "Ambiente", "medio-ambiente"),
    ("Conflictos sociales registrados", ["conflictos sociales", "gobernanza"], "Gobernanza",
     "gobernanza"),
    ("Quejas y reclamos ciudadanos", ["atención al ciudadano", "reclamos"], "Gobernanza",
     "gobernanza"),
    ("Ejecución de gasto en programas presupuestales", ["presupuesto",
                                                        "programas presupuestales"],
     "Economía", "economia-y-finanzas"),
    ("Flota vehicular del transporte público", ["transporte", "transporte público"],
     "Transporte", "transporte"),
    ("Asistencia técnica a productores", ["agricultura", "productores", "desarrollo rural"],
     "Agricultura", "agricultura"),
    ("Mantenimiento de vías departamentales", ["carreteras", "infraestructura",
                                               "transporte"], "Transporte", "transporte"),
]

GROUPS = {
    "gobernanza": "Gobernanza y transparencia",
    "economia-y-finanzas": "Economía y finanzas",
    "educacion": "Educación",
    "salud": "Salud",
    "seguridad-ciudadana": "Seguridad ciudadana",
    "medio-ambiente": "Medio ambiente",
    "transporte": "Transporte y comunicaciones",
    "desarrollo-social": "Desarrollo e inclusión social",
    "agricultura": "Agricultura y desarrollo rural",
    "energia-y-mineria": "Energía y minería",
}

PLACES = [
    "Amazonas", "Áncash", "Apurímac", "Arequipa", "Ayacucho", "Cajamarca", "Callao", "Cusco",
    "Huancavelica", "Huánuco", "Ica", "Junín", "La Libertad", "Lambayeque", "Lima", "Loreto",
    "Madre de Dios", "Moquegua", "Pasco", "Piura", "Puno", "San Martín", "Tacna", "Tumbes",
    "Ucayali", "Chiclayo", "Trujillo", "Huancayo", "Iquitos", "Chimbote", "Juliaca",
    "Pucallpa", "Tarapoto", "Sullana", "Chincha", "Huaraz", "Abancay", "Puerto Maldonado",
    "Miraflores", "San Isidro", "Comas", "San Juan de Lurigancho", "Ate", "Villa El Salvador",
    "Breña", "Ferreñafe", "Moyobamba", "Jaén", "Andahuaylas", "Ilo",
]

_MINISTRIES = [
    "Ministerio de Salud", "Ministerio de Educación", "Ministerio de Economía y Finanzas",
    "Ministerio de Transportes y Comunicaciones", "Ministerio de Desarrollo Agrario y Riego",
    "Ministerio del Ambiente", "Ministerio de Energía y Minas",
    "Ministerio de la Mujer y Poblaciones Vulnerables",
    "Ministerio de Desarrollo e Inclusión Social",
    "Ministerio de Trabajo y Promoción del Empleo",
    "Ministerio de Comercio Exterior y Turismo",
    "Ministerio de Vivienda, Construcción y Saneamiento", "Ministerio del Interior",
    "Ministerio de Justicia y Derechos Humanos", "Ministerio de Cultura",
    "Ministerio de la Producción", "Ministerio de Defensa", "Ministerio de Relaciones Exteriores",
]
_AGENCIES = [
    "Instituto Nacional de Estadística e Informática",
    "Superintendencia Nacional de Aduanas y de Administración Tributaria",
    "Organismo Especializado para las Contrataciones Públicas Eficientes",
    "Servicio Nacional de Meteorología e Hidrología del Perú",
    "Registro Nacional de Identificación y Estado Civil",
    "Superintendencia Nacional de Salud", "Seguro Social de Salud",
    "Organismo de Evaluación y Fiscalización Ambiental", "Instituto Nacional de Defensa Civil",
    "Autoridad Nacional del Agua", "Servicio Nacional Forestal y de Fauna Silvestre",
    "Programa Nacional de Becas y Crédito Educativo", "Contraloría General de la República",
    "Defensoría del Pueblo", "Cuerpo General de Bomberos Voluntarios del Perú",
    "Superintendencia de Transporte Terrestre de Personas, Carga y Mercancías",
]
_REGIONS = ["Arequipa", "Cusco", "Piura", "La Libertad", "Junín", "Puno", "Cajamarca",
            "Lambayeque", "Áncash", "Loreto", "San Martín", "Ayacucho", "Huánuco", "Ica"]
ORGANIZATIONS = (
    _MINISTRIES + _AGENCIES
    + [f"Gobierno Regional de {r}" for r in _REGIONS]
    + ["Municipalidad Metropolitana de Lima"]
    + [f"Municipalidad Provincial de {p}" for p in
       ["Arequipa", "Cusco", "Trujillo", "Chiclayo", "Huancayo", "Piura", "Maynas"]]
    + [f"Municipalidad Distrital de {d}" for d in
       ["Miraflores", "San Isidro", "San Borja", "Santiago de Surco", "Jesús María",
        "San Juan de Lurigancho"]]
)

GENERIC_TAGS = ["datos abiertos", "estadística", "transparencia", "gobierno digital",
                "indicadores", "series históricas", "georreferenciado", "información pública"]
FREQUENCIES = ["Diaria", "Semanal", "Mensual", "Trimestral", "Semestral", "Anual"]
LICENSES = [("cc-by", 55), ("odc-by", 25), ("cc-zero", 20)]
FORMATS = [("CSV", 40), ("XLSX", 20), ("JSON", 15), ("PDF", 15), ("API", 10)]
EXTENSIONS = {"CSV": "csv", "XLSX": "xlsx", "JSON": "json", "PDF": "pdf", "API": "api"}
DETAILS = ["departamento, provincia y distrito", "mes y tipo de establecimiento",
           "sexo y grupo de edad", "unidad ejecutora y fuente de financiamiento",
           "entidad contratante y proveedor", "cultivo y campaña agrícola",
           "nivel educativo y modalidad", "tipo de vía y kilómetro"]
SOURCES = ["registros administrativos", "el sistema de información institucional",
           "encuestas de campo", "el Sistema Electrónico de Contrataciones del Estado",
           "el Sistema Integrado de Administración Financiera", "reportes de las oficinas "
           "desconcentradas"]
EXTRA_SENTENCES = [
    "Las cifras del último periodo son preliminares y pueden ser revisadas.",
    "Los montos se expresan en soles corrientes, sin incluir el impuesto general a las ventas.",
    "Se excluyen los registros anulados y los duplicados detectados durante la validación.",
    "La codificación territorial sigue el ubigeo vigente del INEI.",
    "El diccionario de datos describe cada columna, su tipo y sus valores permitidos.",
    "La información se publica en cumplimiento de la Ley de Transparencia y Acceso a la "
    "Información Pública.",
    "Para consultas sobre el contenido, escriba a la oficina de estadística de la entidad.",
    "Los campos de fecha siguen el formato AAAA-MM-DD.",
    "Incluye la ubicación geográfica aproximada cuando está disponible.",
    "Se recomienda citar la fuente al reutilizar la información.",
]

# Accent-free search terms a citizen would type (for the free-text queries)
FREE_TEXT_TERMS = [
    "contratacion obras", "presupuesto institucional", "matricula escolar",
    "establecimientos salud", "dengue casos", "vacunacion covid", "violencia familiar",
    "licencias funcionamiento", "tributos municipales", "calidad agua", "residuos solidos",
    "accidentes transito", "inversion publica", "programas sociales", "produccion agricola",
    "precios mercados", "turistas extranjeros", "concesiones mineras", "energia electrica",
    "remuneraciones personal", "bomberos emergencias", "temperatura precipitacion",
    "ordenes compra", "poblacion distrito", "empleo formal", "exportaciones",
    "docentes educativo", "becas estudiantes", "areas protegidas", "deforestacion",
]
# One common word: thousands to tens of thousands of matches (counted from the word counts the
# indexer keeps, the page read from the title / head / text tiers).
# Timed apart from the mix the targets are stated for.
BROAD_TERMS = ["informacion", "publica", "datos", "salud", "municipal", "registro",
               "educacion", "distrito", "anual", "entidad"]
FIELDED_PAIRS = [
    ("salud", "educación"), ("salud", "hospitales"), ("obras", "contrataciones"),
    ("presupuesto", "gasto público"), ("educativas", "matrícula"), ("tránsito", "transporte"),
    ("agua", "saneamiento"), ("agrícola", "agricultura"), ("turistas", "turismo"),
    ("dengue", "epidemiología"), ("residuos", "medio ambiente"), ("becas", "educación"),
    ("minería", "energía"), ("población", "estadística"), ("compra", "transparencia"),
]


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def slugify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


# --------------------------------------------------------------------------
# Synthetic data straight into CKAN's tables
# --------------------------------------------------------------------------

# reference end of the 5-year window, fixed so runs are reproducible
END = dt.datetime(2026, 6, 30, 12, 0, 0)
SPAN_SECONDS = 5 * 365 * 24 * 3600

PACKAGE_COLUMNS = ("id", "name", "title", "version", "url", "author", "author_email",
                   "maintainer", "maintainer_email", "notes", "license_id", "type",
                   "owner_org", "creator_user_id", "metadata_created", "metadata_modified",
                   "private", "state", "extras")
RESOURCE_COLUMNS = ("id", "package_id", "url", "format", "description", "position", "name",
                    "resource_type", "mimetype", "size", "created", "last_modified",
                    "metadata_modified", "url_type", "state")
GROUP_COLUMNS = ("id", "name", "title", "type", "description", "image_url", "created",
                 "is_organization", "approval_status", "state", "extras")
MEMBER_COLUMNS = ("id", "table_name", "table_id", "capacity", "group_id", "state")
TAG_COLUMNS = ("id", "name")
PACKAGE_TAG_COLUMNS = ("id", "package_id", "tag_id", "state")
MIMETYPES = {"CSV": "text/csv", "JSON": "application/json", "PDF": "application/pdf",
             "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "API": None}


COPY_BATCH = 5000  # datasets per COPY round


class CopyBuffer:
    """Rows for one table, written with COPY in batches."""

    def __init__(self, cursor: Any, table: str, columns: tuple[str, ...]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    @staticmethod
    def _cell(value: Any) -> str:
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        text = str(value)
        return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))

    def add(self, *row: Any) -> None:
        # flushed by the caller, parents before children (foreign keys)
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        data = io.StringIO()
        for row in self.rows:
            data.write("\t".join(self._cell(v) for v in row))
            data.write("\n")
        data.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', data)
        self.written += len(self.rows)
        self.rows = []


class Generator:
    """Deterministic synthetic datasets (same seed, same rows)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.uuid_rng = random.Random(seed + 1)
        self.orgs = [(self.uuid(), slugify(title), title) for title in ORGANIZATIONS]
        self.groups = [(self.uuid(), name, title) for name, title in GROUPS.items()]
        self.group_ids = {name: gid for gid, name, _ in self.groups}
        # each organization publishes mostly about a few topics
        self.org_topics = {org[0]: self.rng.sample(range(len(TOPICS)), 6) for org in self.orgs}
        self.tags: dict[str, str] = {}

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.uuid_rng.getrandbits(128), version=4))

    def tag_id(self, name: str) -> str:
        if name not in self.tags:
            self.tags[name] = self.uuid()
        return self.tags[name]

    def _dates(self) -> tuple[dt.datetime, dt.datetime]:
        created = END - dt.timedelta(seconds=self.rng.randrange(SPAN_SECONDS))
        remaining = int((END - created).total_seconds())
        # most datasets are touched again some time after creation
        if self.rng.random() < 0.8 and remaining > 0:
            modified = created + dt.timedelta(
                seconds=int(remaining * self.rng.random() ** 2))
        else:
            modified = created
        return created, modified

    def _notes(self, topic: str, place: str, org_title: str, year: int, frequency: str) -> str:
        rng = self.rng
        sentences = [
            f"Conjunto de datos sobre {topic[0].lower() + topic[1:]} en {place}, publicado por "
            f"{org_title}.",
            f"Incluye registros del periodo {year - rng.randint(1, 6)}–{year} con detalle por "
            f"{rng.choice(DETAILS)}.",
            f"Los datos provienen de {rng.choice(SOURCES)} y se actualizan con frecuencia "
            f"{frequency.lower()}.",
        ]
        sentences += rng.sample(EXTRA_SENTENCES, rng.randint(1, 4))
        return " ".join(sentences)

    def dataset(self, index: int) -> dict[str, Any]:
        rng = self.rng
        org_id, org_name, org_title = rng.choice(self.orgs)
        topic_index = (rng.choice(self.org_topics[org_id]) if rng.random() < 0.85
                       else rng.randrange(len(TOPICS)))
        topic, topic_tags, theme, group = TOPICS[topic_index]
        place = rng.choice(PLACES)
        created, modified = self._dates()
        year = created.year - rng.randint(0, 1)
        frequency = rng.choice(FREQUENCIES)
        template = rng.randrange(4)
        if template == 0:
            title = f"{topic} en {place} {year}"
        elif template == 1:
            title = f"{topic} - {org_title} {year}"
        elif template == 2:
            title = f"{topic} {frequency.lower()} de {place}, {year}"
        else:
            title = f"{topic} en {place} ({year - 3}–{year})"
        tags = list(dict.fromkeys(
            rng.sample(topic_tags, rng.randint(1, len(topic_tags)))
            + rng.sample(GENERIC_TAGS, rng.randint(0, 2))
            + ([place.lower()] if rng.random() < 0.5 else [])))
        groups = [group] if rng.random() < 0.7 else []
        if rng.random() < 0.15:
            groups.append(rng.choice(list(GROUPS)))
        return {
            "id": self.uuid(),
            "name": f"{slugify(title)[:80]}-{index:06d}",
            "title": title,
            "notes": self._notes(topic, place, org_title, year, frequency),
            "org": (org_id, org_name, org_title),
            "license_id": weighted(rng, LICENSES),
            "created": created,
            "modified": modified,
            "private": rng.random() < 0.10,
            "extras": {"frecuencia": frequency,
                       "cobertura_ubigeo": f"{rng.randint(1, 25):02d}{rng.randint(1, 10):02d}"
                                           f"{rng.randint(1, 15):02d}",
                       "tema_pnda": theme},
            "tags": tags,
            "groups": list(dict.fromkeys(groups)),
            "topic": topic,
            "year": year,
        }

    def resources(self, pkg: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        count = rng.choices([1, 2, 3, 4], weights=[35, 35, 20, 10])[0]
        for position in range(count):
            fmt = "PDF" if position == count - 1 and count > 2 else weighted(rng, FORMATS)
            name = (f"Diccionario de datos - {pkg['topic']}" if fmt == "PDF" and position
                    else f"{pkg['topic']} {pkg['year']} ({fmt})")
            url = (f"https://datos.ejemplo.gob.pe/{pkg['org'][1]}/{pkg['name']}/"
                   f"recurso-{position + 1}.{EXTENSIONS[fmt]}")
            yield (self.uuid(), pkg["id"], url, fmt,
                   f"Archivo en formato {fmt} con {rng.randint(50, 500000)} registros.",
                   position, name, "api" if fmt == "API" else None, MIMETYPES[fmt],
                   rng.randint(10_000, 90_000_000) if fmt != "API" else None,
                   pkg["created"], pkg["modified"], pkg["modified"], "", "active")


def generate(conn: Any, n: int, seed: int) -> dict[str, Any]:
    """Write N datasets and their organizations, groups, tags and resources."""
    gen = Generator(seed)
    cursor = conn.cursor()
    started = time.perf_counter()
    created = END - dt.timedelta(seconds=SPAN_SECONDS + 86400)
    groups = CopyBuffer(cursor, "group", GROUP_COLUMNS)
    for org_id, name, title in gen.orgs:
        groups.add(org_id, name, title, "organization",
                   f"Datos abiertos publicados por {title}.", "", created, True, "approved",
                   "active", {})
    for group_id, name, title in gen.groups:
        groups.add(group_id, name, title, "group", f"Conjuntos de datos sobre {title.lower()}.",
                   "", created, False, "approved", "active", {})
    groups.flush()

    packages = CopyBuffer(cursor, "package", PACKAGE_COLUMNS)
    resources = CopyBuffer(cursor, "resource", RESOURCE_COLUMNS)
    members = CopyBuffer(cursor, "member", MEMBER_COLUMNS)
    package_tags = CopyBuffer(cursor, "package_tag", PACKAGE_TAG_COLUMNS)
    for index in range(n):
        pkg = gen.dataset(index)
        org_id, org_name, org_title = pkg["org"]
        packages.add(pkg["id"], pkg["name"], pkg["title"], "1.0", None, org_title,
                     f"datosabiertos@{org_name[:30]}.ejemplo.gob.pe",
                     "Oficina de Estadística e Informática", None, pkg["notes"],
                     pkg["license_id"], "dataset", org_id, None, pkg["created"],
                     pkg["modified"], pkg["private"], "active", pkg["extras"])
        for row in gen.resources(pkg):
            resources.add(*row)
        members.add(gen.uuid(), "package", pkg["id"], "organization", org_id, "active")
        for group in pkg["groups"]:
            members.add(gen.uuid(), "package", pkg["id"], "public", gen.group_ids[group],
                        "active")
        for tag in pkg["tags"]:
            package_tags.add(gen.uuid(), pkg["id"], gen.tag_id(tag), "active")
        if len(packages.rows) >= COPY_BATCH:
            _flush_all(gen, cursor, packages, resources, members, package_tags)
        if (index + 1) % 20000 == 0:
            say(f"  generated {index + 1:,} datasets")
    _flush_all(gen, cursor, packages, resources, members, package_tags)
    conn.commit()
    return {
        "datasets": packages.written, "resources": resources.written,
        "organizations": len(gen.orgs), "groups": len(gen.groups), "tags": len(gen.tags),
        "package_tags": package_tags.written, "members": members.written,
        "seconds": round(time.perf_counter() - started, 1),
    }


_written_tags: set[str] = set()


def _flush_all(gen: Generator, cursor: Any, *buffers: CopyBuffer) -> None:
    new_tags = [(tid, name) for name, tid in gen.tags.items() if tid not in _written_tags]
    if new_tags:
        tags = CopyBuffer(cursor, "tag", TAG_COLUMNS)
        for row in new_tags:
            tags.add(*row)
            _written_tags.add(row[0])
        tags.flush()
    for buffer in buffers:
        buffer.flush()


DATA_TABLES = ["package_tag", "resource_view", "resource", "member", "package_member",
               "package_relationship", "package", "tag", "group", "opengovpe_search_doc",
               "opengovpe_search_facet_count", "opengovpe_search_facet_delta",
               "opengovpe_search_suggest_doc", "opengovpe_search_word",
               "opengovpe_search_word_count", "opengovpe_search_word_delta"]


def wipe(conn: Any) -> None:
    cursor = conn.cursor()
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    present = {row[0] for row in cursor.fetchall()}
    tables = ", ".join(f'"{t}"' for t in DATA_TABLES if t in present)
    cursor.execute(f"TRUNCATE {tables} CASCADE")
    conn.commit()


def count_datasets(conn: Any) -> tuple[int, int]:
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE type = 'dataset'")
    datasets = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM \"group\" WHERE is_organization")
    return datasets, cursor.fetchone()[0]


# --------------------------------------------------------------------------
# Index rebuild: rate, and where the time goes
# --------------------------------------------------------------------------

# the statements explain() shows: the index's and the typing help's
CAPTURED = ("opengovpe_search_doc", "opengovpe_search_suggest_doc", "opengovpe_search_word")


class SqlClock:
    """Time spent in the database driver, per the innermost timed section."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.seconds: dict[str, float] = defaultdict(float)
        self.statements: Counter[str] = Counter()
        self.captured: list[tuple[str, Any]] | None = None
        self._started: list[float] = []

    def before(self, conn: Any, cursor: Any, statement: str, parameters: Any,
               context: Any, executemany: bool) -> None:
        self._started.append(time.perf_counter())
        if self.captured is not None and any(t in statement for t in CAPTURED):
            self.captured.append((statement, parameters))

    def after(self, conn: Any, cursor: Any, statement: str, parameters: Any,
              context: Any, executemany: bool) -> None:
        elapsed = time.perf_counter() - self._started.pop()
        section = self.stack[-1] if self.stack else "other"
        self.seconds[section] += elapsed
        self.statements[section] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.statements.clear()


class SectionTimers:
    """Wrap functions to add up their wall time (and their SQL time via SqlClock)."""

    def __init__(self, clock: SqlClock):
        self.clock = clock
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._undo: list[tuple[Any, str, Any]] = []
        self.profilers: dict[str, cProfile.Profile] | None = None
        self._active: list[str] = []

    def patch(self, owner: Any, attribute: str, section: str) -> None:
        original = getattr(owner, attribute)
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            timers._enter(section)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.seconds[section] += time.perf_counter() - started
                timers.calls[section] += 1
                timers._leave()

        self._undo.append((owner, attribute, original))
        setattr(owner, attribute, timed)

    def _enter(self, section: str) -> None:
        if self.profilers is not None:
            if self._active:
                self.profilers[self._active[-1]].disable()
            self.profilers[section].enable()
        self._active.append(section)
        self.clock.stack.append(section)

    def _leave(self) -> None:
        section = self._active.pop()
        self.clock.stack.pop()
        if self.profilers is not None:
            self.profilers[section].disable()
            if self._active:
                self.profilers[self._active[-1]].enable()

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()


SECTION_LABELS = {
    "package_show": "CKAN package_show/dictize",
    "index_package": "index document build (CKAN index_package)",
    "build_row": "index document build (opengovpe build_row)",
    "write": "SQL write (write_documents)",
}


def _patch_sections(timers: SectionTimers) -> None:
    import ckan.logic as logic
    from ckan.lib.search.index import PackageSearchIndex

    import ckanext.opengovpe.search.index as pg_index

    timers.patch(logic, "package_show_default_and_custom_schemas", "package_show")
    timers.patch(PackageSearchIndex, "index_package", "index_package")
    timers.patch(pg_index, "write_documents", "write")
    timers.patch(pg_index, "build_row", "build_row")


def truncate_index() -> None:
    import ckan.model as model
    import sqlalchemy as sa

    # the facet and word counts the indexer keeps, and the typing help, go with the rows
    # they count
    model.Session.execute(sa.text(
        "TRUNCATE opengovpe_search_doc, opengovpe_search_facet_count, "
        "opengovpe_search_facet_delta, opengovpe_search_suggest_doc, "
        "opengovpe_search_word_count, opengovpe_search_word_delta"))
    model.Session.execute(sa.text("UPDATE opengovpe_search_state SET words_stale = false"))
    model.Session.commit()
    model.Session.remove()


def breakdown(clock: SqlClock, ids: list[str]) -> dict[str, Any]:
    """Wall-clock split of indexing ``ids`` (no profiler: true proportions)."""
    from ckan.lib import search

    truncate_index()
    clock.reset()
    timers = SectionTimers(clock)
    _patch_sections(timers)
    started = time.perf_counter()
    try:
        search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    finally:
        timers.restore()
    total = time.perf_counter() - started
    s, q = timers.seconds, clock.seconds
    parts = {
        "CKAN package_show/dictize (Python)": s["package_show"] - q["package_show"],
        "CKAN package_show/dictize (SQL reads)": q["package_show"],
        "index document build: CKAN index_package": (s["index_package"] - s["write"]
                                                     - q["index_package"]),
        "index document build: CKAN index_package (SQL reads)": q["index_package"],
        "index document build: opengovpe build_row": s["build_row"],
        "SQL write: statement build/compile (SQLAlchemy)": s["write"] - s["build_row"]
        - q["write"],
        "SQL write: PostgreSQL execute (INSERT, to_tsvector, GIN, savepoints)": q["write"],
    }
    parts["other (rebuild loop, commit)"] = total - sum(parts.values())
    statements = dict(clock.statements)
    return {
        "datasets": len(ids), "seconds": round(total, 3),
        "datasets_per_s": round(len(ids) / total, 1),
        "ms_per_dataset": {k: round(v * 1000 / len(ids), 3) for k, v in parts.items()},
        "share_pct": {k: round(100 * v / total, 1) for k, v in parts.items()},
        "sql_statements_per_dataset": {k: round(v / len(ids), 1) for k, v in statements.items()},
    }


def profile(clock: SqlClock, ids: list[str], top: int = 12) -> dict[str, Any]:
    """cProfile of indexing ``ids``, one profile per section, top cumulative functions."""
    from ckan.lib import search

    truncate_index()
    timers = SectionTimers(clock)
    timers.profilers = {name: cProfile.Profile() for name in SECTION_LABELS}
    _patch_sections(timers)
    try:
        search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    finally:
        timers.restore()
    groups = {
        "CKAN package_show/dictize": ["package_show"],
        "index document build": ["index_package", "build_row"],
        "SQL write": ["write"],
    }
    out: dict[str, Any] = {}
    for label, sections in groups.items():
        rows: list[dict[str, Any]] = []
        for section in sections:
            stats = pstats.Stats(timers.profilers[section])
            for func, (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
                rows.append({"section": section, "function": _func_name(func),
                             "calls": ncalls, "tottime_s": round(tottime, 4),
                             "cumtime_s": round(cumtime, 4)})
        rows.sort(key=lambda r: -r["cumtime_s"])
        out[label] = rows[:top]
    return out


def _func_name(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    marker = "site-packages/"
    if marker in filename:
        filename = filename.split(marker, 1)[1]
    elif filename.startswith(ROOT):
        filename = os.path.relpath(filename, ROOT)
    return f"{filename}:{line}({name})" if line else name


def full_rebuild(n: int) -> dict[str, Any]:
    """Time CKAN's own full rebuild, with the commit and the ANALYZE after it."""
    import ckan.logic as logic
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.lib import search

    truncate_index()
    marks: list[float] = []
    original = logic.index_update_package

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        marks.append(time.perf_counter())
        return result

    logic.index_update_package = counted
    started = time.perf_counter()
    try:
        # rebuild() commits once at the end (defer_commit: one transaction)
        search.rebuild(defer_commit=True, quiet=True)
        # and `ckan search-index rebuild` ends with commit(): the statistics, the word counts
        # and the typing-help dictionary
        search.commit()
    finally:
        logic.index_update_package = original
    total = time.perf_counter() - started
    indexed = model.Session.execute(sa.text("SELECT count(*) FROM opengovpe_search_doc")
                                    ).scalar()
    model.Session.remove()
    analyze_started = time.perf_counter()
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE opengovpe_search_doc"))
    analyze = time.perf_counter() - analyze_started
    # rate over each tenth of the run: does it slow down as the index grows?
    tenths = []
    step = max(len(marks) // 10, 1)
    previous = started
    for end in range(step - 1, len(marks), step):
        tenths.append(round(step / (marks[end] - previous), 1))
        previous = marks[end]
    commit = (started + total - marks[-1]) if marks else 0.0
    return {
        "datasets": len(marks), "indexed_rows": indexed, "seconds": round(total, 1),
        "final_commit_seconds": round(commit, 2),
        "datasets_per_s": round(len(marks) / total, 1),
        "datasets_per_s_by_tenth": tenths,
        "vacuum_analyze_seconds": round(analyze, 1),
    }


def typing_help_state(conn: Any) -> dict[str, Any]:
    """Fill the typing help if the index was built without it; time its dictionary refresh.

    The per-dataset rows are normally written by the rebuild; an index built before they
    existed gets them from its stored documents, as the migration does on an upgrade.
    """
    import ckan.model as model

    from ckanext.opengovpe.search import suggest

    cursor = conn.cursor()
    out: dict[str, Any] = {}
    cursor.execute("SELECT count(*) FROM opengovpe_search_suggest_doc")
    if cursor.fetchone()[0] == 0:
        say("Typing help: filling the per-dataset rows from the stored index")
        started = time.perf_counter()
        with model.meta.engine.begin() as connection:
            out["backfilled_rows"] = suggest.backfill(connection)
        out["backfill_seconds"] = round(time.perf_counter() - started, 1)
    conn.rollback()
    say("Typing help: dictionary refresh (timed)")
    out["dictionary_refresh_seconds"] = round(suggest.refresh_dictionary(), 2)
    # again with nothing changed: the cost of the recurring job on a quiet portal
    out["dictionary_refresh_unchanged_seconds"] = round(suggest.refresh_dictionary(), 2)
    model.Session.remove()
    conn.autocommit = True
    cursor.execute("VACUUM ANALYZE opengovpe_search_suggest_doc")
    cursor.execute("VACUUM ANALYZE opengovpe_search_word")
    conn.autocommit = False
    cursor.execute("""SELECT (SELECT count(*) FROM opengovpe_search_suggest_doc),
                             (SELECT count(*) FROM opengovpe_search_word),
                             pg_total_relation_size('opengovpe_search_suggest_doc') / 1048576,
                             pg_total_relation_size('opengovpe_search_word') / 1048576,
                             pg_total_relation_size('opengovpe_search_doc') / 1048576""")
    (out["public_datasets"], out["dictionary_words"], out["suggest_doc_mb"],
     out["dictionary_mb"], out["index_total_mb"]) = [int(v) for v in cursor.fetchone()]
    conn.rollback()
    say(f"  {out}")
    return out


# the facet counts of every indexed row, as the migrations count them
FACET_RECOUNT = """INSERT INTO opengovpe_search_facet_count
    SELECT site_id, coalesce(state, ''), coalesce(capacity, ''), coalesce(dataset_type, ''),
           ARRAY(SELECT DISTINCT unnest(permission_labels) ORDER BY 1), term, count(*)
    FROM opengovpe_search_doc, {terms} AS term
    GROUP BY 1, 2, 3, 4, 5, 6"""


def index_by_copy(n: int, k: int) -> dict[str, Any]:
    """Index ``k`` datasets through CKAN (timed), then fill the index up to ``n`` rows by
    copying theirs in SQL under new ids and names.

    For query latency at sizes the machine cannot rebuild in the time at hand: the copies
    have the same words, facets and dates as the datasets they copy, so each term matches
    n/k times as many rows, as it would in n datasets drawn from the same generator (which
    repeats its titles too). The report says the index was filled this way.
    """
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.common import config
    from ckan.lib import search
    from ckanext.opengovpe.search import words

    truncate_index()
    ids = [row[0] for row in model.Session.query(model.Package.id)
           .filter(model.Package.state == "active").order_by(model.Package.id).limit(k)]
    model.Session.remove()
    started = time.perf_counter()
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    indexed = time.perf_counter() - started
    say(f"  {len(ids):,} datasets indexed through CKAN in {indexed:.1f} s")
    columns = [c.name for c in sa.Table("opengovpe_search_doc", sa.MetaData(),
                                        autoload_with=model.meta.engine).columns]
    renamed = {"index_id": "md5(index_id || ':' || :copy)", "id": "md5(id || ':' || :copy)",
               "name": "name || '-' || :copy"}
    select = ", ".join(renamed.get(c, c) for c in columns)
    copy_doc = sa.text(f"INSERT INTO opengovpe_search_doc ({', '.join(columns)}) "
                       f"SELECT {select} FROM opengovpe_search_doc WHERE index_id = ANY(:ids)")
    copy_suggest = sa.text(
        "INSERT INTO opengovpe_search_suggest_doc "
        "SELECT md5(index_id || ':' || :copy), site_id, name || '-' || :copy, title, "
        "title_folded, words FROM opengovpe_search_suggest_doc WHERE index_id = ANY(:ids)")
    originals = [r[0] for r in model.Session.execute(sa.text(
        "SELECT index_id FROM opengovpe_search_doc"))]
    started = time.perf_counter()
    copies = 0
    while len(originals) * (copies + 1) < n:
        copies += 1
        room = n - len(originals) * copies
        batch = originals[:room]
        model.Session.execute(copy_doc, {"copy": str(copies), "ids": batch})
        model.Session.execute(copy_suggest, {"copy": str(copies), "ids": batch})
        model.Session.commit()
        if copies % 5 == 0:
            say(f"  {len(originals) * (copies + 1):,} rows")
    copied = time.perf_counter() - started
    # the copies enter the counts the indexer keeps, as a rebuild's end would count them
    started = time.perf_counter()
    model.Session.execute(sa.text(
        "TRUNCATE opengovpe_search_facet_count, opengovpe_search_facet_delta"))
    from ckanext.opengovpe.search.model import COUNTED_TERMS
    model.Session.execute(sa.text(FACET_RECOUNT.format(terms=COUNTED_TERMS)))
    model.Session.commit()
    words.recount(config.get("ckan.site_id"))
    recounted = time.perf_counter() - started
    total = model.Session.execute(sa.text("SELECT count(*) FROM opengovpe_search_doc")).scalar()
    model.Session.remove()
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE opengovpe_search_doc"))
    return {"indexed_through_ckan": len(ids), "ckan_seconds": round(indexed, 1),
            "datasets_per_s": round(len(ids) / indexed, 1), "copies": copies,
            "rows": int(total), "copy_seconds": round(copied, 1),
            "recount_seconds": round(recounted, 1)}


def rebuild_fast(ini: str) -> dict[str, Any]:
    """Time CKAN's own ``ckan search-index rebuild-fast`` (one worker process per CPU).

    Run as the real command in a subprocess, on the same database, after emptying the
    index, so the figure is what an administrator gets from the command line.
    """
    import subprocess

    import ckan.model as model
    import sqlalchemy as sa
    from ckan.common import config

    active = model.Session.execute(sa.text(
        "SELECT count(*) FROM package WHERE state = 'active'")).scalar()
    truncate_index()
    env = {**os.environ, "CKAN_SQLALCHEMY_URL": config["sqlalchemy.url"]}
    command = [os.path.join(os.path.dirname(sys.executable), "ckan"), "-c", ini,
               "search-index", "rebuild-fast"]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    total = time.perf_counter() - started
    indexed = model.Session.execute(sa.text("SELECT count(*) FROM opengovpe_search_doc")
                                    ).scalar()
    model.Session.remove()
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE opengovpe_search_doc"))
    if indexed != active:
        raise RuntimeError(f"rebuild-fast indexed {indexed} of {active} active datasets")
    return {"command": "ckan search-index rebuild-fast", "workers": os.cpu_count(),
            "datasets": indexed, "seconds": round(total, 1),
            "datasets_per_s": round(indexed / total, 1)}


# --------------------------------------------------------------------------
# Query mix
# --------------------------------------------------------------------------

FACETS = ["organization", "tags", "res_format", "license_id", "groups"]


def query_kinds(n: int, org_names: list[str]) -> dict[str, Callable[[int], dict[str, Any]]]:
    facets = json.dumps(FACETS)
    formats = [f for f, _ in FORMATS]
    # half-way, within the backend's largest start (ckanext.opengovpe.search.max_start)
    deep = min(max(n // 2, 20), 100_000 - 200)

    def term(i: int) -> str:
        return FREE_TEXT_TERMS[i % len(FREE_TEXT_TERMS)]

    return {
        "free_text": lambda i: {"q": term(i), "rows": 20, "facet": "false"},
        "fielded": lambda i: {
            "q": "title:{} AND tags:\"{}\"".format(*FIELDED_PAIRS[i % len(FIELDED_PAIRS)]),
            "rows": 20, "facet": "false"},
        "fq_org_format": lambda i: {
            "q": "*:*", "rows": 20, "facet": "false",
            "fq": f"organization:{org_names[(i * 7) % len(org_names)]} "
                  f"+res_format:{formats[i % len(formats)]}"},
        "facets_all": lambda i: {
            "q": "*:*", "rows": 20, "start": 20 * (i % 5), "facet.field": facets,
            "facet.limit": 50},
        "free_text_facets": lambda i: {
            "q": term(i + 7), "rows": 20, "facet.field": facets, "facet.limit": 50},
        "sort_modified": lambda i: {
            "q": "*:*", "rows": 20, "start": 20 * (i % 10), "sort": "metadata_modified desc",
            "facet": "false"},
        "deep_page": lambda i: {
            "q": "*:*", "rows": 20, "start": deep + 20 * (i % 10), "facet": "false"},
    }


# What a citizen types, letter by letter, into the search box (title autocomplete)
TYPED_PREFIXES = ["contrat", "presupuesto ins", "vacunac", "matricula esc", "reca",
                  "accidentes de tr", "calidad del agua", "becas", "deforest", "ordenes de",
                  "consumo de energ", "poblacion cen", "denuncias", "precios de prod", "turis",
                  "camas hosp", "licencias de f", "emergencias", "docentes", "exporta"]
# ... and submits with a typing error (spelling correction)
MISSPELT = ["contratasion de obras", "presupuesto munisipal", "vacunasion covid",
            "matrikula escolar", "deforestasion", "exportasiones", "emergensias bomberos",
            "recaudasion tributos", "consesiones mineras", "licensias funcionamiento",
            "poblasion distrito", "educasion", "transparensia", "tranzito accidentes",
            "agrikultura produccion"]


def typing_kinds() -> dict[str, Callable[[int], dict[str, Any]]]:
    """The typing help: each call is one action call (``__action``), not a search. CKAN's
    ``package_autocomplete`` searches the index too (``title_ngram``/``name_ngram``)."""
    return {
        "suggest_titles": lambda i: {"__action": "opengovpe_search_suggest", "kind": "titles",
                                     "q": TYPED_PREFIXES[i % len(TYPED_PREFIXES)]},
        "suggest_spelling": lambda i: {"__action": "opengovpe_search_suggest",
                                       "kind": "spelling", "q": MISSPELT[i % len(MISSPELT)]},
        "suggest_all_misspelt": lambda i: {"__action": "opengovpe_search_suggest",
                                           "q": MISSPELT[(i + 3) % len(MISSPELT)]},
        "ckan_package_autocomplete": lambda i: {
            "__action": "package_autocomplete", "q": TYPED_PREFIXES[i % len(TYPED_PREFIXES)],
            "limit": 10},
    }


def _matches(answer: Any) -> int:
    """Matches in an answer: a search's count, a suggestion's titles or corrected count."""
    if isinstance(answer, list):
        return len(answer)
    if "count" in answer:
        return int(answer["count"])
    correction = answer.get("correction")
    return len(answer.get("titles") or []) + (correction["count"] if correction else 0)


def broad_kinds() -> dict[str, Callable[[int], dict[str, Any]]]:
    return {"broad_free_text": lambda i: {"q": BROAD_TERMS[i % len(BROAD_TERMS)], "rows": 20,
                                          "facet": "false"}}


KIND_LABELS = {
    "broad_free_text": "one common word, no facets (q=informacion, publica ...)",
    "free_text": "free text, no facets (q=contratacion obras ...)",
    "fielded": "fielded (q=title:salud AND tags:\"educación\" ...)",
    "fq_org_format": "fq organization + res_format",
    "facets_all": "5 facets on *:*",
    "free_text_facets": "free text + 5 facets",
    "sort_modified": "*:* sort metadata_modified desc",
    "deep_page": "deep page (start=N/2, at most 99,800, rows=20)",
    "suggest_titles": "typing help: title autocomplete (q=contrat, presupuesto ins ...)",
    "suggest_spelling": "typing help: correction (q=contratasion de obras ...)",
    "suggest_all_misspelt": "typing help: titles + correction of a misspelt query",
    "ckan_package_autocomplete": "CKAN's package_autocomplete (title_ngram/name_ngram search)",
}


FACET_CACHE_TTL = "ckanext.opengovpe.search.facet_cache_ttl"
FACET_KINDS = ("facets_all", "free_text_facets")


def facet_cache_ttl() -> int | None:
    """The facet cache's lifetime when the backend has one, else None."""
    from ckan.common import config

    value = config.get(FACET_CACHE_TTL) if FACET_CACHE_TTL in config else None
    return int(value) if value not in (None, "") else None


def set_facet_cache_ttl(ttl: int) -> None:
    from ckan.common import config

    config[FACET_CACHE_TTL] = ttl


def run_queries(clock: SqlClock, n: int, repeat: int, warmup: int,
                only: tuple[str, ...] | None = None,
                kinds: dict[str, Callable[[int], dict[str, Any]]] | None = None
                ) -> dict[str, Any]:
    import ckan.model as model
    from ckan.logic import get_action

    org_names = [slugify(t) for t in ORGANIZATIONS]
    results: dict[str, Any] = {}
    for kind, make in (kinds or query_kinds(n, org_names)).items():
        if only and kind not in only:
            continue
        for i in range(warmup):
            params = make(i)
            get_action(params.pop("__action", "package_search"))({"ignore_auth": True}, params)
            model.Session.remove()
        samples, sql_ms, counts = [], [], []
        for i in range(repeat):
            params = make(i)
            search = get_action(params.pop("__action", "package_search"))
            clock.reset()
            started = time.perf_counter()
            answer = search({"ignore_auth": True}, params)
            samples.append((time.perf_counter() - started) * 1000)
            sql_ms.append(sum(clock.seconds.values()) * 1000)
            counts.append(_matches(answer))
            model.Session.remove()
        results[kind] = _summary(samples) | {
            "sql_p50_ms": round(percentile(sql_ms, 50), 1),
            "matches_median": int(percentile(counts, 50)),
            "samples_ms": [round(s, 2) for s in samples],
            "example_params": make(0),
        }
    return results


def run_http(flask_app: Any, n: int, repeat: int) -> dict[str, Any]:
    """A few kinds over HTTP as an anonymous visitor (Flask test client, no network)."""
    client = flask_app.test_client()
    org_names = [slugify(t) for t in ORGANIZATIONS]
    kinds = query_kinds(n, org_names)
    out = {}
    for kind in ("free_text", "facets_all", "free_text_facets"):
        samples = []
        for i in range(repeat + 2):
            started = time.perf_counter()
            response = client.get("/api/3/action/package_search", query_string=kinds[kind](i))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.data[:300]!r}")
            if i >= 2:
                samples.append(elapsed)
        out[kind] = _summary(samples)
    return out


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"runs": len(samples), "p50_ms": round(percentile(samples, 50), 1),
            "p95_ms": round(percentile(samples, 95), 1), "max_ms": round(max(samples), 1)}


def explain(clock: SqlClock, n: int, conn: Any, queries: dict[str, Any]) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the index statements of each kind's slowest run."""
    import ckan.model as model
    from ckan.logic import get_action

    org_names = [slugify(t) for t in ORGANIZATIONS]
    plans: dict[str, str] = {}
    cursor = conn.cursor()
    for kind, make in {**query_kinds(n, org_names), **broad_kinds(),
                       **typing_kinds()}.items():
        if kind not in queries:
            continue
        samples = queries[kind]["samples_ms"]
        slowest = max(range(len(samples)), key=samples.__getitem__)
        clock.captured = []
        params = make(slowest)
        get_action(params.pop("__action", "package_search"))({"ignore_auth": True}, params)
        model.Session.remove()
        captured, clock.captured = clock.captured, None
        text = [f"-- params of the slowest run ({samples[slowest]:.1f} ms): "
                f"{json.dumps(make(slowest), ensure_ascii=False)}\n"]
        if not captured:
            text.append("-- no statement on the index tables\n")
        for statement, parameters in captured:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            rendered = cursor.mogrify(statement, parameters).decode()
            text.append(f"-- statement\n{rendered}\n-- plan\n{plan}\n")
        conn.rollback()
        plans[kind] = "\n".join(text)
    return plans


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def verdicts(n: int, queries: dict[str, Any], rebuild: dict[str, Any] | None,
             broad: dict[str, Any] | None = None, uncached: dict[str, Any] | None = None,
             typing: dict[str, Any] | None = None) -> dict[str, Any]:
    everything = [s for q in queries.values() for s in q["samples_ms"]]
    full_p95 = percentile(everything, 95)
    free_p95 = queries["free_text"]["p95_ms"]
    checks = {
        "full_mix_p95_ms": (full_p95, full_p95 <= TARGETS["full_mix_p95_ms"]),
        "free_text_no_facets_p95_ms": (free_p95, free_p95 <= TARGETS[
            "free_text_no_facets_p95_ms"]),
    }
    if broad and "broad_free_text" in broad:
        value = broad["broad_free_text"]["p95_ms"]
        checks["one_common_word_p95_ms"] = (value, value <= TARGETS["one_common_word_p95_ms"])
    if uncached and "facets_all" in uncached:
        value = uncached["facets_all"]["p95_ms"]
        checks["facets_all_cache_off_p95_ms"] = (
            value, value <= TARGETS["facets_all_cache_off_p95_ms"])
    if rebuild:
        rate = rebuild["datasets_per_s"]
        checks["rebuild_datasets_per_s"] = (rate, rate >= TARGETS["rebuild_datasets_per_s"])
    if typing:
        worst = max(q["p95_ms"] for kind, q in typing.items() if kind.startswith("suggest_"))
        checks["typing_help_p95_ms"] = (worst, worst <= TARGETS["typing_help_p95_ms"])
    return {name: {"value": round(value, 1), "target": TARGETS[name],
                   "pass": ok, "applies_at_n": TARGET_N, "measured_at_n": n}
            for name, (value, ok) in checks.items()}


def _query_table(queries: dict[str, Any], suffix: str = "") -> list[str]:
    lines = ["| query | p50 ms | p95 ms | max ms | SQL p50 ms | matches |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, q in queries.items():
        lines.append(f"| {KIND_LABELS[kind]}{suffix} | {q['p50_ms']} | {q['p95_ms']} "
                     f"| {q['max_ms']} | {q['sql_p50_ms']} | {q['matches_median']:,} |")
    return lines


def _typing_markdown(report: dict[str, Any]) -> list[str]:
    if not report.get("queries_typing"):
        return []
    lines = ["", "Outside the mix: the typing help (`opengovpe_search_suggest`), and "
             "CKAN's own `package_autocomplete` for comparison; `matches` counts titles "
             "plus the public datasets of the correction:", "",
             *_query_table(report["queries_typing"])]
    typing = report.get("typing_help") or {}
    if typing:
        lines += ["", f"Typing help data: {typing.get('public_datasets', 0):,} public "
                  f"datasets, {typing.get('dictionary_words', 0):,} dictionary words; "
                  f"per-dataset rows {typing.get('suggest_doc_mb')} MB, dictionary "
                  f"{typing.get('dictionary_mb')} MB (index table "
                  f"{typing.get('index_total_mb')} MB). Dictionary refresh "
                  f"{typing.get('dictionary_refresh_seconds')} s, again with nothing "
                  f"changed {typing.get('dictionary_refresh_unchanged_seconds')} s"
                  + (f"; filled from the stored index in {typing['backfill_seconds']} s"
                     if "backfill_seconds" in typing else "") + "."]
    return lines


def markdown(report: dict[str, Any]) -> str:
    n = report["n"]
    lines = [f"# Search benchmark, N = {n:,} datasets ({report['date']})", ""]
    env = report["environment"]
    lines += [f"Machine: {env['cpus']} CPUs, Python {env['python']}, CKAN {env['ckan']}, "
              f"PostgreSQL {env['postgres']} (shared_buffers {env['shared_buffers']}, "
              f"work_mem {env['work_mem']}), load average at the end "
              f"{env.get('load_average_1_5_15')}. Synthetic data (seed {report['seed']}).", "",
              f"Search backend: {env.get('search_backend')}.", ""]
    if env.get("table_mb") is not None:
        fits = env["table_mb"] <= env["shared_buffers_mb"]
        lines += [f"The index table's rows take {env['table_mb']:,} MB, its text index "
                  f"{env['text_index_mb']:,} MB; shared_buffers is {env['shared_buffers_mb']:,} MB"
                  + (": the rows fit in PostgreSQL's cache." if fits else
                     ": the rows do not fit in PostgreSQL's cache, so a query that matches "
                     "many datasets reads them from the operating system or the disk."), ""]
    data = report.get("data") or {}
    if data:
        lines += ["Data: " + ", ".join(f"{k} {v:,}" for k, v in data.items()
                                       if isinstance(v, int) and not isinstance(v, bool))
                  + (" (already in the database, not regenerated)" if data.get("reused")
                     else ""), ""]
    lines += ["## Query latency (in-process `package_search`, ignore_auth)", "",
              f"{report['repeat']} timed runs per kind after {report['warmup']} warm-ups; "
              "`SQL p50` is time inside the database driver.", "",
              *_query_table(report["queries"])]
    if report.get("queries_uncached"):
        lines += ["", f"Facet cache: on (ttl {report['facet_cache_ttl']} s) above. The same "
                  "facet kinds with the cache off (every call counts, as the first visit "
                  "after an index write does):", "",
                  *_query_table(report["queries_uncached"], ", cache off")]
        lines += ["", "Full mix p95 with the facet cache off: "
                  f"{report['full_mix_p95_ms_facet_cache_off']} ms."]
    if report.get("queries_first_pass"):
        lines += ["", "The same mix timed once before the run above, with no warm-up: the "
                  "first visitors after PostgreSQL starts, with nothing in its cache:", "",
                  *_query_table(report["queries_first_pass"], ", first pass")]
    lines += _typing_markdown(report)
    if report.get("queries_broad"):
        lines += ["", "Outside the mix: one common word (tens of thousands of matches at "
                  "100,000 datasets):", "", *_query_table(report["queries_broad"])]
    if report.get("http"):
        lines += ["", "Over HTTP (Flask test client, anonymous):", "",
                  "| query | p50 ms | p95 ms | max ms |", "| --- | ---: | ---: | ---: |"]
        for kind, q in report["http"].items():
            lines.append(f"| {KIND_LABELS[kind]} | {q['p50_ms']} | {q['p95_ms']} "
                         f"| {q['max_ms']} |")
    lines += _rebuild_markdown(report)
    lines += ["", "## Targets (stated for N = 100,000)", "",
              "| target | measured | limit | result |", "| --- | ---: | ---: | --- |"]
    for name, v in report["targets"].items():
        op = "≥" if name.startswith("rebuild") else "≤"
        lines.append(f"| {name} | {v['value']} | {op} {v['target']} | "
                     f"{'PASS' if v['pass'] else 'FAIL'} |")
    return "\n".join(lines) + "\n"


def _rebuild_markdown(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    copied = report.get("index_by_copy")
    if copied:
        lines += ["", "## Index filled by copying (not a rebuild)", "",
                  f"{copied['indexed_through_ckan']:,} datasets indexed through CKAN in "
                  f"{copied['ckan_seconds']} s ({copied['datasets_per_s']} datasets/s, one "
                  f"process), then their index and typing-help rows copied {copied['copies']} "
                  f"times in SQL under new ids ({copied['copy_seconds']} s) to "
                  f"{copied['rows']:,} rows: each word matches as many rows as in "
                  f"{copied['rows']:,} datasets from the same generator. No rebuild rate at "
                  "this size."]
    rebuild = report.get("rebuild")
    if rebuild:
        lines += ["", "## Index rebuild (`ckan.lib.search.rebuild`, one transaction)", "",
                  f"{rebuild['datasets']:,} datasets in {rebuild['seconds']} s = "
                  f"**{rebuild['datasets_per_s']} datasets/s**; then VACUUM ANALYZE "
                  f"{rebuild['vacuum_analyze_seconds']} s. Rate by tenth of the run: "
                  f"{rebuild['datasets_per_s_by_tenth']}."]
    fast = report.get("rebuild_fast")
    if fast:
        lines += ["", f"## Index rebuild with `{fast['command']}` ({fast['workers']} worker "
                  "processes, one per CPU)", "",
                  f"{fast['datasets']:,} datasets in {fast['seconds']} s = "
                  f"**{fast['datasets_per_s']} datasets/s** (the target is checked on this "
                  "figure: it is the command for a full rebuild)."]
    split = report.get("rebuild_breakdown")
    if split:
        lines += ["", f"Where the time goes (first {split['datasets']:,} datasets, wall clock, "
                  f"{split['datasets_per_s']} datasets/s):", "",
                  "| part | ms / dataset | share |", "| --- | ---: | ---: |"]
        for part, ms in split["ms_per_dataset"].items():
            lines.append(f"| {part} | {ms} | {split['share_pct'][part]} % |")
    prof = report.get("rebuild_profile")
    if prof:
        lines += ["", "cProfile, top cumulative functions per group (same datasets; "
                  "profiler overhead inflates Python time):", ""]
        for group, rows in prof.items():
            lines += [f"**{group}**", "", "```"]
            lines += [f"{r['cumtime_s']:8.3f}s cum {r['tottime_s']:8.3f}s own "
                      f"{r['calls']:>8} calls  {r['function']}" for r in rows]
            lines += ["```", ""]
    return lines


def backend_version() -> str:
    """Where the search backend was loaded from, and its git commit."""
    import ckanext.opengovpe.search as backend

    folder = os.path.dirname(os.path.abspath(backend.__file__))
    try:
        head = subprocess.run(["git", "-C", folder, "log", "-1", "--format=%h %s"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", folder, "status", "--porcelain", "."],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return folder
    return f"{folder} at {head}" + (" (with uncommitted changes)" if dirty else "")


def environment(conn: Any) -> dict[str, Any]:
    import ckan

    cursor = conn.cursor()
    values = {}
    for setting in ("server_version", "shared_buffers", "work_mem", "effective_cache_size",
                    "max_parallel_workers_per_gather", "jit", "random_page_cost"):
        cursor.execute(f"SHOW {setting}")
        values[setting] = cursor.fetchone()[0]
    cursor.execute("""SELECT relname, pg_size_pretty(pg_total_relation_size(oid))
                      FROM pg_class WHERE relname LIKE 'opengovpe_search_doc%'
                      ORDER BY pg_total_relation_size(oid) DESC""")
    sizes = dict(cursor.fetchall())
    cursor.execute("""SELECT pg_relation_size('opengovpe_search_doc') / 1048576,
                             pg_relation_size('opengovpe_search_doc_tsv_idx') / 1048576,
                             (SELECT setting::bigint * 8192 / 1048576 FROM pg_settings
                              WHERE name = 'shared_buffers')""")
    table_mb, text_index_mb, shared_buffers_mb = cursor.fetchone()
    conn.rollback()
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "ckan": ckan.__version__, "postgres": values.pop("server_version"),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "search_backend": backend_version(),
            **values, "index_sizes": sizes, "table_mb": int(table_mb),
            "text_index_mb": int(text_index_mb), "shared_buffers_mb": int(shared_buffers_mb)}


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=os.path.join(HERE, "bench.ini"))
    parser.add_argument("--database", default=None,
                        help="database name to use instead of the one in the ini file")
    parser.add_argument("--n", type=int, default=10_000, help="number of datasets")
    parser.add_argument("--seed", type=int, default=20260630)
    parser.add_argument("--regenerate", action="store_true",
                        help="wipe and regenerate the datasets even if N are there")
    parser.add_argument("--skip-rebuild", action="store_true",
                        help="keep the index as it is if it already holds N rows")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query kind")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per query kind")
    parser.add_argument("--profile-n", type=int, default=1000,
                        help="datasets for the rebuild breakdown and cProfile")
    parser.add_argument("--first-pass", action="store_true",
                        help="time the mix once more before the measured run and report it "
                        "apart: what the first visitors see after PostgreSQL starts")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--label", default="",
                        help="suffix of the result file names, to keep runs apart")
    parser.add_argument("--index-by-copy", type=int, default=0, metavar="K",
                        help="index K datasets through CKAN (timed, one process), then fill "
                        "the index up to N by copying their rows in SQL (said in the report)")
    parser.add_argument("--rebuild-fast", action="store_true",
                        help="time `ckan search-index rebuild-fast` (one process per CPU) "
                        "instead of the single-process rebuild")
    return parser.parse_args(argv)


def migrate() -> None:
    """What ``ckan db upgrade`` does (core, opengovpe_search, then opengovpe), in this process.

    In-process, so that the benchmark does not depend on every plugin's CLI
    commands loading. The ``opengovpe`` plugin writes its own tables (the catalogue
    record) when a dataset is indexed, so they must exist before the rebuild.
    """
    from ckan.cli import db

    db._run_migrations(None)  # CKAN core
    db._run_migrations("opengovpe_search")
    db._run_migrations("opengovpe")


def prepare_data(conn: Any, args: argparse.Namespace) -> dict[str, Any] | None:
    cursor = conn.cursor()
    cursor.execute("SELECT current_database()")
    database = cursor.fetchone()[0]
    if "bench" not in database:
        raise SystemExit(f"Refusing to fill database {database!r}: its name has no 'bench'")
    datasets, orgs = count_datasets(conn)
    if datasets == args.n and orgs == len(ORGANIZATIONS) and not args.regenerate:
        say(f"{datasets:,} datasets already in {database}: generation skipped")
        return None
    say(f"Generating {args.n:,} synthetic datasets into {database}")
    wipe(conn)
    data = generate(conn, args.n, args.seed)
    conn.autocommit = True
    conn.cursor().execute("VACUUM ANALYZE")
    conn.autocommit = False
    say(f"  done in {data['seconds']} s: {data}")
    return data


def rebuild_phase(args: argparse.Namespace, clock: SqlClock, conn: Any,
                  report: dict[str, Any]) -> None:
    import ckan.model as model

    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM opengovpe_search_doc")
    indexed = cursor.fetchone()[0]
    conn.rollback()
    if args.skip_rebuild and indexed == args.n:
        say(f"Index already holds {indexed:,} rows: rebuild skipped")
        return
    if args.index_by_copy:
        say(f"Index: {args.index_by_copy:,} datasets through CKAN, the rest copied in SQL")
        report["index_by_copy"] = index_by_copy(args.n, args.index_by_copy)
        say(f"  {report['index_by_copy']}")
        return
    ids = [row[0] for row in model.Session.query(model.Package.id)
           .order_by(model.Package.metadata_created).limit(args.profile_n)]
    model.Session.remove()
    say(f"Rebuild breakdown over {len(ids):,} datasets")
    report["rebuild_breakdown"] = breakdown(clock, ids)
    say(f"  {report['rebuild_breakdown']['datasets_per_s']} datasets/s")
    say(f"cProfile over {len(ids):,} datasets")
    report["rebuild_profile"] = profile(clock, ids)
    if not args.rebuild_fast:
        say(f"Full rebuild of {args.n:,} datasets (timed)")
        report["rebuild"] = full_rebuild(args.n)
        say(f"  {report['rebuild']}")
    else:
        say("Full rebuild with `ckan search-index rebuild-fast` (timed)")
        report["rebuild_fast"] = rebuild_fast(args.ini)
        say(f"  {report['rebuild_fast']}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    ini = os.path.abspath(args.ini)

    import psycopg2
    import sqlalchemy as sa
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(ini)
    if args.database:
        url = sa.engine.make_url(conf["sqlalchemy.url"]).set(database=args.database)
        conf["sqlalchemy.url"] = url.render_as_string(hide_password=False)
    app = make_app(conf)
    flask_app = app._wsgi_app  # type: ignore[attr-defined]
    say("Applying migrations (CKAN, opengovpe_search and opengovpe)")
    with flask_app.app_context():
        migrate()
        # an index migrated just now has its word counts marked stale until the recurring
        # job counts them: count them here, or one-word queries measure the fallback
        from ckan.common import config
        from ckanext.opengovpe.search import words
        words.recount_if_stale(config.get("ckan.site_id"))
    conn = psycopg2.connect(conf["sqlalchemy.url"])

    report: dict[str, Any] = {"n": args.n, "seed": args.seed, "repeat": args.repeat,
                              "warmup": args.warmup,
                              "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}
    report["data"] = prepare_data(conn, args)
    if report["data"] is None:
        datasets, orgs = count_datasets(conn)
        report["data"] = {"datasets": datasets, "organizations": orgs, "reused": True}

    clock = SqlClock()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", clock.before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", clock.after)

    with flask_app.test_request_context():
        rebuild_phase(args, clock, conn, report)
        ttl = facet_cache_ttl()
        report["facet_cache_ttl"] = ttl
        say(f"Query mix: {args.repeat} runs per kind after {args.warmup} warm-ups"
            + (f" (facet cache on, ttl {ttl} s)" if ttl else ""))
        if args.first_pass:
            report["queries_first_pass"] = run_queries(clock, args.n, args.repeat, 0)
        report["queries"] = run_queries(clock, args.n, args.repeat, args.warmup)
        if ttl:
            # the cost of a cache miss: the first visit after any index write
            set_facet_cache_ttl(0)
            say("Facet kinds again with the facet cache off")
            report["queries_uncached"] = run_queries(clock, args.n, args.repeat, args.warmup,
                                                     only=FACET_KINDS)
        report["typing_help"] = typing_help_state(conn)
        say("Typing help (outside the mix: one action call per keystroke or correction)")
        report["queries_typing"] = run_queries(clock, args.n, args.repeat, args.warmup,
                                               kinds=typing_kinds())
        say("Broad one-word queries (outside the mix)")
        report["queries_broad"] = run_queries(clock, args.n, args.repeat, args.warmup,
                                              kinds=broad_kinds())
        plans = {} if args.no_explain else explain(
            clock, args.n, conn, {**report["queries"], **report["queries_broad"],
                                  **report["queries_typing"]})
        if ttl:
            set_facet_cache_ttl(ttl)
    say("A few queries over HTTP")
    report["http"] = run_http(flask_app, args.n, min(args.repeat, 10))
    report["environment"] = environment(conn)
    report["targets"] = verdicts(args.n, report["queries"],
                                 report.get("rebuild_fast") or report.get("rebuild"),
                                 report.get("queries_broad"), report.get("queries_uncached"),
                                 report.get("queries_typing"))
    if report.get("queries_uncached"):
        mixed = dict(report["queries"], **report["queries_uncached"])
        report["full_mix_p95_ms_facet_cache_off"] = round(percentile(
            [x for q in mixed.values() for x in q["samples_ms"]], 95), 1)

    label = f"-{args.label}" if args.label else ""
    print()
    stem = common.write_report(f"search-N{args.n}-{dt.date.today():%Y%m%d}{label}", report,
                               markdown(report))
    if plans:
        with open(stem.replace("search-", "explain-") + ".txt", "w", encoding="utf-8") as out:
            for kind, text in plans.items():
                out.write(f"==== {kind}: {KIND_LABELS[kind]}\n{text}\n")
    say(f"Written {stem}.json, {stem}.md" + (" and the EXPLAIN plans" if plans else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
