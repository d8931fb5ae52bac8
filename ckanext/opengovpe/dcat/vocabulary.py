"""Controlled-vocabulary URIs of the DCAT-AP-PE profile, and their SKOS triples.

Values stored in datasets are the codes of ``ckanext/opengovpe/vocab/*.json``; in RDF they are
concept URIs: the EU Publications Office authority tables where the vocabulary follows one
(data theme, frequency, language, access right, licence, file type), ADMS publisher types for
the level of government, IANA media types, and URIs under :data:`PE` for what has no public
URI (the national portal's topics, UBIGEO places, entity types, sectors).

The SKOS triples of every concept the profile uses are generated from the same JSON files and
shipped as ``vocab/*.ttl`` (``python -m ckanext.opengovpe.dcat.vocabulary`` rewrites them; a
test checks they are current). Validation adds them to the data graph so that range checks
("value has class skos:Concept") pass, as the DCAT-AP SHACL shapes expect.
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Iterable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .. import vocab

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_DIR = os.path.join(HERE, "vocab")

DCT = DCTERMS
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ORG = Namespace("http://www.w3.org/ns/org#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
PROV = Namespace("http://www.w3.org/ns/prov#")

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
# concepts the national portal publishes no URI for: its topics, UBIGEO places, entity
# classifications and the profile's own document types
PE = Namespace("https://datosabiertos.gob.pe/vocab/")

PUBLISHER_TYPE_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")
PUBLISHER_TYPES = {
    "nacional": URIRef("http://purl.org/adms/publishertype/NationalAuthority"),
    "regional": URIRef("http://purl.org/adms/publishertype/RegionalAuthority"),
    "local": URIRef("http://purl.org/adms/publishertype/LocalAuthority"),
}
PUBLISHER_TYPE_LABELS = {
    "nacional": {"es": "Autoridad nacional", "en": "National authority"},
    "regional": {"es": "Autoridad regional", "en": "Regional authority"},
    "local": {"es": "Autoridad local", "en": "Local authority"},
}

# the MQA's metrics the stored quality scores measure (``quality/mqa.py``): the total out of
# 405 points and the points of each dimension
MQA_METRICS = {name: PE[f"mqa/{name}"] for name in (
    "score", "findability", "accessibility", "interoperability", "reusability",
    "contextuality")}

DATA_DICTIONARY = PE["document-type/data-dictionary"]
DOCUMENT_TYPE_SCHEME = PE["document-type"]

POSTS = {
    "data_officer": (PE["post/data-officer"],
                     {"es": "Oficial de Gobierno de Datos", "en": "Data Governance Officer"}),
    "gtd_leader": (PE["post/gtd-leader"],
                   {"es": "Líder de Gobierno y Transformación Digital",
                    "en": "Digital Government and Transformation Leader"}),
}
POST_SCHEME = PE["post"]

# EU "planned availability" codes (dcatap:availability)
AVAILABILITY = ("TEMPORARY", "EXPERIMENTAL", "AVAILABLE", "STABLE")
AVAILABILITY_LABELS = {
    "TEMPORARY": {"es": "Temporal", "en": "Temporary"},
    "EXPERIMENTAL": {"es": "Experimental", "en": "Experimental"},
    "AVAILABLE": {"es": "Disponible", "en": "Available"},
    "STABLE": {"es": "Estable", "en": "Stable"},
}

# format label -> (EU file-type code, IANA media type)
FILE_TYPES: dict[str, tuple[str, str]] = {
    "CSV": ("CSV", "text/csv"),
    "TSV": ("TSV", "text/tab-separated-values"),
    "JSON": ("JSON", "application/json"),
    "JSON-LD": ("JSON_LD", "application/ld+json"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "XML": ("XML", "application/xml"),
    "RDF": ("RDF_XML", "application/rdf+xml"),
    "TTL": ("RDF_TURTLE", "text/turtle"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "PDF": ("PDF", "application/pdf"),
    "DOCX": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "DOC": ("DOC", "application/msword"),
    "ODT": ("ODT", "application/vnd.oasis.opendocument.text"),
    "TXT": ("TXT", "text/plain"),
    "HTML": ("HTML", "text/html"),
    "ZIP": ("ZIP", "application/zip"),
    "SHP": ("SHP", "application/vnd.shp"),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "KMZ": ("KMZ", "application/vnd.google-earth.kmz"),
    "PARQUET": ("PARQUET", "application/vnd.apache.parquet"),
    "PNG": ("PNG", "image/png"),
    "JPEG": ("JPEG", "image/jpeg"),
}
_FORMAT_ALIASES = {"XLSX": "XLSX", "EXCEL": "XLSX", "JPG": "JPEG", "TURTLE": "TTL",
                   "RDF/XML": "RDF", "JSONLD": "JSON-LD", "GEO+JSON": "GEOJSON"}

# vocabularies of ckanext/opengovpe/vocab mapped to concept schemes
SCHEMES: dict[str, tuple[URIRef, dict[str, str]]] = {
    "eu_theme": (URIRef(EU + "data-theme"),
                 {"es": "Temas de datos (UE)", "en": "Data themes (EU)"}),
    "frequency": (URIRef(EU + "frequency"), {"es": "Frecuencias (UE)", "en": "Frequencies (EU)"}),
    "language": (URIRef(EU + "language"), {"es": "Idiomas (UE)", "en": "Languages (EU)"}),
    "access_level": (URIRef(EU + "access-right"),
                     {"es": "Derechos de acceso (UE)", "en": "Access rights (EU)"}),
    "license": (URIRef(EU + "licence"), {"es": "Licencias (UE)", "en": "Licences (EU)"}),
    "pnda_theme": (PE["pnda-theme"], {"es": "Temas de la Plataforma Nacional de Datos Abiertos",
                                      "en": "Topics of the National Open Data Platform"}),
    "entity_type": (PE["entity-type"], {"es": "Tipos de entidad", "en": "Types of entity"}),
    "sector": (PE["sector"], {"es": "Sectores del Estado", "en": "Government sectors"}),
}
# RDF classes each scheme's concepts are also instances of (DCAT-AP ranges)
CONCEPT_CLASSES = {
    "frequency": DCT.Frequency,
    "language": DCT.LinguisticSystem,
    "access_level": DCT.RightsStatement,
    "license": DCT.LicenseDocument,
}
FILE_TYPE_SCHEME = URIRef(EU + "file-type")
AVAILABILITY_SCHEME = URIRef(EU + "planned-availability")
UBIGEO_SCHEME = PE["ubigeo"]


def concept_uri(name: str, value: object) -> URIRef | None:
    """The URI of ``value`` in vocabulary ``name``, or None if it is not one of its values."""
    term = vocab.term(name, value)
    if term is None:
        return None
    if name == "license":
        return URIRef(term.get("eu_uri") or term.get("uri") or "")
    if term.get("uri"):
        return URIRef(term.get("uri") or "")
    return PE[f"{name.replace('_', '-')}/{term.value}"]


@functools.lru_cache(maxsize=None)
def _reverse(name: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for term in vocab.terms(name):
        uri = concept_uri(name, term.value)
        if uri:
            index[str(uri)] = term.value
        for key in ("uri", "eu_uri"):
            if term.get(key):
                index.setdefault(term.get(key) or "", term.value)
    return index


def value_for_uri(name: str, uri: object) -> str | None:
    """The stored value of vocabulary ``name`` that concept ``uri`` stands for, or None."""
    return _reverse(name).get(str(uri)) if uri else None


def ubigeo_uri(code: object) -> URIRef | None:
    """The concept of an INEI UBIGEO code (2, 4 or 6 digits), or None if unknown."""
    key = vocab._ubigeo_key(code) if vocab.ubigeo_exists(code) else None
    return PE[f"ubigeo/{key}"] if key else None


def ubigeo_code(uri: object) -> str | None:
    """The UBIGEO code of a concept URI made by :func:`ubigeo_uri`, or None."""
    prefix = str(PE["ubigeo/"])
    text = str(uri)
    if text.startswith(prefix) and vocab.ubigeo_exists(text[len(prefix):]):
        return text[len(prefix):]
    return None


def _format_key(fmt: object) -> str | None:
    if not isinstance(fmt, str) or not fmt.strip():
        return None
    key = fmt.strip().upper().lstrip(".")
    key = _FORMAT_ALIASES.get(key, key)
    return key if key in FILE_TYPES else None


def file_type_uri(fmt: object) -> URIRef | None:
    """The EU file-type concept of a resource format ("CSV", "csv", ".xlsx"), or None."""
    key = _format_key(fmt)
    return URIRef(EU + "file-type/" + FILE_TYPES[key][0]) if key else None


def format_for_uri(uri: object) -> str | None:
    """The format label ("CSV") of an EU file-type URI, or None."""
    text = str(uri)
    prefix = EU + "file-type/"
    if not text.startswith(prefix):
        return None
    code = text[len(prefix):]
    return next((label for label, (eu, _) in FILE_TYPES.items() if eu == code), None)


def media_type_for_format(fmt: object) -> str | None:
    """The IANA media type usual for a format, or None."""
    key = _format_key(fmt)
    return FILE_TYPES[key][1] if key else None


def media_type_uri(mimetype: object) -> URIRef | None:
    """The IANA URI of a media type ("text/csv"), or None if it does not look like one."""
    if not isinstance(mimetype, str):
        return None
    text = mimetype.strip().split(";")[0].lower()
    if text.startswith(IANA):
        return URIRef(text)
    parts = text.split("/")
    if len(parts) != 2 or not all(p and all(c.isalnum() or c in "+-.!#$&^_" for c in p)
                                  for p in parts):
        return None
    return URIRef(IANA + text)


def mimetype_for_uri(uri: object) -> str | None:
    text = str(uri)
    return text[len(IANA):] if text.startswith(IANA) else None


def availability_uri(value: object) -> URIRef | None:
    if isinstance(value, str) and value.strip().upper() in AVAILABILITY:
        return URIRef(EU + "planned-availability/" + value.strip().upper())
    return None


def _scheme(g: Graph, scheme: URIRef, labels: dict[str, str]) -> None:
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for lang, text in labels.items():
        g.add((scheme, DCT.title, Literal(text, lang=lang)))
        g.add((scheme, SKOS.prefLabel, Literal(text, lang=lang)))


def _concept(g: Graph, uri: URIRef, scheme: URIRef, labels: dict[str, str],
             notation: str | None = None, classes: Iterable[URIRef] = ()) -> None:
    g.add((uri, RDF.type, SKOS.Concept))
    for cls in classes:
        g.add((uri, RDF.type, cls))
    g.add((uri, SKOS.inScheme, scheme))
    for lang, text in labels.items():
        g.add((uri, SKOS.prefLabel, Literal(text, lang=lang)))
    if notation:
        g.add((uri, SKOS.notation, Literal(notation)))


def _new_graph() -> Graph:
    g = Graph()
    g.bind("skos", SKOS)
    g.bind("dct", DCT)
    g.bind("pe", PE)
    return g


def build_graphs() -> dict[str, Graph]:
    """One graph per shipped file (``vocab/<name>.ttl``), generated from the JSON vocabularies."""
    graphs: dict[str, Graph] = {}
    for name, (scheme, scheme_labels) in SCHEMES.items():
        g = _new_graph()
        _scheme(g, scheme, scheme_labels)
        classes = [CONCEPT_CLASSES[name]] if name in CONCEPT_CLASSES else []
        for term in vocab.terms(name):
            uri = concept_uri(name, term.value)
            if uri:
                _concept(g, uri, scheme, dict(term.labels), term.value, classes)
        graphs[name.replace("_", "-")] = g

    g = _new_graph()
    _scheme(g, PUBLISHER_TYPE_SCHEME, {"es": "Tipos de publicador (ADMS)",
                                       "en": "Publisher types (ADMS)"})
    for level, uri in PUBLISHER_TYPES.items():
        _concept(g, uri, PUBLISHER_TYPE_SCHEME, PUBLISHER_TYPE_LABELS[level],
                 str(uri).rsplit("/", 1)[1])
    graphs["publisher-type"] = g

    g = _new_graph()
    _scheme(g, FILE_TYPE_SCHEME, {"es": "Tipos de archivo (UE)", "en": "File types (EU)"})
    for label, (code, mimetype) in FILE_TYPES.items():
        uri = URIRef(EU + "file-type/" + code)
        _concept(g, uri, FILE_TYPE_SCHEME, {"es": label, "en": label}, code,
                 [DCT.MediaTypeOrExtent])
        media = media_type_uri(mimetype)
        assert media is not None
        g.add((media, RDF.type, DCT.MediaType))
        g.add((media, DCT.title, Literal(mimetype)))
    _scheme(g, AVAILABILITY_SCHEME, {"es": "Disponibilidad prevista (UE)",
                                     "en": "Planned availability (EU)"})
    for code in AVAILABILITY:
        _concept(g, URIRef(EU + "planned-availability/" + code), AVAILABILITY_SCHEME,
                 AVAILABILITY_LABELS[code], code)
    graphs["file-type"] = g

    g = _new_graph()
    _scheme(g, DOCUMENT_TYPE_SCHEME, {"es": "Tipos de documento", "en": "Document types"})
    _concept(g, DATA_DICTIONARY, DOCUMENT_TYPE_SCHEME,
             {"es": "Diccionario de datos", "en": "Data dictionary"}, "data-dictionary")
    _scheme(g, POST_SCHEME, {"es": "Cargos", "en": "Posts"})
    for key, (uri, labels) in POSTS.items():
        _concept(g, uri, POST_SCHEME, labels, key)
    graphs["opengovpe"] = g

    g = _new_graph()
    _scheme(g, UBIGEO_SCHEME, {"es": "UBIGEO (INEI)", "en": "UBIGEO (INEI)"})
    for code, path in sorted(vocab._ubigeo().items()):
        uri = PE[f"ubigeo/{code}"]
        _concept(g, uri, UBIGEO_SCHEME, {"es": ", ".join(reversed(path)).title()}, code,
                 [DCT.Location])
        if len(code) > 2:
            g.add((uri, SKOS.broader, PE[f"ubigeo/{code[:-2]}"]))
    graphs["ubigeo"] = g
    return graphs


@functools.lru_cache(maxsize=1)
def shipped_graph() -> Graph:
    """Every shipped vocabulary triple in one graph (read from ``vocab/*.ttl``)."""
    g = Graph()
    for entry in sorted(os.listdir(VOCAB_DIR)):
        if entry.endswith(".ttl"):
            g.parse(os.path.join(VOCAB_DIR, entry), format="turtle")
    return g


def write_files(directory: str = VOCAB_DIR) -> list[str]:
    """(Re)write ``<directory>/<name>.ttl`` from the JSON vocabularies; returns the paths."""
    paths = []
    for name, g in build_graphs().items():
        path = os.path.join(directory, name + ".ttl")
        g.serialize(destination=path, format="turtle")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for written in write_files(sys.argv[1] if len(sys.argv) > 1 else VOCAB_DIR):
        print(written)
