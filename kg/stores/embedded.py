"""Which backends are embedded: the store lives in this process (oxigraph, rdflib in memory).

Why one predicate: an embedded store returns every row a query matches and can stream its own
quads, while a remote endpoint may cap its rows without a word (Virtuoso: 10,000 by default) and
dumps through its own protocol. Reading a listing whole (:mod:`kg.readmodel.listing`) and
dumping the store (:mod:`kg.dump`) both depend on that difference.
"""

from __future__ import annotations

from kg.store import Store
from kg.stores.memory import MemoryStore
from kg.stores.oxigraph import OxigraphStore


def is_embedded(store: Store) -> bool:
    """Whether ``store`` runs in this process: complete results, quads it can stream.

    >>> is_embedded(MemoryStore())
    True
    """
    return isinstance(store, OxigraphStore | MemoryStore)
