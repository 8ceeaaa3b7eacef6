"""Worker pool: answers, row cap, timeout kills by pid and replaces, close leaves no process."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pytest

from kg.build import load_into
from kg.settings import Settings
from kg.sparql.pool import QueryTimeout, WorkerFailed, WorkerPool, start_pool
from kg.sparql.protocol import CheckRequest, QueryRequest
from kg.store import Store, open_store
from tests.servers import is_alive as _alive


@pytest.fixture(scope="module")
def store(settings: Settings) -> Store:
    return load_into(open_store("oxigraph"), settings)


@pytest.fixture
def pool(store: Store, settings: Settings) -> Iterator[WorkerPool]:
    running = start_pool(
        store,
        settings.with_overrides(query_timeout_seconds=0.5, sparql_workers=2, max_result_rows=50),
    )
    yield running
    running.close()


def test_answers_from_a_snapshot_of_the_store(pool: WorkerPool, store: Store) -> None:
    response = pool.execute(QueryRequest("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "json", 50))
    assert response.status == "ok"
    count = json.loads(response.body)["results"]["bindings"][0]["n"]["value"]
    assert int(count) == len(store)


def test_row_cap(pool: WorkerPool) -> None:
    response = pool.execute(QueryRequest("SELECT * { ?s ?p ?o }", "json", 50))
    assert response.status == "too-large" and "50" in response.message


def test_timeout_kills_the_worker_by_pid_and_replaces_it(pool: WorkerPool) -> None:
    before = set(pool.pids)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="0.5 s"):
        pool.execute(
            QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "json", 50)
        )
    assert time.monotonic() - started < 1.5
    deadline = time.monotonic() + 10
    while len(pool.pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    after = set(pool.pids)
    assert len(after) == 2 and len(before - after) == 1 and pool.replacements == 1
    assert not _alive((before - after).pop())
    assert pool.execute(QueryRequest("ASK {}", "json", 50)).status == "ok"


def test_a_worker_that_dies_is_reported_with_its_likely_cause(pool: WorkerPool) -> None:
    """A worker over its memory cap aborts (the allocator's SIGABRT); the client used to read
    only ``EOFError()``. It now learns the signal and the cap, and the pool replaces the worker."""
    with pool.session() as session:
        os.kill(session.worker.process.pid, signal.SIGABRT)
        session.worker.process.wait(timeout=10)
        with pytest.raises(WorkerFailed, match=r"SIGABRT.*4 GB of memory"):
            session.ask(QueryRequest("ASK {}", "json", 50))
    assert pool.execute(QueryRequest("ASK {}", "json", 50)).status == "ok"


def test_close_stops_every_worker(store: Store, settings: Settings) -> None:
    running = start_pool(store, settings)
    pids = running.pids
    assert pids and all(_alive(pid) for pid in pids)
    running.close()
    assert not any(_alive(pid) for pid in pids)
    running.close()  # idempotent


def test_queries_are_checked_in_the_worker(pool: WorkerPool) -> None:
    answers = {
        text: pool.execute(CheckRequest(text, frozenset()))
        for text in ("ASK {}", "DROP ALL", "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "SELEC")
    }
    assert [a.status for a in answers.values()] == ["ok", "update", "service", "syntax"]
    nested = pool.execute(CheckRequest("SELECT * WHERE " + "{" * 600 + "}" * 600, frozenset()))
    assert nested.status == "syntax" and "nested too deeply" in nested.message
