# strawberry's decorators are untyped without its mypy plugin, which pyproject does not enable.
# mypy: disable-error-code="untyped-decorator,valid-type"
"""The root Query type: entry points by identifier, and filtered, paged listings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, TypeVar

import strawberry

from api.graphql.errors import BadArgument
from api.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.graphql.listing_memory import ListingMemory
from api.graphql.types import (
    STATISTIC_IRIS,
    Comparison,
    ComparisonConnection,
    ComparisonEdge,
    CountFunction,
    Drug,
    Info,
    Node,
    Publication,
    StatisticType,
    Trial,
    TrialConnection,
    TrialEdge,
    page_info,
    resolve_node,
)
from kg.readmodel import listing as listings
from kg.readmodel import model, read
from kg.readmodel.listing import Order
from kg.store import Store

W = TypeVar("W", listings.TrialFilter, listings.ComparisonFilter)

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items to return: 0 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when "
        "omitted. Outside the range, the field is an error saying so."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor: the `endCursor` of the previous page (or any "
        "edge's `cursor`); a cursor this server did not give out is an error."
    ),
]


@strawberry.input(description="Conditions a trial must meet; all given ones must hold.")
class TrialFilter:
    drug: str | None = strawberry.field(
        default=None,
        description="Drug name, brand name, IRI or code (CHEBI:49375, DB01254, ...).",
    )
    condition: str | None = strawberry.field(
        default=None, description="Part of a condition's name, or its code or IRI."
    )
    phase: str | None = strawberry.field(
        default=None, description='E.g. "Phase 2b" or "2b"; "Phase 2" also finds phase 2b.'
    )
    text: str | None = strawberry.field(
        default=None, description="Text in the acronym or title (case-insensitive)."
    )


@strawberry.input(description="Conditions a comparison must meet; all given ones must hold.")
class ComparisonFilter:
    drug: str | None = strawberry.field(
        default=None, description="A drug of the intervention arm (any drug identifier)."
    )
    comparator: str | None = strawberry.field(
        default=None, description="A drug of the comparator arm (any drug identifier)."
    )
    endpoint: str | None = strawberry.field(
        default=None, description="Part of the endpoint's name (case-insensitive)."
    )
    max_p_value: float | None = strawberry.field(
        default=None, description="Keep comparisons with a reported p-value at most this."
    )
    statistic: StatisticType | None = strawberry.field(
        default=None,
        description="Keep comparisons with an estimate of this statistic (any but OTHER, "
        "which names no single statistic and is refused).",
    )
    derived: bool | None = strawberry.field(
        default=None,
        description="Keep comparisons with an estimate that is derived (true) or reported "
        "(false); combined with `statistic`, the same estimate must match both.",
    )


def page_size(first: int | None) -> int:
    """The page size to use, or :class:`BadArgument` outside 0..MAX_PAGE_SIZE."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise BadArgument(f"`first` must be between 0 and {MAX_PAGE_SIZE}, got {size}")
    return size


def statistic_iri(statistic: StatisticType | None) -> str | None:
    """The ekg:StatisticType IRI a filter asks for; OTHER names no single type."""
    if statistic is None:
        return None
    if statistic not in STATISTIC_IRIS:
        raise BadArgument(f"statistic {statistic.name} cannot be used as a filter")
    return STATISTIC_IRIS[statistic]


def total_count(
    info: Info, listing: listings.Listing, page: model.Page, after: str | None
) -> CountFunction:
    """How many items ``listing`` holds, for ``totalCount`` when it is asked.

    A page cut from a whole listing (``page.total``) knows it; so does a first page with nothing
    after it, which is the whole listing. Any other page asks the store to count.
    """

    async def count() -> int:
        if page.total is not None:
            return page.total
        if after is None and not page.has_next_page:
            return len(page.items)
        total: int = await info.context.run(listings.count, listing)
        return total

    return count


def kept_listings(info: Info) -> ListingMemory | None:
    """The server's memory of whole listings, where it keeps one and may read a listing whole
    from its store (one that returns every row: ``complete_results``); else ``None``, and every
    page is read by the store (the text filter then runs in SPARQL, not on the trial catalog)."""
    memory = info.context.listings
    return memory if memory is not None and info.context.store.capabilities.complete_results else None


async def kept_order(info: Info, memory: ListingMemory, listing: listings.Listing) -> Order:
    """``listing`` (one that names something) read whole, or as the server keeps it."""
    assert listing.counted is not None
    store = info.context.store
    return await memory.order(
        listing.counted, lambda: listings.whole(store, listing), info.context
    )


async def listing_page(
    info: Info, listing: listings.Listing, size: int, after: str | None
) -> model.Page:
    """A page of ``listing``, cut from the whole listing where the server keeps listings
    (:mod:`api.graphql.listing_memory`), else read by the store."""
    memory = kept_listings(info)
    if memory is None:
        page: model.Page = await info.context.run(listings.page, listing, size, after)
        return page
    if listing.counted is None:
        return listings.slice_page((), size, after)
    return listings.slice_page(await kept_order(info, memory, listing), size, after)


