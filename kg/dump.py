"""The whole store as N-Quads, streamed: every graph it serves, for mirrors of a large store.

Why beside :mod:`kg.export`: ``kg export`` and ``/dump.<ext>`` write the curated release, byte for
byte what a build gives, while a store serves whatever was bulk-loaded too (100,000 synthetic
trials are 75 M quads). The VoID description counts the store, so its ``void:dataDump`` must be a
dump of the store, or a mirror that follows it gets one trial of 100,000 without a word.

What is dumped: every named graph queries see (a load in progress is hidden, as from queries),
except the catalog graphs, which record how the store was built and are not data. Graphs come in
IRI order and each graph's quads in the store's own order, so one generation of the data gives
the same bytes each time. Only embedded stores stream their quads; a remote store has its own
Graph Store Protocol and dumps.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from kg.build import GraphNames
from kg.store import Store, StoreError, is_staging
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph import OxigraphStore

QUADS_PER_CHUNK = 20_000
"""Quads joined into one chunk of the stream (about 4 MB of N-Quads)."""


REMOTE = (
    "this server's store is remote: fetch its graphs from the store itself (Graph Store "
    "Protocol); /dump.nq is the curated release"
)
"""Why a remote store has no store dump, as the CLI and the HTTP route say it."""


class DumpUnavailable(StoreError):
    """The store cannot stream its quads (a remote store)."""


def dumped_graphs(store: Store, base_iri: str) -> list[URIRef]:
    """The named graphs a dump holds, in IRI order: what queries see, minus the catalog."""
    hidden: set[str] = store.hidden_graphs() if isinstance(store, OxigraphStore) else set()
    catalog = str(GraphNames(base_iri).catalog)
    return sorted(
        name
        for name in store.graph_names()
        if str(name) not in hidden and not is_staging(str(name)) and str(name) != catalog
    )


def store_nquads(store: Store, base_iri: str) -> Iterator[bytes]:
    """The store's graphs (:func:`dumped_graphs`) as UTF-8 N-Quads, in chunks."""
    if isinstance(store, OxigraphStore):
        yield from _oxigraph_nquads(store, dumped_graphs(store, base_iri))
    elif isinstance(store, MemoryStore):
        yield from _rdflib_nquads(store, dumped_graphs(store, base_iri))
    else:
        raise DumpUnavailable(REMOTE)


def _oxigraph_nquads(store: OxigraphStore, graphs: list[URIRef]) -> Iterator[bytes]:
    """pyoxigraph writes each term in its N-Triples form (escapes included), so a quad's line
    is its terms joined; dumping a graph by pyoxigraph's own writer would drop its name."""
    for graph in graphs:
        name = str(ox.NamedNode(str(graph)))
        lines: list[str] = []
        for quad in store.native.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} {name} .\n")
            if len(lines) == QUADS_PER_CHUNK:
                yield "".join(lines).encode()
                lines.clear()
        if lines:
            yield "".join(lines).encode()


def _rdflib_nquads(store: MemoryStore, graphs: list[URIRef]) -> Iterator[bytes]:
    """The in-memory store holds small graphs: each is serialized whole by rdflib."""
    everything = store.dataset()
    for graph in graphs:
        one = Dataset()
        target = one.graph(graph)
        for triple in everything.graph(graph):
            target.add(triple)
        yield one.serialize(format="nquads", encoding="utf-8")
