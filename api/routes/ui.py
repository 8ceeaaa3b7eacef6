"""The browser UIs: Swagger UI at ``/docs``, ReDoc at ``/redoc``, YASGUI at ``/sparql/editor``
(GraphiQL is ``/graphql`` in a browser, :mod:`api.graphql_http`), all on the application's own
files (:mod:`api.ui_assets`); a 503 saying to run ``make ui`` where those are not installed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api.pages.ui import content_security_policy, sparql_editor_page
from api.ui_assets import NotInstalled, UiAssets
from kg.sparql.service import example_queries

router = APIRouter(include_in_schema=False)

TITLE = "Evidence knowledge graph"


def ui_assets(request: Request) -> UiAssets:
    """The app's installed UI files (``app.state.ui_assets``)."""
    assets: UiAssets = request.app.state.ui_assets
    return assets


def not_installed(error: NotInstalled) -> Response:
    return PlainTextResponse(f"{error}\n", status_code=503)


def confined(page: HTMLResponse, *, any_endpoint: bool = False) -> HTMLResponse:
    """``page`` with the UI pages' Content-Security-Policy."""
    page.headers["Content-Security-Policy"] = content_security_policy(any_endpoint=any_endpoint)
    return page


@router.get("/docs")
def swagger_ui(request: Request) -> Response:
    """Swagger UI on this API's OpenAPI document."""
    assets = ui_assets(request)
    try:
        return confined(
            get_swagger_ui_html(
                openapi_url=request.app.openapi_url,
                title=f"{TITLE} · Swagger UI",
                swagger_js_url=assets.url("swagger-ui-dist", "swagger-ui-bundle.js"),
                swagger_css_url=assets.url("swagger-ui-dist", "swagger-ui.css"),
                swagger_favicon_url=assets.url("swagger-ui-dist", "favicon-32x32.png"),
                # No badge from validator.swagger.io: the page must not reach other hosts.
                swagger_ui_parameters={"validatorUrl": None},
            )
        )
    except NotInstalled as error:
        return not_installed(error)


@router.get("/redoc")
def redoc(request: Request) -> Response:
    """ReDoc on this API's OpenAPI document."""
    assets = ui_assets(request)
    try:
        return confined(
            get_redoc_html(
                openapi_url=request.app.openapi_url,
                title=f"{TITLE} · ReDoc",
                redoc_js_url=assets.url("redoc", "bundles/redoc.standalone.js"),
                redoc_favicon_url=assets.url("swagger-ui-dist", "favicon-32x32.png"),
                with_google_fonts=False,
            )
        )
    except NotInstalled as error:
        return not_installed(error)


@router.get("/sparql/editor")
def sparql_editor(request: Request) -> Response:
    """YASGUI on /sparql, the example queries open as tabs."""
    examples = [(example.title, example.text) for example in example_queries()]
    try:
        page = HTMLResponse(sparql_editor_page(ui_assets(request), examples))
        return confined(page, any_endpoint=True)
    except NotInstalled as error:
        return not_installed(error)
