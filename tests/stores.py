"""Store wrappers for tests: each changes what its test needs and forwards everything else to
the store it wraps, capabilities included, so that reads take the path they take in production
on that store (tests/kg/test_store.py proves it for :class:`RecordingStore`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kg.store import QueryResult, Store


class RecordingStore:
    """Keeps every read it is asked, as (method, SPARQL text), and passes it on."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []

    def record(self, method: str, sparql: str) -> None:
        """Called before each read reaches the wrapped store."""
        self.calls.append((method, sparql))

    @property
    def queries(self) -> list[str]:
        """The SPARQL text of every read, in order."""
        return [sparql for _, sparql in self.calls]

    def query(self, sparql: str) -> QueryResult:
        self.record("query", sparql)
        return self.inner.query(sparql)

    def select_lexical(self, sparql: str) -> Any:
        self.record("select_lexical", sparql)
        return self.inner.select_lexical(sparql)

    def select_values(self, sparql: str) -> Any:
        self.record("select_values", sparql)
        return self.inner.select_values(sparql)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)


class StorePagedStore(RecordingStore):
    """Says it may not return every row (as a remote endpoint may cap them), so that what reads
    a store whole (a dump) takes the path it takes on such a store."""

    def __init__(self, inner: Store) -> None:
        super().__init__(inner)
        self.capabilities = replace(inner.capabilities, complete_results=False)
