"""GraphQL documents the API tests send, and the one way they read an answer over a client."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kg.settings import PROJECT_ROOT

README_QUERY = (PROJECT_ROOT / "api" / "graphql" / "examples" / "readme_query.graphql").read_text(
    encoding="utf-8"
)
"""The README's query (the shipped example), as its text."""

ACRONYM = '{ trial(id: "NCT01593254") { acronym } }'
"""DASCERN's acronym: the smallest query whose answer a rename changes."""


def answer(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST ``query``; fail on HTTP or GraphQL errors; its ``data``."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data
