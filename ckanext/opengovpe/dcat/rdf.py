"""Serialise catalogue pages and datasets with the configured RDF profiles."""
from __future__ import annotations

from typing import Any, Iterable

from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import catalog_uri
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from . import catalog
from .vocabulary import ADMS, DCAT, DCATAP, DCT, FOAF, HYDRA, LOCN, ORG, PE, VCARD

NAMESPACES = (("dcat", DCAT), ("dct", DCT), ("foaf", FOAF), ("skos", SKOS), ("vcard", VCARD),
              ("adms", ADMS), ("dcatap", DCATAP), ("locn", LOCN), ("org", ORG), ("pe", PE),
              ("owl", OWL), ("rdfs", RDFS), ("xsd", XSD), ("hydra", HYDRA),
              ("gsp", Namespace("http://www.opengis.net/ont/geosparql#")))

# URL extension -> (rdflib serializer, media type)
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
}
# media types a client may ask for (Accept), best first
ACCEPT = (("text/turtle", "ttl"), ("application/rdf+xml", "rdf"),
          ("application/ld+json", "jsonld"), ("application/n-triples", "nt"))


def bind_namespaces(g: Graph) -> None:
    """The same prefixes in every graph the catalogue writes."""
    for prefix, namespace in NAMESPACES:
        g.bind(prefix, namespace, override=True, replace=True)


def new_serializer() -> RDFSerializer:
    """A serializer with the profiles of ``ckanext.dcat.rdf.profiles``."""
    return RDFSerializer()


def add_datasets(serializer: RDFSerializer, catalog_ref: URIRef,
                 datasets: Iterable[dict[str, Any]]) -> None:
    for dataset in datasets:
        dataset_ref = serializer.graph_from_dataset(dataset)
        serializer.g.add((catalog_ref, DCAT.dataset, dataset_ref))


def page_graph(page: catalog.Page, urls: dict[str, str | None]) -> Graph:
    """The catalogue with one page of datasets and its Hydra ``PartialCollectionView``.

    ``urls`` holds ``current``, ``first``, ``next`` and ``previous`` (None when absent).
    """
    serializer = new_serializer()
    catalog_dict = {"modified": page.modified.isoformat() if page.modified else None}
    catalog_ref = serializer.graph_from_catalog(catalog_dict)
    add_datasets(serializer, catalog_ref, page.datasets)
    g = serializer.g
    bind_namespaces(g)
    view = URIRef(urls["current"] or "")
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    for key, predicate in (("first", HYDRA.first), ("next", HYDRA.next),
                           ("previous", HYDRA.previous)):
        if urls.get(key):
            g.add((view, predicate, URIRef(urls[key] or "")))
    g.add((view, HYDRA.totalItems, Literal(page.total, datatype=XSD.nonNegativeInteger)))
    g.add((view, HYDRA.itemsPerPage,
           Literal(len(page.datasets), datatype=XSD.nonNegativeInteger)))
    return g


def dataset_graph(dataset: dict[str, Any]) -> Graph:
    serializer = new_serializer()
    serializer.graph_from_dataset(dataset)
    bind_namespaces(serializer.g)
    return serializer.g


def serialize(g: Graph, fmt: str) -> str:
    name = FORMATS[fmt][0]
    if name == "json-ld":
        return g.serialize(format=name, auto_compact=True)
    return g.serialize(format=name)


def catalog_ref() -> URIRef:
    return URIRef(catalog_uri())


def negotiate(accept: str | None) -> str | None:
    """The RDF format a client's Accept header prefers over HTML, or None."""
    if not accept:
        return None
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media, quality = pieces[0].lower(), 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            fmt = "html"
        else:
            fmt = next((f for m, f in ACCEPT if m == media), "")
        if fmt and quality > 0 and (best is None or quality > best[0]):
            best = (quality, position, fmt)
    if best is None or best[2] == "html":
        return None
    return best[2]
