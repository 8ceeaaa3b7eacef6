"""GraphQL over HTTP (the GraphQL Foundation's specification), api/graphql_http.py: media types,
status codes, and what is logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.graphql.schema import build_schema
from kg.settings import Settings

GRAPHQL_RESPONSE = "application/graphql-response+json"
VALID = "{ trial(id: \"DASCERN\") { acronym } }"
UNPARSABLE = "{ trial(id: "
INVALID = "{ trial(id: \"DASCERN\") { noSuchField } }"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _post(client: TestClient, query: str, accept: str | None) -> tuple[int, str, dict[str, object]]:
    headers = {"Accept": accept} if accept else {}
    response = client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


def test_graphql_response_json_when_asked_for(client: TestClient) -> None:
    status, media, body = _post(client, VALID, GRAPHQL_RESPONSE)
    assert (status, media) == (200, GRAPHQL_RESPONSE)
    assert body == {"data": {"trial": {"acronym": "DASCERN"}}}


@pytest.mark.parametrize("query", [UNPARSABLE, INVALID], ids=["unparsable", "invalid"])
def test_failure_before_execution_is_400_without_data(client: TestClient, query: str) -> None:
    """``application/graphql-response+json``: 400 and no ``data`` entry (it was 200 with
    ``"data": null`` whatever was asked)."""
    status, media, body = _post(client, query, f"{GRAPHQL_RESPONSE}, application/json;q=0.9")
    assert (status, media) == (400, GRAPHQL_RESPONSE)
    assert "data" not in body and body["errors"]


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
def test_application_json_stays_200_and_has_no_data_before_execution(
    client: TestClient, accept: str | None
) -> None:
    """Legacy clients get 200 for every well-formed request; still no ``data`` entry."""
    status, media, body = _post(client, UNPARSABLE, accept)
    assert (status, media) == (200, "application/json")
    assert "data" not in body and body["errors"]


def test_field_error_after_execution_began_is_200_with_data(client: TestClient) -> None:
    status, _, body = _post(client, '{ trials(after: "not-a-cursor") { totalCount } }', GRAPHQL_RESPONSE)
    assert status == 200 and "data" in body and body["errors"]


def test_body_that_is_not_json_is_415(client: TestClient) -> None:
    response = client.post(
        "/graphql", content=VALID, headers={"Content-Type": "application/graphql", "Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert "application/json" in response.json()["errors"][0]["message"]


def test_unparsable_json_body_is_400_as_a_graphql_response(client: TestClient) -> None:
    response = client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Unable to parse request body as JSON",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\xab\xcd\xef{}", "not UTF-8"),
        (b"[" * 100_000, "nests too deeply"),
        (b'{"query": "{ drugs { name } }", "operationName": {}}', "`operationName` must be"),
    ],
    ids=["not-utf8", "deep", "operation-name-object"],
)
def test_malformed_bodies_are_400_not_500(client: TestClient, body: bytes, problem: str) -> None:
    """A body that is not UTF-8 or nests too deeply escaped strawberry as a 500."""
    response = client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert problem in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "operation", "code"),
    [
        (UNPARSABLE, None, "GRAPHQL_PARSE_FAILED"),
        (INVALID, None, "GRAPHQL_VALIDATION_FAILED"),
        ("query A { drugs { name } }", "B", "OPERATION_RESOLUTION_FAILURE"),
        ('{ trials(after: "not-a-cursor") { totalCount } }', None, "BAD_USER_INPUT"),
        ("{ drugs(first: 101) { name } }", None, "BAD_USER_INPUT"),
    ],
)
def test_errors_carry_a_code_saying_whose_fault(
    client: TestClient, query: str, operation: str | None, code: str
) -> None:
    """``extensions.code`` as Apollo's servers give it, which client libraries and schemathesis
    read: without it, a bad cursor read as a server error."""
    response = client.post("/graphql", json={"query": query, "operationName": operation})
    assert response.status_code == 200
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": VALID}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert GRAPHQL_RESPONSE in response.json()["errors"][0]["message"]


def test_get_answers_in_the_negotiated_type(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": VALID}, headers={"Accept": GRAPHQL_RESPONSE})
    assert response.status_code == 200 and response.headers["content-type"] == GRAPHQL_RESPONSE
    missing = client.get("/graphql", headers={"Accept": GRAPHQL_RESPONSE})
    assert missing.status_code == 400 and "data" not in missing.json()


@pytest.mark.parametrize(
    "query",
    [
        '{ trials(after: "not-a-cursor") { totalCount } }',
        "{ trials(first: 101) { totalCount } }",
        "{ comparisons(first: -1) { totalCount } }",
        UNPARSABLE,
    ],
    ids=["bad-cursor", "first-too-large", "first-negative", "unparsable"],
)
def test_client_errors_are_logged_at_info_without_a_traceback(
    client: TestClient, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    """They were logged at ERROR with a traceback each, burying real faults."""
    with caplog.at_level(logging.DEBUG, logger="strawberry.execution"):
        client.post("/graphql", json={"query": query})
    records = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert records, "the error is logged"
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in records), [
        (r.levelname, r.getMessage()) for r in records
    ]


def test_every_first_argument_states_its_range() -> None:
    """The schema says what ``page_size`` enforces, from the same constants."""
    query = build_schema()._schema.query_type
    assert query is not None
    described = {
        name: field.args["first"].description
        for name, field in query.fields.items()
        if "first" in field.args
    }
    assert set(described) == {"trials", "drugs", "comparisons"}
    for description in described.values():
        assert f"0 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when omitted" in (description or "")
