"""The API over a real uvicorn server on loopback, started and stopped by its own pid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import kg_server

README_QUERY = Path(__file__).parents[3] / "api" / "graphql" / "examples" / "readme_query.graphql"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with kg_server() as running:
        yield running.base_url


def test_readme_query_over_http(server: str) -> None:
    response = httpx.post(
        f"{server}/graphql", json={"query": README_QUERY.read_text(encoding="utf-8")}, timeout=10
    )
    assert response.status_code == 200
    (endpoint,) = response.json()["data"]["trial"]["endpoints"]
    assert sorted(r["value"] for r in endpoint["results"]) == [13.0, 29.0]
    assert endpoint["comparisons"][0]["pValue"] == 0.005


def test_oversized_body_over_http(server: str) -> None:
    response = httpx.post(
        f"{server}/graphql",
        content=b"{" + b" " * 200_000 + b"}",
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413


def test_graphiql_over_http(server: str) -> None:
    response = httpx.get(f"{server}/graphql", headers={"accept": "text/html"}, timeout=10)
    assert response.status_code == 200 and "graphiql" in response.text.lower()
