"""The /graphql endpoint: GraphQL over HTTP (GET and POST) and GraphiQL in a browser.

Introspection and GraphiQL stay on: this is a public, read-only API whose schema is its
documentation. Operation batching stays off (a JSON array of operations gets a 400), and
multipart uploads are off (there are no mutations).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.deps import StoreDep
from api.graphql.context import EvidenceContext, make_context
from api.graphql.limits import Limits, RequestGuard
from api.graphql.listing_memory import ListingMemory
from api.graphql.schema import build_schema
from api.graphql_cache import GraphQLResponseCache, store_generation_reader
from api.graphql_http import GraphQLOverHTTP, document_routes
from api.local_graphql import LocalGraphQL
from kg.settings import Settings

PATH = "/graphql"


def router(settings: Settings, listings: ListingMemory | None = None) -> GraphQLOverHTTP:
    """The GraphQL router, its limits taken from ``settings``; ``listings``, if given, keeps
    whole listings across requests."""
    timeout = settings.query_timeout_seconds
    schema = build_schema(Limits(timeout_seconds=timeout))

    async def context(store: StoreDep) -> EvidenceContext:
        return await make_context(store, timeout, listings=listings)

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
    ``settings.graphql_cache_size`` is set, a cache of answers inside the guard and a memory of
    whole listings, both valid for one generation of the data."""
    listings: ListingMemory | None = None
    if settings.graphql_cache_size > 0:
        generation = store_generation_reader(lambda: app.state.store, settings.base_iri)
        app.add_middleware(
            GraphQLResponseCache,
            max_entries=settings.graphql_cache_size,
            generation=generation,
            path=PATH,
        )
        listings = ListingMemory(generation)
    app.state.graphql_listings = listings  # for operators and tests
    app.add_middleware(
        RequestGuard,
        max_bytes=settings.max_body_bytes,
        path=PATH,
        max_write_bytes=settings.max_record_bytes + settings.max_body_bytes,
    )
    graphql = router(settings, listings)
    app.state.local_graphql = LocalGraphQL(
        graphql.schema, settings.query_timeout_seconds, listings=listings
    )
    app.include_router(graphql)
