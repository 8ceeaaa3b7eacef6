"""The README's GraphQL example is the shipped query, and its output is what the API answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _block(text: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", text, re.DOTALL)
    assert match, f"README has no {language} block"
    return match.group(1)


def test_readme_graphql_example_and_output_are_current() -> None:
    readme = (ROOT / "README.md").read_text()
    query = _block(readme, "graphql")
    shipped = (ROOT / "api" / "graphql" / "examples" / "readme_query.graphql").read_text()
    assert query.strip() == shipped.strip()
    with TestClient(create_app(Settings.from_env({}))) as client:
        answer = client.post("/graphql", json={"query": query}).json()
    assert answer == json.loads(_block(readme, "json"))
