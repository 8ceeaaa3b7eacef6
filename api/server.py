"""Running the app under uvicorn: what `kg serve` and `make serve` start.

One process (``KG_WORKERS=1``, the default) opens the store, builds it if its curated graphs are
out of date, and serves. Several (``KG_WORKERS=N``) share one listening socket, which uvicorn's
supervisor hands to N worker processes; an embedded on-disk store admits one writer, so this
process opens it, builds it if needed and keeps it open (its lock then refuses a concurrent
``kg load``, which the workers would not see), and each worker serves a read-only checkpoint of it
(a store with ``Capabilities.checkpoints``; :mod:`kg.sparql.snapshot`). Any other store is
opened by every worker on its own.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Literal

import uvicorn

from api.app import create_app
from kg.build import build_store
from kg.settings import Settings
from kg.store import Checkpoint

LoopName = Literal["uvloop", "asyncio"]
HttpName = Literal["httptools", "h11"]


def event_loop() -> LoopName:
    """uvloop when installed (``uvicorn[standard]``): about 3x the requests per second of asyncio."""
    return "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"


def http_protocol() -> HttpName:
    """httptools when installed (``uvicorn[standard]``): a C parser instead of pure-Python h11."""
    return "httptools" if importlib.util.find_spec("httptools") else "h11"


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """The options every ``kg serve`` process runs uvicorn with, named rather than left to
    uvicorn's ``auto`` so that a test can see which event loop and parser are used."""
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": event_loop(),
        "http": http_protocol(),
        "log_level": "info",
        "access_log": settings.access_log,
        "timeout_graceful_shutdown": 10,
    }


def worker_app() -> object:
    """The app of one worker process of a several-process server (settings from ``KG_*``)."""
    return create_app(Settings.from_env())


def run(settings: Settings) -> None:
    """Serve until interrupted; uvicorn drains open requests on SIGTERM/SIGINT (graceful shutdown)."""
    if settings.workers <= 1:
        uvicorn.run(create_app(settings), **uvicorn_options(settings))  # type: ignore[arg-type]
        return
    store = build_store(settings)
    snapshot: Checkpoint | None = None
    try:
        served = settings
        if store.capabilities.checkpoints:
            snapshot = store.checkpoint()
            served = settings.with_overrides(store_snapshot=snapshot.path)
        os.environ.update(served.to_env())
        uvicorn.run(
            "api.server:worker_app",
            factory=True,
            workers=settings.workers,
            **uvicorn_options(settings),  # type: ignore[arg-type]
        )
    finally:
        if snapshot is not None:
            snapshot.remove()
        store.close()
