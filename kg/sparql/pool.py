"""A pool of query worker processes, each killable when its query runs over the time limit.

Why processes and not threads: neither pyoxigraph nor rdflib can cancel a query once started, and
a thread cannot be killed; a process can. Each worker (:mod:`kg.sparql.worker`) opens its own
view of the graph as it was when the pool started, so killing one loses nothing: an on-disk store
through a read-only checkpoint (:mod:`kg.sparql.snapshot`; start-up does not grow with the store),
an in-memory store as a copy loaded from an N-Quads snapshot, a remote store by forwarding each
query to its endpoint (killing the worker drops the request). A worker is started with
``python -m`` rather than ``multiprocessing`` so that it never re-imports the server's
``__main__`` and is ready in a fraction of a second.

Workers are started and replaced by one long-lived thread of the pool: each worker asks Linux to
kill it when the thread that started it ends, so the workers die with the pool even if the
server itself is killed without a chance to clean up.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from kg.settings import Settings
from kg.sparql.protocol import (
    HEADER,
    CheckRequest,
    CheckResponse,
    QueryRequest,
    QueryResponse,
    WorkerSetup,
)
from kg.sparql.worker import MEMORY_LIMIT_BYTES
from kg.store import Checkpoint, Store
from kg.vocab import PREFIXES

_PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class PoolError(Exception):
    """A query could not be answered by the pool; subclasses say why."""


class QueryTimeout(PoolError):
    """The query ran over the time limit; its worker was killed and replaced."""


class PoolBusy(PoolError):
    """Every worker stayed busy for the whole time limit."""


class WorkerFailed(PoolError):
    """A worker died while evaluating (for example over its memory cap)."""


@dataclass
class Worker:
    """One worker process and the pipes to it."""

    process: subprocess.Popen[bytes]
    generation: int = 0
    """Which view of the graph it opened (:meth:`WorkerPool.reopen` moves the pool's)."""

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, message: object) -> None:
        assert self.process.stdin is not None
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(HEADER.pack(len(payload)) + payload)
        self.process.stdin.flush()

    def receive(self, deadline: float) -> QueryResponse | CheckResponse:
        """Read one message, raising TimeoutError if it has not fully arrived by ``deadline``."""
        header = self._read_exact(HEADER.size, deadline)
        (size,) = HEADER.unpack(header)
        message = pickle.loads(self._read_exact(size, deadline))
        assert isinstance(message, QueryResponse | CheckResponse)
        return message

    def _read_exact(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], wait)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        """Kill this worker by its own pid and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def death_reason(returncode: int | None) -> str:
    """Why a worker's answer never came, in words a client can act on.

    Why: a worker dies alone when a query needs more memory than it may use (the address-space
    cap of :mod:`kg.sparql.worker`); the allocator then aborts, and the client only saw
    ``EOFError()``.

    >>> print(death_reason(-6))  # doctest: +NORMALIZE_WHITESPACE
    it was stopped by SIGABRT; the usual cause is a query needing more than the 4 GB of
    memory a worker may use (fewer OPTIONALs or a LIMIT narrow it)
    >>> death_reason(0)
    'it exited with status 0'
    >>> death_reason(None)
    'its output ended'
    """
    if returncode is None:
        return "its output ended"
    if returncode < 0:
        try:
            cause = f"it was stopped by {signal.Signals(-returncode).name}"
        except ValueError:
            cause = f"it was stopped by signal {-returncode}"
    else:
        cause = f"it exited with status {returncode}"
    if returncode in (-signal.SIGABRT, -signal.SIGKILL, 1):
        cause += (
            f"; the usual cause is a query needing more than the "
            f"{MEMORY_LIMIT_BYTES // 1024**3} GB of memory a worker may use "
            "(fewer OPTIONALs or a LIMIT narrow it)"
        )
    return cause


@dataclass
class Session:
    """One worker lent to one request; see :meth:`WorkerPool.session`."""

    pool: WorkerPool
    worker: Worker
    deadline: float
    broken: bool = False

    def ask(self, message: QueryRequest | CheckRequest) -> QueryResponse | CheckResponse:
        """Send ``message`` and wait for the answer until the session's deadline."""
        if self.broken:
            raise PoolError("this session's worker was already stopped")
        try:
            self.worker.send(message)
            return self.worker.receive(self.deadline)
        except TimeoutError:
            self.broken = True
            self.pool._replace(self.worker)
            raise QueryTimeout(
                f"the query ran over the time limit of {self.pool.timeout_seconds:g} s "
                "(query_timeout_seconds) and was stopped"
            ) from None
        except (EOFError, OSError, pickle.UnpicklingError):
            self.broken = True
            try:
                returncode: int | None = self.worker.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                returncode = None
            self.pool._replace(self.worker)
            raise WorkerFailed(
                f"the query worker died while evaluating: {death_reason(returncode)}"
            ) from None


