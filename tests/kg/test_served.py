"""One Served per data generation: what it keeps goes with it, and a new one is made when the
generation moves (a write or load seen by the periodic check), never per read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build import bump_generation, ensure_built, load_into
from kg.served import Serving
from kg.settings import Settings
from kg.store import Store, open_store
from tests.stores import RecordingStore


@pytest.fixture
def built(settings: Settings, tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    try:
        ensure_built(store, settings)
        yield store
    finally:
        store.close()


def test_statistics_are_counted_once_per_generation(built: Store, settings: Settings) -> None:
    """Repeated VoID requests do not rescan the store; a load (a new generation) does."""
    serving = Serving(built, settings.base_iri, check_seconds=0)
    first = serving.current
    assert first.statistics() is first.statistics() and first.statistics_counted == 1
    extra = URIRef(f"{settings.base_iri}graph/extra")
    built.replace_graph(extra, Graph().add((URIRef("urn:s"), URIRef("urn:p"), Literal(1))))
    assert serving.check() is False, "a write that records no generation is not seen (documented)"
    bump_generation(built, settings.base_iri)
    assert serving.check() is True
    second = serving.current
    assert second is not first and second.generation != first.generation
    assert second.statistics().triples == first.statistics().triples + 1
    assert (str(extra), 1) in second.statistics().graphs and str(extra) in second.graphs


def test_what_a_generation_keeps_goes_with_it(built: Store, settings: Settings) -> None:
    serving = Serving(built, settings.base_iri, check_seconds=0)
    kept = serving.current.kept("answers", dict)
    assert serving.current.kept("answers", dict) is kept
    serving.serve(built)  # what a write through this process does
    assert serving.current.kept("answers", dict) is not kept
    assert serving.replaced == 1


def test_nothing_is_kept_until_it_is_made(built: Store, settings: Settings) -> None:
    """A maker that has nothing yet (facets a builder has not completed) is asked again next
    time; once it made something, that is kept for the generation."""
    served = Serving(built, settings.base_iri, check_seconds=0).current
    asked: list[int] = []

    def once_ready() -> str | None:
        asked.append(1)
        return "facets" if len(asked) >= 2 else None

    assert served.kept("facets", once_ready) is None
    assert served.kept("facets", once_ready) == "facets"
    assert served.kept("facets", once_ready) == "facets"
    assert len(asked) == 2


def test_the_generation_is_read_at_each_check_not_at_each_read(
    built: Store, settings: Settings
) -> None:
    recording = RecordingStore(built)
    serving = Serving(recording, settings.base_iri, check_seconds=3600)  # type: ignore[arg-type]
    made = len(recording.calls)
    for _ in range(5):
        served = serving.current
        served.kept("answers", dict)
        assert served.graphs and served.generation is not None
    assert len(recording.calls) == made, "taking the current Served reads nothing"
    assert serving.check_due() is False
    assert serving.check() is False
    assert len(recording.calls) == made + 1, "a check is one small query"


def test_a_check_is_due_once_per_interval(built: Store, settings: Settings) -> None:
    serving = Serving(built, settings.base_iri, check_seconds=0.2)
    assert serving.check_due() is False
    time.sleep(0.25)
    assert serving.check_due() is True
    assert serving.check_due() is False, "one of the requests arriving together checks"


def test_a_store_without_generation_is_counted_once(settings: Settings) -> None:
    """The server built an in-memory store itself: only its own writes change it, and each
    makes a new Served."""
    store = open_store("oxigraph")
    load_into(store, settings)
    serving = Serving(store, settings.base_iri, check_seconds=0)
    served = serving.current
    assert served.generation is None
    assert served.statistics() is served.statistics() and served.statistics_counted == 1
    assert served.statistics().triples == len(store)
    assert serving.check() is False and serving.current is served
