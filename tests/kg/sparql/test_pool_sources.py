"""Where query workers find the graph: a read-only checkpoint of an on-disk store, or the remote
endpoint of a remote store; the pool's guarantees hold for both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build import build_store, load_into
from kg.settings import Settings
from kg.sparql.pool import QueryTimeout, WorkerPool, start_pool
from kg.sparql.protocol import QueryRequest
from kg.sparql.snapshot import SNAPSHOT_INFIX, remove_stale_snapshots
from kg.store import LOADING, STAGING_SEGMENT, Store, open_store
from kg.stores.oxigraph import OxigraphStore
from tests.servers import OxigraphServer
from tests.servers import is_alive as _alive

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _count(pool: WorkerPool) -> int:
    response = pool.execute(QueryRequest(COUNT, "json", 50))
    assert response.status == "ok", response.message
    return int(json.loads(response.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def on_disk(tmp_path: Path, settings: Settings) -> Iterator[OxigraphStore]:
    store = build_store(settings.with_overrides(store=f"oxigraph:{tmp_path / 'store'}"))
    assert isinstance(store, OxigraphStore)
    yield store
    store.close()


def _snapshots(store_path: Path) -> list[Path]:
    return sorted(store_path.parent.glob(f".{store_path.name}{SNAPSHOT_INFIX}*"))


def test_on_disk_workers_read_a_checkpoint_not_a_copy(
    on_disk: OxigraphStore, settings: Settings
) -> None:
    store_path = Path(str(on_disk.path))
    pool = start_pool(on_disk, settings.with_overrides(sparql_workers=2))
    try:
        assert pool.setup.nquads is None and pool.setup.path is not None
        (snapshot,) = _snapshots(store_path)
        assert Path(pool.setup.path).is_relative_to(snapshot)
        assert _count(pool) == len(on_disk)
        # The writer keeps its store (and its lock); what it writes later is not in the snapshot,
        # as with the N-Quads copy the workers loaded before.
        on_disk.replace_graph(URIRef("urn:test:later"), Graph().add(
            (URIRef("urn:test:s"), URIRef("urn:test:p"), Literal(1))
        ))
        assert _count(pool) == len(on_disk) - 1
    finally:
        pool.close()
    assert _snapshots(store_path) == []


def test_on_disk_workers_keep_the_pool_guarantees(
    on_disk: OxigraphStore, settings: Settings
) -> None:
    pool = start_pool(
        on_disk,
        settings.with_overrides(query_timeout_seconds=0.5, sparql_workers=2, max_result_rows=50),
    )
    try:
        capped = pool.execute(QueryRequest("SELECT * { ?s ?p ?o }", "json", 50))
        assert capped.status == "too-large"
        before = set(pool.pids)
        with pytest.raises(QueryTimeout):
            pool.execute(QueryRequest(SLOW, "json", 50))
        deadline = time.monotonic() + 10
        while len(pool.pids) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        killed = before - set(pool.pids)
        assert len(killed) == 1 and not _alive(killed.pop())
        assert _count(pool) == len(on_disk)
        pids = pool.pids
    finally:
        pool.close()
    assert not any(_alive(pid) for pid in pids)


def test_a_load_in_progress_stays_hidden_from_on_disk_workers(
    on_disk: OxigraphStore, settings: Settings
) -> None:
    visible = len(on_disk)
    stage = URIRef(f"{settings.base_iri.rstrip('/')}{STAGING_SEGMENT}x")
    staged = Graph().add((URIRef("urn:s"), URIRef("urn:p"), Literal(1)))
    staged.add((stage, URIRef(LOADING), stage))  # every stage holds a marker
    on_disk.replace_graph(stage, staged)
    pool = start_pool(on_disk, settings.with_overrides(sparql_workers=1))
    try:
        assert _count(pool) == visible
    finally:
        pool.close()


def test_checkpoints_of_killed_servers_are_removed_at_the_next_start(
    on_disk: OxigraphStore,
) -> None:
    store_path = Path(str(on_disk.path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = store_path.parent / f".{store_path.name}{SNAPSHOT_INFIX}{dead.pid}-abc"
    mine = store_path.parent / f".{store_path.name}{SNAPSHOT_INFIX}{os.getpid()}-abc"
    stale.mkdir()
    mine.mkdir()
    assert remove_stale_snapshots(store_path) == [stale]
    assert not stale.exists() and mine.exists()


@pytest.fixture
def remote(remote_sparql: OxigraphServer, settings: Settings) -> Iterator[Store]:
    store = open_store(remote_sparql.store_spec)
    for name in store.graph_names():  # the server is shared: start from empty
        store.drop_graph(name)
    load_into(store, settings)
    yield store
    store.close()


def test_remote_workers_forward_queries_to_the_endpoint(
    remote: Store, settings: Settings, remote_sparql: OxigraphServer
) -> None:
    pool = start_pool(remote, settings.with_overrides(sparql_workers=1, max_result_rows=50))
    try:
        assert pool.setup.endpoint == remote_sparql.query_url and pool.setup.nquads is None
        assert _count(pool) == len(remote)
        ask = pool.execute(QueryRequest("ASK { ?s ?p ?o }", "json", 50))
        assert ask.status == "ok" and json.loads(ask.body)["boolean"] is True
        construct = pool.execute(
            QueryRequest("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "ntriples", 50)
        )
        assert construct.status == "ok" and construct.rows == 3
        assert pool.execute(QueryRequest("SELECT * { ?s ?p ?o }", "json", 50)).status == (
            "too-large"
        )
        graph = f"{settings.base_iri}graph/ontology"
        scoped = pool.execute(QueryRequest(COUNT, "json", 10_000, default_graphs=(graph,)))
        ontology = int(json.loads(scoped.body)["results"]["bindings"][0]["n"]["value"])
        assert 0 < ontology < len(remote)
        assert pool.execute(QueryRequest("SELECT ?x {", "json", 50)).status == "syntax"
    finally:
        pool.close()


def test_remote_workers_see_changes_at_once(remote: Store, settings: Settings) -> None:
    """No copy: a remote store's workers answer from the store as it is now."""
    pool = start_pool(remote, settings.with_overrides(sparql_workers=1))
    try:
        before = _count(pool)
        remote.replace_graph(URIRef("urn:test:new"), Graph().add(
            (URIRef("urn:test:s"), URIRef("urn:test:p"), Literal(1))
        ))
        assert _count(pool) == before + 1
    finally:
        pool.close()


def test_a_slow_remote_query_is_stopped_by_killing_its_worker(
    remote: Store, settings: Settings
) -> None:
    """The remote query itself is left to the endpoint's own limit; kept short here (about
    0.4 s of work for a 0.1 s limit) because the test server is shared."""
    pool = start_pool(remote, settings.with_overrides(query_timeout_seconds=0.1, sparql_workers=1))
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            pool.execute(QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }", "json", 50))
        assert time.monotonic() - started < 2
        assert pool.replacements == 1
    finally:
        pool.close()
