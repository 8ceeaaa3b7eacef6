"""schemathesis, as someone outside the project would run it, against ``kg serve``: over the
OpenAPI document with every check, and over the GraphQL schema; no server error, no response
the document does not describe, no valid request refused, no invalid one accepted.

Why the command line and not schemathesis's pytest plugin: the command runs the phases the plugin
does not (coverage of boundary values, unsupported methods, missing headers) and is exactly what
the issue's reviewers run; ``schemathesis.toml`` in the checkout gives both the hooks that make
valid queries (tests/api/schemathesis_hooks.py). Bounded by ``--max-examples`` (15, or
``KG_SCHEMATHESIS_EXAMPLES`` for a longer run: 150 found nothing either) so that the suite
stays quick; each run draws new examples, and a failure prints the seed and a ``curl`` to
reproduce it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.tokens import create_token
from tests.servers import PROJECT_ROOT, KgServer, kg_server

MAX_EXAMPLES = os.environ.get("KG_SCHEMATHESIS_EXAMPLES", "15")


@pytest.fixture(scope="module")
def server() -> Iterator[KgServer]:
    with kg_server({"KG_QUERY_TIMEOUT": "5"}) as running:
        yield running


def _schemathesis() -> str:
    found = Path(sys.executable).parent / "schemathesis"
    return str(found) if found.exists() else shutil.which("schemathesis") or "schemathesis"


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KgServer, str]]:
    """A server over a store of its own that takes writes, with a write token: the mutations
    are fuzzed as an authorized client sends them (the 401/403 of others is tested in
    tests/api/test_writes.py)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    token = create_token(folder / "tokens.json", "schemathesis")
    environment = {
        "KG_QUERY_TIMEOUT": "5",
        "KG_STORE": f"oxigraph:{folder / 'store'}",
        "KG_TOKENS_FILE": str(folder / "tokens.json"),
    }
    with kg_server(environment) as running:
        yield running, token


def _run(location: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _schemathesis(),
            "run",
            location,
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "1",
            "--no-color",
            *options,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_openapi_document_holds(server: KgServer) -> None:
    said = _run(f"{server.base_url}/openapi.json")
    assert said.returncode == 0, said.stdout[-6000:] + said.stderr[-2000:]
    assert "passed" in said.stdout and "ST1" not in said.stdout


def test_graphql_schema_holds(writable_server: tuple[KgServer, str]) -> None:
    server, token = writable_server
    said = _run(f"{server.base_url}/graphql", "--header", f"Authorization: Bearer {token}")
    assert said.returncode == 0, said.stdout[-6000:] + said.stderr[-2000:]
    assert "passed" in said.stdout
