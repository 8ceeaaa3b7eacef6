"""Shared fixtures: the built knowledge graph, made once per test session."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph

from kg.build import build_dataset
from kg.export import union_graph
from kg.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings, independent of the caller's environment."""
    return Settings.from_env({})


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    """Ontology + curated data + derived facts, as named graphs."""
    return build_dataset(settings)


@pytest.fixture(scope="session")
def graph(dataset: Dataset) -> Graph:
    """The union of all named graphs."""
    return union_graph(dataset)
