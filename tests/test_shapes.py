"""The SHACL shapes against their fixtures, in the style of UCO's and pySHACL's DASH tests.

Every ``tests/shapes/**/*.ttl`` fixture is validated together with ``tests/shapes/_context.ttl``
(one small conforming trial the fixtures point into) and the ontology:

* a ``*_PASS.ttl`` fixture must raise no result at all, not even a warning;
* a ``*_FAIL.ttl`` fixture must raise exactly the results listed in its sidecar
  ``*_FAIL.expected.json``: the multiset of (focus node, path, constraint component, severity,
  shape), where "shape" is the named SPARQL constraint or the property/node shape that reported.

The meta-tests prove that every named shape and SPARQL constraint has at least one failing and
one passing fixture, and that every shape says in words what is wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.paths import AlternativePath, InvPath
from rdflib.paths import Path as RdfPath
from rdflib.term import Node

from kg.validate import (
    SHAPES_IRI,
    ValidationReport,
    compact,
    validate_graph,
)
from kg.vocab import RDF, SH
from tests.shape_fixtures import PREFIXES, expected_path, expected_rows, rows

SHAPES_DIR = Path(__file__).parent / "shapes"
CONTEXT = SHAPES_DIR / "_context.ttl"
FIXTURES = sorted(path for path in SHAPES_DIR.rglob("*.ttl") if path != CONTEXT)
PASS_FIXTURES = [path for path in FIXTURES if path.name.endswith("_PASS.ttl")]
FAIL_FIXTURES = [path for path in FIXTURES if path.name.endswith("_FAIL.ttl")]


Validated = tuple[ValidationReport, Graph]


def _fixture_id(path: Path) -> str:
    return str(path.relative_to(SHAPES_DIR))


@pytest.fixture(scope="session")
def validate_fixture(shapes: Graph, ontology: Graph) -> Callable[[Path | None], Validated]:
    """Validate context + fixture once per session; returns the report and the fixture's graph."""
    done: dict[Path | None, Validated] = {}

    def run(fixture: Path | None) -> Validated:
        if fixture not in done:
            own = Graph().parse(fixture) if fixture is not None else Graph()
            data = Graph().parse(CONTEXT)
            data += own
            done[fixture] = (validate_graph(data, shapes=shapes, ontology=ontology), own)
        return done[fixture]

    return run


def test_fixtures_are_named_pass_or_fail_and_fail_ones_declare_results() -> None:
    """A fixture that is neither PASS nor FAIL, or a FAIL without expectations, would be ignored."""
    assert FIXTURES, "no fixtures found"
    assert set(FIXTURES) == set(PASS_FIXTURES) | set(FAIL_FIXTURES)
    for fixture in FAIL_FIXTURES:
        assert expected_path(fixture).is_file(), f"{fixture} has no {expected_path(fixture).name}"
    sidecars = set(SHAPES_DIR.rglob("*.expected.json"))
    assert sidecars == {expected_path(fixture) for fixture in FAIL_FIXTURES}


def test_context_conforms_without_any_result(
    validate_fixture: Callable[[Path | None], Validated],
) -> None:
    report, _ = validate_fixture(None)
    assert report.results == ()
    assert report.conforms


@pytest.mark.parametrize("fixture", PASS_FIXTURES, ids=_fixture_id)
def test_pass_fixture_raises_nothing(
    fixture: Path, validate_fixture: Callable[[Path | None], Validated]
) -> None:
    report, _ = validate_fixture(fixture)
    assert rows(report) == Counter()
    assert report.conforms


@pytest.mark.parametrize("fixture", FAIL_FIXTURES, ids=_fixture_id)
def test_fail_fixture_raises_exactly_the_expected_results(
    fixture: Path, validate_fixture: Callable[[Path | None], Validated]
) -> None:
    report, _ = validate_fixture(fixture)
    expected = expected_rows(fixture)
    assert expected, "a FAIL fixture must expect at least one result"
    assert rows(report) == expected
    assert report.conforms == all(row[3] != "Violation" for row in expected)


###############################################################################
# Meta-tests: every shape is exercised both ways and explains itself
###############################################################################


