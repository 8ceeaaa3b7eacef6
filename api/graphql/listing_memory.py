"""Whole listings remembered for one generation of the data.

Why: a store finds, sorts and counts every match of a listing before it can cut a page, so a
client paging through 100,000 trials paid for all of them with every page (1.3 s), and for its
``totalCount`` again; the text filter, which oxigraph cannot index, searched every trial's names
each time (7.8 s, over the request limit). The answer cache cannot help: each page is a new
request. A listing's order depends only on its query and the data, so the server keeps the whole
order (:data:`kg.readmodel.listing.Order`) of the listings clients ask for, and the trials' names
(:class:`kg.readmodel.listing.TrialCatalog`): every later page is a slice, every count a length,
every text filter a scan of Python strings.

What is kept is kept for one generation of the data: each :class:`kg.served.Served` has its own
memory (:func:`listings_of`), dropped with it when the generation moves. Whole listings are read
only from stores that return every row anyway (:attr:`kg.store.Capabilities.complete_results`).

Reading a large listing whole can take seconds. It runs in a thread, once however many requests
wait for it, and outlives a request that times out waiting: the next request finds it done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from kg.lru import Lru
from kg.readmodel.listing import Listing, Order, TrialCatalog, TrialIdentifiers
from kg.served import Served

T = TypeVar("T")

LISTINGS_REMEMBERED = 256
"""Distinct listings one server process keeps (least recently used go first)."""

ITEMS_REMEMBERED = 1_000_000
"""Items (pairs of sort key and IRI) kept across those listings: 180-235 bytes each, so about
200 MB at most (a catalog trial, with its names, weighs two). At 100,000 trials the unfiltered
comparisons are 400,000 items, the trials 100,000; a listing larger than this is read for each
request and not kept."""

CATALOG = "trial-catalog"
IDENTIFIERS = "trial-identifiers"

Kept = Order | TrialCatalog | TrialIdentifiers | Listing
K = TypeVar("K", bound=Kept)


class Deadline(Protocol):
    """A request's time limit (:class:`api.graphql.context.EvidenceContext`)."""

    async def within(self, work: Awaitable[T]) -> T:
        """``work``'s result, or QueryTimeout once the request's deadline passes."""
        ...


def _weigh(value: Kept) -> int:
    if isinstance(value, TrialCatalog):
        return 2 * value.size  # 470 bytes a trial against 235 for a listed item
    if isinstance(value, TrialIdentifiers):
        return value.size  # about 200 bytes a name
    if isinstance(value, Listing):
        return 1
    return len(value)


@dataclass
class ListingMemory:
    """Whole listings and the trial catalog of one generation of the data (:func:`listings_of`).

    Args:
        max_listings: listings kept.
        max_items: items kept across them.
    """

    max_listings: int = LISTINGS_REMEMBERED
    max_items: int = ITEMS_REMEMBERED
    hits: int = 0
    misses: int = 0
    _kept: Lru[str, Kept] = field(init=False)
    _reading: dict[str, asyncio.Future[Kept]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Each listing is two entries (its resolved filters, its order), plus the catalog.
        self._kept = Lru(2 * self.max_listings + 1, max_weight=self.max_items, weigh=_weigh)

    async def order(self, listing: str, read: Callable[[], Order], deadline: Deadline) -> Order:
        """The whole listing whose query text is ``listing``, remembered or ``read``."""
        return await self._remembered(listing, read, deadline, tuple)

    async def listing(
        self, filters: str, read: Callable[[], Listing], deadline: Deadline
    ) -> Listing:
        """The listing ``filters`` (a filter's repr) give, its identifiers resolved, remembered
        or ``read``: resolving a drug's name took 9 ms of every request at 100,000 trials."""
        return await self._remembered(f"filters: {filters}", read, deadline, Listing)

    async def catalog(self, read: Callable[[], TrialCatalog], deadline: Deadline) -> TrialCatalog:
        """The trial catalog, remembered or ``read``."""
        return await self._remembered(CATALOG, read, deadline, TrialCatalog)

    async def identifiers(
        self, read: Callable[[], TrialIdentifiers], deadline: Deadline
    ) -> TrialIdentifiers:
        """The trials' identifiers, remembered or ``read``."""
        return await self._remembered(IDENTIFIERS, read, deadline, TrialIdentifiers)

    async def _remembered(
        self, key: str, read: Callable[[], K], deadline: Deadline, kind: type[K]
    ) -> K:
        """``read()`` run in a thread once per key, awaited within the request's ``deadline``; a
        reading that outlives its request is still kept."""
        found = self._kept.get(key)
        if found is not None:
            assert isinstance(found, kind)
            self.hits += 1
            return found
        self.misses += 1
        reading = self._reading.get(key)
        if reading is None:

            def read_kept() -> Kept:
                return read()

            reading = asyncio.ensure_future(asyncio.to_thread(read_kept))
            self._reading[key] = reading
            reading.add_done_callback(lambda done: self._keep(key, done))
        result = await deadline.within(asyncio.shield(reading))
        assert isinstance(result, kind)
        return result

    def _keep(self, key: str, done: asyncio.Future[Kept]) -> None:
        del self._reading[key]
        if not done.cancelled() and done.exception() is None:
            self._kept.put(key, done.result())


def listings_of(served: Served) -> ListingMemory:
    """The memory of whole listings kept for ``served``'s generation."""
    return served.kept("graphql-listings", ListingMemory)

