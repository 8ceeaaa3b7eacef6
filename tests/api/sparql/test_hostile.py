"""Hostile queries are refused or stopped within the limit, and the server keeps answering.

The server runs with a 1 s time limit and 2 workers over each backend (``server`` in
tests/api/conftest.py): whatever holds the data, a worker that outlives the limit is killed.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.backends import SPARQL_BACKENDS, Backend
from tests.servers import (
    KgServer,
    child_pids,
    is_alive,
    kg_server,
    wait_for_busy_worker,
    wait_for_idle_workers,
)

pytestmark = pytest.mark.backends(*SPARQL_BACKENDS)

LIMIT_SECONDS = 1.0
SLACK_SECONDS = 1.5
"""Time over the limit allowed for killing a worker and answering (loaded CI machines)."""

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATH = "SELECT * WHERE { ?s (<http://example.org/p>|!<http://example.org/p>)* ?o }"
SIMPLE = "ASK { ?s a <https://w3id.org/evidence-kg/ontology/Trial> }"


def _timed_get(server: KgServer, query: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(server.sparql_url, params={"query": query}, timeout=30)
    return response, time.monotonic() - started


def _answered_at(server: KgServer, query: str) -> tuple[httpx.Response, float, float]:
    """The response, how long it took, and when it came (``time.monotonic``)."""
    response, seconds = _timed_get(server, query)
    return response, seconds, time.monotonic()


def _baseline(server: KgServer) -> float:
    """The slowest of a few simple queries on the idle server: what "fast" means right now."""
    return max(_timed_get(server, SIMPLE)[1] for _ in range(3))


def _fast_enough(baseline: float) -> float:
    """A bound on a simple query's time while a hostile query holds the other worker: generous
    over the baseline (the hostile query takes a core), and at least half the limit, so a loaded
    machine does not fail it; still below what waiting for the hostile query's worker costs."""
    return max(5 * baseline, LIMIT_SECONDS / 2)


@pytest.fixture
def server(server: KgServer, backend: Backend) -> Iterator[KgServer]:
    """The shared server (tests/api/conftest.py) with both workers started and idle, and its
    remote store (if any) evaluating nothing, before and after each test.

    Regression: the hostile query of a test would find the pool one worker short while the
    worker killed by the test before was still being replaced (up to a second or more on a loaded
    machine), so that simple queries meant to find a free worker waited for it instead (failed
    twice under load); and the next module's first query could find no worker within the limit.
    A remote store goes on evaluating what a killed worker sent until its own limit (3 s, see
    tests/servers.py), and on two cores a simple query beside two runaway ones missed its bound
    (test_simple_query_answers_while_hostile_queries_run over Virtuoso, in full runs).
    """
    wait_for_idle_workers(server)
    backend.wait_until_quiet()
    yield server
    wait_for_idle_workers(server)
    backend.wait_until_quiet()


