"""Where a listing's pages, counts and the lookup of a trial by a name not given exactly are
read: from the projection's facets where the generation has them, else from the store.

Why one place: the two sources must answer alike (tests compare them), and which one a request
uses depends only on its generation (:func:`facets_of`): the facets of the projection beside an
embedded store (:mod:`kg.projection`) once a builder completed them for that generation; the
store's SPARQL otherwise (a remote or in-memory store, or a generation whose facets are still
being built). Every read here runs in a thread: a page is an indexed query, but the text filter
and a count scan every trial of the listing, and the store's listings grow with the data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from kg.facet_index import Facets
from kg.facets import ComparisonQuery, TrialQuery
from kg.lru import Lru
from kg.readmodel import listing as listings
from kg.readmodel import model
from kg.readmodel.read import search_trial
from kg.served import Served
from kg.store import Store

T = TypeVar("T")
Q = TypeVar("Q", TrialQuery, ComparisonQuery)
W = TypeVar("W", listings.TrialFilter, listings.ComparisonFilter)

FILTERS_REMEMBERED = 256
"""Resolved filters one process keeps for a generation: resolving a drug's name took 9 ms of
every page at 100,000 trials, and a client pages through one filter."""


class Reading(Protocol):
    """What these reads need of a request (:class:`api.graphql.context.EvidenceContext`)."""

    store: Store
    facets: Facets | None
    resolved_filters: Lru[str, tuple[object]] | None

    async def run(self, read: Callable[..., T], *args: object) -> T: ...

    async def within(self, work: Awaitable[T]) -> T: ...


def facets_of(served: Served) -> Facets | None:
    """The facets ``served``'s generation reads its listings from, if a builder completed them
    for it (one object for the generation, which keeps the counts it made). Once they are
    complete they stay so for the generation: the file is not asked again on every request."""
    projection, sequence = served.projection, served.sequence
    if projection is None or sequence is None:
        return None

    def complete() -> Facets | None:
        assert projection is not None and sequence is not None
        return projection.facets_at(sequence) if projection.facets_ready(sequence) else None

    return served.kept("facets", complete)


def filters_of(served: Served) -> Lru[str, tuple[object]]:
    """The filters resolved for ``served``'s generation (kept with it: a filter names drugs,
    conditions and phases of that data)."""
    return served.kept("resolved-filters", lambda: Lru(FILTERS_REMEMBERED))


async def resolved(
    context: Reading, resolve: Callable[[Store, W], Q | None], where: W
) -> Q | None:
    """``resolve(store, where)``: a filter with its identifiers resolved (``None``: it names
    nothing in the graph), remembered for the generation."""
    memory = context.resolved_filters
    key = f"{resolve.__name__}: {where!r}"
    if memory is not None:
        found = memory.get(key)
        if found is not None:
            return found[0]  # type: ignore[return-value]
    query: Q | None = await context.run(resolve, where)
    if memory is not None:
        memory.put(key, (query,))
    return query


def _page(pairs: list[tuple[str, str]], first: int) -> model.Page:
    """A page from at most ``first + 1`` (key, IRI) pairs in order."""
    return model.Page(
        items=tuple((item, listings.encode_cursor(key, item)) for key, item in pairs[:first]),
        has_next_page=len(pairs) > first,
    )


@dataclass(frozen=True)
class ListingReads:
    """The page and count of one listing, as the request's generation answers them."""

    context: Reading

    async def _facets(self, read: Callable[..., T], *args: object) -> T:
        return await self.context.within(asyncio.to_thread(read, *args))

    async def _page(
        self,
        query: Q | None,
        first: int,
        after: str | None,
        listing: Callable[[Q], listings.Listing],
        from_facets: Callable[[Facets, Q, int, tuple[str, str] | None], list[tuple[str, str]]],
    ) -> model.Page:
        resume = listings.resume_after(after)
        facets = self.context.facets
        if query is None:
            return model.Page()
        if facets is None:
            page: model.Page = await self.context.run(listings.page, listing(query), first, after)
            return page
        return _page(await self._facets(from_facets, facets, query, first + 1, resume), first)

    async def _count(
        self,
        query: Q | None,
        listing: Callable[[Q], listings.Listing],
        from_facets: Callable[[Facets, Q], int],
    ) -> int:
        facets = self.context.facets
        if query is None:
            return 0
        if facets is None:
            total: int = await self.context.run(listings.count, listing(query))
            return total
        return await self._facets(from_facets, facets, query)

    async def trial_page(
        self, query: TrialQuery | None, first: int, after: str | None
    ) -> model.Page:
        """At most ``first`` trials matching ``query`` after cursor ``after``, by acronym."""
        return await self._page(query, first, after, listings.trial_listing, Facets.trial_page)

    async def trial_count(self, query: TrialQuery | None) -> int:
        """How many trials match ``query``."""
        return await self._count(query, listings.trial_listing, Facets.trial_count)

    async def comparison_page(
        self, query: ComparisonQuery | None, first: int, after: str | None
    ) -> model.Page:
        """At most ``first`` comparisons matching ``query`` after cursor ``after``, by IRI."""
        return await self._page(
            query, first, after, listings.comparison_listing, Facets.comparison_page
        )

    async def comparison_count(self, query: ComparisonQuery | None) -> int:
        """How many comparisons match ``query``."""
        return await self._count(query, listings.comparison_listing, Facets.comparison_count)

    async def search_trial(self, identifier: str) -> str | None:
        """The trial ``identifier`` names case-insensitively (the least IRI if several do)."""
        facets = self.context.facets
        if facets is None:
            found: str | None = await self.context.run(search_trial, identifier)
            return found
        return await self._facets(facets.find_trial, identifier.strip().lower())
