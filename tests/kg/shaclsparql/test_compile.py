"""The shapes compiler: what it supports, what it refuses, and how few queries it writes."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg.settings import Settings
from kg.shaclsparql import UnsupportedShapeError, compile_shapes
from kg.shaclsparql.compile import COMPONENTS, WHOLE_GRAPH_SELECT
from kg.shaclsparql.sparql_constraint import ConstraintTextError, bind_this
from kg.validate import load_shapes, targeted_shapes
from kg.vocab import SH

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _shapes(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_every_component_our_shapes_use_is_compiled() -> None:
    """Each constraint parameter in ontology/shapes is one the engine evaluates."""
    shapes = load_shapes(Settings())
    used = {p for _, p, _ in shapes if p in COMPONENTS}
    assert {SH["class"], SH.datatype, SH.minCount, SH.maxCount, SH.sparql, SH["or"],
            SH.qualifiedValueShape, SH.uniqueLang, SH.lessThanOrEquals, SH.disjoint} <= used
    compiled = compile_shapes(shapes)
    assert len(compiled.shapes) == len(targeted_shapes(shapes))


def test_a_shape_gets_few_queries() -> None:
    """Cardinality checks share one query and value checks another, whatever their number:
    the study shape's twenty property shapes take two queries, not sixty."""
    compiled = compile_shapes(load_shapes(Settings()))
    trial = next(s for s in compiled.shapes if str(s.shape).endswith("/StudyShape"))
    assert sorted(q.kind for q in trial.queries) == ["counts", "values"]
    assert sum(len(q.checks) for q in trial.queries) > 20
    assert max(len(s.queries) for s in compiled.shapes) <= 3


def test_counts_keep_a_set_of_values_per_node_only_in_their_exact_form() -> None:
    """A maximum is first tested on every value row (no set of values per node); the query
    counting distinct values runs only when that one finds a node, and a minimum above 1 always
    counts distinct values, since repeated values could hide a node below it."""
    shapes = _shapes("""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:S-p, ex:S-q, ex:S-r .
        ex:S-p a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 .
        ex:S-q a sh:PropertyShape ; sh:path ex:q ; sh:minCount 2 .
        ex:S-r a sh:PropertyShape ; sh:path ex:r ; sh:minCount 1 .
    """)
    (counts,) = (q for q in compile_shapes(shapes).shapes[0].queries if q.kind == "counts")
    assert "COUNT(?v0)" in counts.text and "COUNT(DISTINCT ?v1)" in counts.text
    assert counts.exact_text is not None
    assert "COUNT(DISTINCT ?v0)" in counts.exact_text and "COUNT(?v2)" in counts.exact_text


def test_one_path_needing_a_value_is_an_anti_join() -> None:
    """A shape whose only count is "at least one value" on one path gets MINUS, no GROUP BY."""
    shapes = _shapes("""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:S-p .
        ex:S-p a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 .
    """)
    (counts,) = compile_shapes(shapes).shapes[0].queries
    assert "MINUS" in counts.text and "GROUP BY" not in counts.text
    assert counts.exact_text is None


@pytest.mark.parametrize(
    ("declaration", "named"),
    [
        ("sh:closed true", "sh:closed"),
        ("sh:equals ex:q", "EqualsConstraintComponent"),
        ("sh:languageIn ( \"en\" )", "sh:languageIn"),
    ],
)
def test_an_unsupported_component_fails_naming_the_shape_and_component(
    declaration: str, named: str
) -> None:
    shapes = _shapes(f"""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:S-p .
        ex:S-p a sh:PropertyShape ; sh:path ex:p ; sh:minCount 1 ; {declaration} .
    """)
    with pytest.raises(UnsupportedShapeError) as raised:
        compile_shapes(shapes)
    assert "<http://example.org/S" in str(raised.value)
    assert named.split(":")[-1] in str(raised.value)


def test_a_nested_shape_with_properties_is_refused() -> None:
    shapes = _shapes("""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:or ( [ sh:property [ sh:path ex:p ; sh:minCount 1 ] ] ) .
    """)
    with pytest.raises(UnsupportedShapeError, match="sh:property inside sh:or"):
        compile_shapes(shapes)


def test_sparql_constraints_with_other_prebound_variables_are_refused() -> None:
    shapes = _shapes("""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql ex:Q .
        ex:Q a sh:SPARQLConstraint ; sh:message "m" ;
            sh:select "SELECT $this WHERE { $this ?p $currentShape }" .
    """)
    with pytest.raises(UnsupportedShapeError, match=r"<http://example.org/S>.*currentShape"):
        compile_shapes(shapes)


def test_a_sub_select_that_uses_this_without_projecting_it_is_refused() -> None:
    """Pre-binding would correlate it with the focus node; a whole-graph join cannot."""
    with pytest.raises(ConstraintTextError, match="must project it"):
        bind_this(
            "SELECT $this WHERE { { SELECT (COUNT(*) AS ?n) WHERE { $this ?p ?o } } }", "{ }"
        )


def test_outer_aggregates_must_group_by_this() -> None:
    with pytest.raises(ConstraintTextError, match="GROUP BY"):
        bind_this("SELECT (COUNT(?o) AS ?n) WHERE { $this ?p ?o }", "{ }")
    with pytest.raises(ConstraintTextError, match="group by"):
        bind_this("SELECT ?o (COUNT(?p) AS ?n) WHERE { $this ?p ?o } GROUP BY ?o", "{ }")


def test_focus_nodes_are_joined_in_the_outer_group_and_strings_are_left_alone() -> None:
    bound = bind_this(
        'SELECT ?value WHERE { # a comment with { and $this\n'
        '  $this <http://x/p#q> ?value FILTER (?value != "$this {") }',
        "{ ?this a <C> }",
    )
    assert bound.text.startswith("SELECT ?this ?value WHERE { { ?this a <C> } # a comment with { and $this")
    assert '"$this {"' in bound.text
    assert "?this <http://x/p#q> ?value" in bound.text
    assert not bound.projects_this


WHOLE_GRAPH = """
    @prefix ekgsh: <https://w3id.org/evidence-kg/shapes/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql ex:Q .
    ex:Q a sh:SPARQLConstraint ; sh:message "m" ;
        sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:p ?o } }" ;
        ekgsh:wholeGraphSelect "SELECT $this WHERE { MINUS { $this <http://example.org/p> ?o } }" .
"""


def test_a_constraint_with_a_whole_graph_form_is_compiled_from_it() -> None:
    """The store engine runs ekgsh:wholeGraphSelect (MINUS allowed, since $this is joined, not
    pre-bound) in place of sh:select; the report still names the constraint."""
    compiled = compile_shapes(_shapes(WHOLE_GRAPH))
    (query,) = compiled.shapes[0].queries
    assert "MINUS { ?this <http://example.org/p> ?o }" in query.text
    assert "NOT EXISTS" not in query.text
    (check,) = query.checks[0]
    assert str(check.source_constraint) == "http://example.org/Q"


def test_minus_is_refused_in_sh_select_but_service_everywhere() -> None:
    with pytest.raises(ConstraintTextError, match="forbids VALUES, MINUS"):
        bind_this("SELECT $this WHERE { MINUS { $this <p> ?o } }", "{ }")
    with pytest.raises(ConstraintTextError, match="SERVICE"):
        bind_this("SELECT $this WHERE { SERVICE <x> { $this <p> ?o } }", "{ }", whole_graph=True)


def test_our_shapes_whole_graph_forms_are_used() -> None:
    """Pins that the shipped whole-graph forms compile (and so are what the equivalence tests
    compare with pySHACL): a misspelt predicate would silently fall back to sh:select."""
    shapes = load_shapes(Settings())
    compiled = compile_shapes(shapes)
    texts = [q.text for s in compiled.shapes for q in s.queries if q.kind == "sparql"]
    with_form = set(shapes.subjects(WHOLE_GRAPH_SELECT, None))
    assert len(with_form) >= 6
    assert sum("MINUS" in text for text in texts) >= 5
