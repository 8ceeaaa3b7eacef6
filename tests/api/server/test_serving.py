"""How `kg serve` runs: event loop and parser, several processes over one store, and several
servers sharing one remote store with no state of their own."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from uvicorn import Config

from api.app import create_app
from api.server import YOUNG_COLLECTION_THRESHOLD, started, uvicorn_options
from kg.build import bump_generation
from kg.settings import Settings
from kg.sparql.snapshot import SNAPSHOT_INFIX
from kg.store import open_store
from tests.api.documents import ACRONYM, README_QUERY
from tests.api.server.serving import RENAME_DASCERN, kg_serve
from tests.servers import OxigraphServer, child_pids


def graphql(base_url: str, query: str) -> dict[str, object]:
    response = httpx.post(f"{base_url}/graphql", json={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, object] = body["data"]
    return data


def test_uvicorn_runs_on_uvloop_and_httptools(settings: Settings) -> None:
    """Without them the same app serves about a third of the requests per second."""
    options = uvicorn_options(settings)
    assert (options["loop"], options["http"]) == ("api.loop:new_event_loop", "httptools")
    import httptools  # noqa: F401
    import uvloop

    loop = Config(app=create_app, loop=str(options["loop"])).get_loop_factory()()  # as uvicorn does
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_serving_options_come_from_the_environment(settings: Settings) -> None:
    configured = Settings.from_env(
        {"KG_WORKERS": "3", "KG_ACCESS_LOG": "off", "KG_GRAPHQL_CACHE": "64", "KG_STORE": "memory"}
    )
    assert (configured.workers, configured.access_log, configured.graphql_cache_size) == (
        3, False, 64
    )
    assert uvicorn_options(configured)["access_log"] is False
    assert Settings.from_env(configured.to_env()) == configured
    with pytest.raises(ValueError, match="on or off"):
        Settings.from_env({"KG_ACCESS_LOG": "maybe"})


def test_health_answers_without_counting_the_store(settings: Settings) -> None:
    response = TestClient(create_app(settings)).get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_several_worker_processes_serve_one_on_disk_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with kg_serve({"KG_STORE": f"oxigraph:{store}", "KG_WORKERS": "2"}) as server:
        assert len(child_pids(server.pid)) >= 2  # uvicorn's two worker processes
        answers = {str(graphql(server.base_url, README_QUERY)) for _ in range(6)}
        assert len(answers) == 1
        sparql = httpx.get(
            f"{server.base_url}/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert sparql.status_code == 200 and sparql.json()["boolean"] is True
        # The parent keeps the store's lock: a concurrent writer (kg load) is refused, not
        # silently unseen by the workers' snapshot.
        opened = subprocess.run(
            [sys.executable, "-c", f"import pyoxigraph; pyoxigraph.Store({str(store)!r})"],
            capture_output=True, text=True,
        )
        assert opened.returncode != 0 and "lock" in opened.stderr.lower()
        assert list(tmp_path.glob(f".store{SNAPSHOT_INFIX}*"))
    assert not list(tmp_path.glob(f".store{SNAPSHOT_INFIX}*"))


@pytest.fixture
def shared(remote_sparql: OxigraphServer, settings: Settings) -> OxigraphServer:
    store = open_store(remote_sparql.store_spec)
    for name in store.graph_names():  # the server is shared by tests: start from empty
        store.drop_graph(name)
    store.close()
    return remote_sparql


@pytest.mark.parametrize("cache", ["0", "16"], ids=["no-cache", "cache"])
def test_two_servers_on_one_remote_store_agree_before_and_after_a_change(
    shared: OxigraphServer, settings: Settings, cache: str
) -> None:
    """What one load balancer's upstreams need: no state of their own, so no disagreement for
    longer than the generation check's interval after a change around them."""
    environment = {
        "KG_STORE": shared.store_spec, "KG_GRAPHQL_CACHE": cache, "KG_GENERATION_CHECK": "0.2",
    }
    with kg_serve(environment) as first, kg_serve(environment) as second:
        before = graphql(first.base_url, README_QUERY)
        assert graphql(second.base_url, README_QUERY) == before
        assert graphql(first.base_url, ACRONYM) == graphql(second.base_url, ACRONYM)
        store = open_store(shared.store_spec)
        try:  # a change through kg: data written, then the generation recorded (as a load does)
            response = httpx.post(
                shared.update_url,
                content=(RENAME_DASCERN % "RENAMED").encode(),
                headers={"Content-Type": "application/sparql-update"},
                timeout=30,
            )
            assert response.status_code < 300, response.text
            bump_generation(store, settings.base_iri)
        finally:
            store.close()
        renamed = {"trial": {"acronym": "RENAMED"}}
        for server in (first, second):
            deadline = time.monotonic() + 10
            while graphql(server.base_url, ACRONYM) != renamed and time.monotonic() < deadline:
                time.sleep(0.1)
            assert graphql(server.base_url, ACRONYM) == renamed


def test_a_started_server_collects_garbage_less_often(settings: Settings) -> None:
    """What the process made to start is frozen out of collections, and the youngest generation
    waits for more allocations than Python's default (api.server.started)."""
    before = gc.get_threshold()
    try:
        app = create_app(settings)
        assert started(app) is app
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
