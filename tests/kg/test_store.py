"""The store seam: every backend answers the same way (parametrized over backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.store import QuerySyntaxError, SelectResult, Store, StoreError, open_store, select
from tests.servers import OxigraphServer

G1 = URIRef("urn:test:g1")
G2 = URIRef("urn:test:g2")


def _graph(*values: int) -> Graph:
    graph = Graph()
    for value in values:
        graph.add((URIRef(f"urn:test:s{value}"), URIRef("urn:test:p"), Literal(value)))
    return graph


@pytest.fixture(params=["memory", "oxigraph", "oxigraph-disk", "sparql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sparql":
        server: OxigraphServer = request.getfixturevalue("remote_sparql")
        spec = server.store_spec
    else:
        spec = {"oxigraph-disk": f"oxigraph:{tmp_path / 'db'}"}.get(request.param, request.param)
    opened = open_store(spec)
    for name in opened.graph_names():  # the remote server is shared: start each test empty
        opened.drop_graph(name)
    yield opened
    opened.close()


def test_store_satisfies_protocol(store: Store) -> None:
    assert isinstance(store, Store)


def test_queries_see_the_union_of_named_graphs(store: Store) -> None:
    store.replace_graph(G1, _graph(1, 2))
    store.replace_graph(G2, _graph(3))
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o")
    assert [row["o"].toPython() for row in rows] == [1, 2, 3]  # type: ignore[attr-defined]
    assert store.graph_names() == [G1, G2]
    assert len(store) == 3


def test_replace_graph_replaces_only_that_graph(store: Store) -> None:
    store.replace_graph(G1, _graph(1, 2))
    store.replace_graph(G2, _graph(3))
    store.replace_graph(G1, _graph(4))
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o")
    assert [row["o"].toPython() for row in rows] == [3, 4]  # type: ignore[attr-defined]


def test_drop_graph(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    store.drop_graph(G1)
    store.drop_graph(G1)  # dropping twice is not an error
    assert len(store) == 0


def test_query_forms(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    assert store.query("ASK { ?s ?p 1 }") is True
    constructed = store.query("CONSTRUCT { ?s <urn:test:q> ?o } WHERE { ?s ?p ?o }")
    assert isinstance(constructed, Graph) and len(constructed) == 1
    result = store.query("SELECT ?s ?missing WHERE { ?s ?p ?o OPTIONAL { ?s <urn:x> ?missing } }")
    assert isinstance(result, SelectResult)
    assert result.variables == ("s", "missing")
    assert result.rows == [{"s": URIRef("urn:test:s1")}]  # unbound variables are absent


def test_malformed_query_raises_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_select_refuses_other_query_forms(store: Store) -> None:
    with pytest.raises(StoreError, match="SELECT"):
        select(store, "ASK { ?s ?p ?o }")


def test_dataset_copy_keeps_graph_names(store: Store) -> None:
    store.replace_graph(G1, _graph(1))
    dataset = store.dataset()
    assert {URIRef(str(g.identifier)) for g in dataset.graphs() if len(g)} == {G1}


def test_plain_and_typed_literals_round_trip(store: Store) -> None:
    graph = Graph()
    s, p = URIRef("urn:test:s"), URIRef("urn:test:p")
    for value in (
        Literal("plain"),
        Literal("fr", lang="fr"),
        Literal("0.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
    ):
        graph.add((s, p, value))
    store.replace_graph(G1, graph)
    rows = select(store, "SELECT ?o WHERE { ?s ?p ?o }")
    assert {row["o"] for row in rows} == set(graph.objects(s, p))


def test_on_disk_store_persists_across_reopen(tmp_path: Path) -> None:
    """Restarting the server on an oxigraph:PATH store loses nothing."""
    spec = f"oxigraph:{tmp_path / 'db'}"
    first = open_store(spec)
    first.replace_graph(G1, _graph(1, 2))
    first.close()
    del first
    reopened = open_store(spec)
    assert len(reopened) == 2


def test_on_disk_store_creates_missing_parent_folders(tmp_path: Path) -> None:
    """Regression: `kg serve` defaults to oxigraph:var/store, and var/ did not exist."""
    store = open_store(f"oxigraph:{tmp_path / 'var' / 'nested' / 'store'}")
    store.replace_graph(G1, _graph(1))
    assert len(store) == 1


def test_unknown_store_spec_is_refused() -> None:
    with pytest.raises(StoreError, match="unknown store"):
        open_store("postgres://nowhere")


def test_read_only_remote_store_refuses_writes(remote_sparql: OxigraphServer) -> None:
    store = open_store(f"sparql:{remote_sparql.query_url}")
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graph(G1, _graph(1))


def test_unreachable_remote_store_says_where() -> None:
    from tests.servers import free_port

    store = open_store(f"sparql:http://127.0.0.1:{free_port()}/query")
    with pytest.raises(StoreError, match="unreachable"):
        store.query("ASK {}")
