"""The store dump holds every graph queries see, and nothing else, in both embedded backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.build import GraphNames, build_store
from kg.dump import DumpUnavailable, dumped_graphs, store_nquads
from kg.settings import Settings
from kg.store import LOADING, STAGING_SEGMENT, Capabilities, Store
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph import OxigraphStore

BASE = "https://w3id.org/evidence-kg/id/"
TRICKY = Graph()
TRICKY.add(
    (
        URIRef(f"{BASE}test/tricky"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
        Literal('a "quoted"\nline\\ with é and a tab\t', lang="en"),
    )
)


@pytest.fixture(params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Store:
    """The curated build (with its catalog graph, in the on-disk store), plus a graph with a
    literal that needs escaping and a hidden stage."""
    spec = f"oxigraph:{tmp_path / 'store'}" if request.param == "oxigraph" else "memory"
    built = build_store(settings.with_overrides(store=spec))
    assert isinstance(built, OxigraphStore | MemoryStore)
    built.replace_graph(URIRef(f"{BASE}graph/test/tricky"), TRICKY)
    stage = URIRef(f"{BASE}{STAGING_SEGMENT.strip('/')}/abc")
    hidden = Graph()
    hidden.add((stage, URIRef(LOADING), URIRef(f"{BASE}graph/test/half-loaded")))
    built.replace_graph(stage, hidden)
    half = Graph()
    half.add((URIRef(f"{BASE}test/x"), URIRef(f"{BASE}test/p"), Literal("half")))
    built.replace_graph(URIRef(f"{BASE}graph/test/half-loaded"), half)
    return built


def parsed(dump: bytes) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=dump, format="nquads")
    return dataset


def test_the_dump_holds_every_served_graph_as_stored(store: Store) -> None:
    dump = b"".join(store_nquads(store, BASE))
    found = parsed(dump)
    graphs = dumped_graphs(store, BASE)
    assert URIRef(f"{BASE}graph/test/tricky") in graphs
    assert GraphNames(BASE).curated("dascern") in graphs
    everything = store.dataset()  # type: ignore[attr-defined]
    for name in graphs:
        assert isomorphic(found.graph(name), everything.graph(name)), name
    dumped = {str(g.identifier) for g in found.graphs() if len(g)}
    assert dumped == {str(g) for g in graphs}


def test_the_catalog_and_loads_in_progress_are_left_out(store: Store) -> None:
    names = {str(g) for g in dumped_graphs(store, BASE)}
    assert str(GraphNames(BASE).catalog) not in names
    assert not any(STAGING_SEGMENT in name for name in names)
    if isinstance(store, OxigraphStore):  # the marker hides the graph it names, as from queries
        assert f"{BASE}graph/test/half-loaded" not in names


def test_one_generation_gives_the_same_bytes(store: Store) -> None:
    assert b"".join(store_nquads(store, BASE)) == b"".join(store_nquads(store, BASE))


def test_a_remote_store_has_no_store_dump() -> None:
    class Remote:
        capabilities = Capabilities()

        def graph_names(self) -> list[URIRef]:
            return []

    with pytest.raises(DumpUnavailable, match="remote"):
        next(store_nquads(Remote(), BASE))  # type: ignore[arg-type]
