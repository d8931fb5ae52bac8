"""Serialise catalogue pages and datasets with the configured RDF profiles."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

from ckanext.dcat.utils import catalog_uri, dataset_uri
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from .. import text
from . import catalog
from .profiles import DcatApPeProfile
from .vocabulary import ADMS, DCAT, DCATAP, DCT, DQV, FOAF, HYDRA, LOCN, ORG, PE, PROV, VCARD

NAMESPACES = (("rdf", RDF), ("dcat", DCAT), ("dct", DCT), ("foaf", FOAF), ("skos", SKOS),
              ("vcard", VCARD), ("adms", ADMS), ("dcatap", DCATAP), ("locn", LOCN), ("org", ORG),
              ("pe", PE), ("owl", OWL), ("rdfs", RDFS), ("xsd", XSD), ("hydra", HYDRA),
              ("dqv", DQV), ("prov", PROV),
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


def bind_namespaces(g: Any) -> None:
    """The same prefixes in every graph the catalogue writes."""
    for prefix, namespace in NAMESPACES:
        g.bind(prefix, namespace, override=True, replace=True)


class TripleBuffer:
    """The part of ``rdflib.Graph`` a profile writes with, keeping triples in a dict.

    Adding a triple to rdflib's memory store costs tens of microseconds (indexes, events); a
    catalogue page adds thousands, then only serialises them. The buffer keeps them in order,
    writes N-Triples itself and becomes a real graph for the other formats. It leaves out of
    each term the control characters XML cannot carry (text stored before they were refused),
    so every format stays well-formed.
    """

    def __init__(self) -> None:
        self._triples: dict[tuple[Any, Any, Any], None] = {}
        self._namespaces: dict[str, Any] = {}

    def add(self, triple: tuple[Any, Any, Any]) -> "TripleBuffer":
        subject, predicate, node = triple
        self._triples[(_printable_node(subject), predicate, _printable_node(node))] = None
        return self

    def remove(self, pattern: tuple[Any, Any, Any]) -> "TripleBuffer":
        for triple in [t for t in self._triples if _matches(t, pattern)]:
            del self._triples[triple]
        return self

    def objects(self, subject: Any = None, predicate: Any = None) -> Iterator[Any]:
        return iter([t[2] for t in self._triples if _matches(t, (subject, predicate, None))])

    def bind(self, prefix: str, namespace: Any, *args: Any, **kwargs: Any) -> None:
        self._namespaces[prefix] = namespace

    def namespaces(self) -> Iterator[tuple[str, Any]]:
        return iter(self._namespaces.items())

    def __contains__(self, triple: tuple[Any, Any, Any]) -> bool:
        return triple in self._triples

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def to_graph(self) -> Graph:
        g = Graph()
        bind_namespaces(g)
        for triple in self._triples:
            g.add(triple)
        return g

    def ntriples(self) -> str:
        return "".join(f"{s.n3()} {p.n3()} {_nt_object(o)} .\n" for s, p, o in self._triples)


def _printable_node(node: Any) -> Any:
    """``node`` without the control characters XML cannot carry (text stored before they were
    refused); a literal keeps its language and datatype."""
    # isprintable() is the quick answer for most terms (it is False for line breaks too)
    if (not isinstance(node, str) or node.isprintable()
            or not text.CONTROL_CHARACTERS.search(node)):
        return node
    if isinstance(node, Literal):
        return Literal(text.printable(str(node)), lang=node.language, datatype=node.datatype)
    if isinstance(node, URIRef):
        return URIRef(text.printable(str(node)))
    return node


def _matches(triple: tuple[Any, Any, Any], pattern: tuple[Any, Any, Any]) -> bool:
    return all(want is None or want == got for want, got in zip(pattern, triple))


def _nt_object(node: Any) -> str:
    if not isinstance(node, Literal):
        return node.n3()
    # a JSON string is a valid N-Triples string: the same escapes, \uXXXX for the rest
    text = json.dumps(str(node), ensure_ascii=False)
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype is not None and node.datatype != XSD.string:
        return f"{text}^^<{node.datatype}>"
    return text


class CatalogWriter:
    """One ``dcat_ap_pe`` profile writing a whole catalogue page or dump batch.

    ckanext-dcat's ``RDFSerializer`` makes a profile object per dataset (each looking up the
    scheming schema again) and writes into an rdflib graph; the catalogue's own endpoints write
    with one profile into a :class:`TripleBuffer`.
    """

    def __init__(self) -> None:
        self.g = TripleBuffer()
        bind_namespaces(self.g)
        self.profile = DcatApPeProfile(self.g)
        self.profile.replace_existing = False
        self.catalog_ref = catalog_ref()

    def add_catalog(self, catalog_dict: dict[str, Any]) -> None:
        self.profile.graph_from_catalog(catalog_dict, self.catalog_ref)

    def add_datasets(self, datasets: Iterable[dict[str, Any]]) -> None:
        for dataset in datasets:
            dataset_ref = URIRef(dataset_uri(dataset))
            self.profile.graph_from_dataset(dataset, dataset_ref)
            self.g.add((self.catalog_ref, DCAT.dataset, dataset_ref))


def page_graph(page: catalog.Page, urls: dict[str, str | None]) -> TripleBuffer:
    """The catalogue with one page of datasets and its Hydra ``PartialCollectionView``.

    ``urls`` holds ``current``, ``first``, ``next`` and ``previous`` (None when absent).
    """
    writer = CatalogWriter()
    writer.add_catalog({"modified": page.modified.isoformat() if page.modified else None})
    writer.add_datasets(page.datasets)
    g = writer.g
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
    """One dataset's graph, written from its text without control characters."""
    dataset = text.printable_data(dataset)
    g = Graph()
    bind_namespaces(g)
    profile = DcatApPeProfile(g)
    profile.graph_from_dataset(dataset, URIRef(dataset_uri(dataset)))
    return g


def serialize(g: Graph | TripleBuffer, fmt: str) -> str:
    """``g`` in ``fmt``. A buffer's Turtle is N-Triples statements, a subset of Turtle.

    rdflib's pretty Turtle looks up a prefixed name for every term, which costs several times
    the rest of a catalogue page; pages and dumps are read by machines, single datasets (an
    rdflib graph, pretty-printed) by people too.
    """
    name = FORMATS[fmt][0]
    if isinstance(g, TripleBuffer):
        if name in ("turtle", "nt"):
            return g.ntriples()
        g = g.to_graph()
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
