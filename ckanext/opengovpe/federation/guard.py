"""Checks on remote RDF before rdflib sees it: the harvester parses what other servers send.

- RDF/XML with a DTD (so entity expansion, "billion laughs", or external entities) is
  refused outright, checked with defusedxml before any expansion happens;
- JSON-LD whose ``@context`` (anywhere in the document) is a reference, or uses
  ``@import``, is refused: rdflib would fetch it, from the network or from ``file:``;
- documents larger than ``ckanext.opengovpe.harvest.max_bytes`` and graphs of more than
  ``ckanext.opengovpe.harvest.max_triples`` triples are refused.
"""
from __future__ import annotations

import io
import json
import re
from typing import Any, Optional, Union
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from rdflib import Graph

import ckan.plugins.toolkit as tk

from .messages import N_, FederationError

XML_TYPES = ("application/rdf+xml", "application/xml", "text/xml", "xml", "pretty-xml")
JSONLD_TYPES = ("application/ld+json", "application/json", "json-ld")


# an XML declaration, doctype or comment, or a start tag such as <rdf:RDF; not a Turtle
# IRI such as <http://…> or <urn:…>
XML_START = re.compile(r"<[?!]|<[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?[\s/>]")


def _kind(text: str, content_type: Optional[str]) -> str:
    head = text.lstrip("\ufeff \t\r\n")[:200]
    if XML_START.match(head) or (content_type or "").lower() in XML_TYPES:
        return "xml"
    if head[:1] in ("{", "[") or (content_type or "").lower() in JSONLD_TYPES:
        return "json"
    return "other"


def check_document(content: Union[str, bytes], content_type: Optional[str] = None) -> None:
    """Raise FederationError if ``content`` must not reach the RDF parser."""
    limit = tk.config.get("ckanext.opengovpe.harvest.max_bytes")
    size = len(content.encode("utf-8") if isinstance(content, str) else content)
    if size > limit:
        raise FederationError("too_large", N_(
            "The RDF document has %(size)s bytes, more than the %(limit)s allowed."),
            size=size, limit=limit)
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    kind = _kind(text, content_type)
    if kind == "xml":
        _check_xml(content)
    elif kind == "json":
        _check_jsonld(text)


def _check_xml(content: Union[str, bytes]) -> None:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    try:
        # a DTD, the only place entities are declared, comes before the root element:
        # stop reading at its start tag, rdflib parses the rest
        for _event, _element in defusedxml.ElementTree.iterparse(
                io.BytesIO(raw), events=("start",), forbid_dtd=True, forbid_entities=True,
                forbid_external=True):
            break
    except defusedxml.DefusedXmlException:
        raise FederationError("dtd", N_(
            "The RDF/XML document declares a DTD or entities, which are refused.")) from None
    except (ParseError, ValueError) as err:
        raise FederationError("content", N_("The RDF/XML document is not well-formed."),
                              detail=str(err)[:200]) from None


def _remote_context(node: Any, depth: int = 0) -> bool:
    """Whether a JSON-LD node refers to a context that rdflib would fetch."""
    if depth > 200:
        return True
    if isinstance(node, list):
        return any(_remote_context(item, depth + 1) for item in node)
    if not isinstance(node, dict):
        return False
    if "@import" in node:
        return True
    for key, value in node.items():
        if key == "@context" and _context_refers(value):
            return True
        if _remote_context(value, depth + 1):
            return True
    return False


def _context_refers(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(isinstance(item, str) or _context_refers(item) for item in value)
    if isinstance(value, dict):
        return "@import" in value or any(_remote_context(v) for v in value.values())
    return False


def _check_jsonld(text: str) -> None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise FederationError("content", N_("The JSON-LD document is not valid JSON."),
                              detail=str(err)[:200]) from None
    if _remote_context(document):
        raise FederationError("context", N_(
            "The JSON-LD document refers to a remote or local @context, which is never "
            "fetched: embed the context in the document."))


def check_graph(graph: Graph) -> None:
    """Raise FederationError if the parsed graph is larger than allowed."""
    limit = tk.config.get("ckanext.opengovpe.harvest.max_triples")
    if len(graph) > limit:
        raise FederationError("too_many_triples", N_(
            "The RDF document has %(count)s triples, more than the %(limit)s allowed."),
            count=len(graph), limit=limit)
