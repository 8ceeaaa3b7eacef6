"""Dereferenceable IRIs: ``{base}<path>`` is served at ``/id/<path>``, ontology terms at
``/ontology/<Term>``, and the whole ontology at ``/ontology``.

Why computed from settings: the base IRI is configurable, so the mapping between IRIs and server
paths is derived from ``Settings.base_iri`` on every request rather than hard-coded. Each resource
is negotiated between Turtle, JSON-LD, N-Triples, RDF/XML and HTML (``?format=`` overrides the
``Accept`` header, so every representation also has a URL of its own), with ``Vary: Accept`` and a
``Link`` header naming each alternate.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import negotiate
from api.deps import SettingsDep, StoreDep
from api.local_graphql import PageDataError, local_graphql
from api.openapi import enum_of, get_and_head, responses
from api.pages.layout import link
from api.pages.reported import reported_section
from api.pages.resource import resource_page
from api.paths import iri_to_uri, local_path, requested_iri
from api.served import served_for
from kg.build import GraphNames
from kg.describe import (
    DESCRIPTION_FORMATS,
    DESCRIPTION_MEDIA_TYPES,
    DescriptionFormat,
    concise_description,
    is_a,
    named_graph,
    serialize,
    trial_view,
)
from kg.export import FILE_EXTENSIONS
from kg.settings import Settings
from kg.store import Store
from kg.vocab import EKG, ONTOLOGY_IRI

router = APIRouter(tags=["linked data"])

FORMAT_PARAMETERS: dict[str, str] = {
    **{FILE_EXTENSIONS[fmt]: DESCRIPTION_MEDIA_TYPES[fmt] for fmt in DESCRIPTION_FORMATS},
    "html": "text/html",
}
"""``?format=`` values: the export formats' file extensions, plus ``html``."""
OFFERS = ["text/html", *DESCRIPTION_MEDIA_TYPES.values()]
"""HTML first: a browser's ``*/*`` alongside ``text/html`` should get the page."""
FormatParameter = Annotated[
    str | None,
    Query(
        description="A representation by name, overriding the `Accept` header.",
        json_schema_extra=enum_of(FORMAT_PARAMETERS),
    ),
]
ROUTE: dict[str, Any] = {
    "response_model": None,
    "response_class": Response,
    "responses": responses(OFFERS, 400, 404, 406),
}
"""How every linked-data route is declared (GET and HEAD): negotiated, with its errors."""


def _not_found(iri: str, why: str = "") -> Response:
    return PlainTextResponse(f"nothing is known about <{iri}>{why}\n", status_code=404)


def _raw_path(request: Request) -> str:
    """The request's path as the client sent it, escapes kept (ASGI ``raw_path``), without the
    prefix the app is mounted at; from the decoded path, escaped again, where a server gives no
    raw path."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        path = raw.decode("utf-8", "replace").partition("?")[0]
        root = str(request.scope.get("root_path", ""))
        return path[len(root) :] if root and path.startswith(root) else path
    return iri_to_uri(request.url.path.replace("%", "%25"))


def _chosen(request: Request, requested: str | None) -> str | None | Response:
    """The representation asked for: by ``?format=`` (a 400 if unknown), else negotiated."""
    if requested is None:
        return negotiate(request.headers.get("accept"), OFFERS)
    chosen = FORMAT_PARAMETERS.get(requested)
    if chosen is None:
        return PlainTextResponse(
            f"unknown format {requested!r}; use one of {', '.join(FORMAT_PARAMETERS)}\n",
            status_code=400,
        )
    return chosen


async def _reported(request: Request, settings: Settings, iri: str) -> str:
    """What a trial's sources reported (the page's first section), read through the GraphQL
    API; empty for anything that is not a trial."""
    try:
        data = await local_graphql(request).run(served_for(request), "trial_page", id=iri)
    except PageDataError:
        return ""
    trial = data.get("trial")
    if not trial or trial.get("id") != iri:
        return ""
    return reported_section(trial, lambda target: local_path(target, settings))


def _represent(
    request: Request,
    settings: Settings,
    store: Store,
    iri: str,
    graph_factory: str,
    chosen: str | None,
    reported: str = "",
) -> Response:
    path = local_path(iri, settings) or ""
    alternates = [(f"{path}?format={key}", media) for key, media in FORMAT_PARAMETERS.items()]
    headers = {
        "Vary": "Accept",
        "Link": ", ".join(
            f'<{href}>; rel="alternate"; type="{media}"' for href, media in alternates
        ),
    }
    if chosen is None:
        return PlainTextResponse(
            "cannot produce any type in the Accept header; available: " + ", ".join(OFFERS) + "\n",
            status_code=406,
            headers=headers,
        )
    try:
        if graph_factory == "ontology":
            graph = named_graph(store, str(GraphNames(settings.base_iri).ontology))
            if not len(graph):
                return _not_found(iri)
        else:
            described = concise_description(store, iri)
            if described is None:
                return _not_found(iri)
            graph = described
    except ValueError as error:  # not an IRI ("[", "%zz"...): nothing can be known about it
        return _not_found(iri, f": {error}")
    if chosen != "text/html":
        fmt: DescriptionFormat = next(k for k, v in DESCRIPTION_MEDIA_TYPES.items() if v == chosen)
        return Response(serialize(graph, fmt), media_type=chosen, headers=headers)

    def href(target: str) -> str | None:
        return local_path(target, settings)

    trial = trial_view(store, iri) if is_a(graph, iri, EKG.Trial) else None
    html = resource_page(
        graph, iri, local_href=href, alternates=alternates, trial=trial, reported=reported
    )
    if graph_factory == "ontology":
        terms = sorted(
            {str(s) for s in graph.subjects() if str(s).startswith(ONTOLOGY_IRI) and str(s) != iri}
        )
        items = "".join(
            f"<li>{link(local_path(t, settings) or t, t[len(ONTOLOGY_IRI) :])}</li>" for t in terms
        )
        html = html.replace("</main>", f"<section><h2>Terms</h2><ul>{items}</ul></section></main>")
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


@get_and_head(router, "/id/{path:path}", **ROUTE)
async def resource(
    path: Annotated[
        str,
        Path(description="The IRI's part after the base IRI.", examples=["trial/dascern"]),
    ],
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    format: FormatParameter = None,
) -> Response:
    """A resource minted under the base IRI; a trial's page leads with what was reported."""
    iri = requested_iri(_raw_path(request), "/id/", settings.base_iri)
    chosen = _chosen(request, format)
    if isinstance(chosen, Response):
        return chosen
    reported = await _reported(request, settings, iri) if chosen == "text/html" else ""
    return await run_in_threadpool(
        _represent, request, settings, store, iri, "cbd", chosen, reported
    )


@get_and_head(router, "/ontology", **ROUTE)
def ontology(
    request: Request, settings: SettingsDep, store: StoreDep, format: FormatParameter = None
) -> Response:
    """The whole ontology (every triple of its named graph)."""
    chosen = _chosen(request, format)
    if isinstance(chosen, Response):
        return chosen
    return _represent(request, settings, store, ONTOLOGY_IRI, "ontology", chosen)


@get_and_head(router, "/ontology/{term}", **ROUTE)
def ontology_term(
    term: Annotated[str, Path(description="The term's local name.", examples=["Trial"])],
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    format: FormatParameter = None,
) -> Response:
    """One term of the ontology."""
    iri = requested_iri(_raw_path(request), "/ontology/", ONTOLOGY_IRI)
    chosen = _chosen(request, format)
    if isinstance(chosen, Response):
        return chosen
    return _represent(request, settings, store, iri, "cbd", chosen)
