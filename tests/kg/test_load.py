"""Bulk loading: whole or nothing, and invisible until done."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build import ensure_built, store_generation
from kg.load import LOAD_FORMATS, load_files, staging_prefix, sweep_stale_stages
from kg.settings import Settings
from kg.store import LOADING, StoreError, open_store, select
from kg.stores.oxigraph import BULK_FORMATS
from kg.synth import write_corpus

BASE = "https://w3id.org/evidence-kg/id/"
TARGET = URIRef(f"{BASE}graph/synthetic")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.nt"
    write_corpus(path, 5, seed=7, base_iri=BASE)
    return path


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_load_replaces_the_graph_whole(backend: str, corpus: Path, tmp_path: Path) -> None:
    store = open_store(backend)
    store.replace_graph(TARGET, Graph().add((URIRef("urn:old"), URIRef("urn:p"), Literal(1))))
    read: list[int] = []
    summary = load_files(
        store, [corpus], graph=TARGET, base_iri=BASE, max_bytes=10**8, progress=read.append
    )
    assert sum(read) == corpus.stat().st_size
    assert store.graph_names() == [TARGET]
    assert not store.query("ASK { <urn:old> ?p ?o }")
    assert len(store) == sum(1 for _ in corpus.open())
    assert summary.triples == len(store)


def test_broken_input_leaves_the_old_graph(tmp_path: Path, corpus: Path) -> None:
    """Bad input mid-file: nothing of it is visible and what was stored stays."""
    store = open_store("oxigraph")
    store.replace_graph(TARGET, Graph().add((URIRef("urn:old"), URIRef("urn:p"), Literal(1))))
    broken = tmp_path / "broken.nt"
    broken.write_text(corpus.read_text() + "<urn:a> <urn:b> this is not RDF .\n")
    with pytest.raises(StoreError, match="cannot load"):
        load_files(store, [broken], graph=TARGET, base_iri=BASE, max_bytes=10**8)
    assert store.graph_names() == [TARGET]
    assert store.query("ASK { <urn:old> ?p ?o }")


def test_interrupted_load_leaves_nothing(corpus: Path) -> None:
    """Ctrl-C during the load drops the stage; the stage was never visible to queries."""
    store = open_store("oxigraph")
    calls = 0

    def interrupt_midway(_: int) -> None:
        nonlocal calls
        calls += 1
        # While loading, queries do not see the stage.
        assert not select(store, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1").rows
        if calls > 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_files(
            store, [corpus], graph=TARGET, base_iri=BASE, max_bytes=10**8, progress=interrupt_midway
        )
    assert store.graph_names() == []


def test_stale_stages_are_swept() -> None:
    store = open_store("oxigraph")
    stale = URIRef(staging_prefix(BASE) + "killed")
    stage = Graph().add((URIRef("urn:s"), URIRef("urn:p"), Literal(1)))
    stage.add((stale, URIRef(LOADING), stale))  # every stage holds a marker (kg.stores.oxigraph)
    store.replace_graph(stale, stage)
    assert not store.query("ASK { <urn:s> ?p ?o }"), "a stage is invisible to queries"
    assert sweep_stale_stages(store, BASE) == [stale]
    assert store.graph_names() == []


def test_quad_formats_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.nq"
    path.write_text("<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    with pytest.raises(StoreError, match="N-Triples, Turtle or RDF/XML"):
        load_files(open_store("oxigraph"), [path], graph=TARGET, base_iri=BASE, max_bytes=10**8)


def test_killed_in_place_load_is_swept(corpus: Path) -> None:
    """A load killed mid-way (no chance to clean up) is hidden, then dropped by the next load."""
    import pyoxigraph as ox

    from kg.store import LOADING
    from kg.stores.oxigraph import OxigraphStore

    store = open_store("oxigraph")
    assert isinstance(store, OxigraphStore)
    stage = staging_prefix(BASE) + "killed"
    store.native.add(
        ox.Quad(
            ox.NamedNode(stage),
            ox.NamedNode(LOADING),
            ox.NamedNode(str(TARGET)),
            ox.NamedNode(stage),
        )
    )
    store.native.add(
        ox.Quad(
            ox.NamedNode("urn:half"),
            ox.NamedNode("urn:p"),
            ox.Literal("x"),
            ox.NamedNode(str(TARGET)),
        )
    )
    assert not store.query("ASK { <urn:half> ?p ?o }"), "a half-loaded graph is invisible"
    load_files(store, [corpus], graph=TARGET, base_iri=BASE, max_bytes=10**8)
    assert not store.query("ASK { <urn:half> ?p ?o }"), "and gone after the next load"
    assert store.graph_names() == [TARGET]


def test_a_load_moves_the_data_generation_of_a_built_store(corpus: Path, settings: Settings) -> None:
    """Caches keyed on the generation (GraphQL answers, VoID) must not outlive a load."""
    store = open_store("oxigraph")
    assert ensure_built(store, settings)
    before = store_generation(store, settings.base_iri)
    assert before is not None
    load_files(store, [corpus], graph=TARGET, base_iri=BASE, max_bytes=10**8)
    assert store_generation(store, settings.base_iri) not in (None, before)


def test_the_bulk_loader_reads_every_format_kg_load_takes() -> None:
    """kg.load checks a file's format before any backend sees it; the oxigraph bulk loader must
    read each one it lets through (and the in-memory path parses them all with rdflib)."""
    assert set(BULK_FORMATS) == set(LOAD_FORMATS)
