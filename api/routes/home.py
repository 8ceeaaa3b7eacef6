"""The landing page at ``/`` (HTML, or a JSON service root) and the trial list at ``/trials``;
their data comes from the GraphQL API run in-process (:mod:`api.local_graphql`)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from api.conneg import negotiate
from api.deps import ServedDep, SettingsDep
from api.graphql.limits import MAX_PAGE_SIZE
from api.local_graphql import PageDataError, local_graphql
from api.openapi import JSON_DOCUMENT, error_responses
from api.pages.landing import landing_page, service_root, trial_list_page
from api.paths import local_path

router = APIRouter(tags=["home"])

HOME_OFFERS = ["text/html", "application/json"]
TRIALS_PER_PAGE = 50
HOME_LINKS = '</openapi.json>; rel="service-desc", </docs>; rel="service-doc"'
"""RFC 8631: where a client finds the API's description and its documentation."""


@router.get(
    "/",
    response_model=None,
    response_class=Response,
    responses={
        200: {
            "description": "What the service is, how many trials it holds, and where to go: "
            "a page for browsers, links for clients (a service root).",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": JSON_DOCUMENT},
            },
        },
        **error_responses(406),
    },
)
async def home(request: Request, served: ServedDep) -> Response:
    """The landing page; JSON for ``Accept: application/json``."""
    chosen = negotiate(request.headers.get("accept"), HOME_OFFERS)
    headers = {"Vary": "Accept", "Link": HOME_LINKS}
    if chosen is None:
        return PlainTextResponse(
            "available: " + ", ".join(HOME_OFFERS) + "\n", status_code=406, headers=headers
        )
    data = await local_graphql(request).run(served, "landing")
    trials = int(data["trials"]["totalCount"])
    if chosen == "application/json":
        root = service_root(str(request.base_url).rstrip("/"), trials)
        return Response(json.dumps(root, indent=2), media_type="application/json", headers=headers)
    return Response(landing_page(trials), media_type="text/html; charset=utf-8", headers=headers)


@router.get(
    "/trials",
    response_model=None,
    response_class=Response,
    responses={
        200: {
            "description": "The trials whose names contain `q` (or whose registry id it is).",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **error_responses(400, media=["text/html"]),
    },
)
async def trials(
    request: Request,
    served: ServedDep,
    settings: SettingsDep,
    q: Annotated[
        str, Query(description="Part of a trial's name, or its registry id.", max_length=200)
    ] = "",
    after: Annotated[
        str | None,
        Query(
            description="Where the page starts: a cursor this server gave out (the 'Next "
            "page' link); another is a 400.",
            json_schema_extra={"format": "page-cursor"},
        ),
    ] = None,
) -> Response:
    """The trial list, a page at a time, with its search."""
    text = q.strip()
    variables = {
        "text": text or None,
        "first": min(TRIALS_PER_PAGE, MAX_PAGE_SIZE),
        "after": after,
        "id": text,
        "lookup": bool(text) and after is None,
    }
    try:
        data = await local_graphql(request).run(served, "trial_list", **variables)
    except PageDataError as error:
        body = trial_list_page(
            text=text, total=0, trials=[], exact=None, next_after=None, error=str(error)
        )
        return Response(body, status_code=400, media_type="text/html; charset=utf-8")
    listing = data["trials"]
    found = [(edge["node"], local_path(edge["node"]["id"], settings)) for edge in listing["edges"]]
    exact = data.get("exact")
    page_info = listing["pageInfo"]
    body = trial_list_page(
        text=text,
        total=int(listing["totalCount"]),
        trials=found,
        exact=(exact, local_path(exact["id"], settings)) if exact else None,
        next_after=page_info["endCursor"] if page_info["hasNextPage"] else None,
    )
    return Response(body, media_type="text/html; charset=utf-8")
