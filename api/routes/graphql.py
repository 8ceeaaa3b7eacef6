"""The /graphql endpoint: GraphQL over HTTP (GET and POST) and GraphiQL in a browser.

Introspection and GraphiQL stay on: this is a public API whose schema is its documentation
(reading needs nothing; the mutations that write need a token, :mod:`api.graphql.mutations`).
Operation batching stays off (a JSON array of operations gets a 400), and multipart uploads are
off (a record is sent as a JSON argument).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.deps import ServedDep
from api.graphql.context import EvidenceContext
from api.graphql.limits import Limits, RequestGuard
from api.graphql.schema import build_schema
from api.graphql_cache import GraphQLResponseCache
from api.graphql_http import GraphQLOverHTTP, document_routes
from api.local_graphql import LocalGraphQL
from kg.settings import Settings
from kg.store import is_private

PATH = "/graphql"


def router(local: LocalGraphQL) -> GraphQLOverHTTP:
    """The GraphQL router over ``local``'s schema, each request's context made as the pages'
    (:meth:`api.local_graphql.LocalGraphQL.context`)."""

    async def context(served: ServedDep) -> EvidenceContext:
        return local.context(served)

    graphql = GraphQLOverHTTP(
        local.schema,
        path=PATH,
        graphql_ide="graphiql",
        context_getter=context,
        multipart_uploads_enabled=False,
        tags=["graphql"],
    )
    document_routes(graphql)
    return graphql


def install(app: FastAPI, settings: Settings) -> None:
    """Mount /graphql on ``app`` behind its request guard (body size, body shape) and, when
    ``settings.graphql_cache_size`` is set, a cache of answers inside the guard, valid for one
    generation of the data. Its limits are taken from ``settings``, and reads are kept for the
    generation where only this server writes (:func:`api.graphql.context.served_context`)."""
    if settings.graphql_cache_size > 0:
        app.add_middleware(GraphQLResponseCache, max_entries=settings.graphql_cache_size, path=PATH)
    app.add_middleware(
        RequestGuard,
        max_bytes=settings.max_body_bytes,
        path=PATH,
        max_write_bytes=settings.max_record_bytes + settings.max_body_bytes,
    )
    timeout = settings.query_timeout_seconds
    local = LocalGraphQL(
        build_schema(Limits(timeout_seconds=timeout)),
        timeout,
        keep_reads=is_private(settings.store),
    )
    app.state.local_graphql = local
    app.include_router(router(local))
