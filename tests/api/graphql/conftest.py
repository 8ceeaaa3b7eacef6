"""Fixtures for the GraphQL tests: an app over the backend's store, and a query helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings
from kg.store import Store
from tests.api.documents import answer

GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def client(backend_settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(backend_settings, store=store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def gql(client: TestClient) -> GraphQL:
    """POST a query; fail on HTTP or GraphQL errors; return ``data``."""

    def run(query: str, **variables: Any) -> dict[str, Any]:
        return answer(client, query, **variables)

    return run
