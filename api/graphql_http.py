"""GraphQL over HTTP as the GraphQL Foundation's specification has it, on strawberry's router.

What strawberry's FastAPI router does not do, and this subclass adds:

- ``application/graphql-response+json`` when the ``Accept`` header prefers it, with the status
  codes that media type carries: a request that fails before execution (unparsable, invalid
  against the schema, no query) is a 4xx, one that executed is a 200 even with field errors;
  ``application/json`` (the default, and what a missing ``Accept`` gets) stays 200 for every
  well-formed request, as legacy clients expect. An ``Accept`` that allows neither is a 406.
- A request that failed before execution has no ``data`` entry (GraphQL spec §7.1.2), where
  strawberry wrote ``"data": null``.
- A POST whose body is not ``application/json`` is a 415, and every refusal before execution is a
  GraphQL response (``{"errors": [...]}``) in the negotiated media type, not plain text.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET

from api.conneg import negotiate
from api.graphql.context import EvidenceContext
from api.graphql.errors import error_code
from api.openapi import Responses, content, error_responses
from api.pages.layout import esc
from api.pages.ui import content_security_policy, graphiql_page
from api.ui_assets import NotInstalled, UiAssets

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RESPONSE_TYPES = (JSON, GRAPHQL_RESPONSE)
"""What a GraphQL response is sent as; the first is what ``*/*`` or no ``Accept`` gets."""
REQUEST_TYPE = "application/json"
"""The one media type a POST body may have (multipart uploads are off: there are no mutations)."""


def default_query() -> str:
    """What GraphiQL opens on: the README's query (``api/graphql/examples/readme_query.graphql``)."""
    return resources.files("api.graphql").joinpath("examples/readme_query.graphql").read_text(
        encoding="utf-8"
    )


def response_type(request: Request) -> str | None:
    """The media type to answer ``request`` in, or ``None`` (406)."""
    return negotiate(request.headers.get("accept"), RESPONSE_TYPES)


def error_document(message: str) -> bytes:
    """A GraphQL response to a request refused before it was parsed: errors, no ``data``."""
    error = {"message": message, "extensions": {"code": "BAD_REQUEST"}}
    return json.dumps({"errors": [error]}).encode()


class GraphQLOverHTTP(GraphQLRouter[EvidenceContext, None]):
    """Strawberry's router, answering as the GraphQL-over-HTTP specification asks."""

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return await super().run(request, context, root_value)
        media = response_type(request)
        if media is None:
            return Response(
                error_document(f"the answer can be one of {', '.join(RESPONSE_TYPES)}"),
                status_code=406,
                media_type=JSON,
            )
        if request.method == "POST":
            sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if sent != REQUEST_TYPE:
                return Response(
                    error_document(
                        f"POST a GraphQL request as {REQUEST_TYPE}, not {sent or 'no media type'}"
                    ),
                    status_code=415,
                    media_type=media,
                )
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as error:
            return Response(
                error_document(error.reason), status_code=error.status_code, media_type=media
            )
        assert isinstance(response, Response)
        if response.media_type == JSON or response.headers.get("content-type") == JSON:
            response.headers["content-type"] = media
            if media == GRAPHQL_RESPONSE and getattr(request.state, "failed_before", False):
                response.status_code = 400
        return response

    async def parse_http_body(self, request: Any) -> Any:
        """The request's operation; ``operationName`` must be a string or null (the spec's
        rule, which strawberry does not check: an object was taken as no name)."""
        data = await super().parse_http_body(request)
        for operation in data if isinstance(data, list) else [data]:
            if not isinstance(operation.operation_name, str | None):
                raise HTTPException(400, "`operationName` must be a string or null.")
        return data

    def parse_json(self, data: str | bytes) -> Any:
        """The request's JSON, a 400 for a body that is not UTF-8 or nests too deeply (strawberry
        let both escape as a 500)."""
        try:
            return super().parse_json(data)
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not UTF-8.") from None
        except RecursionError:
            raise HTTPException(400, "The request body nests too deeply.") from None

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Run one operation; a document without the operation asked for (an unknown
        ``operationName``, or several operations and none named) is a GraphQL request error,
        answered like any failure before execution, where strawberry raised a plain 400."""
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            if not isinstance(error.__cause__, CannotGetOperationTypeError):
                raise
            unresolved = GraphQLError(
                error.reason, extensions={"code": "OPERATION_RESOLUTION_FAILURE"}
            )
            return PreExecutionError(data=None, errors=[unresolved])

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL on the application's own files, opening on the README's query."""
        assets: UiAssets = request.app.state.ui_assets
        try:
            page = HTMLResponse(graphiql_page(assets, default_query()))
        except NotInstalled as error:
            return HTMLResponse(f"<p>{esc(error)}</p>", status_code=503)
        page.headers["Content-Security-Policy"] = content_security_policy()
        return page

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response document, without ``data`` when execution never began (and the request
        marked so, for the status code), each error with its ``extensions.code``."""
        document = await super().process_result(request, result)
        before = isinstance(result, PreExecutionError)
        if before:
            request.state.failed_before = True
            document.pop("data", None)
        formatted_errors: list[dict[str, Any]] = document.get("errors") or []  # type: ignore[assignment]
        for error, formatted in zip(result.errors or [], formatted_errors, strict=False):
            extensions = formatted.setdefault("extensions", {})
            extensions.setdefault("code", error_code(error, before_execution=before))
        return document


GRAPHQL_RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {"type": ["object", "null"]},
        "errors": {"type": "array", "items": {"type": "object"}},
        "extensions": {"type": "object"},
    },
}
"""A GraphQL response (GraphQL spec §7.1)."""
QUERY_SCHEMA = {"type": "string", "minLength": 1, "description": "A GraphQL document."}
"""Any text: one that is not GraphQL is answered like a valid request, with errors (a 200 for
``application/json``), so the document does not call it invalid."""
GRAPHQL_ANSWERS = content(RESPONSE_TYPES, GRAPHQL_RESPONSE_SCHEMA)
REFUSED = (
    "The request failed before execution (no `data` entry): unparsable, not valid against the "
    "schema, or no query; a 200 for `application/json`, as legacy clients expect."
)


def openapi(method: str) -> tuple[Responses, dict[str, Any]]:
    """The ``responses`` and ``openapi_extra`` of the GET or POST route: what they read and
    answer, which strawberry's router leaves out."""
    documented: Responses = {
        200: {"description": "A GraphQL response.", "content": dict(GRAPHQL_ANSWERS)},
        400: {"description": REFUSED, "content": dict(GRAPHQL_ANSWERS)},
        **error_responses(406, media=[JSON]),
    }
    variables = {
        "type": ["object", "null"],
        "description": "Values of the operation's variables.",
    }
    name = {"type": ["string", "null"], "description": "Which operation of the document to run."}
    if method == "GET":
        documented[200]["content"]["text/html"] = {"schema": {"type": "string"}}
        documented[200]["description"] += " GraphiQL for a browser asking without a query."
        extra: dict[str, Any] = {
            "parameters": [
                {"name": "query", "in": "query", "schema": QUERY_SCHEMA},
                {
                    "name": "variables",
                    "in": "query",
                    "description": "JSON-encoded values of the operation's variables.",
                    "schema": {"type": "string", "format": "json-object"},
                },
                {"name": "operationName", "in": "query", "schema": {**name, "type": "string"}},
            ]
        }
        return documented, extra
    documented.update(error_responses(413, 415, media=RESPONSE_TYPES))
    body: dict[str, Any] = {
        "type": "object",
        "required": ["query"],
        "properties": {"query": QUERY_SCHEMA, "variables": variables, "operationName": name},
    }
    return documented, {
        "requestBody": {"required": True, "content": {REQUEST_TYPE: {"schema": body}}}
    }


def document_routes(router: GraphQLRouter[Any, Any]) -> None:
    """Give the router's GET and POST routes their :func:`openapi` entries."""
    for route in router.routes:
        methods = getattr(route, "methods", None) or set()
        for method in ("GET", "POST"):
            if method in methods:
                route.responses, route.openapi_extra = openapi(method)  # type: ignore[attr-defined]
