"""The /graphql endpoint: GraphQL over HTTP (GET and POST) and GraphiQL in a browser.

Introspection and GraphiQL stay on: this is a public, read-only API whose schema is its
documentation. Operation batching stays off (a JSON array of operations gets a 400), and
multipart uploads are off (there are no mutations).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.deps import ServedDep
from api.graphql.context import EvidenceContext, served_context
from api.graphql.limits import Limits, RequestGuard
from api.graphql.schema import build_schema
from api.graphql_cache import GraphQLResponseCache
from api.graphql_http import GraphQLOverHTTP, document_routes
from api.local_graphql import LocalGraphQL
from kg.settings import Settings
from kg.store import is_private

PATH = "/graphql"


def router(settings: Settings) -> GraphQLOverHTTP:
    """The GraphQL router, its limits taken from ``settings``."""
    timeout = settings.query_timeout_seconds
    schema = build_schema(Limits(timeout_seconds=timeout))
    keep_reads = is_private(settings.store)

    async def context(served: ServedDep) -> EvidenceContext:
        return served_context(served, timeout, keep_reads=keep_reads)

    graphql = GraphQLOverHTTP(
        schema,
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
    generation of the data."""
    if settings.graphql_cache_size > 0:
        app.add_middleware(GraphQLResponseCache, max_entries=settings.graphql_cache_size, path=PATH)
    app.add_middleware(
        RequestGuard,
        max_bytes=settings.max_body_bytes,
        path=PATH,
        max_write_bytes=settings.max_record_bytes + settings.max_body_bytes,
    )
    graphql = router(settings)
    app.state.local_graphql = LocalGraphQL(
        graphql.schema, settings.query_timeout_seconds, keep_reads=is_private(settings.store)
    )
    app.include_router(graphql)
