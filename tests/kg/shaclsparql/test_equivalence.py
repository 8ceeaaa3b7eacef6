"""The store engine gives pySHACL's results: every fixture, PASS and FAIL, and the shipped graph.

Results are compared as multisets of every field a report shows (focus node, path, value,
severity, source shape, constraint component, SPARQL constraint, targeted shape, message), and
the focus nodes of every targeted shape too. Two things a store cannot reproduce are normalised
on both sides, and only those: blank node ids (each store mints its own) and the lexical form of
numbers (oxigraph keeps literals in canonical form, so the fixture's ``29.0`` comes back as
``29``; numbers in values and messages are compared by value).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.build import build_dataset, load_into
from kg.export import union_graph
from kg.settings import Settings
from kg.store import Store, open_store
from kg.validate import (
    ValidationReport,
    validate_graph,
    validate_store,
)
from tests.shape_fixtures import expected_rows
from tests.shape_fixtures import rows as fixture_rows

SHAPES_DIR = Path(__file__).resolve().parents[2] / "shapes"
CONTEXT = SHAPES_DIR / "_context.ttl"
FIXTURES = sorted(path for path in SHAPES_DIR.rglob("*.ttl") if path != CONTEXT)
SLOW = os.environ.get("KG_SLOW_TESTS") == "1"
BACKENDS = (
    "oxigraph",
    pytest.param(
        "memory",
        marks=pytest.mark.skipif(
            not SLOW, reason="rdflib evaluates the compiled queries in ~8 s a fixture; "
            "KG_SLOW_TESTS=1 runs it"
        ),
    ),
)

Row = tuple[str | None, ...]


def _number(text: str) -> str:
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def _value(text: str | None) -> str | None:
    if text is None:
        return None
    return "_:" if text.startswith("_:") else _number(text)


def _message(text: str) -> str:
    return re.sub(r"-?\d+\.\d+|-?\d+", lambda m: _number(m.group()), text)


def rows(report: ValidationReport) -> Counter[Row]:
    return Counter(
        (
            _value(r.focus_node),
            r.path,
            _value(r.value),
            r.severity,
            r.source_shape,
            r.constraint_component,
            r.source_constraint,
            r.shape,
            _message(r.message),
        )
        for r in report.results
    )


def focus_counts(report: ValidationReport) -> list[tuple[str, int]]:
    return [(checked.shape, checked.size) for checked in report.checked_shapes]


def _store_with(backend: str, data: Graph, ontology: Graph) -> Store:
    store = open_store(backend)
    store.replace_graph(URIRef("urn:test:data"), data)
    store.replace_graph(URIRef("urn:test:ontology"), ontology)
    return store


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: str(p.relative_to(SHAPES_DIR)))
def test_store_engine_gives_pyshacl_results_on_every_fixture(
    fixture: Path, backend: str, shapes: Graph, ontology: Graph
) -> None:
    data = Graph().parse(CONTEXT)
    data.parse(fixture)
    reference = validate_graph(data, shapes=shapes, ontology=ontology)
    store = _store_with(backend, data, ontology)
    try:
        found = validate_store(store, shapes=shapes, list_focus_nodes=True)
    finally:
        store.close()
    assert rows(found) == rows(reference)
    assert fixture_rows(found) == expected_rows(fixture)
    assert found.conforms == reference.conforms
    assert focus_counts(found) == focus_counts(reference)
    assert sorted(found.node_labels.values()) == sorted(reference.node_labels.values())


def test_store_engine_gives_pyshacl_results_on_the_shipped_graph(
    shapes: Graph, ontology: Graph
) -> None:
    settings = Settings()
    reference = validate_graph(union_graph(build_dataset(settings)), shapes=shapes)
    store = load_into(open_store("oxigraph"), settings)
    try:
        found = validate_store(store, shapes=shapes)
    finally:
        store.close()
    assert rows(found) == rows(reference)
    assert found.conforms and reference.conforms
    assert focus_counts(found) == focus_counts(reference)


def test_validate_graph_store_engine_equals_pyshacl_on_a_mixed_graph(
    shapes: Graph, ontology: Graph
) -> None:
    """The rdflib entry point copies the graph into oxigraph and reports the same results,
    including the text, JSON and JUnit renderings' contents."""
    data = Graph().parse(CONTEXT)
    data.parse(SHAPES_DIR / "crosschecks" / "percentage-count_FAIL.ttl")
    data.parse(SHAPES_DIR / "crosschecks" / "arms-sum_FAIL.ttl")
    reference = validate_graph(data, shapes=shapes, ontology=ontology)
    found = validate_graph(data, shapes=shapes, ontology=ontology, engine="store")
    assert rows(found) == rows(reference)
    assert rows(found), "the fixtures must raise results"
    assert [(c.shape, c.focus_nodes) for c in found.checked_shapes] == [
        (c.shape, c.focus_nodes) for c in reference.checked_shapes
    ]