def test_service_to_another_address_refused(server: KgServer) -> None:
    """SERVICE is refused before evaluation: the target never sees a connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        for query in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{port}/> "
            "{ ?s ?p ?o } } }",
            f"PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ service r:q {{ ?s ?p ?o }} }}",
        ):
            response = httpx.get(server.sparql_url, params={"query": query})
            assert response.status_code == 403, response.text
            assert "SERVICE" in response.text
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_cartesian_product_stopped_within_limit(server: KgServer) -> None:
    """A three-way cross product of the whole graph hits the row cap or the time limit."""
    for query in (CARTESIAN, CARTESIAN_COUNT):
        response, seconds = _timed_get(server, query)
        assert response.status_code in (422, 503), response.text
        assert "max_result_rows" in response.text or "query_timeout_seconds" in response.text
        assert seconds < LIMIT_SECONDS + SLACK_SECONDS


def test_time_limit_names_the_limit(server: KgServer) -> None:
    response, seconds = _timed_get(server, CARTESIAN_COUNT)
    assert response.status_code == 503
    assert "time limit of 1 s" in response.text and "query_timeout_seconds" in response.text
    assert LIMIT_SECONDS <= seconds < LIMIT_SECONDS + SLACK_SECONDS


def test_negated_property_path_closure_stopped_within_limit(
    server: KgServer, backend: Backend
) -> None:
    """Answered, capped or stopped in time; Virtuoso 7.2.5's parser refuses the SPARQL 1.1 path
    ``(<p>|!<p>)*`` with a 400, which stops it too (a 400 from any other backend would mean a
    valid query refused)."""
    response, seconds = _timed_get(server, PATH)
    refused_by_store = {400} if backend.name == "sparql-virtuoso" else set()
    assert response.status_code in {200, 422, 503} | refused_by_store
    assert seconds < LIMIT_SECONDS + SLACK_SECONDS


def test_simple_query_answers_while_hostile_queries_run(server: KgServer) -> None:
    """With one worker busy on a runaway query, another client still gets answers fast: each of
    its queries is answered before the runaway one is stopped, about as fast as with the server
    idle (a bound relative to a baseline measured just before, not a fixed time, which a loaded
    machine missed)."""
    baseline = _baseline(server)
    with ThreadPoolExecutor(max_workers=1) as executor:
        hostile = executor.submit(_answered_at, server, CARTESIAN_COUNT)
        wait_for_busy_worker(server)  # the hostile query holds a worker
        answers: list[tuple[httpx.Response, float, float]] = []
        while not hostile.done() and len(answers) < 5:
            answers.append(_answered_at(server, SIMPLE))
        response, _, stopped_at = hostile.result()
    assert response.status_code == 503
    assert all(r.json() == {"head": {}, "boolean": True} for r, _, _ in answers)
    while_hostile = [seconds for _, seconds, at in answers if at < stopped_at]
    assert while_hostile, "no simple query was answered while the hostile query ran"
    assert max(while_hostile) < _fast_enough(baseline), (while_hostile, baseline)


def test_pool_recovers_after_timeouts(server: KgServer) -> None:
    """Killed workers are replaced: after two timeouts in a row both workers answer again."""
    for _ in range(2):
        assert _timed_get(server, CARTESIAN_COUNT)[0].status_code == 503
    wait_for_idle_workers(server)
    with ThreadPoolExecutor(max_workers=4) as executor:
        results = list(executor.map(lambda _: _timed_get(server, SIMPLE), range(8)))
    assert all(r.status_code == 200 for r, _ in results)
    assert len(child_pids(server.pid)) == 2


def test_workers_killed_on_timeout_and_stopped_with_server() -> None:
    """A timed-out worker is killed by pid and replaced; stopping the server leaves no worker.

    One backend (the default), by nature: this is about the server's own worker processes and
    their lifetime, which do not depend on the store (the parametrized tests above show that a
    timeout is enforced over every backend)."""
    with kg_server() as running:
        before = child_pids(running.pid)
        assert len(before) == 2
        assert _timed_get(running, CARTESIAN_COUNT)[0].status_code == 503
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(child_pids(running.pid) - before) < 1:
            time.sleep(0.05)
        after = child_pids(running.pid)
        assert len(after) == 2 and len(after & before) == 1
        assert not any(is_alive(pid) for pid in before - after)
    assert not any(is_alive(pid) for pid in before | after)


def test_concurrent_clients_each_get_their_own_answer(server: KgServer) -> None:
    barrier = threading.Barrier(6)

    def ask(n: int) -> int:
        barrier.wait()
        query = f"SELECT ({n} AS ?n) WHERE {{}}"
        response = httpx.get(server.sparql_url, params={"query": query}, timeout=10)
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    with ThreadPoolExecutor(max_workers=6) as executor:
        assert list(executor.map(ask, range(6))) == list(range(6))


def test_slow_parse_is_stopped_and_does_not_stall_others(server: KgServer) -> None:
    """Parsing runs in the killable worker: a 60 kB query that takes seconds to parse is stopped
    at the limit, and other clients are answered meanwhile."""
    huge = "SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(2900)) + " }"
    assert len(huge.encode()) < 64 * 1024

    def post_huge() -> tuple[httpx.Response, float, float]:
        started = time.monotonic()
        response = httpx.post(
            server.sparql_url,
            content=huge,
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
        return response, time.monotonic() - started, time.monotonic()

    baseline = _baseline(server)
    with ThreadPoolExecutor(max_workers=1) as executor:
        slow = executor.submit(post_huge)
        wait_for_busy_worker(server)  # the huge query is being parsed
        response, seconds, answered_at = _answered_at(server, SIMPLE)
        assert response.status_code == 200
        assert seconds < _fast_enough(baseline), (seconds, baseline)
        response, seconds, stopped_at = slow.result()
    assert answered_at < stopped_at, "the simple query waited for the huge one"
    assert response.status_code in (200, 503)
    assert seconds < LIMIT_SECONDS + SLACK_SECONDS


def test_workers_die_with_a_killed_server() -> None:
    """Even a server killed with SIGKILL (no lifespan shutdown) leaves no worker behind.

    One backend (the default), by nature: it kills the server it starts, so it cannot use the
    shared one, and worker lifetime does not depend on the store."""
    with kg_server() as running:
        workers = child_pids(running.pid)
        assert len(workers) == 2
        os.kill(running.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(is_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(is_alive(pid) for pid in workers)