async def searched_trial_page(
    info: Info, memory: ListingMemory, where: listings.TrialFilter, size: int, after: str | None
) -> tuple[listings.Listing, model.Page]:
    """A page of the trials matching ``where``, whose text filter runs on the server's trial
    catalog (``memory``): over the trials the other filters give, or over the catalog's own
    order when there are none (one read, where the unfiltered listing and the catalog would be
    two)."""
    assert where.text is not None
    text, store = where.text, info.context.store
    others = replace(where, text=None)
    listing = await resolved(info, listings.trial_listing, others)
    if listing.counted is None:
        return listing, listings.slice_page((), size, after)
    within = None
    if others != listings.TrialFilter():
        within = await kept_order(info, memory, listing)
    catalog = await memory.catalog(lambda: listings.read_trial_catalog(store), info.context)
    order = await memory.order(
        f"{listing.counted}\n# text: {text.strip().lower()}",
        lambda: catalog.matching(text, within=within),
        info.context,
    )
    return listing, listings.slice_page(order, size, after)


async def searched_trial(info: Info, identifier: str) -> str | None:
    """The trial ``identifier`` names case-insensitively: from the index of trial names kept for
    the generation (read once, about 8 s at 100,000 trials, then a dict lookup), else searched
    in the store (10 s there, for every request)."""
    memory = kept_listings(info)
    if memory is None:
        found: str | None = await info.context.run(read.search_trial, identifier)
        return found
    store = info.context.store
    names = await memory.identifiers(lambda: listings.read_trial_identifiers(store), info.context)
    return names.find(identifier)


async def resolved(
    info: Info, build: Callable[[Store, W], listings.Listing], where: W
) -> listings.Listing:
    """``build(store, where)``: a filter's listing, its identifiers resolved by small lookups,
    remembered with the whole listings where the server keeps them."""
    memory, store = kept_listings(info), info.context.store
    if memory is None:
        found: listings.Listing = await info.context.run(build, where)
        return found
    return await memory.listing(repr(where), lambda: build(store, where), info.context)


@strawberry.type
class Query:
    @strawberry.field(description="Any resource by IRI.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, str(id))

    @strawberry.field(
        description="A trial by IRI, registry id (NCT01593254) or acronym (DASCERN), "
        "case-insensitively."
    )
    async def trial(self, info: Info, id: strawberry.ID) -> Trial | None:
        # The exact lookup may run on the event loop (and is kept for the generation); the
        # case-insensitive one is a dict lookup in the generation's index of trial names where
        # the server keeps one, else a search of every trial's names in the store, never on the
        # loop.
        found = await info.context.loaders.trial_named.load(str(id))
        if found is None:
            found = await searched_trial(info, str(id))
        if found is None:
            return None
        info.context.read_documents([found])
        trial = await info.context.loaders.trial.load(found)
        return Trial.of(trial) if trial is not None else None

    @strawberry.field(description="Trials matching `filter`, by acronym, a page at a time.")
    async def trials(
        self,
        info: Info,
        filter: TrialFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> TrialConnection:
        where = listings.TrialFilter(
            drug=filter.drug if filter else None,
            condition=filter.condition if filter else None,
            phase=filter.phase if filter else None,
            text=filter.text if filter else None,
        )
        size = page_size(first)
        memory = kept_listings(info)
        if where.text and memory is not None:
            listing, page = await searched_trial_page(info, memory, where, size, after)
        else:
            listing = await resolved(info, listings.trial_listing, where)
            page = await listing_page(info, listing, size, after)
        info.context.read_documents([iri for iri, _ in page.items])
        trials = await info.context.loaders.trial.load_many([iri for iri, _ in page.items])
        edges = [
            TrialEdge(cursor=cursor, node=Trial.of(trial))
            for (_, cursor), trial in zip(page.items, trials, strict=True)
            if trial is not None
        ]

        return TrialConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page),
            count=total_count(info, listing, page, after),
        )

    @strawberry.field(description="A drug by IRI, name or code (CHEBI:49375, DB01254, ...).")
    async def drug(self, info: Info, id: strawberry.ID) -> Drug | None:
        found = await info.context.run(read.find_drug, str(id))
        if found is None:
            return None
        drug = await info.context.loaders.drug.load(found)
        return Drug.of(drug) if drug is not None else None

    @strawberry.field(description="Drugs by name.")
    async def drugs(self, info: Info, first: First = None) -> list[Drug]:
        iris = await info.context.run(read.list_drugs, page_size(first))
        drugs = await info.context.loaders.drug.load_many(iris)
        return [Drug.of(d) for d in drugs if d is not None]

    @strawberry.field(description="A publication by DOI (bare, doi: or https://doi.org/...).")
    async def publication(self, info: Info, doi: str) -> Publication | None:
        found = await info.context.run(read.find_publication, doi)
        if found is None:
            return None
        document = await info.context.loaders.source.load(found)
        return Publication.of(document) if document is not None else None

    @strawberry.field(description="Comparisons across all trials matching `filter`, by IRI.")
    async def comparisons(
        self,
        info: Info,
        filter: ComparisonFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> ComparisonConnection:
        given = filter or ComparisonFilter()
        where = listings.ComparisonFilter(
            drug=given.drug,
            comparator=given.comparator,
            endpoint=given.endpoint,
            max_p_value=given.max_p_value,
            statistic=statistic_iri(given.statistic),
            derived=given.derived,
        )
        size = page_size(first)
        listing = await resolved(info, listings.comparison_listing, where)
        page = await listing_page(info, listing, size, after)
        found = await info.context.loaders.comparison.load_many([iri for iri, _ in page.items])
        edges = [
            ComparisonEdge(cursor=cursor, node=Comparison.of(comparison))
            for (_, cursor), comparison in zip(page.items, found, strict=True)
            if comparison is not None
        ]

        return ComparisonConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page),
            count=total_count(info, listing, page, after),
        )