REPEATED_FOCUS_SHAPES = '''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C, ex:D ; sh:sparql ex:Counted, ex:Joined .
ex:Counted a sh:SPARQLConstraint ; sh:message "more than one value" ;
    sh:select """SELECT $this (COUNT(*) AS ?n) WHERE { $this <http://example.org/p> ?o }
        GROUP BY $this HAVING (COUNT(*) > 1)""" .
ex:Joined a sh:SPARQLConstraint ; sh:message "a value {?value}" ;
    sh:select "SELECT $this ?value WHERE { $this <http://example.org/q> ?value }" .
'''


def test_a_focus_node_two_targets_select_is_counted_once_by_sparql_constraints() -> None:
    """A node typed with both target classes is one focus node: an outer aggregate counts its
    values once (the store engine joins the DISTINCT focus nodes there) and a plain constraint
    reports each row once (there the focus rows may repeat it; the report reads a row once)."""
    shapes = Graph().parse(data=REPEATED_FOCUS_SHAPES, format="turtle")
    data = Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:C, ex:D ; ex:p 1 ; ex:q 2 .
        ex:b a ex:C ; ex:p 1, 2 .
    """, format="turtle")
    reference = validate_graph(data, shapes=shapes, ontology=Graph())
    store = _store_with("oxigraph", data, Graph())
    try:
        found = validate_store(store, shapes=shapes)
    finally:
        store.close()
    assert rows(found) == rows(reference)
    assert sorted(r.focus_node for r in found.results) == [
        "http://example.org/a", "http://example.org/b"
    ]


def test_a_blank_doi_is_reported_unlinked_by_both_engines(shapes: Graph, ontology: Graph) -> None:
    """No link text can be made from a blank DOI, so no link resolves it: the whole-graph form
    of PublicationDoiLink must not let the missing text match every link of the publication.
    Compared without messages, which name the blank node by an id each store mints anew."""
    data = Graph().parse(CONTEXT)
    data.parse(data="""
        @prefix ex: <http://example.org/kg/> .
        @prefix ekg: <https://w3id.org/evidence-kg/ontology/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix schema: <https://schema.org/> .
        ex:publication-blank-doi a ekg:Publication, schema:ScholarlyArticle ;
            rdfs:label "Publication with a blank DOI" ; ekg:sourceKey "S8" ;
            ekg:doi [ rdfs:label "a DOI without text" ] ;
            schema:sameAs <https://doi.org/10.1000/gamma.1> .
    """, format="turtle")
    reference = validate_graph(data, shapes=shapes, ontology=ontology)
    store = _store_with("oxigraph", data, ontology)
    try:
        found = validate_store(store, shapes=shapes)
    finally:
        store.close()
    assert fixture_rows(found) == fixture_rows(reference)
    assert ("ex:publication-blank-doi", "schema:sameAs", "sh:SPARQLConstraintComponent",
            "Violation", "ekgsh:PublicationDoiLink") in fixture_rows(found)
