"""``kg serve`` and ``kg export-schema``: the commands api registers on ``kg`` (api/commands.py).

They run through ``kg.cli.main`` as users run them, with the server itself replaced by a
recorder of the settings it would get (the server is tested in tests/api/server/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api import commands
from kg import cli
from kg.settings import PROJECT_ROOT, Settings

CURATED = PROJECT_ROOT / "data" / "dascern.yaml"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's KG_* variables must not change what these tests see."""
    for name in list(os.environ):
        if name.startswith("KG_"):
            monkeypatch.delenv(name)


def test_the_commands_are_registered_through_entry_points() -> None:
    """kg finds serve and export-schema in the kg.commands entry points of this package's
    metadata (pyproject.toml), not by importing api itself."""
    registered = {command.name: command for command in cli.registered_commands()}
    assert registered["serve"] is commands.SERVE
    assert registered["export-schema"] is commands.EXPORT_SCHEMA


def test_serve_passes_the_settings_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import api.server

    seen: list[Settings] = []
    monkeypatch.setattr(api.server, "run", seen.append)
    args = ["serve", "--host", "0.0.0.0", "--port", "8123", "--data", str(CURATED)]
    assert cli.main(args) == 0
    assert (seen[0].host, seen[0].port, seen[0].data_files) == ("0.0.0.0", 8123, (CURATED,))


def test_serve_keeps_its_store_on_disk_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """kg serve must survive a restart: with no store configured it uses an on-disk oxigraph."""
    import api.server

    seen: list[Settings] = []
    monkeypatch.setattr(api.server, "run", seen.append)
    monkeypatch.delenv("KG_STORE", raising=False)
    assert cli.main(["serve"]) == 0
    assert seen[-1].store == commands.SERVE_DEFAULT_STORE
    monkeypatch.setenv("KG_STORE", "memory")
    assert cli.main(["serve"]) == 0
    assert seen[-1].store == "memory"
    assert cli.main(["serve", "--store", "oxigraph"]) == 0
    assert seen[-1].store == "oxigraph"


def test_serve_caches_graphql_answers_on_an_embedded_store_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer cache is on by default where nothing else can write (an embedded store the
    server holds), off on a remote store, and the environment or --graphql-cache decide first."""
    import api.server

    seen: list[Settings] = []
    monkeypatch.setattr(api.server, "run", seen.append)
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.delenv("KG_GRAPHQL_CACHE", raising=False)
    assert cli.main(["serve"]) == 0
    assert seen[-1].graphql_cache_size == commands.SERVE_DEFAULT_GRAPHQL_CACHE
    assert cli.main(["serve", "--store", "memory"]) == 0  # embedded too: no other writer
    assert seen[-1].graphql_cache_size == commands.SERVE_DEFAULT_GRAPHQL_CACHE
    assert cli.main(["serve", "--store", "sparql:http://127.0.0.1:1/q"]) == 0
    assert seen[-1].graphql_cache_size == 0
    assert cli.main(["serve", "--graphql-cache", "0", "--workers", "2"]) == 0
    assert (seen[-1].graphql_cache_size, seen[-1].workers) == (0, 2)
    monkeypatch.setenv("KG_GRAPHQL_CACHE", "7")
    assert cli.main(["serve"]) == 0
    assert seen[-1].graphql_cache_size == 7


def test_serve_workers_must_be_a_positive_count(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kg serve --workers 0` is a usage error, as for `kg validate`, not a server that starts
    with no process to answer."""
    import api.server

    seen: list[Settings] = []
    monkeypatch.setattr(api.server, "run", seen.append)
    assert cli.main(["serve", "--workers", "0"]) == 2
    assert "not at least 1" in capsys.readouterr().err
    assert not seen


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    from api.graphql import schema

    output = tmp_path / "schema.graphql"
    assert cli.main(["export-schema", "-o", str(output)]) == 0
    assert output.read_text().strip() == schema.sdl().strip()
