"""pyoxigraph backend: the embedded default, in memory or on disk.

Why pyoxigraph: it answers a 12-pattern join over 100,000 synthetic trials in 7-12 ms where
rdflib's evaluator did not finish over 10,000, and it persists to disk (RocksDB) with no server.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.store import (
    LOADING,
    QueryResult,
    QuerySyntaxError,
    SelectResult,
    StoreError,
    is_staging,
)


def to_rdflib(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph,
) -> Identifier:
    """Convert a pyoxigraph term to rdflib's, keeping plain literals plain."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise StoreError(f"unsupported term {term!r}")


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported term {term!r}")


class OxigraphStore:
    """A :class:`kg.store.Store` over a pyoxigraph :class:`pyoxigraph.Store`."""

    def __init__(self, path: str | None = None) -> None:
        try:
            if path:
                # RocksDB creates the store's own folder but not its parents (var/ in var/store).
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(path) if path else ox.Store()
        except OSError as error:
            raise StoreError(f"cannot open oxigraph store at {path}: {error}") from error
        self.path = path

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store, for code that needs its own API (bulk load, benchmarks)."""
        return self._store

    def query(self, sparql: str) -> QueryResult:
        hidden = self.hidden_graphs()
        try:
            if hidden:
                # A load is in progress: the default graph is every graph but the hidden ones.
                visible: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                    g for g in self._store.named_graphs() if g.value not in hidden
                ]
                result = self._store.query(sparql, default_graph=visible)
            else:
                result = self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            rows = []
            for solution in result:
                row: dict[str, Identifier] = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_rdflib(value)
                rows.append(row)
            return SelectResult(variables, rows)
        graph = Graph()
        for triple in result:
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return graph

    def hidden_graphs(self) -> set[str]:
        """Stages, and graphs that a marker says are being loaded in place (see kg.load)."""
        stages = [g for g in self._store.named_graphs() if is_staging(str(g.value))]
        hidden = {str(g.value) for g in stages}
        for stage in stages:
            for quad in self._store.quads_for_pattern(None, ox.NamedNode(LOADING), None, stage):
                if isinstance(quad.object, ox.NamedNode):
                    hidden.add(quad.object.value)
        return hidden

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        # One SPARQL update is one oxigraph transaction: readers see the old graph or the new
        # one, never half of each, and a failure leaves the old graph in place.
        triples = graph.serialize(format="nt")
        try:
            self._store.update(
                f"DROP SILENT GRAPH <{name}> ; INSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}"
            )
        except SyntaxError as error:
            raise StoreError(f"cannot replace graph <{name}>: {error}") from error

    def drop_graph(self, name: URIRef) -> None:
        self._store.update(f"DROP SILENT GRAPH <{name}>")

    def graph_names(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def dataset(self) -> Dataset:
        dataset = Dataset()
        for quad in self._store:
            graph_name = quad.graph_name
            context = URIRef(graph_name.value) if isinstance(graph_name, ox.NamedNode) else None
            dataset.add(
                (
                    to_rdflib(quad.subject),
                    to_rdflib(quad.predicate),
                    to_rdflib(quad.object),
                    dataset.graph(context) if context is not None else dataset.default_graph,
                )
            )
        return dataset

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store.flush() if self.path else None
