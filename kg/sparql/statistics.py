"""Dataset statistics (VoID, service description) computed once per data generation.

Why: the counts scan the whole store, a minute at 100,000 trials, and VoID and GET /sparql are
asked by crawlers and clients that should not be able to make the server rescan 30 M triples on
every request. The data changes only through a build or a load, which move the store's data
generation (:func:`kg.build.store_generation`); each lookup reads the generation (one small
query) and recomputes only when it moved. A store without a generation (built in memory by the
server itself) never changes under the server, so its statistics are computed once.
Concurrent first requests wait for one computation instead of each starting their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.build import store_generation
from kg.sparql.service import DatasetStatistics, dataset_statistics
from kg.store import Store


@dataclass
class StatisticsCache:
    """The statistics of one store, valid for one data generation.

    Args:
        current: the store served now, asked at every lookup (a server may switch to a new
            snapshot of its store after a write: :mod:`api.writes`).
        base_iri: whose catalog records the generation.
    """

    current: Callable[[], Store]
    base_iri: str
    computed: int = 0
    """How many times the statistics were computed (for tests and operators)."""
    _statistics: DatasetStatistics | None = field(default=None, init=False)
    _generation: str | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def get(self) -> DatasetStatistics:
        """The current statistics, recomputed if the data changed since they were computed."""
        store = self.current()
        generation = store_generation(store, self.base_iri)
        with self._lock:
            if self._statistics is None or generation != self._generation:
                self._statistics = dataset_statistics(store)
                self._generation = generation
                self.computed += 1
            return self._statistics
