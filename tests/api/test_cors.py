"""CORS: on by default for every route (all are read-only and public), configurable by
``KG_CORS_ORIGINS``; a browser app elsewhere can read the dumps, query SPARQL and GraphQL, and
fetch resources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.build import build_store
from kg.settings import Settings
from kg.store import Store

ELSEWHERE = "https://app.example.org"
READS = [
    ("GET", "/dump.ttl"),
    ("GET", "/dump.jsonld"),
    ("GET", "/sparql?query=ASK%20%7B%7D"),
    ("GET", "/graphql?query=%7B%20drugs%20%7B%20name%20%7D%20%7D"),
    ("GET", "/id/trial/dascern"),
    ("GET", "/context.jsonld"),
]


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[Store]:
    """One built store for the apps of this module (each app would build its own)."""
    built = build_store(settings)
    yield built
    built.close()


@pytest.fixture(scope="module")
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store)) as running:  # with its SPARQL workers
        yield running


@pytest.mark.parametrize(("method", "path"), READS)
def test_reads_are_open_to_any_origin_by_default(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers={"Origin": ELSEWHERE})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "etag" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("path", ["/sparql", "/graphql"])
def test_preflight_of_a_post_is_allowed(client: TestClient, path: str) -> None:
    """A POST with a JSON or SPARQL body is not a simple request: the browser asks first."""
    response = client.options(
        path,
        headers={
            "Origin": ELSEWHERE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_post_answers_carry_the_header(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ drugs { name } }"}, headers={"Origin": ELSEWHERE})
    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_can_be_turned_off_or_narrowed(settings: Settings, store: Store) -> None:
    off = Settings.from_env({"KG_CORS_ORIGINS": "off"})
    assert off.cors_origins == () and Settings.from_env(off.to_env()).cors_origins == ()
    closed = TestClient(create_app(settings.with_overrides(cors_origins=()), store=store))
    assert "access-control-allow-origin" not in closed.get("/dump.ttl", headers={"Origin": ELSEWHERE}).headers
    narrow = TestClient(create_app(settings.with_overrides(cors_origins=(ELSEWHERE,)), store=store))
    allowed = narrow.get("/dump.ttl", headers={"Origin": ELSEWHERE})
    assert allowed.headers["access-control-allow-origin"] == ELSEWHERE
    other = narrow.get("/dump.ttl", headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers
