"""Whether a dataset's DCAT-AP graph passes the DCAT-AP 3 SHACL shapes.

The mandatory and cardinality shapes (``dcat/shacl/shapes.ttl``) decide; the range shapes
are left out because the portal cannot type concepts of vocabularies it does not ship
(EuroVoc themes). Validation takes around a second, so its result is stored with the
dataset's score (``store.py``) and validated again only when the dataset changes.
"""
from __future__ import annotations

import functools
import os

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import SKOS

from ..dcat import vocabulary

SH = Namespace("http://www.w3.org/ns/shacl#")
SHACL_DIR = os.path.join(os.path.dirname(vocabulary.__file__), "shacl")


@functools.lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(os.path.join(SHACL_DIR, "shapes.ttl"), format="turtle")


def with_vocabulary(data: Graph) -> Graph:
    """``data`` plus the shipped triples of every concept (and scheme) it refers to."""
    shipped = vocabulary.shipped_graph()
    out = Graph()
    for triple in data:
        out.add(triple)
    pending = {o for o in data.objects() if isinstance(o, URIRef)}
    seen: set[URIRef] = set()
    while pending:
        node = pending.pop()
        seen.add(node)
        for p, o in shipped.predicate_objects(node):
            out.add((node, p, o))
            if p == SKOS.inScheme and o not in seen:
                pending.add(o)
    return out


def violations(data: Graph) -> list[str]:
    """The SHACL violations of ``data`` (warnings and infos aside), as readable lines."""
    _conforms, results, _text = validate(with_vocabulary(data), shacl_graph=_shapes(),
                                         inference="none", allow_warnings=True)
    return sorted(
        f"{results.value(r, SH.focusNode)} {results.value(r, SH.resultPath)}: "
        f"{results.value(r, SH.resultMessage)}"
        for r in results.subjects(SH.resultSeverity, SH.Violation))
