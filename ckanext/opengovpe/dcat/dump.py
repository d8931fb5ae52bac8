"""``ckan opengovpe catalog-dump``: the whole catalogue to a file, a batch at a time.

Each batch of datasets is turned into its own small graph and written out before the next is
read, so memory stays flat however large the catalogue. N-Triples and Turtle are written batch
after batch, Turtle as N-Triples statements (a subset of Turtle that rdflib writes ten times
faster than pretty Turtle); JSON-LD is one array of node
objects; RDF/XML is one ``rdf:RDF`` element holding each batch's descriptions.
"""
from __future__ import annotations

import json
import logging
import re
from typing import IO, Callable
from xml.sax.saxutils import escape

from rdflib import Graph

from . import catalog, rdf

log = logging.getLogger(__name__)

FORMATS = ("ttl", "nt", "jsonld", "xml")
_XML_ROOT = re.compile(r"<rdf:RDF\b[^>]*>", re.S)


def _batch_graph(datasets: list[dict], with_catalog: bool) -> rdf.TripleBuffer:
    writer = rdf.CatalogWriter()
    if with_catalog:
        modified = catalog.catalog_modified()
        writer.add_catalog({"modified": modified.isoformat() if modified else None})
    writer.add_datasets(datasets)
    return writer.g


def _xml_root(g: Graph | rdf.TripleBuffer) -> str:
    """An ``rdf:RDF`` start tag declaring every namespace bound (the same in every batch)."""
    declarations = "".join(f'\n   xmlns:{prefix}="{escape(str(namespace))}"'
                           for prefix, namespace in sorted(g.namespaces()) if prefix)
    return f"<rdf:RDF{declarations}\n>"


def _xml_body(g: Graph) -> str:
    """The descriptions inside a batch's ``rdf:RDF`` element."""
    text = g.serialize(format="xml")
    match = _XML_ROOT.search(text)
    if match is None:
        return ""
    return text[match.end():text.rindex("</rdf:RDF>")]


def _write_batch(out: IO[str], fmt: str, g: rdf.TripleBuffer, first: bool) -> None:
    if fmt == "jsonld":
        nodes = json.loads(g.to_graph().serialize(format="json-ld"))
        out.write(("\n" if first else ",\n")
                  + ",\n".join(json.dumps(node, ensure_ascii=False) for node in nodes))
    elif fmt == "xml":
        if first:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n' + _xml_root(g))
        out.write(_xml_body(g.to_graph()))
    else:
        out.write(g.ntriples())


def dump(out: IO[str], fmt: str, batch_size: int,
         progress: Callable[[int], None] | None = None) -> int:
    """Write every published dataset to ``out`` in ``fmt``; returns how many."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    count = 0
    if fmt == "jsonld":
        out.write("[")
    for datasets in catalog.iter_batches(batch_size):
        _write_batch(out, fmt, _batch_graph(datasets, with_catalog=count == 0), count == 0)
        count += len(datasets)
        if progress:
            progress(count)
    if count == 0:  # an empty catalogue: the catalogue description alone
        _write_batch(out, fmt, _batch_graph([], with_catalog=True), True)
    if fmt == "jsonld":
        out.write("\n]\n")
    elif fmt == "xml":
        out.write("</rdf:RDF>\n")
    return count
