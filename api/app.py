"""The HTTP application factory. No app is built at import: tests and workers build their own."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import http_errors, projection, served, ui_assets, writes
from api.graphql.documents import ProjectionBuilder
from api.routes import dumps, graphql, health, home, linked_data, sparql, ui, void
from kg.build import build_store
from kg.served import Serving
from kg.settings import Settings
from kg.store import Store, open_checkpoint

CORS_EXPOSED_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Content-Disposition",
    "X-Result-Rows",
    "Retry-After",
    "Allow",
]
"""Response headers a browser app may read beyond the safelisted ones: the validators for its
cache, the alternates and context of linked data, the row count of a SPARQL answer."""


def open_served_store(settings: Settings) -> Store:
    """The store this process serves: the read-only snapshot ``kg serve`` prepared for its worker
    processes, or the configured store, built if it does not hold the current curated graphs."""
    if settings.store_snapshot is not None:
        return open_checkpoint(settings.store_snapshot)
    return build_store(settings)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the FastAPI app over ``store`` (built from ``settings`` when not given).

    Args:
        settings: configuration; read from the environment when omitted.
        store: an already loaded store (tests pass one to share it across apps).
    """
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="Evidence knowledge graph",
        version="0.1.0",
        description="Clinical-trial evidence as a knowledge graph: GraphQL, SPARQL, linked data.",
        # /docs and /redoc are ours (api/routes/ui.py), on files this app serves, not a CDN's.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # A projection only for the store the app opens itself from settings: a store handed in (by
    # a test) may be another than the one the settings name.
    read_projection = projection.open_projection(settings) if store is None else None
    app.state.serving = Serving(
        store if store is not None else open_served_store(settings),
        settings.base_iri,
        settings.generation_check_seconds,
        read_projection,
    )
    if read_projection is not None and settings.store_snapshot is None:
        app.state.projection_builder = ProjectionBuilder(
            app.state.serving.current.store, settings.base_iri, read_projection
        )
    if settings.cors_origins:
        # Everything served is read-only and public, so any page may read it (a browser app
        # elsewhere querying /sparql or /graphql, or fetching a dump); no credentials.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["*"],
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )
    app.state.ui_assets = ui_assets.mount(app)
    app.include_router(health.router)
    routers = (
        home.router,
        sparql.router,
        dumps.router,
        void.router,
        linked_data.router,
        ui.router,
        projection.router,
    )
    for router in routers:
        app.include_router(router)
    graphql.install(app, settings)
    http_errors.install(app)
    follow = writes.install(app, settings)
    served.install(app, app.state.serving, follow)  # last: outside every other middleware
    return app
