"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, local, time- and size-limited.

Queries arrive by GET ``?query=``, POST form-encoded, or POST ``application/sparql-query``. Each is
checked by :mod:`kg.sparql.guard` (no update, no SERVICE, no foreign graph) and then evaluated by
a worker of :mod:`kg.sparql.pool`, which is killed if the query runs over the time limit, so the
server keeps answering other clients. Without a query, ``/sparql`` answers with its service
description (RDF) or, for browsers, a query page.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import negotiate
from api.deps import SettingsDep, StoreDep
from api.pages.query import graph_result, query_page, results_table
from api.paths import local_path
from kg.describe import DESCRIPTION_MEDIA_TYPES, serialize
from kg.settings import Settings
from kg.sparql.guard import CheckedQuery, UnknownGraph, check_graph_parameters
from kg.sparql.pool import PoolBusy, PoolError, QueryTimeout, WorkerPool, start_pool
from kg.sparql.protocol import CheckRequest, CheckResponse, QueryRequest, QueryResponse
from kg.sparql.results import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, GraphFormat, ResultFormat
from kg.sparql.service import example_queries, service_description
from kg.sparql.statistics import StatisticsCache
from kg.store import Store
from kg.vocab import PREFIXES


@asynccontextmanager
async def sparql_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the query workers with the app and stop them (by pid) when it stops."""
    store: Store = app.state.store
    settings: Settings = app.state.settings
    app.state.sparql_graphs = frozenset(str(name) for name in store.graph_names())
    pool = await run_in_threadpool(start_pool, store, settings)
    app.state.sparql_pool = pool
    try:
        yield
    finally:
        await run_in_threadpool(pool.close)


router = APIRouter(tags=["sparql"], lifespan=sparql_lifespan)

SOLUTION_OFFERS: dict[str, ResultFormat | None] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": None,
}
BOOLEAN_OFFERS: dict[str, ResultFormat | None] = {
    k: v for k, v in SOLUTION_OFFERS.items() if v not in ("csv", "tsv")
}
GRAPH_OFFERS: dict[str, GraphFormat | None] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "text/html": None,
}
DESCRIPTION_OFFERS = [*DESCRIPTION_MEDIA_TYPES.values(), "text/html"]
UPDATE_REFUSED = "SPARQL Update is not allowed: this endpoint is read-only"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(f"{message}\n", status_code=status, headers=headers)


def get_pool(request: Request) -> WorkerPool | None:
    """The app's query pool (``None`` if the app was run without its lifespan)."""
    return getattr(request.app.state, "sparql_pool", None)


@router.get("/sparql", response_model=None)
def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query()] = None,
    update: Annotated[str | None, Query()] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
) -> Response:
    """Query via GET (``?query=``); without a query, the service description or query page."""
    if update is not None:
        return _error(403, UPDATE_REFUSED)
    if len(request.query_params.getlist("query")) > 1:
        return _error(400, "send exactly one 'query' parameter")
    if query is None:
        return _describe_service(request)
    return _answer(request, settings, query, default_graph_uri or [], named_graph_uri or [])


