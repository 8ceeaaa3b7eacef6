"""The store seam: every backend answers the same way (parametrized over backends)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, Literal, URIRef

from kg.readmodel import listing, read
from kg.store import (
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
    is_key_bounded,
    open_store,
    runs_inline,
    select,
)
from kg.stores.oxigraph import OxigraphStore
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


# --- where reads may run ------------------------------------------------------------------------


def _store_reads(module: ModuleType) -> list[Callable[..., object]]:
    """The public functions of ``module`` that take a store first: its reads."""
    return [
        function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_")
        and function.__module__ == module.__name__
        and (parameters := list(inspect.signature(function).parameters.values()))
        and parameters[0].annotation in ("Store", Store)
    ]


@pytest.mark.parametrize("module", [read, listing], ids=lambda m: m.__name__)
def test_every_read_of_the_read_model_declares_its_cost(module: ModuleType) -> None:
    """Whether a read may run on a server's event loop is decided from its declaration, so every
    read says which kind it is: one forgotten would silently run in a thread (safe but slower),
    and a scan declared key-bounded would stall every client, so the scans are listed here."""
    reads = _store_reads(module)
    assert reads, f"no reads found in {module.__name__}"
    passthrough = {"lexical_rows"}  # runs the caller's query: its cost is the caller's read's
    undeclared = [
        f.__name__
        for f in reads
        if not hasattr(f, "__kg_key_bounded__") and f.__name__ not in passthrough
    ]
    assert not undeclared, f"declare with @key_bounded or @grows_with_data: {undeclared}"
    scans = {
        "find_trial", "search_trial", "find_drugs", "find_drug", "find_conditions",
        "find_phases", "list_drugs", "find_publication", "read_drug_trials",
    }
    for function in reads:
        if function.__name__ in scans or module is listing:
            assert not is_key_bounded(function), function.__name__


def test_only_key_bounded_reads_of_an_in_process_store_run_inline(store: Store) -> None:
    """The rule the GraphQL context applies to every read (kg.store.runs_inline)."""
    inline = store.capabilities.inline_reads
    assert inline == isinstance(store, OxigraphStore)  # the one backend that may
    assert runs_inline(store, read.read_trials) is inline
    assert runs_inline(store, read.find_trial_exactly) is inline
    assert runs_inline(store, read.search_trial) is False
    assert runs_inline(store, listing.page) is False
    assert runs_inline(store, lambda s: None) is False  # undeclared: as if it grew with the data
