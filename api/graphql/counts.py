"""Listing counts remembered for one generation of the data, where the answer cache is on.

Why: a client paging through a listing asks ``totalCount`` with every page, and each count
repeats the listing's joins over every match: about 30 ms of CPU for the 4,390 trials giving
dasatinib among 100,000, a tenth of a 50-trial page. The answer cache does not help there,
since every page is a different request. A count depends only on the listing's query and the
data, so it is kept under the generation read before it was computed
(:func:`kg.build.store_generation`), and all counts are dropped when the generation moves: the
answer cache's rule (:mod:`api.graphql_cache`), with its limit (a raw SPARQL UPDATE to a shared
remote store goes unseen, so neither is on there by default).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.graphql_cache import Generation
from kg.lru import PerGeneration

COUNTS_REMEMBERED = 1024
"""Distinct listings whose counts one server process keeps (least recently used go first)."""


@dataclass
class CountCache:
    """Counts by listing query, for the current data generation only.

    Args:
        generation: reads the store's data generation (``None``: no catalog, nothing kept).
        max_entries: counts kept.
    """

    generation: Generation
    max_entries: int = COUNTS_REMEMBERED
    hits: int = 0
    misses: int = 0
    _counts: PerGeneration[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self._counts = PerGeneration(self.max_entries)

    async def count(self, listing: str, compute: Callable[[], Awaitable[int]]) -> int:
        """The count of ``listing`` (its query text), remembered or ``compute``d."""
        generation = await self.generation()
        if generation is None:
            return await compute()
        self._counts.use(generation)
        found = self._counts.get(listing)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        total = await compute()
        self._counts.put_for(generation, listing, total)  # not if a newer one was seen meanwhile
        return total
