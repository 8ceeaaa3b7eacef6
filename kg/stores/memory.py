"""rdflib in-memory backend: no native dependencies, fine for small graphs and tests.

rdflib's SPARQL evaluator is slow on joins at scale (a 12-pattern join over 1,000 trials took
72 s), which is why :mod:`kg.stores.oxigraph` is the default.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from kg.rdflib_lock import RDFLIB_SPARQL
from kg.store import Capabilities, QueryResult, QuerySyntaxError, SelectResult, Store


class MemoryStore(Store):
    """A :class:`kg.store.Store` over an rdflib :class:`Dataset`: every row, but evaluated
    slowly and under one lock, so no read of it runs on an event loop."""

    capabilities = Capabilities(complete_results=True)

    def __init__(self) -> None:
        self._dataset = Dataset(default_union=True)

    def query(self, sparql: str) -> QueryResult:
        # rdflib is not thread-safe: parse and evaluate (results are read lazily) under one lock.
        with RDFLIB_SPARQL:
            return self._query(sparql)

    def _query(self, sparql: str) -> QueryResult:
        try:
            result: Result = self._dataset.query(sparql)
        except ParseException as error:
            raise QuerySyntaxError(str(error)) from error
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type == "SELECT":
            variables = tuple(str(v) for v in result.vars or ())
            rows = [
                {
                    name: value
                    for name, value in zip(variables, row, strict=True)
                    if isinstance(value, Identifier)
                }
                for row in result
                if isinstance(row, tuple)
            ]
            return SelectResult(variables, rows)
        graph = Graph()
        assert result.graph is not None
        for triple in result.graph:
            graph.add(triple)
        return graph

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        # Under the queries' lock, so that no reader sees half of it. A graph of this dataset
        # (even the one replaced) is copied first; any other is added straight, without a copy.
        if graph.store is self._dataset.store:
            copy = Graph()
            copy += graph
            graph = copy
        with RDFLIB_SPARQL:
            self._dataset.remove_graph(name)
            target = self._dataset.graph(name)
            target.addN((s, p, o, target) for s, p, o in graph)

    def drop_graph(self, name: URIRef) -> None:
        self._dataset.remove_graph(name)

    def update_graphs(self, replace: Mapping[str, str], add: Mapping[str, str]) -> None:
        # Parsed first, so that bad input changes nothing; then applied under the lock that
        # every query takes, so no reader sees half of it.
        parsed = {
            name: Graph().parse(data=text, format="nt")
            for name, text in (*replace.items(), *add.items())
        }
        with RDFLIB_SPARQL:
            for name in replace:
                self._dataset.remove_graph(URIRef(name))
            for name, graph in parsed.items():
                target = self._dataset.graph(URIRef(name))
                for triple in graph:
                    target.add(triple)

    def graph_names(self) -> list[URIRef]:
        return sorted(
            URIRef(str(g.identifier))
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and len(g)
            and str(g.identifier) != "urn:x-rdflib:default"
        )

    def dataset(self) -> Dataset:
        copy = Dataset()
        for s, p, o, g in self._dataset.quads((None, None, None, None)):
            copy.graph(g).add((s, p, o))
        return copy

    def __len__(self) -> int:
        return sum(1 for _ in self._dataset.quads((None, None, None, None)))

    def close(self) -> None:
        self._dataset.close()
