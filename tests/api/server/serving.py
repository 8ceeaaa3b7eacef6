"""`kg serve` itself (not bare uvicorn) on loopback, started and stopped by its own pid."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kg.build import build_store
from kg.settings import Settings
from kg.stores.oxigraph import OxigraphStore
from tests.servers import PROJECT_ROOT, KgServer, free_port, stop, wait_until_up

KG = str(Path(sys.executable).parent / "kg")

RENAME_DASCERN = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
DELETE { GRAPH ?g { ?trial ?name ?old } } INSERT { GRAPH ?g { ?trial ?name "%s" } }
WHERE {
  VALUES ?trial { <https://w3id.org/evidence-kg/id/trial/dascern> }
  VALUES ?name { rdfs:label schema:alternateName }
  GRAPH ?g { ?trial ?name ?old }
}
"""
"""A SPARQL update giving DASCERN another label and acronym (``% name``), written around kg:
what a cache must notice once the data generation moves."""


@contextmanager
def built_on_disk(
    store_path: Path, settings: Settings, **overrides: object
) -> Iterator[tuple[OxigraphStore, Settings]]:
    """An embedded store built at ``store_path`` from ``settings`` with ``overrides``, and
    those settings; closed afterwards."""
    configured = settings.with_overrides(store=f"oxigraph:{store_path}", **overrides)
    store = build_store(configured)
    assert isinstance(store, OxigraphStore)
    try:
        yield store, configured
    finally:
        store.close()


@contextmanager
def answer_cached_app(
    store_path: Path, settings: Settings
) -> Iterator[tuple[TestClient, OxigraphStore, Settings]]:
    """The app in-process on a store built at ``store_path``, with the GraphQL answer cache on,
    as `kg serve` runs on an embedded store; the test writes around the app (a load into the
    store it holds), so the app looks for a moved generation before every request."""
    overrides = {"graphql_cache_size": 8, "generation_check_seconds": 0}
    with built_on_disk(store_path, settings, **overrides) as (store, cached):
        yield TestClient(create_app(cached, store=store)), store, cached


@contextmanager
def kg_serve(environment: Mapping[str, str]) -> Iterator[KgServer]:
    """Run `kg serve` with the given ``KG_*`` settings (others cleared) on a free port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_PORT": str(port), "KG_QUERY_TIMEOUT": "2", "KG_SPARQL_WORKERS": "1"})
    env.update(environment)
    process = subprocess.Popen(
        [KG, "serve"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = KgServer(f"http://127.0.0.1:{port}", process.pid)
        wait_until_up(f"{server.base_url}/health", process, seconds=90)
        yield server
    finally:
        stop(process)
