"""Quality checks: each passes on the shipped graph and each can fail (on a small broken graph)."""

from __future__ import annotations

import pytest
from rdflib import Dataset

from kg.checks import (
    CHECKS_DIR,
    CheckError,
    CheckResult,
    load_checks,
    parameterize,
    run_checks,
)
from kg.parse import parse_bytes
from kg.settings import Settings

BASE = "https://example.org/kg/"
"""Not the default base, so a check that hard-codes the default would miss the broken rows."""

PREFIXES = """
@prefix ekg:  <https://w3id.org/evidence-kg/ontology/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex:   <https://example.net/> .
"""
EKG = "https://w3id.org/evidence-kg/ontology/"
OWL = "http://www.w3.org/2002/07/owl#"

# For every check: small graphs (TriG) that break it, each with the exact rows it must return (values in
# the order of the check's SELECT variables, as N-Triples terms). Good terms sit beside the bad
# ones, so a check that flags everything fails too.
BROKEN: dict[str, list[tuple[str, set[tuple[str, ...]]]]] = {
    "missing-label": [
        (
            """
            ekg:Kind a owl:Class ; rdfs:subClassOf skos:Concept ;
                rdfs:label "Kind" ; skos:definition "A kind." .
            ekg:Unlabelled a owl:Class ; skos:definition "No label." .
            ekg:unlabelled a owl:DatatypeProperty ; rdfs:comment "No label either." .
            ekg:SomeKind a ekg:Kind ; skos:definition "A concept without a label." .
            ex:Foreign a owl:Class .
            """,
            {
                (f"<{EKG}SomeKind>", f"<{EKG}Kind>"),
                (f"<{EKG}Unlabelled>", f"<{OWL}Class>"),
                (f"<{EKG}unlabelled>", f"<{OWL}DatatypeProperty>"),
            },
        )
    ],
    "missing-definition": [
        (
            """
            ekg:Kind a owl:Class ; rdfs:subClassOf skos:Concept ;
                rdfs:label "Kind" ; rdfs:comment "A kind (a comment counts)." .
            ekg:Undefined a owl:ObjectProperty ; rdfs:label "undefined" .
            ekg:SomeKind a ekg:Kind ; rdfs:label "Some kind" .
            ekg:Scheme a skos:ConceptScheme ; rdfs:label "Scheme" .
            """,
            {
                (f"<{EKG}Scheme>", "<http://www.w3.org/2004/02/skos/core#ConceptScheme>"),
                (f"<{EKG}SomeKind>", f"<{EKG}Kind>"),
                (f"<{EKG}Undefined>", f"<{OWL}ObjectProperty>"),
            },
        )
    ],
    "undeclared-term": [
        (
            """
            <graph/ontology> {
                ekg:Trial a owl:Class .
                ekg:enrollment a owl:DatatypeProperty .
            }
            <trial/good> a ekg:Trial ; ekg:enrollment 10 .
            <trial/bad> a ekg:Trail ; ekg:enrolment 10 ; ekg:enrollment 10 ;
                ex:phase ekg:Phase9 .
            ekg:SelfMade a owl:Class .
            <trial/self> a ekg:SelfMade .
            """,
            {
                (f"<{EKG}Phase9>", '"object"', f"<{BASE}trial/bad>"),
                (f"<{EKG}SelfMade>", '"class"', f"<{BASE}trial/self>"),
                (f"<{EKG}Trail>", '"class"', f"<{BASE}trial/bad>"),
                (f"<{EKG}enrolment>", '"predicate"', f"<{BASE}trial/bad>"),
            },
        )
    ],
    "dangling-reference": [
        (
            """
            <trial/x> ekg:arm <trial/x/arm-a>, <trial/x/arm-typo> ;
                ex:seeAlso <https://example.net/elsewhere> .
            <trial/x/arm-a> rdfs:label "Arm A" .
            """,
            {
                (
                    f"<{BASE}trial/x/arm-typo>",
                    f"<{BASE}trial/x>",
                    f"<{EKG}arm>",
                )
            },
        )
    ],
    "ontology-version": [
        (
            """ekg: a owl:Ontology ; owl:versionInfo "0.1.0" .""",
            {(f"<{EKG}>", '"no owl:versionIRI"')},
        ),
        (
            """ekg: a owl:Ontology ; owl:versionIRI <https://w3id.org/evidence-kg/ontology/0.1.0> .""",
            {(f"<{EKG}>", '"no owl:versionInfo"')},
        ),
        ("""ex:a ex:b ex:c .""", {('"no owl:Ontology in the graph"',)}),
    ],
    "property-without-domain": [
        (
            """
            ekg:free a owl:ObjectProperty .
            ekg:loose a owl:DatatypeProperty .
            ekg:arm a owl:ObjectProperty .
            ekg:bound a owl:DatatypeProperty ; rdfs:domain ekg:Trial .
            ex:other a owl:ObjectProperty .
            """,
            {
                (f"<{EKG}free>", f"<{OWL}ObjectProperty>"),
                (f"<{EKG}loose>", f"<{OWL}DatatypeProperty>"),
            },
        )
    ],
}

CHECK_NAMES = [check.name for check in load_checks()]


def broken_dataset(trig: str) -> Dataset:
    """TriG, so a fixture can put declarations in the ontology's named graph."""
    return parse_bytes(
        (PREFIXES + trig).encode(), source="broken.trig", rdf_format="trig", base_iri=BASE
    )


def test_every_check_has_a_broken_fixture() -> None:
    """A check that cannot be shown to fail is not a check."""
    assert set(BROKEN) == set(CHECK_NAMES)


@pytest.fixture(scope="module")
def shipped_results(dataset: Dataset, settings: Settings) -> dict[str, CheckResult]:
    """Every check over the built graph, run once for the module."""
    return {result.name: result for result in run_checks(dataset, base_iri=settings.base_iri)}


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_returns_no_rows_on_the_shipped_graph(
    name: str, shipped_results: dict[str, CheckResult]
) -> None:
    assert shipped_results[name].rows == []


@pytest.mark.parametrize(
    ("name", "index"),
    [(name, index) for name in CHECK_NAMES for index in range(len(BROKEN.get(name, [])))],
)
def test_check_returns_exactly_the_expected_rows_on_a_broken_graph(name: str, index: int) -> None:
    turtle, expected = BROKEN[name][index]
    results = {result.name: result for result in run_checks(broken_dataset(turtle), base_iri=BASE)}
    result = results[name]
    assert not result.passed
    rows = {tuple(row.get(v, "") for v in result.variables) for row in result.rows}
    assert {tuple(cell for cell in row if cell) for row in rows} == expected


def test_every_check_has_a_description() -> None:
    for check in load_checks():
        assert check.description, f"{check.path} needs a leading '# what it asserts' comment"


def test_base_iri_that_would_break_the_query_is_refused() -> None:
    with pytest.raises(CheckError, match="cannot be written as a SPARQL IRI"):
        parameterize("<urn:x-evidence-kg:base>", base_iri="https://e.org/> } DROP ALL {")


def test_no_check_hard_codes_the_default_base() -> None:
    for path in CHECKS_DIR.glob("*.rq"):
        assert "https://w3id.org/evidence-kg/id/" not in path.read_text(), path
