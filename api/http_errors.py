"""How the app answers the HTTP errors no route answers itself: in plain text, as the routes
answer theirs, and ``405 Method Not Allowed`` with an ``Allow`` header naming every method.

Why the ``Allow`` list: Starlette answers a method no route takes with the methods of the *first*
route on the path, and ``/sparql`` and ``/graphql`` are each served by two routes (GET, POST), so
``PUT /sparql`` was told ``Allow: GET`` although POST works (RFC 9110 §15.5.6 asks for the
resource's full list). Why plain text: a path no route matches (``/id/a%0Ab``: a route's pattern
does not cross a line break) got FastAPI's JSON where the OpenAPI document, like every route,
says text.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""The methods asked about, and the order ``Allow`` lists them in."""


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods some route of ``app`` fully matches on the request's path, in a fixed order.

    Why by asking each route with each method: routes included from routers are wrapped by
    FastAPI, and ``matches`` is the one interface every kind of route answers.
    """
    return [
        method
        for method in METHOD_ORDER
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in app.router.routes
        )
    ]


async def http_error(request: Request, error: Exception) -> Response:
    """The app's handler of HTTP errors: plain text, 405s with the full ``Allow`` list."""
    assert isinstance(error, HTTPException)
    if error.status_code != 405:
        if error.status_code in (204, 304):
            return await http_exception_handler(request, error)
        message = error.detail
        if error.status_code == 404:
            message = f"nothing is served at {request.url.path}"
        return PlainTextResponse(
            f"{message}\n", status_code=error.status_code, headers=error.headers
        )
    allowed = allowed_methods(request.app, request)
    return PlainTextResponse(
        f"{request.method} is not allowed here; use {', '.join(allowed)}\n",
        status_code=405,
        headers={"Allow": ", ".join(allowed)},
    )


def install(app: FastAPI) -> None:
    """Answer ``app``'s HTTP errors as :func:`http_error` does."""
    app.add_exception_handler(HTTPException, http_error)
