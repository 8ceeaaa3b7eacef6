"""Listings: filters resolved to SPARQL, keyset pagination with opaque cursors, counts.

Why its own module: a listing is the one read whose cost grows with the graph (every match is
found, sorted and counted before a page is cut), so its queries, its cursors and the ways it
avoids work at scale live together; :mod:`kg.readmodel.read` holds the batched reads of
entities a page then needs.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from dataclasses import dataclass, replace

from kg.facets import ComparisonQuery, TrialQuery
from kg.readmodel import model
from kg.readmodel.read import (
    Row,
    find_conditions,
    find_drugs,
    find_phases,
    read_node_types,
)
from kg.readmodel.sparql import (
    BadValue,
    decimal_literal,
    fragment,
    iri,
    render,
    string_literal,
    values,
)
from kg.store import Store, grows_with_data, select
from kg.vocab import EKG


@dataclass(frozen=True)
class TrialFilter:
    """Trials giving ``drug`` (any identifier), studying ``condition`` (name substring, code or
    IRI), in ``phase`` (or a narrower one), whose acronym or title contains ``text``."""

    drug: str | None = None
    condition: str | None = None
    phase: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class ComparisonFilter:
    """Comparisons whose intervention arm gives ``drug``, comparator arm gives ``comparator``,
    on an endpoint whose name contains ``endpoint``, with a p-value at most ``max_p_value``,
    and with an estimate of ``statistic`` (an ekg:StatisticType IRI) that is derived or
    reported as ``derived`` says."""

    drug: str | None = None
    comparator: str | None = None
    endpoint: str | None = None
    max_p_value: float | None = None
    statistic: str | None = None
    derived: bool | None = None


@dataclass(frozen=True)
class Listing:
    """A filtered listing with its identifiers resolved, so that a page and a count of one
    request share the lookups: ``match`` binds ?item and its sort ?key (page.rq), ``counted``
    binds ?item only (count.rq); both are None when a filter names nothing in the graph.

    ``unchecked`` is ``match`` without the check that each item is an ``item_class``, for
    filters whose predicates only items of that class carry on a conforming graph: a page read
    with it is kept when every row it gives has the class (see :func:`page`). ``by_iri`` marks a
    listing ordered by its items' IRIs (its key is the IRI's text), which :func:`page` may sort
    itself from ``counted``."""

    match: str | None
    counted: str | None
    unchecked: str | None = None
    item_class: str | None = None
    by_iri: bool = False


NOTHING = Listing(match=None, counted=None)


@grows_with_data
def resolve_trials(store: Store, where: TrialFilter) -> TrialQuery | None:
    """``where`` with its identifiers (drug, condition, phase) resolved to IRIs by small
    lookups, or ``None`` when one names nothing in the graph (no trial matches)."""
    found: dict[str, tuple[str, ...]] = {}
    for name, identifier, find in (
        ("drugs", where.drug, find_drugs),
        ("conditions", where.condition, find_conditions),
        ("phases", where.phase, find_phases),
    ):
        if identifier:
            iris = tuple(find(store, identifier))
            if not iris:
                return None
            found[name] = iris
    text = where.text.strip().lower() if where.text else None
    return TrialQuery(**found, text=text)


@grows_with_data
def resolve_comparisons(store: Store, where: ComparisonFilter) -> ComparisonQuery | None:
    """``where`` with its drugs resolved to IRIs, or ``None`` when one names nothing."""
    found: dict[str, tuple[str, ...]] = {}
    for name, identifier in (("drugs", where.drug), ("comparators", where.comparator)):
        if identifier:
            iris = tuple(find_drugs(store, identifier))
            if not iris:
                return None
            found[name] = iris
    return ComparisonQuery(
        **found,
        endpoint=where.endpoint.strip().lower() if where.endpoint else None,
        max_p_value=where.max_p_value,
        statistic=where.statistic,
        derived=where.derived,
    )


def trial_listing(query: TrialQuery | None) -> Listing:
    """The listing of trials matching ``query`` (:func:`resolve_trials`) in SPARQL.

    It joins on the resolved IRIs: matching names inside the listing query would evaluate the
    name match once per trial (seconds at a few hundred trials).
    """
    if query is None:
        return NOTHING
    filters: list[str] = []
    if query.drugs is not None:
        filters.append(fragment("trial_filter_drug", drugs=values(query.drugs)))
    if query.conditions is not None:
        filters.append(fragment("trial_filter_condition", conditions=values(query.conditions)))
    if query.phases is not None:
        filters.append(fragment("trial_filter_phase", phases=values(query.phases)))
    # Only trials carry the drug and phase filters' predicates (studySubject, phase) in the
    # model; populations carry healthCondition too, and any label matches the text filter, so
    # those two alone keep the type check in the query.
    trial_only = query.drugs is not None or query.phases is not None
    text = (
        fragment("trial_filter_text", value=string_literal(query.text))
        if query.text is not None
        else ""
    )
    joined = fragment("trial_filters", filters="\n".join(filters)) if filters else ""
    candidates = fragment(
        "trial_candidates", filters=joined, text=text, type_check=fragment("trial_type_check")
    )
    listing = Listing(match=fragment("trial_match", candidates=candidates), counted=candidates)
    if not trial_only:
        return listing
    unchecked = fragment("trial_candidates", filters=joined, text=text, type_check="")
    return replace(
        listing,
        unchecked=fragment("trial_match", candidates=unchecked),
        item_class=str(EKG.Trial),
    )


def comparison_listing(query: ComparisonQuery | None) -> Listing:
    """The listing of comparisons matching ``query`` (:func:`resolve_comparisons`) in SPARQL."""
    if query is None:
        return NOTHING
    filters: list[str] = []
    for name, drugs in (
        ("comparison_filter_drug", query.drugs),
        ("comparison_filter_comparator", query.comparators),
    ):
        if drugs is not None:
            filters.append(fragment(name, drugs=values(drugs)))
    if query.endpoint is not None:
        filters.append(
            fragment("comparison_filter_endpoint", value=string_literal(query.endpoint))
        )
    if query.max_p_value is not None:
        value = decimal_literal(query.max_p_value)
        filters.append(fragment("comparison_filter_max_p_value", value=value))
    if query.statistic is not None or query.derived is not None:
        statistic = (
            fragment("estimate_statistic", statistic=iri(query.statistic))
            if query.statistic is not None
            else ""
        )
        derived = ""
        if query.derived is not None:
            derived = fragment("estimate_derived" if query.derived else "estimate_reported")
        filters.append(fragment("comparison_filter_estimate", statistic=statistic, derived=derived))
    candidates = fragment("comparison_candidates", filters="\n".join(filters))
    match = fragment("comparison_match", candidates=candidates)
    return Listing(match=match, counted=candidates, by_iri=True)


def encode_cursor(key: str, item: str) -> str:
    """An opaque cursor for the row sorted at (key, IRI).

    >>> decode_cursor(encode_cursor("dascern", "https://example.org/t"))
    ('dascern', 'https://example.org/t')
    """
    raw = json.dumps([key, item], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (key, IRI) of a cursor from :func:`encode_cursor`, or :class:`BadValue`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, item = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadValue("invalid cursor: pass an endCursor or edge cursor unchanged") from error
    if not isinstance(key, str) or not isinstance(item, str):
        raise BadValue("invalid cursor: pass an endCursor or edge cursor unchanged")
    return key, item


@grows_with_data
def page(store: Store, listing: Listing, first: int, after: str | None) -> model.Page:
    """At most ``first`` items of ``listing`` after cursor ``after``, in the listing's order."""
    capabilities = store.capabilities
    if listing.by_iri and capabilities.costly_string_order and capabilities.complete_results:
        # The store's ORDER BY over long strings costs far more than sorting them here (oxigraph
        # ordering 400,000 comparison IRIs: 34 s of CPU; read whole and sorted here, 2 s).
        return slice_page(whole(store, listing), first, after)
    after_filter = ""
    if after:
        key, item = decode_cursor(after)
        after_filter = fragment(
            "page_after", key=string_literal(key), iri=string_literal(iri(item)[1:-1])
        )
    if listing.match is None:
        return model.Page()
    rows = _unchecked_page_rows(store, listing, first, after_filter)
    if rows is None:
        query = render("page", match=listing.match, after=after_filter, limit=str(int(first) + 1))
        rows = select(store, query).rows
    items = tuple(
        (str(row["item"]), encode_cursor(str(row.get("key", "")), str(row["item"])))
        for row in rows[:first]
    )
    return model.Page(items=items, has_next_page=len(rows) > first)


