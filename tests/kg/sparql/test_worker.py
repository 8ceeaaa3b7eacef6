"""The query worker's own logic, in-process (the pool tests drive real worker processes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.sparql import worker
from kg.sparql.guard import CheckedQuery, check_query
from kg.sparql.protocol import CheckRequest

GRAPH = "http://example.org/graph"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts the guard actually parses, with the worker's memory of outcomes emptied."""
    parsed: list[str] = []
    def counting(
        text: str, *, known_graphs: frozenset[str], base_iri: str | None = None
    ) -> CheckedQuery:
        parsed.append(text)
        return check_query(text, known_graphs=known_graphs, base_iri=base_iri)

    monkeypatch.setattr(worker, "check_query", counting)
    worker.check.cache_clear()
    yield parsed
    worker.check.cache_clear()


def test_a_repeated_query_is_parsed_once(parses: list[str]) -> None:
    query = "SELECT * { ?s ?p ?o } LIMIT 1"
    first = worker.check(CheckRequest(query, frozenset()))
    again = worker.check(CheckRequest(query, frozenset()))
    assert first.status == again.status == "ok"
    assert again.checked is not None and again.checked.form == "SELECT"
    assert parses == [query]


def test_refusals_are_remembered_too(parses: list[str]) -> None:
    for _ in range(2):
        assert worker.check(CheckRequest("DROP ALL", frozenset())).status == "update"
        assert worker.check(CheckRequest("SELEC", frozenset())).status == "syntax"
    assert parses == ["DROP ALL", "SELEC"]


def test_the_outcome_follows_the_graphs_the_store_holds(parses: list[str]) -> None:
    """A load that adds the graph a query names turns its refusal into an answer."""
    query = f"SELECT * FROM <{GRAPH}> {{ ?s ?p ?o }}"
    assert worker.check(CheckRequest(query, frozenset())).status == "unknown-graph"
    assert worker.check(CheckRequest(query, frozenset({GRAPH}))).status == "ok"
    assert worker.check(CheckRequest(query, frozenset())).status == "unknown-graph"
    assert parses == [query, query]
