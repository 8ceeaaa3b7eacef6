"""The rdflib backend's own guarantees beside the store seam's (tests/kg/test_store.py)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from kg.store import select
from kg.stores.memory import MemoryStore

G = URIRef("urn:test:g")


def _values(store: MemoryStore) -> list[int]:
    rows = select(store, "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o").rows
    return [int(row["o"]) for row in rows]


def test_a_graph_replaced_by_its_own_content_keeps_it() -> None:
    """replace_graph adds a foreign graph straight into the dataset, but copies one of the
    dataset's own first: dropping the old content would otherwise empty what it reads from."""
    store = MemoryStore()
    graph = Graph()
    for value in (1, 2):
        graph.add((URIRef(f"urn:test:s{value}"), URIRef("urn:test:p"), Literal(value)))
    store.replace_graph(G, graph)
    store.replace_graph(G, store._dataset.graph(G))
    assert _values(store) == [1, 2]
    store.replace_graph(G, Graph())
    assert _values(store) == []