@dataclass
class WorkerPool:
    """Evaluate checked queries in worker processes under a wall-clock limit.

    Args:
        setup: where every worker finds the graph (sent to each worker first).
        size: number of workers.
        timeout_seconds: limit for one query's evaluation (and for waiting for a free worker).
        startup_seconds: how long a worker may take to load the graph before it is given up.
        snapshot: a checkpoint the workers read, removed when the pool closes.
    """

    setup: WorkerSetup
    size: int
    timeout_seconds: float
    startup_seconds: float = 60.0
    snapshot: Checkpoint | None = None
    _idle: queue.Queue[Worker] = field(default_factory=queue.Queue, init=False)
    _all: dict[int, Worker] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _spawn_requests: queue.Queue[int | None] = field(default_factory=queue.Queue, init=False)
    _spawner: threading.Thread | None = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)
    _started: threading.Event = field(default_factory=threading.Event, init=False)
    """Set once the first workers are ready or have failed to start."""
    _startup_error: str | None = field(default=None, init=False)
    replacements: int = field(default=0, init=False)
    """Workers started to replace killed ones (for tests and monitoring)."""
    generation: int = field(default=0, init=False)
    """Moves with every :meth:`reopen`: workers of an older one are retired, not used."""
    _retired_snapshots: list[Checkpoint] = field(default_factory=list, init=False)

    def start(self, *, wait: bool = True) -> None:
        """Start every worker in parallel; with ``wait``, return once all have opened the graph.

        Without ``wait`` the server answers (GraphQL, health) while the workers start: a query
        that arrives meanwhile waits for the start (up to ``startup_seconds``, not counted in its
        time limit), and fails with :class:`PoolError` if no worker could start.
        """
        self._spawner = threading.Thread(
            target=self._spawn_loop, name="sparql-worker-spawner", daemon=True
        )
        self._spawner.start()
        self._spawn_requests.put(self.size)
        if not wait:
            return
        deadline = time.monotonic() + self.startup_seconds
        while self._idle.qsize() < self.size:
            if time.monotonic() > deadline or self._closed:
                raise PoolError(f"query workers did not start within {self.startup_seconds} s")
            time.sleep(0.01)

    def reopen(self, setup: WorkerSetup, snapshot: Checkpoint | None = None) -> None:
        """Serve a new view of the graph (after a write): workers that opened the old one are
        retired as they come free and replaced by workers opening ``setup``. The previous
        snapshot is kept while a query may still read it (until the next reopen)."""
        with self._lock:
            for old in self._retired_snapshots[:-1]:
                old.remove()
            del self._retired_snapshots[:-1]
            if self.snapshot is not None:
                self._retired_snapshots.append(self.snapshot)
            self.setup = setup
            self.snapshot = snapshot
            self.generation += 1
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(worker)

    def _retire(self, worker: Worker) -> None:
        """Kill a worker of an older view and start one of the current view in its place."""
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.kill()
        if not self._closed:
            self._spawn_requests.put(1)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(self._all)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Hold one free worker for a few messages (check, then evaluate) under one deadline.

        The time limit runs from when the worker is acquired; a worker that misses it is killed
        and replaced, and the session raises :class:`QueryTimeout`.
        """
        if self._closed:
            raise PoolError("the query pool is stopped")
        if not self._started.wait(self.startup_seconds):
            raise PoolError(f"query workers did not start within {self.startup_seconds} s")
        if self._startup_error is not None:
            raise PoolError(self._startup_error)
        waited_until = time.monotonic() + self.timeout_seconds
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, waited_until - time.monotonic()))
            except queue.Empty:
                raise PoolBusy(
                    f"every query worker stayed busy for {self.timeout_seconds:g} s; try again"
                ) from None
            if worker.generation == self.generation:
                break
            self._retire(worker)  # it reads the graph as it was before a write
        session = Session(self, worker, time.monotonic() + self.timeout_seconds)
        try:
            yield session
        finally:
            if not session.broken:
                if worker.generation == self.generation:
                    self._idle.put(worker)
                else:
                    self._retire(worker)

    def execute(self, request: QueryRequest | CheckRequest) -> QueryResponse | CheckResponse:
        """Send one message to a free worker and return its answer."""
        with self.session() as session:
            return session.ask(request)

    def close(self) -> None:
        """Stop the spawner and kill every worker by its pid; safe to call twice."""
        self._closed = True
        self._spawn_requests.put(None)
        if self._spawner is not None:
            self._spawner.join(timeout=10)
        with self._lock:
            workers = list(self._all.values())
            self._all.clear()
        for worker in workers:
            worker.kill()
        if self.snapshot is not None:
            self.snapshot.remove()
        for snapshot in self._retired_snapshots:
            snapshot.remove()

    def _replace(self, worker: Worker) -> None:
        with self._lock:
            self._all.pop(worker.pid, None)
        worker.kill()
        if not self._closed:
            self.replacements += 1
            self._spawn_requests.put(1)

    def _spawn_loop(self) -> None:
        # Runs for the pool's whole life: workers die with the thread that started them.
        try:
            while True:
                count = self._spawn_requests.get()
                if count is None or self._closed:
                    return
                ready = self._spawn(count)
                if not self._started.is_set():
                    if ready == 0:
                        self._startup_error = "no query worker could open the graph"
                    self._started.set()
        finally:
            self._started.set()

    def _spawn(self, count: int) -> int:
        """Start ``count`` workers of the current view; return how many became ready."""
        setup, generation = self.setup, self.generation
        workers = [self._launch() for _ in range(count)]
        for worker in workers:
            worker.generation = generation
        with self._lock:
            for worker in workers:
                self._all[worker.pid] = worker  # listed while starting: close() kills them too
        ready = 0
        for worker in workers:
            try:
                worker.send(setup)
                answer = worker.receive(time.monotonic() + self.startup_seconds)
            except (TimeoutError, EOFError, OSError):
                answer = None
            if not isinstance(answer, QueryResponse) or answer.status != "ready" or self._closed:
                with self._lock:
                    self._all.pop(worker.pid, None)
                worker.kill()
                if generation != self.generation and not self._closed:
                    # The view it was to open was replaced meanwhile (a write published a
                    # newer snapshot and the old one may be gone): start one of the new view.
                    self._spawn_requests.put(1)
                continue
            ready += 1
            self._idle.put(worker)
        return ready

    def _launch(self) -> Worker:
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PROJECT_ROOT, environment.get("PYTHONPATH", "")) if p
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.sparql.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
            env=environment,
        )
        return Worker(process)


def worker_setup(store: Store, settings: Settings) -> tuple[WorkerSetup, Checkpoint | None]:
    """How workers reach ``store``, and the checkpoint made for them if any.

    A store that makes checkpoints: one, opened read-only (a read-only store is its own).
    A store other processes can query (remote): its endpoint. Any other (in memory): an N-Quads
    copy.
    """
    prefixes = dict(PREFIXES)
    if store.capabilities.checkpoints:
        checkpoint = store.checkpoint()
        return WorkerSetup(prefixes, path=str(checkpoint.path)), checkpoint
    if store.query_url is not None:
        timeout = settings.query_timeout_seconds + 1
        return WorkerSetup(prefixes, endpoint=store.query_url, endpoint_timeout=timeout), None
    return WorkerSetup(prefixes, nquads=b"".join(store.nquads())), None


def start_pool(store: Store, settings: Settings, *, wait: bool = True) -> WorkerPool:
    """A pool over ``store`` as it is now, sized and limited by ``settings``; with ``wait`` (the
    default) once every worker has started, else while they start (see :meth:`WorkerPool.start`:
    a server need not hold back its other endpoints for them)."""
    setup, snapshot = worker_setup(store, settings)
    pool = WorkerPool(
        setup=setup,
        size=max(1, settings.sparql_workers),
        timeout_seconds=settings.query_timeout_seconds,
        snapshot=snapshot,
    )
    try:
        pool.start(wait=wait)
    except BaseException:
        pool.close()
        raise
    return pool
