"""The shipped vocabulary triples match the JSON vocabularies they come from."""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from ckanext.opengovpe import vocab
from ckanext.opengovpe.dcat import vocabulary as v


def test_shipped_files_are_current(tmp_path):
    generated = v.write_files(str(tmp_path))
    for path in generated:
        name = path.rsplit("/", 1)[1]
        shipped = Graph().parse(f"{v.VOCAB_DIR}/{name}", format="turtle")
        assert isomorphic(shipped, Graph().parse(path, format="turtle")), (
            f"{name} is out of date: run python -m ckanext.opengovpe.dcat.vocabulary")


def test_every_value_has_a_typed_concept_and_reads_back():
    g = v.shipped_graph()
    for name in v.SCHEMES:
        for term in vocab.terms(name):
            uri = v.concept_uri(name, term.value)
            assert (uri, RDF.type, SKOS.Concept) in g, uri
            assert g.value(uri, SKOS.prefLabel) is not None
            assert v.value_for_uri(name, uri) == term.value
    for code in ("15", "1501", "150122", "150000", "150100"):
        uri = v.ubigeo_uri(code)
        assert (uri, RDF.type, SKOS.Concept) in g, code
        assert v.ubigeo_code(uri) in ("15", "1501", "150122")
    assert v.ubigeo_uri("999999") is None


def test_formats_and_media_types():
    assert v.file_type_uri("csv") == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV")
    assert v.format_for_uri(v.file_type_uri(".xlsx")) == "XLSX"
    assert v.file_type_uri("unknown") is None
    assert v.media_type_uri("text/csv; charset=utf-8") == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv")
    assert v.media_type_uri("not a type") is None
    assert v.mimetype_for_uri(v.media_type_uri("application/json")) == "application/json"
