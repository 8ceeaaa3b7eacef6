"""The API over a real uvicorn server on loopback, started and stopped by its own pid."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.documents import README_QUERY
from tests.backends import Backend
from tests.servers import kg_server


@pytest.fixture(scope="module")
def base_url(backend: Backend) -> Iterator[str]:
    """The root of ``kg serve`` over the backend under test, with the default query time limit.

    Not the session's ``server`` (tests/api/conftest), whose 1 s limit is for the hostile-query
    tests: the README query on the rdflib store takes about 0.5 s idle, and more than 1 s on two
    cores shared with the other test worker.
    """
    with backend.spec() as spec, kg_server({"KG_STORE": spec, "KG_QUERY_TIMEOUT": "10"}) as server:
        yield server.base_url


def test_readme_query_over_http(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/graphql", json={"query": README_QUERY}, timeout=10
    )
    assert response.status_code == 200
    (endpoint,) = response.json()["data"]["trial"]["endpoints"]
    assert sorted(r["value"] for r in endpoint["results"]) == [13.0, 29.0]
    assert endpoint["comparisons"][0]["pValue"] == 0.005


def test_oversized_body_over_http(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/graphql",
        content=b"{" + b" " * 200_000 + b"}",
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413


def test_graphiql_over_http(base_url: str) -> None:
    response = httpx.get(f"{base_url}/graphql", headers={"accept": "text/html"}, timeout=10)
    assert response.status_code == 200 and "graphiql" in response.text.lower()
