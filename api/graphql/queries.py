# strawberry's decorators are untyped without its mypy plugin, which pyproject does not enable.
# mypy: disable-error-code="untyped-decorator,valid-type"
"""The root Query type: entry points by identifier, and filtered, paged listings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from api.graphql.errors import BadArgument
from api.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.graphql.listing_reads import ListingReads, resolved
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
    count: Callable[[], Awaitable[int]], page: model.Page, after: str | None
) -> CountFunction:
    """How many items a listing holds, for ``totalCount`` when it is asked: a page cut from a
    whole listing (``page.total``) knows it; so does a first page with nothing after it, which
    is the whole listing; any other page asks ``count``."""

    async def counted() -> int:
        if page.total is not None:
            return page.total
        if after is None and not page.has_next_page:
            return len(page.items)
        return await count()

    return counted


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
        # case-insensitive one is an indexed query of the projection's facets where the
        # generation has them, else a search of every trial's names in the store, never on the
        # loop.
        found = await info.context.loaders.trial_named.load(str(id))
        if found is None:
            found = await ListingReads(info.context).search_trial(str(id))
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
        reads = ListingReads(info.context)
        query = await resolved(info.context, listings.resolve_trials, where)
        page = await reads.trial_page(query, size, after)
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
            count=total_count(lambda: reads.trial_count(query), page, after),
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
        reads = ListingReads(info.context)
        query = await resolved(info.context, listings.resolve_comparisons, where)
        page = await reads.comparison_page(query, size, after)
        found = await info.context.loaders.comparison.load_many([iri for iri, _ in page.items])
        edges = [
            ComparisonEdge(cursor=cursor, node=Comparison.of(comparison))
            for (_, cursor), comparison in zip(page.items, found, strict=True)
            if comparison is not None
        ]

        return ComparisonConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page),
            count=total_count(lambda: reads.comparison_count(query), page, after),
        )
