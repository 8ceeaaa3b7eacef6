"""Curated data + ontology + derived facts -> named graphs in a store.

Why named graphs: each source of triples (the ontology, each curated file, the derived facts) is
replaced on its own and atomically, so a reload never leaves a half-built graph visible, and an
export in N-Quads or TriG shows where every triple came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef

from kg.derive import derive
from kg.parse import parse_file
from kg.settings import Settings
from kg.store import Store, open_store
from kg.vocab import bind_prefixes


@dataclass(frozen=True)
class GraphNames:
    """The named graphs one build writes, all under the configured base."""

    base_iri: str

    @property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base_iri}graph/ontology")

    @property
    def derived(self) -> URIRef:
        return URIRef(f"{self.base_iri}graph/derived")

    def curated(self, stem: str) -> URIRef:
        return URIRef(f"{self.base_iri}graph/data/{stem}")


def read_sources(settings: Settings) -> dict[URIRef, Graph]:
    """Parse the ontology and the curated files into one graph per named graph.

    Raises :class:`kg.parse.InputError` naming the file and line of the first bad input, before
    anything is written anywhere.
    """
    names = GraphNames(settings.base_iri)
    graphs = {
        names.ontology: parse_file(
            settings.ontology_path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes
        )
    }
    for path in settings.curated_paths:
        graphs[names.curated(path.stem)] = parse_file(
            path, base_iri=settings.base_iri, max_bytes=settings.max_input_bytes
        )
    return graphs


def build_graphs(settings: Settings) -> dict[URIRef, Graph]:
    """All named graphs of the knowledge graph: sources plus the derived facts computed from them."""
    graphs = read_sources(settings)
    curated = Graph()
    for name, graph in graphs.items():
        if name != GraphNames(settings.base_iri).ontology:
            curated += graph
    graphs[GraphNames(settings.base_iri).derived] = derive(curated, base_iri=settings.base_iri)
    return graphs


def build_dataset(settings: Settings) -> Dataset:
    """The whole knowledge graph as an rdflib Dataset (for export and validation)."""
    dataset = bind_prefixes(Dataset())
    for name, graph in build_graphs(settings).items():
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    return dataset


def load_into(store: Store, settings: Settings) -> Store:
    """Build every graph, then replace each in ``store``; nothing is written if a build step fails."""
    graphs = build_graphs(settings)
    for name, graph in graphs.items():
        store.replace_graph(name, graph)
    return store


def build_store(settings: Settings) -> Store:
    """Open the configured store and load the knowledge graph into it."""
    return load_into(open_store(settings.store), settings)
