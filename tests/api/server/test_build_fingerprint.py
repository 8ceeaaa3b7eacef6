"""A persistent store is built once per set of inputs: restarts skip the build, changes redo it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build import (
    GraphNames,
    build_fingerprint,
    build_store,
    bump_generation,
    ensure_built,
    read_catalog,
)
from kg.parse import InputError
from kg.settings import Settings
from kg.store import Store, open_store
from kg.stores.oxigraph import OxigraphStore

MARK = (URIRef("urn:test:s"), URIRef("urn:test:p"), Literal("kept"))


@pytest.fixture
def inputs(tmp_path: Path, settings: Settings) -> Settings:
    """Settings whose curated data is a private copy this test may edit."""
    data = tmp_path / "data"
    data.mkdir()
    for path in settings.curated_paths:
        shutil.copy(path, data / path.name)
    return settings.with_overrides(data_dir=data, store=f"oxigraph:{tmp_path / 'store'}")


def _marked(store: Store, names: GraphNames) -> bool:
    return bool(store.query(f"ASK {{ GRAPH <{names.derived}> {{ <{MARK[0]}> <{MARK[1]}> ?o }} }}"))


def _mark_derived(store: Store, names: GraphNames) -> None:
    """Add a triple no build writes: it survives exactly when the build is skipped."""
    assert isinstance(store, OxigraphStore)
    store.native.update(
        f'INSERT DATA {{ GRAPH <{names.derived}> {{ <{MARK[0]}> <{MARK[1]}> "kept" }} }}'
    )


def test_a_restart_on_unchanged_inputs_skips_the_build(inputs: Settings) -> None:
    names = GraphNames(inputs.base_iri)
    store = build_store(inputs)
    try:
        record = read_catalog(store, inputs.base_iri)
        assert record.fingerprint == build_fingerprint(inputs) and record.generation
        _mark_derived(store, names)
        assert ensure_built(store, inputs) is False
        assert _marked(store, names)
        assert read_catalog(store, inputs.base_iri).generation == record.generation
    finally:
        store.close()
    reopened = build_store(inputs)  # as a restarted server opens it
    try:
        assert _marked(reopened, names)
    finally:
        reopened.close()


def test_a_changed_input_file_rebuilds_and_changes_the_generation(inputs: Settings) -> None:
    names = GraphNames(inputs.base_iri)
    store = build_store(inputs)
    try:
        before = read_catalog(store, inputs.base_iri)
        _mark_derived(store, names)
        (path,) = inputs.curated_paths
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert build_fingerprint(inputs) != before.fingerprint
        assert ensure_built(store, inputs) is True
        assert not _marked(store, names)
        after = read_catalog(store, inputs.base_iri)
        assert after.fingerprint == build_fingerprint(inputs)
        assert after.generation and after.generation != before.generation
    finally:
        store.close()


def test_a_removed_input_file_drops_its_graph(inputs: Settings) -> None:
    (path,) = inputs.curated_paths
    extra = path.with_name("extra.ttl")
    extra.write_text("<urn:test:a> <urn:test:b> <urn:test:c> .\n", encoding="utf-8")
    names = GraphNames(inputs.base_iri)
    store = build_store(inputs)
    try:
        assert names.curated("extra") in store.graph_names()
        extra.unlink()
        assert ensure_built(store, inputs) is True
        assert names.curated("extra") not in store.graph_names()
        assert names.curated(path.stem) in store.graph_names()
    finally:
        store.close()


def test_another_base_iri_rebuilds(inputs: Settings) -> None:
    store = build_store(inputs)
    try:
        other = inputs.with_overrides(base_iri="https://example.org/kg/")
        assert build_fingerprint(other) != build_fingerprint(inputs)
        assert ensure_built(store, other) is True
        assert GraphNames(other.base_iri).derived in store.graph_names()
    finally:
        store.close()


def test_an_interrupted_build_leaves_no_fingerprint_and_is_redone(
    inputs: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = GraphNames(inputs.base_iri)
    store = open_store(inputs.store)
    real_replace = store.replace_graph

    def failing(name: URIRef, graph: Graph) -> None:
        if name == names.derived:
            raise KeyboardInterrupt
        real_replace(name, graph)

    monkeypatch.setattr(store, "replace_graph", failing)
    try:
        with pytest.raises(KeyboardInterrupt):
            ensure_built(store, inputs)
        assert read_catalog(store, inputs.base_iri).fingerprint is None
        monkeypatch.setattr(store, "replace_graph", real_replace)
        assert ensure_built(store, inputs) is True
        assert names.derived in store.graph_names()
    finally:
        store.close()


def test_a_bad_input_fails_before_anything_is_written(inputs: Settings) -> None:
    store = build_store(inputs)
    try:
        before = read_catalog(store, inputs.base_iri)
        (path,) = inputs.curated_paths
        path.write_text("this is not turtle <", encoding="utf-8")
        with pytest.raises(InputError, match=path.name):
            ensure_built(store, inputs)
        assert read_catalog(store, inputs.base_iri) == before
        assert GraphNames(inputs.base_iri).derived in store.graph_names()
    finally:
        store.close()


def test_in_memory_stores_are_always_built_and_keep_no_catalog(settings: Settings) -> None:
    store = build_store(settings.with_overrides(store="oxigraph"))
    assert read_catalog(store, settings.base_iri).fingerprint is None
    assert GraphNames(settings.base_iri).catalog not in store.graph_names()
    assert len(store) > 0


def test_bump_generation_keeps_the_fingerprint(inputs: Settings) -> None:
    store = build_store(inputs)
    try:
        before = read_catalog(store, inputs.base_iri)
        generation = bump_generation(store, inputs.base_iri)
        after = read_catalog(store, inputs.base_iri)
        assert after.fingerprint == before.fingerprint
        assert generation == after.generation != before.generation
        assert bump_generation(open_store("oxigraph"), inputs.base_iri) is None
    finally:
        store.close()
