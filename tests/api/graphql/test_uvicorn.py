"""The API over a real uvicorn server on loopback, started and stopped by its own pid."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, stop, wait_until_up

README_QUERY = Path(__file__).parents[3] / "api" / "graphql" / "examples" / "readme_query.graphql"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).parents[3],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process, seconds=30)
        yield url
    finally:
        stop(process)


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
