"""HTTP errors no route answers itself (api/http_errors.py): plain text, and 405 answers name
every method the path takes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings


@pytest.fixture(scope="module")
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/sparql", "GET, POST"),
        ("DELETE", "/sparql", "GET, POST"),
        ("PUT", "/graphql", "GET, POST"),
        ("PATCH", "/graphql", "GET, POST"),
        ("DELETE", "/id/trial/dascern", "GET, HEAD"),
        ("POST", "/dump.ttl", "GET, HEAD"),
        ("POST", "/ontology/Trial", "GET, HEAD"),
    ],
)
def test_method_not_allowed_names_every_allowed_method(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    """Starlette named only the first route's methods: ``PUT /sparql`` was told ``GET``."""
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert method in response.text and allow in response.text


def test_each_allowed_method_is_indeed_allowed(client: TestClient) -> None:
    for method in client.request("PUT", "/id/trial/dascern").headers["allow"].split(", "):
        assert client.request(method, "/id/trial/dascern").status_code == 200


def test_unknown_path_is_a_plain_text_404(client: TestClient) -> None:
    """Also where a route's pattern does not match (a line break in a resource path)."""
    for path in ("/nowhere", "/id/a%0Ab"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert "nothing is served at" in response.text
