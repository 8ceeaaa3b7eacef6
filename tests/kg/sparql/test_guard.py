"""The guard refuses updates, SERVICE and foreign graphs before anything is evaluated."""

from __future__ import annotations

import pytest

from kg.sparql.guard import (
    ServiceRefused,
    UnknownGraph,
    UpdateRefused,
    check_query,
    mentions_service,
    served_graphs,
)
from kg.store import QuerySyntaxError

OURS = {"https://w3id.org/evidence-kg/id/graph/ontology"}


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ASK { ?s ?p ?o }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <https://example.org/a>", "DESCRIBE"),
        ('SELECT ?service WHERE { ?service ?p "SERVICE <http://x/>" }', "SELECT"),
    ],
)
def test_read_queries_pass_with_their_form(query: str, form: str) -> None:
    assert check_query(query, known_graphs=OURS).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a/> <http://b/> <http://c/> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/x>",
        "CLEAR DEFAULT",
        "DROP ALL",
        "CREATE GRAPH <http://example.org/g>",
        "ADD DEFAULT TO <http://example.org/g>",
        "MOVE DEFAULT TO <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
        "PREFIX ex: <http://example.org/> INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_refused(update: str) -> None:
    with pytest.raises(UpdateRefused):
        check_query(update, known_graphs=OURS)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } } } }",
        "PREFIX e: <http://example.org/> ASK { OPTIONAL { sErViCe e:q { ?s ?p ?o } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?x ?y ?z MINUS { SERVICE <http://x/> { ?s ?p ?o } } }",
    ],
)
def test_service_refused_anywhere(query: str) -> None:
    with pytest.raises(ServiceRefused):
        check_query(query, known_graphs=OURS)


def test_from_and_from_named_must_be_our_graphs() -> None:
    ontology = next(iter(OURS))
    checked = check_query(
        f"SELECT * FROM <{ontology}> FROM NAMED <{ontology}> WHERE {{ ?s ?p ?o }}",
        known_graphs=OURS,
    )
    assert checked.from_graphs == (ontology,) and checked.from_named_graphs == (ontology,)
    for clause in ("FROM", "FROM NAMED"):
        with pytest.raises(UnknownGraph):
            check_query(
                f"SELECT * {clause} <http://evil.example/x.ttl> {{ ?s ?p ?o }}", known_graphs=OURS
            )


def test_from_resolved_against_base_and_prefixes() -> None:
    query = (
        "BASE <https://w3id.org/evidence-kg/id/> PREFIX g: <https://w3id.org/evidence-kg/id/graph/> "
        "SELECT * FROM g:ontology FROM <graph/ontology> WHERE { ?s ?p ?o }"
    )
    assert check_query(query, known_graphs=OURS).from_graphs == (next(iter(OURS)),) * 2


def test_from_resolved_against_the_given_base() -> None:
    """Without a BASE of its own, a relative FROM resolves against the endpoint's base IRI."""
    query = "SELECT * FROM <graph/ontology> WHERE { ?s ?p ?o }"
    checked = check_query(query, known_graphs=OURS, base_iri="https://w3id.org/evidence-kg/id/")
    assert checked.from_graphs == (next(iter(OURS)),)


def test_protocol_graphs_not_served_are_left_out_as_empty_graphs() -> None:
    """SPARQL 1.1 Protocol: a dataset may name any graph; one not held is empty (it was a 400)."""
    named = [*OURS, "http://elsewhere.example/g"]
    assert served_graphs(named, known_graphs=OURS, parameter="named-graph-uri") == tuple(OURS)
    assert served_graphs(["http://elsewhere.example/g"], known_graphs=OURS, parameter="p") == ()


@pytest.mark.parametrize("value", ["false", "0", "relative/graph", "http://a/ b", ""])
def test_protocol_graph_parameters_must_be_iris(value: str) -> None:
    with pytest.raises(QuerySyntaxError, match="default-graph-uri must be an absolute IRI"):
        served_graphs([value], known_graphs=OURS, parameter="default-graph-uri")


@pytest.mark.parametrize("text", ["", "   ", "SELEC * {}", "SELECT * WHERE { ?s ?p }"])
def test_malformed_queries_raise_with_the_parser_message(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        check_query(text, known_graphs=OURS)


def test_service_scan_ignores_strings_iris_comments_and_names() -> None:
    assert not mentions_service(
        "PREFIX service: <http://x/service> SELECT ?service WHERE { ?service ex:service "
        "'''SERVICE''' . <http://x/SERVICE> ?p \"service\" } # SERVICE <http://x/>"
    )
    assert mentions_service("SELECT * { SERVICE<http://x/>{ ?s ?p ?o } }")