@router.post("/sparql", response_model=None)
async def sparql_post(request: Request, settings: SettingsDep) -> Response:
    """Query via POST, form-encoded (``query=``) or directly (``application/sparql-query``)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
        return _error(413, f"request body over the {settings.max_body_bytes}-byte limit")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_body_bytes:
            return _error(413, f"request body over the {settings.max_body_bytes}-byte limit")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = {k: v for k, v in parse_qs(request.url.query, keep_blank_values=True).items()}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "the request body is not UTF-8")
    if content_type == "application/x-www-form-urlencoded":
        for key, values in parse_qs(text, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        if "update" in params:
            return _error(403, UPDATE_REFUSED)
        queries = params.get("query", [])
        if len(queries) != 1:
            return _error(400, "send exactly one 'query' parameter")
        query = queries[0]
    elif content_type == "application/sparql-query":
        query = text
    elif content_type == "application/sparql-update":
        return _error(403, UPDATE_REFUSED)
    else:
        return _error(
            415,
            "POST a query as application/x-www-form-urlencoded or application/sparql-query",
        )
    return await run_in_threadpool(
        _answer,
        request,
        settings,
        query,
        params.get("default-graph-uri", []),
        params.get("named-graph-uri", []),
    )


def _answer(
    request: Request,
    settings: Settings,
    text: str,
    default_graphs: list[str],
    named_graphs: list[str],
) -> Response:
    """Check and evaluate in one worker under one time limit; map every failure to a status.

    The check runs in the worker too: rdflib's parser can take seconds on a large query, which
    in this process would stall other clients, and there it is killed like a slow query.
    """
    known: frozenset[str] = getattr(request.app.state, "sparql_graphs", frozenset())
    try:
        check_graph_parameters([*default_graphs, *named_graphs], known_graphs=known)
    except UnknownGraph as error:
        return _error(400, str(error))
    pool = get_pool(request)
    if pool is None:
        return _error(503, "the SPARQL query workers are not running")
    checked: CheckedQuery | None = None
    # Browsers get failures on the query page, with their query in the form, before we even
    # know the query's form (the check itself may fail).
    html = negotiate(request.headers.get("accept"), list(SOLUTION_OFFERS)) == "text/html"
    try:
        with pool.session() as session:
            check = session.ask(CheckRequest(text, known))
            assert isinstance(check, CheckResponse)
            if check.status != "ok" or check.checked is None:
                status = CHECK_STATUSES.get(check.status, 400)
                prefix = "Malformed query: " if check.status == "syntax" else ""
                return _failure(html, text, status, prefix + check.message)
            checked = check.checked
            offers = _offers(checked)
            chosen = negotiate(request.headers.get("accept"), list(offers))
            if chosen is None:
                return _failure(
                    False,
                    text,
                    406,
                    f"cannot produce any type in the Accept header for a {checked.form} query; "
                    "available: " + ", ".join(offers),
                )
            fmt = offers[chosen]
            html = fmt is None
            if fmt is None:
                fmt = "turtle" if checked.form in ("CONSTRUCT", "DESCRIBE") else "json"
            response = session.ask(_job(checked, fmt, settings, default_graphs, named_graphs))
            assert isinstance(response, QueryResponse)
    except QueryTimeout as error:
        return _failure(html, text, 503, str(error))
    except PoolBusy as error:
        return _failure(html, text, 503, str(error), {"Retry-After": "1"})
    except PoolError as error:
        return _failure(html, text, 503, str(error))
    if response.status == "syntax":
        return _failure(html, text, 400, f"Malformed query: {response.message}")
    if response.status == "too-large":
        return _failure(html, text, 422, response.message)
    if response.status != "ok":
        return _failure(html, text, 400, f"Query evaluation failed: {response.message}")
    if html:
        return _html_result(checked, response.body, settings)
    media = RESULT_MEDIA_TYPES[fmt] if fmt in RESULT_MEDIA_TYPES else GRAPH_MEDIA_TYPES[fmt]  # type: ignore[index]
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(
        response.body,
        media_type=media + charset,
        headers={"Vary": "Accept", "X-Result-Rows": str(response.rows)},
    )


CHECK_STATUSES = {"syntax": 400, "update": 403, "service": 403, "unknown-graph": 400}


def _offers(checked: CheckedQuery) -> dict[str, ResultFormat | GraphFormat | None]:
    if checked.form == "SELECT":
        return dict(SOLUTION_OFFERS)
    if checked.form == "ASK":
        return dict(BOOLEAN_OFFERS)
    return dict(GRAPH_OFFERS)


def _job(
    checked: CheckedQuery,
    fmt: ResultFormat | GraphFormat,
    settings: Settings,
    default_graphs: list[str],
    named_graphs: list[str],
) -> QueryRequest:
    """The evaluation request; protocol graph parameters override the query's FROM clauses."""
    if default_graphs or named_graphs:
        dataset: tuple[tuple[str, ...] | None, tuple[str, ...] | None] = (
            tuple(default_graphs),
            tuple(named_graphs),
        )
    elif checked.from_graphs or checked.from_named_graphs:
        dataset = (checked.from_graphs, checked.from_named_graphs)
    else:
        dataset = (None, None)
    return QueryRequest(
        text=checked.text,
        result_format=fmt,
        max_rows=settings.max_result_rows,
        default_graphs=dataset[0],
        named_graphs=dataset[1],
    )


def _examples() -> list[tuple[str, str]]:
    return [(example.title, example.text) for example in example_queries()]


def _failure(
    html: bool,
    query: str,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    if not html:
        return _error(status, message, headers)
    body = query_page(query=query, examples=_examples(), error=message)
    return Response(
        body, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


def _html_result(checked: CheckedQuery, body: bytes, settings: Settings) -> Response:
    if checked.form in ("CONSTRUCT", "DESCRIBE"):
        results = graph_result(body.decode("utf-8"))
    else:
        document = json.loads(body)
        if "boolean" in document:
            results = (
                f"<p>ASK answered <strong>{'yes' if document['boolean'] else 'no'}</strong></p>"
            )
        else:
            results = results_table(
                document["head"]["vars"],
                document["results"]["bindings"],
                local_href=lambda iri: local_path(iri, settings),
                prefixes=PREFIXES,
            )
    page = query_page(query=checked.text, examples=_examples(), results_html=results)
    return Response(page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


def _describe_service(request: Request) -> Response:
    chosen = negotiate(request.headers.get("accept"), DESCRIPTION_OFFERS)
    if chosen is None:
        return _error(406, "available: " + ", ".join(DESCRIPTION_OFFERS))
    if chosen == "text/html":
        examples = _examples()
        first = examples[0][1] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        return Response(
            query_page(query=first, examples=examples),
            media_type="text/html; charset=utf-8",
            headers={"Vary": "Accept"},
        )
    base = str(request.base_url).rstrip("/")
    statistics: StatisticsCache = request.app.state.statistics
    graph = service_description(
        statistics.get(),
        endpoint_url=f"{base}/sparql",
        void_url=f"{base}/.well-known/void",
        graph_names=sorted(getattr(request.app.state, "sparql_graphs", frozenset())),
    )
    fmt = next(k for k, v in DESCRIPTION_MEDIA_TYPES.items() if v == chosen)
    return Response(serialize(graph, fmt), media_type=chosen, headers={"Vary": "Accept"})