def named_shapes(shapes: Graph) -> dict[str, URIRef]:
    """Every shape and SPARQL constraint we named (IRI in the shapes namespace), by CURIE."""
    found: dict[str, URIRef] = {}
    for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        for node in shapes.subjects(RDF.type, kind):
            if isinstance(node, URIRef) and str(node).startswith(SHAPES_IRI):
                found[compact(str(node), PREFIXES)] = node
    assert len(found) > 100, "the shapes namespace or the shape types changed"
    return found


def parent_of(shapes: Graph) -> dict[str, str]:
    """Property shape or SPARQL constraint -> the node shape holding it."""
    parents = {}
    for predicate in (SH.property, SH.sparql):
        for node_shape, child in shapes.subject_objects(predicate):
            parents[compact(str(child), PREFIXES)] = compact(str(node_shape), PREFIXES)
    return parents


def rdflib_path(shapes: Graph, path: Node) -> URIRef | RdfPath:
    """A SHACL path as an rdflib path, for the path forms our shapes use."""
    if isinstance(path, URIRef):
        return path
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return InvPath(rdflib_path(shapes, inverse))
    alternatives = shapes.value(path, SH.alternativePath)
    assert alternatives is not None, f"unsupported path {path}"
    return AlternativePath(*(rdflib_path(shapes, m) for m in Collection(shapes, alternatives)))


def test_every_named_shape_has_a_failing_fixture(shapes: Graph) -> None:
    parents = parent_of(shapes)
    failed: set[str] = set()
    for fixture in FAIL_FIXTURES:
        for row in expected_rows(fixture):
            failed.add(row[4])
            failed.add(parents.get(row[4], row[4]))
    missing = sorted(set(named_shapes(shapes)) - failed)
    assert missing == [], f"shapes no FAIL fixture violates: {missing}"


def test_every_named_shape_has_a_passing_fixture(
    shapes: Graph, validate_fixture: Callable[[Path | None], Validated]
) -> None:
    """A shape passes somewhere when a PASS fixture's own nodes are its focus nodes; a property
    shape, when one of those focus nodes also has a value on its path."""
    named = named_shapes(shapes)
    parents = parent_of(shapes)
    passed: set[str] = set()
    for fixture in PASS_FIXTURES:
        report, own = validate_fixture(fixture)
        data = Graph().parse(CONTEXT)
        data += own
        subjects = {str(s) for s in own.subjects()}
        for checked in report.checked_shapes:
            if subjects & set(checked.focus_nodes):
                passed.add(compact(checked.shape, PREFIXES))
        for curie, node in named.items():
            path = shapes.value(node, SH.path)
            parent = parents.get(curie)
            if parent is None or parent not in passed:
                continue
            if path is None:
                passed.add(curie)
                continue
            parent_check = next(c for c in report.checked_shapes
                                if compact(c.shape, PREFIXES) == parent)
            for focus in set(parent_check.focus_nodes) & subjects:
                if next(data.objects(URIRef(focus), rdflib_path(shapes, path)), None) is not None:
                    passed.add(curie)
                    break
    missing = sorted(set(named) - passed)
    assert missing == [], f"shapes no PASS fixture exercises: {missing}"


def test_every_shape_is_named_and_says_what_is_wrong(shapes: Graph) -> None:
    """Property shapes and SPARQL constraints carry the sh:message a curator reads; node shapes
    only group them (a message there would be added to every SPARQL result) and carry a name."""
    for curie, node in named_shapes(shapes).items():
        assert shapes.value(node, SH.name) is not None, f"{curie} has no sh:name"
        if (node, RDF.type, SH.NodeShape) in shapes:
            assert shapes.value(node, SH.message) is None, f"{curie}: message on a node shape"
            assert any(shapes.objects(node, SH.property)) or any(shapes.objects(node, SH.sparql))
        else:
            message = shapes.value(node, SH.message)
            assert message is not None and len(str(message)) > 20, f"{curie} has no message"


def test_sparql_constraints_set_a_deliberate_severity(shapes: Graph) -> None:
    """Each cross-check chooses Violation or Warning explicitly (the rule is in index.ttl)."""
    for node_shape in shapes.subjects(SH.sparql, None):
        assert shapes.value(node_shape, SH.severity) in (SH.Violation, SH.Warning), node_shape