Order = tuple[tuple[str, str], ...]
"""A whole listing in page order: its (sort key, item IRI) pairs, sorted."""


@grows_with_data
def whole(store: Store, listing: Listing) -> Order:
    """Every item of ``listing`` with its key, read unsorted and sorted here in page.rq's order
    (ORDER BY ?key ?item: both by codepoint, as Python compares strings). For paging a listing
    whose order the caller keeps (:func:`slice_page`), or one the store sorts badly."""
    if listing.counted is None or listing.match is None:
        return ()
    if listing.by_iri:
        query = render("listing_items", match=listing.counted)
        return tuple((item, item) for item in sorted(
            {item for (item,) in store.select_values(query) if item is not None}
        ))
    rows = store.select_values(render("listing_keyed", match=listing.match))
    return tuple(sorted({(key or "", item) for item, key in rows if item is not None}))


def resume_after(cursor: str | None) -> tuple[str, str] | None:
    """The (key, IRI) a page starts after, from its cursor (``None``: the first page), refused
    as page_after.rq refuses it: :class:`BadValue` for a cursor this server did not give out."""
    if not cursor:
        return None
    key, item = decode_cursor(cursor)
    iri(item)
    return key, item


def slice_page(order: Order, first: int, after: str | None) -> model.Page:
    """At most ``first`` items of a whole listing after cursor ``after``, read as page_after.rq
    reads it (the rows sorted after the cursor's key and IRI), with the listing's total."""
    resume = resume_after(after)
    start = 0 if resume is None else bisect.bisect_right(order, resume)
    chosen = order[start : start + first]
    return model.Page(
        items=tuple((item, encode_cursor(key, item)) for key, item in chosen),
        has_next_page=start + first < len(order),
        total=len(order),
    )


