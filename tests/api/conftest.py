"""Every API test runs against every store backend: one session-scoped, parametrized ``backend``.

Why session scope: pytest then orders the tests backend by backend, so each backend's servers
and built stores are made once per test session (once per ``pytest -n`` worker) and shared by
the GraphQL, SPARQL and linked-data tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.settings import Settings
from kg.store import Store
from tests.backends import BACKENDS, Backend, Backends
from tests.servers import KgServer, kg_server

VIRTUOSO_KNOWN: dict[str, str] = {
    "test_reports_point_to_their_publications": (
        "Virtuoso 7.2.5 keeps an xsd:duration as a number of months: 'P60M' reads back as '60'"
    ),
}
"""Tests known to fail over Virtuoso, and why: each is an expected failure (strict), so that the
day its cause is fixed the test says so."""

VIRTUOSO_UNSTEADY: dict[str, str] = {
    "test_simple_query_answers_while_hostile_queries_run": (
        "Virtuoso goes on evaluating the test's own hostile query after the API has killed the "
        "worker that sent it (an abandoned cross-product COUNT ran 75 s, far past its "
        "MaxQueryExecutionTime), so on two cores shared with the other test worker the simple "
        "queries run beside it and may miss their bound (0.86 s against 0.80 s in a full run at "
        "load 6); it passes on a quiet machine, so the mark is not strict"
    ),
}
"""Tests that may fail over Virtuoso for want of CPU, and why (what earlier tests left running
is stopped by test_hostile's fixture; this is what the test itself starts)."""

REMOTE_BACKENDS = frozenset({"sparql-oxigraph", "sparql-virtuoso"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks the known Virtuoso failures, and keeps a module marked ``backends(...)`` to them."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec is not None else None
        only = item.get_closest_marker("backends")
        if backend is not None and only is not None and backend not in only.args:
            dropped.append(item)
            continue
        kept.append(item)
        if backend not in REMOTE_BACKENDS:
            continue
        name = getattr(item, "originalname", item.name)
        if backend == "sparql-virtuoso" and name in VIRTUOSO_KNOWN:
            item.add_marker(pytest.mark.xfail(strict=True, reason=VIRTUOSO_KNOWN[name]))
        elif backend == "sparql-virtuoso" and name in VIRTUOSO_UNSTEADY:
            item.add_marker(pytest.mark.xfail(strict=False, reason=VIRTUOSO_UNSTEADY[name]))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, backends: Backends) -> Backend:
    return backends.get(str(request.param))


@pytest.fixture(scope="session")
def built(settings: Settings, backend: Backend) -> Iterator[tuple[Settings, Store]]:
    """The DASCERN knowledge graph built into the backend, and settings that name it."""
    with backend.built(settings) as pair:
        yield pair


@pytest.fixture(scope="session")
def store(built: tuple[Settings, Store]) -> Store:
    """The DASCERN knowledge graph (curated + derived) in the backend under test."""
    return built[1]


@pytest.fixture(scope="session")
def backend_settings(built: tuple[Settings, Store]) -> Settings:
    """Default settings with ``store`` naming the backend under test (an app reads its kind)."""
    return built[0]


@pytest.fixture(scope="session")
def server(backend: Backend) -> Iterator[KgServer]:
    """``kg serve`` (uvicorn) over the backend: 1 s time limit, 2 SPARQL workers; one per
    backend for the whole session (its workers killed on timeout are replaced).

    Its own spec: an on-disk store is opened by one process at a time, and a remote one is
    shared with the in-process ``store`` (both hold the same build).
    """
    with backend.spec() as spec, kg_server({"KG_STORE": spec}) as running:
        yield running
