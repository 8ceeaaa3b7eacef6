"""The VoID description of the dataset at ``/.well-known/void`` (RFC 5785 well-known location).

Triples, classes, vocabularies, named graphs, licence, dump locations (the store's, and the
curated release's as a subset) and the SPARQL endpoint, all counted in the store once per data
generation (:meth:`kg.served.Served.statistics`) and rendered by
:func:`kg.sparql.service.void_description`; the URLs are this server's own, taken from the
request.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from api.conneg import negotiate
from api.deps import ServedDep, SettingsDep
from api.openapi import get_and_head, responses
from api.routes.dumps import DUMP_EXTENSIONS, STORE_DUMP
from kg.describe import DESCRIPTION_MEDIA_TYPES, serialize
from kg.sparql.service import void_description

router = APIRouter(tags=["linked data"])


@get_and_head(
    router,
    "/.well-known/void",
    response_model=None,
    response_class=Response,
    responses=responses(DESCRIPTION_MEDIA_TYPES.values(), 406),
)
def void(request: Request, settings: SettingsDep, served: ServedDep) -> Response:
    """VoID in Turtle (default), JSON-LD, N-Triples or RDF/XML."""
    offers = list(DESCRIPTION_MEDIA_TYPES.values())
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        return PlainTextResponse("available: " + ", ".join(offers) + "\n", status_code=406)
    base = str(request.base_url).rstrip("/")
    graph = void_description(
        served.statistics(),
        document_url=f"{base}/.well-known/void",
        endpoint_url=f"{base}/sparql",
        dump_urls=[f"{base}{STORE_DUMP}"] if served.store.capabilities.complete_results else [],
        curated_dump_urls=[f"{base}/dump.{extension}" for extension in DUMP_EXTENSIONS],
        uri_space=settings.base_iri,
    )
    fmt = next(k for k, v in DESCRIPTION_MEDIA_TYPES.items() if v == chosen)
    return Response(serialize(graph, fmt), media_type=chosen, headers={"Vary": "Accept"})
