"""The whole store as N-Quads, streamed: every graph it serves, for mirrors of a large store.

Why beside :mod:`kg.export`: ``kg export`` and ``/dump.<ext>`` write the curated release, byte for
byte what a build gives, while a store serves whatever was bulk-loaded too (100,000 synthetic
trials are 75 M quads). The VoID description counts the store, so its ``void:dataDump`` must be a
dump of the store, or a mirror that follows it gets one trial of 100,000 without a word.

What is dumped: every named graph queries see (a load in progress is hidden, as from queries),
except the catalog graphs, which record how the store was built and are not data. Graphs come in
IRI order and each graph's quads in the store's own order, so one generation of the data gives
the same bytes each time. Only stores that return every row (``complete_results``) dump here; a
remote store may cap its rows, and has its own Graph Store Protocol and dumps.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from kg.build import GraphNames
from kg.store import Store, StoreError, is_staging

REMOTE = (
    "this server's store is remote: fetch its graphs from the store itself (Graph Store "
    "Protocol); /dump.nq is the curated release"
)
"""Why a remote store has no store dump, as the CLI and the HTTP route say it."""


class DumpUnavailable(StoreError):
    """The store cannot stream its quads (a remote store)."""


def dumped_graphs(store: Store, base_iri: str) -> list[URIRef]:
    """The named graphs a dump holds, in IRI order: what queries see, minus the catalog."""
    hidden = store.hidden_graphs()
    catalog = str(GraphNames(base_iri).catalog)
    return sorted(
        name
        for name in store.graph_names()
        if str(name) not in hidden and not is_staging(str(name)) and str(name) != catalog
    )


def store_nquads(store: Store, base_iri: str) -> Iterator[bytes]:
    """The store's graphs (:func:`dumped_graphs`) as UTF-8 N-Quads, in chunks
    (:meth:`kg.store.Store.nquads`)."""
    if not store.capabilities.complete_results:
        raise DumpUnavailable(REMOTE)
    yield from store.nquads(dumped_graphs(store, base_iri))
