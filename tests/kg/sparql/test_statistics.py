"""Dataset statistics are counted once per data generation, never served stale."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.build import bump_generation, ensure_built, load_into
from kg.settings import Settings
from kg.sparql.statistics import StatisticsCache
from kg.store import open_store


def test_statistics_are_counted_once_per_generation(settings: Settings, tmp_path: Path) -> None:
    """Repeated VoID requests do not rescan the store; a load (a new generation) does."""
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    try:
        ensure_built(store, settings)
        cache = StatisticsCache(lambda: store, settings.base_iri)
        first = cache.get()
        assert cache.get() is first and cache.computed == 1
        extra = URIRef(f"{settings.base_iri}graph/extra")
        store.replace_graph(extra, Graph().add((URIRef("urn:s"), URIRef("urn:p"), Literal(1))))
        assert cache.get() is first, "a write that records no generation is not seen (documented)"
        bump_generation(store, settings.base_iri)
        second = cache.get()
        assert cache.computed == 2
        assert second.triples == first.triples + 1
        assert (str(extra), 1) in second.graphs
    finally:
        store.close()


def test_a_store_without_generation_is_counted_once(settings: Settings) -> None:
    """The server built an in-memory store itself: nothing changes it under the server."""
    store = open_store("oxigraph")
    load_into(store, settings)
    cache = StatisticsCache(lambda: store, settings.base_iri)
    assert cache.get() is cache.get() and cache.computed == 1
    assert cache.get().triples == len(store)
