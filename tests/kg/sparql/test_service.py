"""VoID statistics count the knowledge graph's own graphs, not a SPARQL server's.

The Virtuoso backend runs the same test over a real server (tests/api/linked_data/
test_dereference.py::test_void_describes_the_dataset); this one runs everywhere, with a store
that says one of its graphs is the server's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.sparql.service import dataset_statistics
from kg.store import Store, open_store

OWN = URIRef("urn:test:graph/own")
SERVER = URIRef("urn:test:graph/server")


class ServerGraphs:
    """``store``, with ``names`` said to be the server's own graphs (as Virtuoso's are)."""

    def __init__(self, store: Store, names: frozenset[str]) -> None:
        self._store = store
        self._names = names

    def server_graphs(self) -> frozenset[str]:
        return self._names

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _graph(*triples: tuple[URIRef, URIRef, URIRef | Literal]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@pytest.fixture(params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    opened = open_store(request.param)
    trial, arm = URIRef("urn:test:trial"), URIRef("urn:test:arm")
    opened.replace_graph(
        OWN,
        _graph(
            (trial, RDF.type, URIRef("urn:test:Trial")),
            (trial, URIRef("urn:test:arm"), arm),
            (arm, RDF.type, URIRef("urn:test:Arm")),
        ),
    )
    opened.replace_graph(
        SERVER,
        _graph(
            (URIRef("urn:test:config"), RDF.type, URIRef("urn:test:ServerSetting")),
            (URIRef("urn:test:config"), URIRef("urn:test:port"), Literal(8890)),
        ),
    )
    try:
        yield opened
    finally:
        opened.close()


def test_statistics_leave_out_the_server_s_graphs(store: Store) -> None:
    everything = dataset_statistics(store)
    own = dataset_statistics(ServerGraphs(store, frozenset({str(SERVER)})))  # type: ignore[arg-type]
    assert (everything.triples, own.triples) == (5, 3)
    assert (everything.subjects, own.subjects) == (3, 2)
    assert own.graphs == ((str(OWN), 3),)
    assert {str(c) for c, _ in own.classes} == {"urn:test:Trial", "urn:test:Arm"}
    assert "urn:test:ServerSetting" in {str(c) for c, _ in everything.classes}
    assert {str(p) for p, _ in own.properties} == {str(RDF.type), "urn:test:arm"}


def test_a_store_without_server_graphs_counts_everything(store: Store) -> None:
    assert store.server_graphs() == frozenset()
    assert dataset_statistics(store).triples == len(store)
