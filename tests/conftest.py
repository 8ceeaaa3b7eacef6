"""Shared fixtures (the built knowledge graph, made once per test session), and which tests
share a ``pytest -n`` worker (tests/workers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from rdflib import Dataset, Graph

from kg.build import build_dataset
from kg.export import export, union_graph
from kg.settings import Settings
from kg.validate import load_ontology, load_shapes
from tests.backends import Backends
from tests.servers import OxigraphServer, oxigraph_server


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Tests that share expensive setup go to one worker (tests/workers.py), where xdist would
    hand out every test one by one (``load``, what ``-n 2`` means without ``--dist``); an
    explicit other ``--dist`` is left to xdist."""
    if config.getoption("dist") != "load":
        return None
    from tests.workers import GroupedScheduling

    return GroupedScheduling(config, log)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings, independent of the caller's environment, but for a query time limit
    of 60 s: tests check answers, and a test of a time limit sets its own; on two cores shared
    with the other test worker, the rdflib store's larger GraphQL queries passed 5 s."""
    return Settings.from_env({}).with_overrides(query_timeout_seconds=60.0)


@pytest.fixture(scope="session")
def shapes(settings: Settings) -> Graph:
    """The SHACL shapes, loaded once (validation copies them; nothing writes to them)."""
    return load_shapes(settings)


@pytest.fixture(scope="session")
def ontology(settings: Settings) -> Graph:
    """The OWL ontology, loaded once (validation copies it; nothing writes to it)."""
    return load_ontology(settings)


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    """Ontology + curated data + derived facts, as named graphs."""
    return build_dataset(settings)


@pytest.fixture(scope="session")
def graph(dataset: Dataset) -> Graph:
    """The union of all named graphs."""
    return union_graph(dataset)


@pytest.fixture(scope="session")
def exported(dataset: Dataset) -> Graph:
    """What `kg export --format turtle` writes, parsed back as a consumer would."""
    return Graph().parse(data=export(dataset, "turtle"), format="turtle")


@pytest.fixture(scope="session")
def remote_sparql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph SPARQL server on loopback, shared by the tests of the remote backend."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    """The store backends of this session (tests/backends.py); their servers stop at its end."""
    with ExitStack() as stack:
        yield Backends(tmp_path_factory, stack)
