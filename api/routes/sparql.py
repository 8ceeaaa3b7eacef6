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
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import negotiate
from api.deps import SettingsDep, StoreDep
from api.openapi import content, error_responses, responses
from api.pages.query import graph_result, query_page, results_table
from api.paths import local_path
from api.served import served_for
from kg.describe import DESCRIPTION_MEDIA_TYPES, serialize
from kg.served import Serving
from kg.settings import Settings
from kg.sparql.guard import CheckedQuery, served_graphs
from kg.sparql.pool import PoolBusy, PoolError, QueryTimeout, WorkerPool, start_pool
from kg.sparql.protocol import CheckRequest, CheckResponse, QueryRequest, QueryResponse
from kg.sparql.results import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, GraphFormat, ResultFormat
from kg.sparql.service import example_queries, service_description
from kg.store import QuerySyntaxError
from kg.vocab import PREFIXES


@asynccontextmanager
async def sparql_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the query workers with the app and stop them (by pid) when it stops."""
    serving: Serving = app.state.serving
    store = serving.current.store
    settings: Settings = app.state.settings
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

ANSWERED_MEDIA_TYPES = [
    *RESULT_MEDIA_TYPES.values(),
    *GRAPH_MEDIA_TYPES.values(),
    *(m for m in DESCRIPTION_OFFERS if m not in GRAPH_MEDIA_TYPES.values()),
]
"""What a query (or, without one, the service description) is answered in: the canonical media
type of each format, whichever alias the client accepted it by."""
QUERY_SCHEMA = {"type": "string", "format": "sparql-query", "minLength": 1}
"""A SPARQL 1.1 query; ``format`` names what JSON Schema cannot say (its grammar)."""
GRAPH_IRIS = {"type": "array", "items": {"type": "string", "format": "iri"}}
GRAPH_IRIS_OR_NONE: dict[str, Any] = {"anyOf": [GRAPH_IRIS, {"type": "null"}]}
"""What FastAPI would say of an optional list of strings, saying that each is an IRI."""
ANSWERS = responses(
    ANSWERED_MEDIA_TYPES,
    400,
    403,
    406,
    422,
    503,
    ok_description="Query results, or the service description (RDF) or query page (HTML) "
    "when there is no query.",
    error_media=("text/plain", "text/html"),
)
POST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": QUERY_SCHEMA,
                    "default-graph-uri": GRAPH_IRIS,
                    "named-graph-uri": GRAPH_IRIS,
                },
            }
        },
        **content(["application/sparql-query"], QUERY_SCHEMA),
    },
}
"""The two ways SPARQL 1.1 Protocol §2.1 lets a query be POSTed (updates are refused, 403)."""


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(f"{message}\n", status_code=status, headers=headers)


def get_pool(request: Request) -> WorkerPool | None:
    """The app's query pool (``None`` if the app was run without its lifespan)."""
    return getattr(request.app.state, "sparql_pool", None)


@router.get("/sparql", response_model=None, response_class=Response, responses=ANSWERS)
def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[
        str | None,
        Query(
            description="A SPARQL 1.1 query; relative IRIs resolve against the dataset's base "
            "IRI (`KG_BASE_IRI`) unless it declares a BASE.",
            json_schema_extra={"format": "sparql-query"},
        ),
    ] = None,
    update: Annotated[
        str | None, Query(description="Refused (403): this endpoint is read-only.")
    ] = None,
    default_graph_uri: Annotated[
        list[str] | None,
        Query(
            alias="default-graph-uri",
            description="Graphs whose union is the default graph (a graph not held is empty).",
            json_schema_extra=GRAPH_IRIS_OR_NONE,
        ),
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None,
        Query(
            alias="named-graph-uri",
            description="The named graphs of the dataset (a graph not held is empty).",
            json_schema_extra=GRAPH_IRIS_OR_NONE,
        ),
    ] = None,
) -> Response:
    """Query via GET (``?query=``); without a query, the service description or query page."""
    if update is not None:
        return _error(403, UPDATE_REFUSED)
    if len(request.query_params.getlist("query")) > 1:
        return _error(400, "send exactly one 'query' parameter")
    if query is None:
        try:  # a malformed parameter is malformed with or without a query
            protocol_dataset(default_graph_uri or [], named_graph_uri or [], frozenset())
        except QuerySyntaxError as error:
            return _error(400, str(error))
        return _describe_service(request)
    return _answer(request, settings, query, default_graph_uri or [], named_graph_uri or [])


@router.post(
    "/sparql",
    response_model=None,
    response_class=Response,
    responses={**ANSWERS, **error_responses(413, 415)},
    openapi_extra={"requestBody": POST_BODY},
)
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
    known = served_for(request).graphs
    try:
        dataset = protocol_dataset(default_graphs, named_graphs, known)
    except QuerySyntaxError as error:
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
            check = session.ask(CheckRequest(text, known, settings.base_iri))
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
            response = session.ask(_job(checked, fmt, settings, dataset))
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
        return _html_result(text, checked, response.body, settings)
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


Dataset = tuple[tuple[str, ...], tuple[str, ...]]
"""The default graphs and the named graphs of a query's RDF dataset."""


def protocol_dataset(
    default_graphs: list[str], named_graphs: list[str], known: frozenset[str]
) -> Dataset | None:
    """The dataset the protocol's ``default-graph-uri`` and ``named-graph-uri`` give, ``None``
    when the request gives neither; graphs the store does not serve are empty there
    (:func:`kg.sparql.guard.served_graphs`), so a dataset of only those is empty, not the
    whole store. Raises :class:`kg.store.QuerySyntaxError` for a value that is not an IRI."""
    if not default_graphs and not named_graphs:
        return None
    return (
        served_graphs(default_graphs, known_graphs=known, parameter="default-graph-uri"),
        served_graphs(named_graphs, known_graphs=known, parameter="named-graph-uri"),
    )


def _job(
    checked: CheckedQuery,
    fmt: ResultFormat | GraphFormat,
    settings: Settings,
    protocol: Dataset | None,
) -> QueryRequest:
    """The evaluation request; the protocol's dataset overrides the query's FROM clauses
    (SPARQL 1.1 Protocol §2.1.4), and relative IRIs resolve against the base IRI unless the
    query declares a BASE (Virtuoso refuses a second BASE, which the grammar allows)."""
    dataset: tuple[tuple[str, ...] | None, tuple[str, ...] | None] = (None, None)
    if protocol is not None:
        dataset = protocol
    elif checked.from_graphs or checked.from_named_graphs:
        dataset = (checked.from_graphs, checked.from_named_graphs)
    return QueryRequest(
        text=checked.text,
        result_format=fmt,
        max_rows=settings.max_result_rows,
        default_graphs=dataset[0],
        named_graphs=dataset[1],
        base_iri=None if checked.declares_base else settings.base_iri,
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


def _html_result(text: str, checked: CheckedQuery, body: bytes, settings: Settings) -> Response:
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
    page = query_page(query=text, examples=_examples(), results_html=results)
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
    served = served_for(request)
    graph = service_description(
        served.statistics(),
        endpoint_url=f"{base}/sparql",
        void_url=f"{base}/.well-known/void",
        graph_names=sorted(served.graphs),
    )
    fmt = next(k for k, v in DESCRIPTION_MEDIA_TYPES.items() if v == chosen)
    return Response(serialize(graph, fmt), media_type=chosen, headers={"Vary": "Accept"})
