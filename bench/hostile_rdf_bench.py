"""How fast hostile RDF is refused before rdflib sees it (target: well under a second).

Times ckanext.opengovpe.federation.guard on a billion-laughs RDF/XML document, an
external-entity one, JSON-LD with a remote @context, and for comparison the acceptance of a
legitimate 20,000-dataset Turtle page and RDF/XML document. Prints the figures and writes
bench/results/hostile-rdf.json.

    .venv/bin/python bench/hostile_rdf_bench.py
"""
from __future__ import annotations

import datetime as dt
import json
import pathlib
import platform
import statistics
import sys
import time
from typing import Callable

from ckan.common import config

from ckanext.opengovpe.federation import guard
from ckanext.opengovpe.federation.messages import FederationError

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE r [\n <!ENTITY a "' + "lol" * 10 + '">\n'
          + "".join(f' <!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">\n'
                    for i in range(9))
          + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://x/1"><rdf:value>&j;</rdf:value>'
            '</rdf:Description></rdf:RDF>')
EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY s SYSTEM "file:///etc/passwd">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://x/1"><rdf:value>&s;</rdf:value>'
            '</rdf:Description></rdf:RDF>')
REMOTE_CONTEXT = json.dumps({"@context": "http://example.org/context.jsonld",
                             "@graph": [{"@id": f"http://x/{i}", "title": "t"}
                                        for i in range(20000)]})
TURTLE = "".join(f'<http://x/ds/{i}> a <http://www.w3.org/ns/dcat#Dataset> ; '
                 f'<http://purl.org/dc/terms/title> "Conjunto {i}" .\n' for i in range(20000))
RDFXML = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
          ' xmlns:dct="http://purl.org/dc/terms/">'
          + "".join(f'<rdf:Description rdf:about="http://x/ds/{i}"><dct:title>Conjunto {i}'
                    '</dct:title></rdf:Description>' for i in range(20000))
          + "</rdf:RDF>")


def timed(check: Callable[[], None], runs: int = 20) -> dict[str, object]:
    times, outcome = [], "accepted"
    for _ in range(runs):
        start = time.perf_counter()
        try:
            check()
        except FederationError as err:
            outcome = f"refused: {err.reason}"
        times.append((time.perf_counter() - start) * 1000)
    return {"outcome": outcome, "median_ms": round(statistics.median(times), 3),
            "max_ms": round(max(times), 3)}


def main() -> int:
    config.update({"ckanext.opengovpe.harvest.max_bytes": 50 * 1024 * 1024,
                   "ckanext.opengovpe.harvest.max_triples": 500000})
    cases = {
        "billion_laughs_rdfxml": (LAUGHS, "application/rdf+xml"),
        "external_entity_rdfxml": (EXTERNAL, "application/rdf+xml"),
        "remote_context_jsonld_20000_nodes": (REMOTE_CONTEXT, "application/ld+json"),
        "legitimate_turtle_20000_datasets": (TURTLE, "text/turtle"),
        "legitimate_rdfxml_20000_datasets": (RDFXML, "application/rdf+xml"),
    }
    figures = {name: dict(timed(lambda d=doc, t=kind: guard.check_document(d, t)),
                          bytes=len(doc.encode()))
               for name, (doc, kind) in cases.items()}
    result = {"benchmark": "hostile-rdf", "when": dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"), "python": platform.python_version(), "cases": figures}
    for name, row in figures.items():
        print(f"{name:40} {row['outcome']:20} median {row['median_ms']:9.3f} ms"
              f"  max {row['max_ms']:9.3f} ms  ({row['bytes']} bytes)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile-rdf.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
