"""One object per data generation, through which every request reads.

Why: a server keeps things about the data it serves (the named graphs, the dataset statistics,
the answers it gave, the reads it made). Each was once kept by its own mechanism, each
reading the data generation (:func:`kg.build.store_generation`, one small query) per request,
and each with its own rule for a store without one: the listing memory kept nothing, the answer
cache kept answers under ``None`` for good, the statistics were counted once. A worker process
that switched to a new snapshot after a write kept serving old answers because one of them read
the generation of the store it started with.

Here there is one rule. A :class:`Served` holds, for one generation, the store as read in it,
the generation, the graphs it serves (listed once), its statistics (counted once, when first
asked), its sequence in the read projection beside the store (:mod:`kg.projection`: the
facets its listings read and the documents of its trials) and whatever a layer above keeps for
it (:meth:`Served.kept`: the API's answers, its reads by key, its resolved filters). Nothing in
it reads the generation again, and what it keeps goes with it.
:class:`Serving` makes a new one, as a whole, in one place (:meth:`Serving.serve`), whenever
the generation moves:

* at start;
* after a write through this process, or when a several-process server's worker switches to
  the snapshot its supervisor published after a write (:mod:`api.writes`);
* when a periodic check (:meth:`Serving.check`, one small query every
  ``Settings.generation_check_seconds``, not one per request) sees that the generation moved
  around this process: a ``kg load`` or ``kg import`` into a shared remote store.

A request takes :attr:`Serving.current` once and reads through it to its end, so every read of
one request sees one generation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kg.build import store_generation
from kg.projection import Projection
from kg.sparql.service import DatasetStatistics, dataset_statistics
from kg.store import Store

T = TypeVar("T")


@dataclass
class Served:
    """What one generation of the data is served from (see the module docstring).

    Args:
        store: the store requests read.
        generation: the store's data generation when this was made; ``None`` for a store
            without a catalog (built in memory at start), which only this process changes.
        graphs: the named graphs queries may name, listed once for the generation.
    """

    store: Store
    generation: str | None
    graphs: frozenset[str]
    projection: Projection | None = None
    """The read projection beside the store (:mod:`kg.projection`), where it has one and a
    generation to read it at."""
    sequence: int | None = None
    """The generation's sequence number in :attr:`projection`."""
    statistics_counted: int = field(default=0, init=False)
    """How many times the statistics were counted (at most once; for tests and operators)."""
    _statistics: DatasetStatistics | None = field(default=None, init=False)
    _kept: dict[str, Any] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @classmethod
    def of(cls, store: Store, base_iri: str, projection: Projection | None = None) -> Served:
        """``store`` as it is now: its generation read and its graphs listed once; with a
        ``projection``, the generation's sequence in it (a generation it never heard of, made
        by a load or build, is registered as one where everything changed)."""
        generation = store_generation(store, base_iri)
        graphs = frozenset(str(name) for name in store.graph_names())
        if projection is None or generation is None:
            return cls(store, generation, graphs)
        return cls(store, generation, graphs, projection, projection.register(generation, None))

    def statistics(self) -> DatasetStatistics:
        """The dataset's statistics (VoID, the service description): a scan of the whole store,
        a minute at 100,000 trials, so counted the first time they are asked for and once
        however many ask at the same time."""
        with self._lock:
            if self._statistics is None:
                self._statistics = dataset_statistics(self.store)
                self.statistics_counted += 1
            return self._statistics

    def kept(self, name: str, make: Callable[[], T]) -> T:
        """What the layer above keeps for this generation under ``name`` (made by ``make`` the
        first time it makes something other than ``None``: until then each call asks again): it
        is dropped with the generation, never checked against it."""
        with self._lock:
            found = self._kept.get(name)
            if found is None:
                found = make()
                if found is not None:
                    self._kept[name] = found
            kept: T = found
            return kept


class Serving:
    """The current :class:`Served` of one process, replaced as a whole when the generation moves.

    Args:
        store: the store to serve at start.
        base_iri: whose catalog records the generation.
        check_seconds: how often :meth:`check_due` says to look for a generation moved around
            this process (0: before every request, as tests of shared stores want).
        projection: the read projection beside the store, if it has one.
    """

    def __init__(
        self,
        store: Store,
        base_iri: str,
        check_seconds: float,
        projection: Projection | None = None,
    ) -> None:
        self.base_iri = base_iri
        self.check_seconds = check_seconds
        self.projection = projection
        self.replaced = 0
        """How many times a new Served replaced the first (for tests and operators)."""
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._current = Served.of(store, base_iri, projection)

    @property
    def current(self) -> Served:
        """The Served of the current generation: take it once per request."""
        return self._current

    def serve(self, store: Store) -> Served:
        """Serve ``store`` as it is now (the same store after a write, or a new snapshot of it):
        the one place a new :class:`Served` is made. Blocking: it reads the generation and lists
        the graphs, so an event loop calls it in a thread unless the store reads inline."""
        served = Served.of(store, self.base_iri, self.projection)
        with self._lock:
            self._current = served
            self._checked = time.monotonic()
            self.replaced += 1
        return served

    def check_due(self) -> bool:
        """Whether the periodic check is due (``check_seconds`` since the last one); claims it,
        so that of many requests arriving together one checks and the others go on."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.check_seconds:
                return False
            self._checked = now
            return True

    def check(self) -> bool:
        """Read the store's generation (one small query) and serve anew if it moved around this
        process; whether it did."""
        current = self._current
        if store_generation(current.store, self.base_iri) == current.generation:
            return False
        if self._current is current:  # not already replaced by a write meanwhile
            self.serve(current.store)
        return True
