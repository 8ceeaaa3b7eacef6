"""Opening and closing the pyoxigraph backend: close() releases the store, read-only opens refuse
writes.

An on-disk store is locked by RocksDB until the last reference to its pyoxigraph Store goes;
reopening the same path in the same process is how a test sees whether close() let it go.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.store import SelectResult, Store, StoreError, select
from kg.stores.oxigraph import OxigraphStore, ReadOnlyOxigraphStore

G1 = URIRef("urn:test:g1")
G2 = URIRef("urn:test:g2")
P = URIRef("urn:test:p")
ALL = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o"
TRIPLE_TERM = "SELECT ?t WHERE { BIND(TRIPLE(<urn:test:a>, <urn:test:b>, <urn:test:c>) AS ?t) }"
"""A query whose answer rdflib cannot hold: converting its rows fails half-way through them."""


def _graph(*values: int) -> Graph:
    graph = Graph()
    for value in values:
        graph.add((URIRef(f"urn:test:s{value}"), P, Literal(value)))
    return graph


def _values(store: Store) -> list[int]:
    return [int(row["o"]) for row in select(store, ALL)]


@pytest.fixture
def no_gc() -> Iterator[None]:
    """No cyclic garbage collection during the test: only reference counts may free the store,
    so a test passes because close() dropped it, not because a collection happened to run."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def written(path: str) -> str:
    """An on-disk store holding two triples in G1, closed."""
    store = OxigraphStore(path)
    store.replace_graph(G1, _graph(1, 2))
    store.close()
    return path


def test_an_open_store_locks_its_path(path: str) -> None:
    """What the tests below rely on: a second open of a store open in this process fails."""
    store = OxigraphStore(path)
    with pytest.raises(StoreError, match="cannot open oxigraph store"):
        OxigraphStore(path)
    store.close()


@pytest.mark.usefixtures("no_gc")
def test_close_releases_the_store_so_the_same_path_reopens_at_once(path: str) -> None:
    """Regression: close() only flushed, and RocksDB's lock stayed until the object was
    garbage-collected, so reopening a store right after closing it failed in the same process
    (tests used to `del store; gc.collect()` first)."""
    store = OxigraphStore(path)
    store.replace_graph(G1, _graph(1, 2))
    assert _values(store) == [1, 2]
    store.close()

    reopened = OxigraphStore(path)
    assert _values(reopened) == [1, 2]
    reopened.replace_graph(G1, _graph(3))
    reopened.close()
    assert _values(again := OxigraphStore(path)) == [3]
    again.close()


@pytest.mark.usefixtures("no_gc")
def test_results_of_queries_do_not_keep_a_closed_store_open(written: str) -> None:
    """SELECT, ASK and CONSTRUCT answers are plain Python values: unlike pyoxigraph's own query
    results (even exhausted ones), keeping them does not keep the store, or its lock."""
    store = OxigraphStore(written)
    kept = [
        store.query(ALL),
        store.query("ASK { ?s ?p ?o }"),
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
        store.dataset(),
        store.graph_names(),
    ]
    store.close()

    reopened = OxigraphStore(written)
    reopened.close()
    rows = kept[0]
    assert isinstance(rows, SelectResult) and len(rows) == 2


@pytest.mark.usefixtures("no_gc")
def test_a_query_failing_half_way_does_not_keep_a_closed_store_open(written: str) -> None:
    """An error kept after it is caught (here by pytest.raises) keeps its traceback's frames
    and their locals, among them the half-read pyoxigraph results that hold the store."""
    store = OxigraphStore(written)
    with pytest.raises(StoreError, match="unsupported term") as failed:
        store.query(TRIPLE_TERM)
    store.close()

    reopened = OxigraphStore(written)
    reopened.close()
    assert failed.value is not None


@pytest.mark.usefixtures("no_gc")
def test_an_iterator_from_the_native_store_keeps_it_open_until_dropped(written: str) -> None:
    """pyoxigraph's behaviour that close() cannot change, as the docstring of OxigraphStore
    warns: what a caller takes from `native` holds the store, and its lock, until dropped."""
    store = OxigraphStore(written)
    pending = store.native.quads_for_pattern(None, None, None)
    store.close()
    with pytest.raises(StoreError, match="cannot open oxigraph store"):
        OxigraphStore(written)

    del pending
    OxigraphStore(written).close()


USES: dict[str, Callable[[OxigraphStore], object]] = {
    "query": lambda store: store.query(ALL),
    "replace_graph": lambda store: store.replace_graph(G2, _graph(9)),
    "drop_graph": lambda store: store.drop_graph(G1),
    "graph_names": lambda store: store.graph_names(),
    "dataset": lambda store: store.dataset(),
    "len": len,
    "hidden_graphs": lambda store: store.hidden_graphs(),
    "native": lambda store: store.native,
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
@pytest.mark.parametrize("on_disk", [True, False], ids=["on disk", "in memory"])
def test_use_after_close_is_a_store_error_saying_it_is_closed(
    use: Callable[[OxigraphStore], object], on_disk: bool, path: str
) -> None:
    store = OxigraphStore(path if on_disk else None)
    store.replace_graph(G1, _graph(1))
    store.close()
    with pytest.raises(StoreError, match=r"oxigraph store (at .*|in memory) is closed"):
        use(store)


def test_close_twice_is_harmless(path: str) -> None:
    store = OxigraphStore(path)
    store.close()
    store.close()


def test_read_only_reads_what_was_written(written: str) -> None:
    store = OxigraphStore.read_only(written)
    assert isinstance(store, ReadOnlyOxigraphStore) and isinstance(store, Store)
    assert _values(store) == [1, 2]
    assert store.graph_names() == [G1]
    assert len(store) == 2 and len(store.dataset()) == 2
    assert store.read_only_path == written
    store.close()


WRITES: dict[str, Callable[[OxigraphStore], object]] = {
    "replace_graph": lambda store: store.replace_graph(G2, _graph(9)),
    "drop_graph": lambda store: store.drop_graph(G1),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_read_only_refuses_writes_with_a_store_error(
    write: Callable[[OxigraphStore], object], written: str
) -> None:
    """Not pyoxigraph's RuntimeError ("Transaction are only possible on read-write instances"),
    which callers that handle StoreError would let through."""
    store = OxigraphStore.read_only(written)
    with pytest.raises(StoreError, match=r"at .*store is a read-only store"):
        write(store)
    assert _values(store) == [1, 2]
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.query(ALL)


def test_read_only_takes_no_lock(written: str) -> None:
    """What pyoxigraph allows, as the ReadOnlyOxigraphStore docstring says: several read-only
    opens of one store at once, and a writer opening beside them. (Not tested: reading beside a
    live writer, which pyoxigraph calls undefined and which fails now and then; serve snapshots,
    as kg.sparql.snapshot does.)"""
    reader = OxigraphStore.read_only(written)
    other_reader = OxigraphStore.read_only(written)
    assert _values(reader) == _values(other_reader) == [1, 2]

    writer = OxigraphStore(written)
    assert _values(writer) == [1, 2]
    for store in (writer, reader, other_reader):
        store.close()


def test_read_only_of_a_missing_store_is_a_store_error(tmp_path: Path) -> None:
    """A read-only open never creates a store."""
    missing = tmp_path / "missing"
    with pytest.raises(StoreError, match="read-only"):
        OxigraphStore.read_only(str(missing))
    assert not missing.exists()

