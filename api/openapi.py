"""What the OpenAPI document says each route answers: media types, status codes and bodies.

Why spelled out: the routes negotiate (RDF in four syntaxes, SPARQL results in four, HTML for
browsers) and return plain-text errors, which FastAPI cannot see in a handler that returns a
``Response``; left alone, it documents every answer as ``application/json`` and no error at all,
and clients generated from the document (or schemathesis) are told wrong things. The routes pass
these dictionaries to their decorators, built from the same media-type tables they negotiate
with, so the document cannot drift from what they do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from fastapi import APIRouter

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

Responses = dict[int | str, dict[str, Any]]

TEXT = {"type": "string"}
JSON_DOCUMENT = {"type": ["object", "array"]}
SPARQL_RESULTS_JSON = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {"type": "object", "properties": {"bindings": {"type": "array"}}},
        "boolean": {"type": "boolean"},
    },
}
SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "application/json": JSON_DOCUMENT,
    "application/ld+json": JSON_DOCUMENT,
    "application/sparql-results+json": SPARQL_RESULTS_JSON,
}
"""What a body of each JSON media type is; every other body is text."""

ERRORS: Mapping[int, str] = {
    304: "Not modified: the `If-None-Match` tag is still current (no body).",
    400: "The request is malformed; the message says what and where.",
    403: "Refused: this service is read-only and queries only its own data (updates, "
    "SERVICE).",
    404: "Nothing is known here; the message says what was looked for.",
    406: "Nothing in the `Accept` header can be produced; the message lists what can.",
    413: "The request body is over the size limit.",
    415: "The request body's media type is not one this route reads.",
    422: "The answer would be over the result-size limit.",
    503: "The time limit ran out or every query worker is busy; try again or ask for less.",
}
"""Every error status a route may answer, with what it means here."""


def content(
    media_types: Iterable[str], schema: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An OpenAPI ``content`` map: each media type with ``schema``, or by default what its
    bodies are (:data:`SCHEMAS`, else text)."""
    return {
        media: {"schema": dict(schema or SCHEMAS.get(media, TEXT))} for media in media_types
    }


def error_responses(*statuses: int, media: Iterable[str] = ("text/plain",)) -> Responses:
    """Each of ``statuses`` with its meaning here, its body in ``media`` (304 has none)."""
    documented: Responses = {}
    media = list(media)
    for status in statuses:
        entry: dict[str, Any] = {"description": ERRORS[status]}
        if status != 304:
            entry["content"] = content(media)
        documented[status] = entry
    return documented


def responses(
    ok: Iterable[str],
    *errors: int,
    ok_description: str = "The representation chosen by the `Accept` header.",
    error_media: Iterable[str] = ("text/plain",),
) -> Responses:
    """A ``responses`` argument: 200 in the ``ok`` media types, and :func:`error_responses`."""
    return {
        200: {"description": ok_description, "content": content(ok)},
        **error_responses(*errors, media=error_media),
    }


def enum_of(values: Iterable[str]) -> dict[str, Any]:
    """``json_schema_extra`` that lists a parameter's values in the document without making
    FastAPI refuse others with its own 422: the route answers those itself, saying what is
    offered."""
    return {"enum": list(values)}


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Register ``endpoint`` on ``router`` for GET and HEAD at ``path``, as two operations.

    Why not ``api_route(methods=["GET", "HEAD"])``: FastAPI gives both methods one operation id,
    which OpenAPI requires to be unique, and client generators then refuse the document.
    """

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        head_id = f"{endpoint.__name__}_head"
        router.add_api_route(path, endpoint, methods=["HEAD"], operation_id=head_id, **options)
        return endpoint

    return register
