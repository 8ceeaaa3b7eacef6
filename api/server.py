"""Running the app under uvicorn: what `kg serve` and `make serve` start.

One process (``KG_WORKERS=1``, the default) opens the store, builds it if its curated graphs are
out of date, and serves. Several (``KG_WORKERS=N``) share one listening socket, which uvicorn's
supervisor hands to N worker processes; an embedded on-disk store admits one writer, so this
process opens it, builds it if needed and keeps it open (its lock then refuses a concurrent
``kg load``, which the workers would not see), and each worker serves a read-only checkpoint of it
(a store with ``Capabilities.checkpoints``; :mod:`kg.sparql.snapshot`). Writes (the GraphQL
mutations) received by any worker are run by this process, the store's one writer, which then
publishes a new checkpoint that every worker follows (:mod:`api.writes`). Beside serving, this
process also compacts the store once and publishes a checkpoint of it
(:meth:`api.writes.SnapshotPublisher.compact`): the first one keeps a fresh bulk load's tables
as they were written. Any other store is opened by every worker on its own.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.graphql.documents import ProjectionBuilder
from api.loop import FACTORY as LOOP_FACTORY
from api.projection import open_projection
from api.writes import SnapshotPublisher, log_writes
from kg.build import build_store
from kg.settings import Settings
from kg.store import Checkpoint
from kg.write import WriteContext
from kg.write_channel import WriteChannel
from kg.write_service import WriteService

HttpName = Literal["httptools", "h11"]


def http_protocol() -> HttpName:
    """httptools when installed (``uvicorn[standard]``): a C parser instead of pure-Python h11."""
    return "httptools" if importlib.util.find_spec("httptools") else "h11"


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """The options every ``kg serve`` process runs uvicorn with, named rather than left to
    uvicorn's ``auto`` so that a test can see which event loop and parser are used: the loop is
    :mod:`api.loop`'s (uvloop when installed, with room on the stack)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": LOOP_FACTORY,
        "http": http_protocol(),
        "log_level": "info",
        "access_log": settings.access_log,
        "timeout_graceful_shutdown": 10,
    }


YOUNG_COLLECTION_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation (Python's default: 700). A
GraphQL request whose document is new allocates tens of thousands of short-lived objects (its
syntax tree, the validation's and the execution's), so the default collected a hundred times a
request, each pass walking what the request still held: 5.0 -> 4.6 ms a request (the README
query with a new document, in process), for at most 10,000 objects awaiting a pass."""


def collect_for_serving() -> None:
    """Freeze what the process holds now out of the garbage collector's passes, and collect the
    youngest generation less often (:data:`YOUNG_COLLECTION_THRESHOLD`): once the process has
    made what it serves with, which lives as long as it does (benchmarks measuring the serving
    path call this too)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)


def started(app: FastAPI) -> FastAPI:
    """``app``, with what the process made to start (the schema, the ontology, the store's
    handles) frozen out of the garbage collector's passes (:func:`collect_for_serving`): every
    full collection walked it again (124 ms each, a twentieth of the time of uncached GraphQL
    requests in a profile of 400 of them)."""
    collect_for_serving()
    return app


def worker_app() -> object:
    """The app of one worker process of a several-process server (settings from ``KG_*``)."""
    log_writes()
    return started(create_app(Settings.from_env()))


def changed(publisher: SnapshotPublisher, builder: ProjectionBuilder | None) -> Callable[[], None]:
    """What the writer does after each write: publish the new checkpoint to the workers and
    wake the projection's builder."""

    def after_write() -> None:
        publisher.publish()
        if builder is not None:
            builder.wake()

    return after_write


def run(settings: Settings) -> None:
    """Serve until interrupted; uvicorn drains open requests on SIGTERM/SIGINT (graceful shutdown)."""
    log_writes()
    if settings.workers <= 1:
        app = started(create_app(settings))
        uvicorn.run(app, **uvicorn_options(settings))  # type: ignore[arg-type]
        return
    store = build_store(settings)
    snapshot: Checkpoint | None = None
    channel: WriteChannel | None = None
    publisher: SnapshotPublisher | None = None
    builder: ProjectionBuilder | None = None
    private = Path(tempfile.mkdtemp(prefix="kg-serve-"))  # the write channel's socket: ours only
    try:
        served = settings
        if store.capabilities.checkpoints:
            snapshot = store.checkpoint()
            # This process holds the store's one writer: the workers send it their writes and
            # follow the checkpoints it publishes after each (api.writes).
            pointer = private / "snapshot.json"
            publisher = SnapshotPublisher(
                store, pointer, retention=2 * settings.query_timeout_seconds + 30
            )
            threading.Thread(target=publisher.compact, name="kg-compact", daemon=True).start()
            read_projection = open_projection(settings)
            if read_projection is not None:  # the workers read it; the writer keeps it complete
                builder = ProjectionBuilder(store, settings.base_iri, read_projection)
                builder.start()
            service = WriteService(
                store,
                WriteContext.from_settings(settings),
                on_change=changed(publisher, builder),
            )
            channel = WriteChannel(private / "writes.sock", service)
            served = settings.with_overrides(
                store_snapshot=snapshot.path, write_channel=channel.path, snapshot_pointer=pointer
            )
        os.environ.update(served.to_env())
        uvicorn.run(
            "api.server:worker_app",
            factory=True,
            workers=settings.workers,
            **uvicorn_options(settings),  # type: ignore[arg-type]
        )
    finally:
        if builder is not None:
            builder.stop()
        if channel is not None:
            channel.close()
        if publisher is not None:
            publisher.close()
        if snapshot is not None:
            snapshot.remove()
        shutil.rmtree(private, ignore_errors=True)
        store.close()
