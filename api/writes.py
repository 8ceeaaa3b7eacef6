"""Writes over HTTP: who may write, where a write runs, and how every reader then sees it.

* **Who.** Bearer tokens (:mod:`kg.tokens`, ``KG_TOKENS_FILE``). Without a tokens file, or
  with no token in it, the server takes no writes (reads stay public).
* **Where.** A write runs where the store's writer is (:class:`kg.write_service.WriteService`):
  in this process when it holds the store; with ``KG_WORKERS`` > 1, in the supervising
  process, which this worker reaches over :mod:`kg.write_channel`.
* **Seen by every reader.** The design chosen for several processes: the supervisor owns every
  write and, after one that changed the data, publishes a new read-only snapshot of the store
  (hard links, milliseconds) and points a small file at it; every worker process checks that
  file at the start of each request (one ``stat``) and, when it moved, opens the new snapshot
  and serves it (:func:`refresh_readers`) before answering. So the next read on any process
  sees the write, and a reader never sees half of one (a snapshot is one point in time). In one
  process the store is the one written; it is served anew after a write, and the query
  workers get a new snapshot of it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from api.graphql.documents import ProjectionBuilder
from kg.served import Serving
from kg.settings import Settings
from kg.sparql.pool import WorkerPool, worker_setup
from kg.store import Checkpoint, Store, StoreError, open_checkpoint
from kg.tokens import TokenCheck
from kg.write import WriteContext
from kg.write_channel import send_write
from kg.write_service import WriteRequest, WriteResult, WriteService

Writer = Callable[[WriteRequest], WriteResult]


def refresh_readers(app: FastAPI, store: Store, settings: Settings) -> None:
    """Point this process's readers at ``store`` as it is now: a new
    :class:`kg.served.Served` for the next requests (what the last generation kept goes with
    it), and a new view of the graph for the query workers."""
    serving: Serving = app.state.serving
    serving.serve(store)
    builder: ProjectionBuilder | None = getattr(app.state, "projection_builder", None)
    if builder is not None:
        builder.wake()
    pool: WorkerPool | None = getattr(app.state, "sparql_pool", None)
    if pool is not None:
        setup, snapshot = worker_setup(store, settings)
        pool.reopen(setup, snapshot)


@dataclass
class SnapshotFollower:
    """A worker process's check, before each request (:mod:`api.served`), for a newer snapshot
    from the supervisor, which it then serves (see the module docstring)."""

    fastapi: FastAPI
    pointer: Path
    settings: Settings
    _stamp: tuple[int, int] | None = field(default=None, init=False)
    _followed: str | None = field(default=None, init=False)
    """The snapshot served now (a pointer rewritten to the same one is not opened again)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def follow(self) -> None:
        try:
            status = self.pointer.stat()
        except FileNotFoundError:
            return
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            path = json.loads(self.pointer.read_text(encoding="utf-8"))["path"]
            if path != self._followed:
                refresh_readers(self.fastapi, open_checkpoint(Path(path)), self.settings)
                self._followed = path
            self._stamp = stamp


@dataclass
class SnapshotPublisher:
    """The supervisor's side: after a write, a new snapshot and the pointer to it. A replaced
    snapshot is kept for ``retention`` seconds, while a reader or a query worker that opened it
    may still read it (a request lasts at most the query time limit), then removed."""

    store: Store
    pointer: Path
    retention: float = 60.0
    snapshots: list[tuple[Checkpoint, float]] = field(default_factory=list)
    """Published snapshots with when each was published, oldest first."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _closed: bool = field(default=False, init=False)

    def publish(self) -> None:
        """A new snapshot of the store, and the pointer to it (nothing once closed)."""
        with self._lock:
            if not self._closed:
                self._publish()

    def compact(self) -> None:
        """Compact the store (:meth:`kg.store.Store.compact`), then publish a snapshot of it.

        Why: the workers serve the snapshot taken at start, and a store freshly bulk-loaded is
        compacted by RocksDB in the background only in the process that writes it, so the
        workers would read the uncompacted tables (2.8x as long at 10,000 trials) until a
        write. Run in a thread beside serving; a server stopped meanwhile publishes nothing."""
        try:
            self.store.compact()
        except StoreError as error:  # the store was closed under it: the server has stopped
            logging.getLogger("kg.serve").warning("store not compacted: %s", error)
            return
        self.publish()

    def _publish(self) -> None:
        snapshot = self.store.checkpoint()
        now = time.monotonic()
        handle, temporary = tempfile.mkstemp(dir=self.pointer.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"path": str(snapshot.path)}, file)
        os.replace(temporary, self.pointer)
        self.snapshots.append((snapshot, now))
        # Each snapshot was replaced when the next one was published.
        kept = []
        for (old, published), (_, replaced) in zip(self.snapshots, self.snapshots[1:], strict=False):
            if now - replaced > self.retention:
                old.remove()
            else:
                kept.append((old, published))
        self.snapshots = [*kept, self.snapshots[-1]]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for snapshot, _ in self.snapshots:
                snapshot.remove()


def log_writes() -> None:
    """Send the write log (``kg.writes``: token name, trial, outcome; never a token) to the
    server's standard error beside uvicorn's lines; once per process."""
    logger = logging.getLogger("kg.writes")
    if any(getattr(h, "kg_writes", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    handler.kg_writes = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def install(app: FastAPI, settings: Settings) -> Callable[[], None] | None:
    """Set up writes for ``app``: ``app.state.tokens`` (None: no writes) and
    ``app.state.writer`` (None: this process cannot write). Returns, in a worker process of a
    several-process server, the check that follows the supervisor's snapshots (for
    :mod:`api.served` to run before each request)."""
    app.state.tokens = TokenCheck(settings.tokens_file) if settings.tokens_file else None
    serving: Serving = app.state.serving
    writer: Writer | None = None
    follow: Callable[[], None] | None = None
    if settings.write_channel is not None:
        channel = settings.write_channel
        pointer = settings.snapshot_pointer
        if pointer is not None:
            follow = SnapshotFollower(app, pointer, settings).follow

        def remote(request: WriteRequest) -> WriteResult:
            result = send_write(channel, request)
            if follow is not None and result.changed:
                # This process's next read must see the write: follow the new snapshot now
                # rather than at the next request's check.
                follow()
            return result

        writer = remote
    elif settings.store_snapshot is None:  # not a read-only checkpoint: this process writes
        store = serving.current.store
        service = WriteService(
            store,
            WriteContext.from_settings(settings),
            on_change=lambda: refresh_readers(app, store, settings),
        )
        writer = service.execute
    app.state.writer = writer
    return follow
