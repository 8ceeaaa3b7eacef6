"""The store backends the API tests run against, and where each finds an empty store.

Why a pool of servers: a test session (one per ``pytest -n`` worker) starts each kind of remote
server once and hands its dataset from fixture to fixture. A fixture asks for a dataset by *key*
(``"dascern"`` for the curated knowledge graph, another key for data of its own): a server that
already holds that key is handed over as it is, and a server holding something else is emptied
first. Readers of the same key share one server; a fixture that writes other data gets a server
of its own, started if none is idle, so fixtures alive at once never see each other's graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.build import build_store
from kg.settings import Settings
from kg.store import Store, open_store
from tests.servers import (
    oxigraph_server,
    virtuoso_binaries,
    virtuoso_server,
    wait_until_quiet,
)

BACKENDS = ("oxigraph-disk", "memory", "sparql-oxigraph", "sparql-virtuoso")
"""The API tests' backends: embedded oxigraph on disk (as ``kg serve`` runs), rdflib in memory,
and the remote SPARQL backend over a real ``oxigraph serve`` and a real Virtuoso on loopback.
Embedded oxigraph in memory (``oxigraph``, also available by name) is not among them: it is the
same class and code path as on disk, and every test that builds an app without naming a store
runs on it."""

SPARQL_BACKENDS = ("oxigraph-disk", "sparql-oxigraph", "sparql-virtuoso")
"""Where /sparql's own tests run: the three ways its workers evaluate a query (an on-disk
checkpoint, a remote oxigraph, a remote Virtuoso). Over rdflib in memory the workers evaluate
an N-Quads copy in oxigraph (``kg.sparql.pool.worker_setup``), as for the embedded store."""

LAYER_BACKENDS = ("oxigraph-disk", "sparql-oxigraph")
"""Where tests of the HTTP and GraphQL layers run (``pytest.mark.backends``): one embedded and
one remote store, the two code paths a request takes; what a store answers is tested on all."""

DASCERN = "dascern"
"""The key of the curated knowledge graph, as ``kg.build.build_store`` makes it."""


def _nothing_to_stop() -> None:
    """``oxigraph serve`` stops an abandoned query itself (``--timeout-s``, tests/servers.py)."""


@dataclass(frozen=True)
class RemoteServer:
    """A running remote store: its spec, its process, and how to stop what it evaluates."""

    spec: str
    pid: int
    stop_queries: Callable[[], None] = _nothing_to_stop


@dataclass
class _Lease:
    server: RemoteServer
    key: str
    readers: int = 0

    @property
    def spec(self) -> str:
        return self.server.spec


@dataclass
class RemoteServers:
    """Running servers of one kind, each holding one dataset at a time."""

    start: Callable[[Path], AbstractContextManager[RemoteServer]]
    """Starts a server in a folder and yields it."""
    folders: pytest.TempPathFactory
    stack: ExitStack
    leases: list[_Lease] = field(default_factory=list)

    @contextmanager
    def dataset(self, key: str) -> Iterator[str]:
        """The spec of a server holding ``key``'s data, or emptied for it, for the block."""
        lease = next((x for x in self.leases if x.key == key and x.readers), None)
        lease = lease or next((x for x in self.leases if x.key == key), None)
        lease = lease or next((x for x in self.leases if not x.readers), None)
        if lease is None:
            lease = _Lease(self.stack.enter_context(self.start(self.folders.mktemp("server"))), key)
            self.leases.append(lease)
        elif lease.key != key:
            _empty(lease.spec)
            lease.key = key
        lease.readers += 1
        try:
            yield lease.spec
        finally:
            lease.readers -= 1

    def wait_until_quiet(self) -> None:
        """Stop what servers of this kind still evaluate, and wait until they use no CPU."""
        for lease in self.leases:
            lease.server.stop_queries()
            wait_until_quiet(lease.server.pid)


def _empty(spec: str) -> None:
    store = open_store(spec)
    try:
        for name in store.graph_names():
            store.drop_graph(name)
    finally:
        store.close()


@contextmanager
def _oxigraph_spec(folder: Path) -> Iterator[RemoteServer]:
    with oxigraph_server(folder) as server:
        yield RemoteServer(server.full_store_spec, server.pid)


@contextmanager
def _virtuoso_spec(folder: Path) -> Iterator[RemoteServer]:
    with virtuoso_server(folder) as server:
        yield RemoteServer(server.store_spec, server.pid, server.stop_queries)


@dataclass
class Backend:
    """One backend of :data:`BACKENDS`, and where it finds a store."""

    name: str
    folders: pytest.TempPathFactory
    servers: RemoteServers | None = None

    @contextmanager
    def spec(self, key: str = DASCERN) -> Iterator[str]:
        """A store spec for ``key``'s data that no other holder of another key uses meanwhile.

        Embedded stores in memory are new at every open; on disk, each spec is a new folder (a
        RocksDB store is opened by one process at a time); remote, see :class:`RemoteServers`.
        """
        if self.servers is not None:
            with self.servers.dataset(key) as spec:
                yield spec
        elif self.name == "oxigraph-disk":
            yield f"oxigraph:{self.folders.mktemp('store') / 'store'}"
        else:
            yield self.name

    def wait_until_quiet(self) -> None:
        """Stop what this backend's remote servers, if any, still evaluate, and wait until they
        use no CPU: what a killed client sent runs on there (see :class:`RemoteServer`)."""
        if self.servers is not None:
            self.servers.wait_until_quiet()

    @contextmanager
    def built(self, settings: Settings, key: str = DASCERN) -> Iterator[tuple[Settings, Store]]:
        """``settings`` pointed at this backend, and a store built from them (``build_store``)."""
        with self.spec(key) as spec:
            configured = settings.with_overrides(store=spec)
            store = build_store(configured)
            try:
                yield configured, store
            finally:
                store.close()


@dataclass
class Backends:
    """Every backend of one test session, remote servers started at first use."""

    folders: pytest.TempPathFactory
    stack: ExitStack
    remote: dict[str, RemoteServers] = field(default_factory=dict)

    def get(self, name: str) -> Backend:
        """The backend ``name``; skips the test (saying why) when its server is not installed, or
        fails it under ``CI=true`` (tests/programs.py)."""
        if name == "sparql-virtuoso":
            virtuoso_binaries()
        if name.startswith("sparql-") and name not in self.remote:
            start = _virtuoso_spec if name == "sparql-virtuoso" else _oxigraph_spec
            self.remote[name] = RemoteServers(start, self.folders, self.stack)
        return Backend(name, self.folders, self.remote.get(name))