def _unchecked_page_rows(
    store: Store, listing: Listing, first: int, after_filter: str
) -> list[Row] | None:
    """The page's rows read without the type check, or ``None`` if a row lacks the class.

    Why: checking the type of every match cost 40% of a drug-filtered page at 100,000 trials
    (4,390 matches: 72 ms CPU with the check, 42 without, on pyoxigraph), while a conforming
    graph gives these filters' predicates to trials only. When every row of the unchecked page
    is a trial, the page is exact: the matches it skipped sort after its last row, and dropping
    them cannot change the rows before. Otherwise (a non-trial carries the predicate) the caller
    reads the page again with the check. The count keeps its check: nothing short of checking
    every match proves the number.
    """
    if listing.unchecked is None or listing.item_class is None:
        return None
    query = render("page", match=listing.unchecked, after=after_filter, limit=str(int(first) + 1))
    rows = select(store, query).rows
    types = read_node_types(store, [str(row["item"]) for row in rows])
    if all(listing.item_class in types.get(str(row["item"]), ()) for row in rows):
        return rows
    return None


@grows_with_data
def count(store: Store, listing: Listing) -> int:
    """How many items ``listing`` holds (a SPARQL COUNT)."""
    if listing.counted is None:
        return 0
    rows = select(store, render("count", match=listing.counted)).rows
    return int(rows[0].get("count") or 0) if rows else 0


@grows_with_data
def page_trials(store: Store, where: TrialFilter, first: int, after: str | None) -> model.Page:
    """At most ``first`` trials matching ``where``, after cursor ``after``, by acronym."""
    return page(store, trial_listing(resolve_trials(store, where)), first, after)


@grows_with_data
def count_trials(store: Store, where: TrialFilter) -> int:
    """How many trials match ``where`` (a SPARQL COUNT)."""
    return count(store, trial_listing(resolve_trials(store, where)))


@grows_with_data
def page_comparisons(
    store: Store, where: ComparisonFilter, first: int, after: str | None
) -> model.Page:
    """At most ``first`` comparisons matching ``where``, after cursor ``after``, by IRI."""
    return page(store, comparison_listing(resolve_comparisons(store, where)), first, after)


@grows_with_data
def count_comparisons(store: Store, where: ComparisonFilter) -> int:
    """How many comparisons match ``where`` (a SPARQL COUNT)."""
    return count(store, comparison_listing(resolve_comparisons(store, where)))
