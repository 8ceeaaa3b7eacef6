"""The read projection of an embedded store (:mod:`kg.projection`), opened with the app and kept
complete, beside serving, by the process that writes the store.

Why only there: a projection is kept up to date by the write path, which runs where the store's
writer is; a remote store may be written around ``kg``, and a store in memory has no other
reader to share one with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from api.graphql.documents import ProjectionBuilder
from kg.projection import Projection, configured_path
from kg.settings import Settings


def open_projection(settings: Settings) -> Projection | None:
    """The projection beside the store ``settings`` name, where it can have one and
    ``settings.projection`` keeps one."""
    path = configured_path(settings)
    return Projection(path) if path is not None else None


@asynccontextmanager
async def projection_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the app's projection builder, if it has one, and stop it with the app."""
    builder: ProjectionBuilder | None = getattr(app.state, "projection_builder", None)
    if builder is not None:
        builder.start()
    try:
        yield
    finally:
        if builder is not None:
            await run_in_threadpool(builder.stop)


router = APIRouter(lifespan=projection_lifespan)
